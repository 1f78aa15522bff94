"""Generated packages: every corpus world type-checks, output is deterministic, CLI works."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bindgen import generate
from linker.cli import main
from linker.errors import WitError
from linker.wit import from_json
from linker.wit import load as load_wit
from linker.wit.model import WorldId

ROOT = Path(__file__).resolve().parent.parent
ECHO_WIT = ROOT / "test-components" / "bindgen-echo" / "wit"
TOOLS = Path(sys.executable).parent


def _write(files: dict[str, str], out: Path, package: str) -> None:
    for relative, text in files.items():
        target = out / package / relative.split("/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_every_corpus_world_generates_a_formatted_clean_importable_package(
    corpus: Path, tmp_path: Path
) -> None:
    # The expected JSONs include the 4 empty-record cases wasm-tools 1.262 rejects.
    packages = []
    for case in sorted(corpus.glob("*.wit.json")):
        resolve = from_json(case.read_text())
        for index in range(len(resolve.worlds)):
            stem = case.name.removesuffix(".wit.json").replace("-", "_").replace(".", "_")
            package = f"corpus_{stem}_{index}"
            _write(generate(resolve, WorldId(index)), tmp_path, package)
            packages.append(package)
    host = load_wit(ROOT / "wit")
    _write(generate(host, "extension"), tmp_path, "witlink_extension")
    _write(generate(load_wit(ECHO_WIT), "bindgen-echo"), tmp_path, "echo")
    packages += ["witlink_extension", "echo"]
    assert len(packages) > 90

    ruff = [str(TOOLS / "ruff")]
    for command in (
        ["format", "--check", "--diff"],
        ["check", "--select", "E,F,W,I,B,UP,SIM,RUF"],
    ):
        run = subprocess.run(
            [*ruff, *command, "--isolated", "-q", "--line-length", "100", "."],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / ".mypy"), "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert mypy.returncode == 0, mypy.stdout[-5000:]

    sys.path.insert(0, str(tmp_path))
    try:
        for module in sorted(tmp_path.rglob("*.py")):
            name = ".".join(module.relative_to(tmp_path).with_suffix("").parts)
            importlib.import_module(name.removesuffix(".__init__"))
    finally:
        sys.path.remove(str(tmp_path))


def test_generation_is_deterministic() -> None:
    first = generate(load_wit(ECHO_WIT), "bindgen-echo")
    second = generate(load_wit(ECHO_WIT), "witlink:bindgen-echo/bindgen-echo@0.1.0")
    assert first == second
    assert list(first) == sorted(first)


def test_doc_comments_become_docstrings() -> None:
    files = generate(load_wit(ECHO_WIT), "bindgen-echo")
    types = files["bindgen_echo/types.py"]
    assert '"""Primary colours."""' in types
    assert '    """Horizontal position."""' in types
    assert '"""Adds `by` and returns the new value."""' in types
    assert (
        "Echo functions: each returns its argument unchanged." in files["bindgen_echo/exports.py"]
    )
    assert "class Point:" in types and types.count("class Point") == 1, "use'd types are shared"
    assert "PointAlias: TypeAlias = Point" in types


def test_unknown_world_is_a_wit_error_listing_the_worlds() -> None:
    with pytest.raises(WitError, match="no world named `nope`: known worlds are witlink:bindgen"):
        generate(load_wit(ECHO_WIT), "nope")


def test_features_gate_unstable_items(tmp_path: Path) -> None:
    wit = tmp_path / "gated.wit"
    wit.write_text(
        "package a:b;\nworld w {\n  @unstable(feature = extra)\n  import f: func();\n}\n"
    )
    assert not load_wit(wit).worlds[0].imports
    assert "f" in load_wit(wit, features=["extra"]).worlds[0].imports
    assert "f" in load_wit(wit, all_features=True).worlds[0].imports


def test_cli_writes_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bindgen", str(ECHO_WIT), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "bindgen_echo" / "imports" / "echo.py").is_file()
    assert "wrote 7 files of package `bindgen_echo`" in capsys.readouterr().out


def test_cli_unknown_world_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bindgen", str(ECHO_WIT), "--world", "nope", "-o", str(tmp_path)]) == 1
    assert "no world named `nope`" in capsys.readouterr().err


def test_cli_missing_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bindgen", "missing.wit", "-o", str(tmp_path)]) == 2
    assert "no such file or directory: missing.wit" in capsys.readouterr().err


def test_cli_bad_wit_names_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wit = tmp_path / "bad.wit"
    wit.write_text("package a:b;\nworld w { import x: func() -> strin; }\n")
    assert main(["bindgen", str(wit), "-o", str(tmp_path)]) == 1
    assert "bad.wit:2:" in capsys.readouterr().err


def test_cli_needs_an_output_directory() -> None:
    assert main(["bindgen", str(ECHO_WIT)]) == 2


def test_bool_case_after_an_integer_case_is_refused_not_misrouted(tmp_path: Path) -> None:
    wit = tmp_path / "v.wit"
    wit.write_text(
        "package a:b;\n"
        "world w {\n  variant v { num(u32), flag(bool) }\n  import f: func(x: v);\n}\n"
    )
    _write(generate(load_wit(wit), "w"), tmp_path, "vpkg")
    sys.path.insert(0, str(tmp_path))
    try:
        types = importlib.import_module("vpkg.types")
    finally:
        sys.path.remove(str(tmp_path))
    assert types._lower_v(types.VNum(3)) == 3
    with pytest.raises(NotImplementedError, match="case `flag` of `v`"):
        types._lower_v(types.VFlag(True))


def test_interface_names_with_versions_and_duplicates_make_importable_modules(
    tmp_path: Path,
) -> None:
    wit = tmp_path / "wit"
    for package, version in (("acme:tags", "@0.2.0"), ("other:tags", "@1.0.0"), ("acme:more", "")):
        folder = wit / "deps" / package.replace(":", "-")
        folder.mkdir(parents=True)
        (folder / "lib.wit").write_text(
            f"package {package}{version};\ninterface lib {{ f: func(x: u32) -> u32; }}\n"
        )
    (wit / "world.wit").write_text(
        "package x:app;\nworld app {\n  import acme:tags/lib@0.2.0;\n"
        "  import other:tags/lib@1.0.0;\n  export acme:more/lib;\n"
        "  export acme:tags/lib@0.2.0;\n}\n"
    )
    out = tmp_path / "out"
    assert main(["bindgen", str(wit), "-o", str(out)]) == 0
    modules = sorted(p.name for p in (out / "app" / "imports").glob("*.py"))
    assert modules == ["__init__.py", "lib.py", "other_tags_lib_1_0_0.py"]
    sys.path.insert(0, str(out))
    try:
        importlib.import_module("app.imports.lib")
        importlib.import_module("app.imports.other_tags_lib_1_0_0")
        exports = importlib.import_module("app.exports")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] == "app"]:
            del sys.modules[name]
    assert hasattr(exports, "AcmeTagsLib020Exports")
    assert (
        "self.acme_tags_lib_0_2_0 = AcmeTagsLib020Exports(scope)"
        in (out / "app" / "exports.py").read_text()
    )


def test_strategies_without_hypothesis_name_the_extra_to_install() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import bindgen.strategies"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert "pip install 'witlink[strategies]'" in done.stderr
