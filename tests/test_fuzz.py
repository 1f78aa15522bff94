"""Malformed input at every boundary gives a clean `WitlinkError` (or exit 1/2), never a leak.

A few hundred seeded cases of `tests/fuzzing.py` run here (`just fuzz N` runs more), then
the named cases of issue 11 one by one, with the messages they must give.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import fuzzing
import pytest

from linker import component as component_mod
from linker.component import ComponentError
from linker.errors import WitError
from linker.wit import from_json, to_json
from tests.support.cli import witlink


@pytest.fixture(scope="module")
def ws() -> Iterator[fuzzing.Workspace]:
    with fuzzing.workspace() as workspace:
        yield workspace


@pytest.mark.parametrize(
    ("target", "count"),
    [
        ("edge", len(fuzzing.EDGE_JSON) + len(fuzzing.EDGE_WIT)),
        ("wit", 60),
        ("json", 60),
        ("component", 20),
        ("decode-cache", 12),
        ("cli", 40),
        ("manifest", 40),
        ("plan", 40),
    ],
)
def test_seeded_cases_leak_nothing(ws: fuzzing.Workspace, target: str, count: int) -> None:
    outcomes = [fuzzing.run_case(ws, f"{target}:{i}") for i in range(count)]
    failed = [o for o in outcomes if o.kind in ("leak", "hang")]
    listing = "\n".join(f"{o.kind}: {o.case}: {o.detail}" for o in failed)
    assert not failed, listing
    if target != "decode-cache":  # a corrupt cache entry is decoded afresh, not rejected
        assert any(o.kind == "rejected" for o in outcomes)  # the mutations reach the checks


# ---------------------------------------------------------------- wit.from_json

TYPE = '{{"name": {name}, "kind": {kind}, "owner": null}}'


def types_doc(*kinds: str, name: str = "null") -> str:
    return '{"types": [' + ", ".join(TYPE.format(name=name, kind=k) for k in kinds) + "]}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            types_doc('{"list": 3}'),
            "type 0 (`anonymous`) refers to type 3, but the document has 1 type",
        ),
        (
            '{"interfaces": [{"name": "i", "functions": {"f": {"name": "f", "kind": "freestanding",'
            ' "params": [{"name": "x", "type": 9}]}}}]}',
            "interface 0 (`i`) function `f` refers to type 9",
        ),
        (
            '{"worlds": [{"name": "w", "imports": {"interface-4": {"interface": {"id": 4}}}}]}',
            "world 0 (`w`) refers to interface 4, but the document has 0 interfaces",
        ),
        (types_doc('{"type": 0}', name='"t"'), "type 0 (`t`) refers to itself"),
        (types_doc('{"option": 1}', '{"list": 0}'), "WIT types cannot be recursive"),
        (types_doc('{"handle": {"own": 1}}', '{"list": "u8"}'), "which is not a resource"),
        (types_doc('{"list": "u9"}'), "unknown primitive type 'u9'"),
        (types_doc('{"list": -1}'), "expected an index or size (0 to 2^32-1), found -1"),
        (types_doc('{"list": 1, "option": 1}'), "expected an object with one key"),
        (types_doc('{"fixed-length-list": ["u8", 4294967296]}'), "found 4294967296"),
        (types_doc('{"handle": {"shared": 0}}'), "unknown HandleKind 'shared'"),
        ('{"types": 5}', "expected a list, found 5"),
        ("[" * 1000 + "]" * 1000, "nested too deeply"),
        ('{"types": [' + "9" * 5000 + "]}", "a number has more than 4300 digits"),
        (
            types_doc('"resource"', *(f'{{"list": {i}}}' for i in range(200))),
            "nests types more than 100 deep",
        ),
    ],
)
def test_from_json_rejects_what_printing_would_trip_on(text: str, message: str) -> None:
    with pytest.raises(WitError) as caught:
        from_json(text)
    assert message in str(caught.value)


def test_corrupt_decode_cache_entry_is_decoded_afresh(
    ws: fuzzing.Workspace, tmp_path: Path
) -> None:
    source = ws.components[0]
    data = source.read_bytes()
    good = component_mod.decode(source)
    entry = component_mod.cache_entry(hashlib.sha256(data).hexdigest())
    for corrupt in (
        types_doc('{"type": 0}'),  # a cycle: printing would recurse forever
        types_doc('{"list": 99}'),  # a dangling id: printing would index past the end
        "{not json",
        "",
    ):
        entry.write_text(corrupt, encoding="utf-8")
        component_mod.forget_decoded()
        info = component_mod.decode(source)
        assert to_json(info.resolve) == to_json(good.resolve)
        assert to_json(from_json(entry.read_text(encoding="utf-8"))) == to_json(good.resolve)
    entry.write_bytes(b"\xff\xfe")  # not UTF-8 either
    component_mod.forget_decoded()
    assert component_mod.decode(source).exports == good.exports


def test_component_decode_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.wasm"
    path.write_bytes(b"\0asm\x0d\x00\x01\x00\x07\xff")
    with pytest.raises(ComponentError, match=r"bad\.wasm: cannot decode the component"):
        component_mod.decode(path)


# ---------------------------------------------------------------- WIT text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("package a:b@1.0." + "9" * 5000 + ";", "value of patch version number exceeds u64::MAX"),
        ("package a:b@18446744073709551616.0.0;", "value of major version number exceeds u64::MAX"),
        (
            "package a:b;\ninterface i { type t = list<u8, " + "9" * 5000 + ">; }",
            "invalid list size: number too large to fit in target type",
        ),
        (
            "package a:b;\ninterface i { f: func("
            + ", ".join(f"p{i}: u8" for i in range(20_000))
            + ", p7: u8); }",
            "param `p7` is defined more than once",
        ),
    ],
)
def test_wit_edges_are_located_errors(tmp_path: Path, text: str, message: str) -> None:
    from linker import wit

    path = tmp_path / "edge.wit"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WitError) as caught:
        wit.load(path)
    assert message in str(caught.value) and caught.value.line is not None


def test_huge_prerelease_numbers_still_order() -> None:
    from linker.wit.semver import version_key

    assert version_key("1.0.0-" + "9" * 5000) > version_key("1.0.0-" + "9" * 4999)
    assert version_key("1.0.0-10") > version_key("1.0.0-2")


# ---------------------------------------------------------------- the CLI, as a user runs it


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "bad.wit").write_bytes(b"package a:b;\ninterface \xff {}\n")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "ok.wit").write_text("package a:b;\nworld w { export f: func(); }\n")
    (tmp_path / "blocked").mkdir()
    (tmp_path / "blocked" / "w").write_text("a file where bindgen makes its package folder")
    return {
        "blocked": str(tmp_path / "blocked"),
        "bad": str(tmp_path / "bad.wit"),
        "loop": str(tmp_path / "loop"),
        "fifo": str(tmp_path / "fifo.json"),
        "file": str(tmp_path / "file"),
        "ok": str(tmp_path / "ok.wit"),
    }


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["wit", "{fifo}"], 2, "not a regular file or folder"),
        (["inspect", "{fifo}"], 2, "not a regular file or folder"),
        (["link", "{ok}", "-o", "{fifo}"], 2, "not a regular file or folder"),
        (["run", "{fifo}", "x", "f"], 2, "not a regular file or folder"),
        (["wit", "{loop}"], 2, "a symlink loop"),
        (["wit", "{bad}"], 1, "not valid utf-8"),
        (["wit", "a\x01b\udcff" + "n" * 300 + ".wit"], 2, "path has a name of"),
        (["bindgen", "{ok}", "-o", "{file}"], 2, "a file, expected a folder"),
        (["bindgen", "{ok}", "-o", "{blocked}"], 2, "cannot write the bindings: File exists"),
        (["inspect", "{file}/x.wasm"], 2, "Not a directory"),
        (["run", "{file}", "x", "f", "--timeout", "nan"], 2, "positive, finite number"),
        (["run", "{file}", "x", "f", "--timeout", "inf"], 2, "positive, finite number"),
        (["run", "{file}", "x", "f", "--timeout", "-1"], 2, "positive, finite number"),
    ],
)
def test_cli_refuses_hostile_paths_and_values(
    hostile: dict[str, str], argv: list[str], code: int, message: str
) -> None:
    result = witlink(*(arg.format(**hostile) for arg in argv), timeout=60)
    assert (result.returncode, "Traceback" in result.stderr) == (code, False), result.stderr
    assert message in result.stderr
    if code == 2 and "cannot write" not in message:  # refused while parsing arguments
        assert "usage: witlink" in result.stderr


def test_cli_refuses_nul_and_lone_surrogates_in_paths(capsys: pytest.CaptureFixture[str]) -> None:
    # a NUL cannot reach a subprocess's argv; run the CLI in this process instead
    from linker.cli import main

    for path in ("a\0b.wit", "\ud800.wit"):
        assert main(["wit", path]) == 2
        assert main(["inspect", path]) == 2
        assert main(["bindgen", "wit", "-o", path]) == 2
    err = capsys.readouterr().err
    assert "path contains a NUL byte" in err and "lone surrogate" in err
