"""The WIT printer, checked against wasm-tools as the oracle.

For every input the printed text must parse (with wasm-tools) to the same
JSON as wasm-tools' own print -> parse of the input; the text itself is also
byte-identical to what `wasm-tools component wit` prints.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from witdiff import main_package_name, reference_json

import linker.wit
from linker.errors import WitError
from linker.tools import run_wasm_tools
from linker.wit import Resolve, from_json, print_resolve, print_wit, to_json
from linker.wit import model as m

SAMPLES = Path(__file__).parent / "data" / "printer"
EMPTY_RECORD_CASES = {"types", "use-chain", "union-fuzz-2", "multi-file"}
"""Corpus cases that wasm-tools 1.262 rejects (`record x {}`), see SOURCE.md."""

needs_load = pytest.mark.skipif(
    not hasattr(linker.wit, "load"), reason="needs linker.wit.load (the parser branch)"
)


def corpus_cases() -> list[str]:
    from conftest import corpus_glob

    return [p.name.removesuffix(".wit.json") for p in corpus_glob("*.wit.json")]


def case_path(corpus: Path, name: str) -> Path:
    for candidate in (corpus / name, corpus / f"{name}.wit", corpus / f"{name}.wat"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(name)


def print_main_first(resolve: Resolve, main: str) -> str:
    package = resolve.package_by_name(main)
    assert package is not None, main
    return print_resolve(resolve, package)


def assert_same_text(expected: str, actual: str) -> None:
    if expected != actual:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "wasm-tools", "print_resolve", lineterm=""
        )
        pytest.fail("printed text differs:\n" + "\n".join(diff))


@pytest.mark.parametrize("name", corpus_cases())
def test_corpus_case_prints_like_wasm_tools(corpus: Path, name: str) -> None:
    if name in EMPTY_RECORD_CASES:
        pytest.skip("wasm-tools 1.262 rejects empty records; covered by the load round trip")
    expected_text = run_wasm_tools(
        "component", "wit", "--features", "active", str(case_path(corpus, name))
    ).decode()
    resolve = from_json((corpus / f"{name}.wit.json").read_text())
    printed = print_main_first(resolve, main_package_name(expected_text))
    assert reference_json(printed) == reference_json(expected_text)
    assert_same_text(expected_text, printed)


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.wit")))
def test_sample_prints_like_wasm_tools(sample: str) -> None:
    """Constructs the corpus lacks: keywords, fixed-size lists, maps, async, external ids..."""
    expected_text = run_wasm_tools("component", "wit", "--all-features", str(SAMPLES / sample))
    text = expected_text.decode()
    expected_json = reference_json(text)
    printed = print_main_first(from_json(expected_json), main_package_name(text))
    assert reference_json(printed) == expected_json
    assert_same_text(text, printed)


def test_print_wit_prints_one_package() -> None:
    resolve = from_json(reference_json((SAMPLES / "nested.wit").read_text()))
    dep = resolve.package_by_name("dep:two")
    assert dep is not None
    text = print_wit(resolve, dep)
    assert text.startswith("package dep:two;\n\ninterface api {\n")
    assert "use dep:one/types@0.1.0.{thing};" in text
    assert "package dep:one" not in text and "package main:pkg" not in text
    # the world's implied import of the interface `api` uses comes first
    assert "world dep-world {\n  import dep:one/types@0.1.0;\n  import api;\n}\n" in text


def test_keywords_are_escaped() -> None:
    resolve = from_json(reference_json((SAMPLES / "names.wit").read_text()))
    text = print_wit(resolve, m.PackageId(0))
    assert text.startswith("package %use:%type@1.0.0;\n")
    assert "  %func: func(%type: %record) -> %record;\n" in text
    assert "    %with: static func() -> %resource;\n" in text


# Where wasm-tools' own printing loses information, print_resolve must not.
LOSSY_FOR_WASM_TOOLS = {
    "empty docs": """package a:b;
interface i {
  ///
  type t = u32;
  record r {
    ///
    f: u32,
  }
}
""",
    "label import docs": """package a:b;
/// interface docs
interface i {
}
world w {
  import x: i;
  /// statement docs
  import y: i;
}
""",
}


@pytest.mark.parametrize("name", sorted(LOSSY_FOR_WASM_TOOLS))
def test_printing_keeps_what_wasm_tools_loses(name: str) -> None:
    source = LOSSY_FOR_WASM_TOOLS[name]
    expected = reference_json(source)
    printed = print_main_first(from_json(expected), "a:b")
    assert reference_json(printed) == expected
    wasm_tools_printed = run_wasm_tools("component", "wit", input=source.encode()).decode()
    assert reference_json(wasm_tools_printed) != expected  # the point of the deviation


def unprintable(kind: m.TypeDefKind) -> Resolve:
    """A package whose function uses an unnamed type of `kind`."""
    resolve = Resolve(packages=[m.Package(m.PackageName("a", "b"))])
    resolve.types.append(m.TypeDef(None, kind, None))
    func = m.Function(
        "f", m.FunctionKind(m.FunctionKindTag.FREESTANDING), (m.Param("x", m.TypeId(0)),)
    )
    resolve.interfaces.append(m.Interface("i", functions={"f": func}, package=m.PackageId(0)))
    resolve.packages[0].interfaces["i"] = m.InterfaceId(0)
    return resolve


@pytest.mark.parametrize(
    "kind",
    [
        m.Record(()),
        m.Enum((m.EnumCase("a"),)),
        m.Resource(),
        m.Handle(m.HandleKind.OWN, m.TypeId(0)),
    ],
)
def test_unprintable_resolve_is_a_wit_error(kind: m.TypeDefKind) -> None:
    with pytest.raises(WitError, match="cannot print WIT"):
        print_wit(unprintable(kind), m.PackageId(0))


def test_printing_nothing_is_a_wit_error() -> None:
    with pytest.raises(WitError, match="no package"):
        print_resolve(Resolve())
    with pytest.raises(WitError, match="no package with id 3"):
        print_wit(unprintable(m.List(m.Primitive.U8)), m.PackageId(3))


def test_unnamed_list_prints_structurally() -> None:
    text = print_wit(unprintable(m.List(m.Primitive.U8)), m.PackageId(0))
    assert text == "package a:b;\n\ninterface i {\n  f: func(x: list<u8>);\n}\n\n"


@needs_load
@pytest.mark.parametrize("name", corpus_cases())
def test_corpus_print_parse_round_trip(corpus: Path, name: str, tmp_path: Path) -> None:
    """JSON(load(print(load(x)))) == JSON(load(x)) for x printed from every corpus case,
    the empty-record cases included (wasm-tools 1.262 cannot check those)."""

    def load_text(text: str) -> str:
        path = tmp_path / "package.wit"
        path.write_text(text)
        return str(to_json(linker.wit.load(path, features=("active",))))

    resolve = from_json((corpus / f"{name}.wit.json").read_text())
    main = str(resolve.packages[-1].name)
    first = load_text(print_main_first(resolve, main))
    second = load_text(print_main_first(from_json(first), main))
    assert second == first
