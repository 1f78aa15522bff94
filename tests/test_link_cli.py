"""The link-step commands and bad inputs: clear diagnostics and exit codes, never tracebacks."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import componentbuild
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linker.cli import main
from linker.plan import analyze
from linker.tools import run_wasm_tools


def ext(name: str) -> Path:
    return componentbuild.build(name)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def exts(tmp_path: Path) -> Path:
    """An extensions directory with a diamond and a host user."""
    folder = tmp_path / "exts"
    for name in ("link-base", "link-left", "link-right", "link-top", "link-host-user"):
        shutil.copytree(ext(name), folder / name)
    return folder


def test_check_and_link_exit_codes(capsys: pytest.CaptureFixture[str], exts: Path) -> None:
    code, out, _ = run(capsys, "check", str(exts))
    assert code == 0 and "link-base link-left link-right link-top" in out
    code, out, _ = run(capsys, "link", str(exts))
    assert code == 0 and json.loads(out)["schema"] == 1
    shutil.rmtree(exts / "link-base")
    code, _, err = run(capsys, "check", str(exts))
    assert code == 1
    assert err.count("W001-missing-provider") == 2 and "2 problems found" in err
    code, _, err = run(capsys, "link", str(exts / "nope"), "-o", str(exts / "plan.json"))
    assert code == 2 and "no such file or directory" in err
    assert not (exts / "plan.json").exists()


def test_libs_lists_provider_version_and_users(
    capsys: pytest.CaptureFixture[str], exts: Path
) -> None:
    code, out, _ = run(capsys, "libs", str(exts))
    assert code == 0
    assert "link:base/lib@1.0.0  provided by link-base  used by link-left, link-right" in out
    code, out, _ = run(capsys, "libs", str(exts), "--json")
    rows = json.loads(out)
    assert {"interface": "link:top/lib", "version": "1.0.0"} not in rows
    assert rows[0] == {
        "interface": "link:base/lib",
        "version": "1.0.0",
        "provider": "link-base",
        "users": ["link-left", "link-right"],
    }


def test_deps_in_three_formats(capsys: pytest.CaptureFixture[str], exts: Path) -> None:
    code, out, _ = run(capsys, "deps", str(exts))
    assert code == 0 and "link-top: link-left (link:left/lib@1.0.0)" in out
    _, out, _ = run(capsys, "deps", str(exts), "--format", "json")
    doc = json.loads(out)
    assert doc["order"][-1] == "link-top" and len(doc["edges"]) == 4 and doc["cycles"] == []
    _, out, _ = run(capsys, "deps", str(exts), "--format", "dot")
    assert out.startswith("digraph witlink {")
    assert '"link-top" -> "link-left" [label="link:left/lib@1.0.0"];' in out
    if shutil.which("dot"):
        import subprocess

        subprocess.run(["dot", "-Tsvg"], input=out, text=True, check=True, capture_output=True)


def test_deps_shows_the_cycle(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        capsys, "deps", str(ext("link-cyc-a")), str(ext("link-cyc-b")), "--format", "json"
    )
    assert code == 1 and "W006-cycle" in err
    assert json.loads(out)["cycles"] == [["link-cyc-a", "link-cyc-b", "link-cyc-a"]]


def test_inspect(capsys: pytest.CaptureFixture[str]) -> None:
    wasm = ext("link-left") / "link-left.wasm"
    code, out, _ = run(capsys, "inspect", str(wasm))
    assert code == 0 and "link:base/lib@1.0.0\n    value: func() -> u32" in out
    code, out, _ = run(capsys, "inspect", str(wasm), "--json")
    doc = json.loads(out)
    assert [i["name"] for i in doc["imports"]] == ["link:base/lib@1.0.0"]
    assert doc["exports"][0]["functions"] == [{"name": "value", "signature": "func() -> u32"}]
    code, _, err = run(capsys, "inspect", str(wasm.with_name("missing.wasm")))
    assert code == 2 and "no such file" in err


def test_add_and_remove(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "installed"
    for name in ("link-base", "link-left", "link-host-user"):
        code, out, _ = run(capsys, "add", str(ext(name)), "--into", str(target))
        assert code == 0 and "added" in out
    assert (target / "host-user" / "extension.toml").is_file()
    code, _, err = run(capsys, "add", str(ext("link-base")), "--into", str(target))
    assert code == 1 and "already holds an extension `link-base`" in err
    code, _, err = run(capsys, "remove", "link-base", "--from", str(target))
    assert code == 1 and "link-left depend on it" in err
    assert (target / "link-base").is_dir()
    code, _, _ = run(capsys, "remove", "link-left", "--from", str(target))
    assert code == 0 and not (target / "link-left").exists()
    code, _, _ = run(capsys, "remove", "link-base", "--from", str(target))
    assert code == 0
    code, _, err = run(capsys, "remove", "nothing", "--from", str(target))
    assert code == 1 and "holds: host-user" in err
    code, _, _ = run(capsys, "add", str(ext("link-left")), "--into", str(target))
    code, _, _ = run(capsys, "add", str(ext("link-base")), "--into", str(target))
    code, _, _ = run(capsys, "remove", "link-base", "--from", str(target), "--force")
    assert code == 0 and not (target / "link-base").exists()


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    good = ext("link-base") / "link-base.wasm"
    cases: dict[str, Path] = {}
    junk = tmp_path / "junk" / "junk.wasm"
    junk.parent.mkdir()
    junk.write_text("not wasm at all")
    cases["W010-bad-component"] = junk
    core = tmp_path / "core" / "core.wasm"
    core.parent.mkdir()
    core.write_bytes(run_wasm_tools("parse", "-", input=b"(module)"))
    cases["W010-bad-component/core"] = core
    cut = tmp_path / "cut" / "cut.wasm"
    cut.parent.mkdir()
    cut.write_bytes(good.read_bytes()[:120])
    cases["W010-bad-component/truncated"] = cut
    bad_toml = tmp_path / "badtoml"
    bad_toml.mkdir()
    (bad_toml / "extension.toml").write_text("[extension\n")
    cases["W011-bad-manifest"] = bad_toml
    gone = tmp_path / "gone"
    gone.mkdir()
    (gone / "extension.toml").write_text('[extension]\nid = "gone"\ncomponent = "gone.wasm"\n')
    cases["W012-missing-component"] = gone
    return cases


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("W010-bad-component", "no `\\0asm` header"),
        ("W010-bad-component/core", "core WebAssembly module, not a component"),
        ("W010-bad-component/truncated", "truncated or corrupt"),
        ("W011-bad-manifest", "not valid TOML"),
        ("W012-missing-component", "component file not found"),
    ],
)
def test_bad_inputs_get_clear_diagnostics(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, needle: str
) -> None:
    path = _bad_inputs(tmp_path)[case]
    code, _, err = run(capsys, "check", str(path), str(ext("link-base")))
    assert code == 1
    assert case.split("/")[0] in err and needle in err


def test_duplicate_ids(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shutil.copytree(ext("link-base"), tmp_path / "one" / "link-base")
    shutil.copytree(ext("link-base"), tmp_path / "two" / "link-base")
    code, _, err = run(capsys, "link", str(tmp_path / "one"), str(tmp_path / "two"))
    assert code == 1 and "W009-duplicate-id" in err and "two extensions have this id" in err


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=2000))
def test_damaged_components_are_diagnosed_never_crash(junk: bytes, cut: int) -> None:
    good = (ext("link-left") / "link-left.wasm").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "damaged.wasm"
        path.write_bytes(good[:cut] + junk)
        linkage = analyze([path])
    if linkage.diagnostics:
        assert {d.code for d in linkage.diagnostics} <= {
            "W010-bad-component",
            "W001-missing-provider",
        }


def test_add_keeps_the_manifest_pointing_at_its_component(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "src"
    (source / "build").mkdir(parents=True)
    shutil.copy(ext("link-base") / "link-base.wasm", source / "build" / "math.wasm")
    (source / "extension.toml").write_text(
        '[extension]\nid = "mathlib"\ncomponent = "build/math.wasm"\n'
    )
    code, _, _ = run(capsys, "add", str(source), "--into", str(tmp_path / "exts"))
    assert code == 0 and (tmp_path / "exts" / "mathlib" / "build" / "math.wasm").is_file()
    code, out, _ = run(capsys, "check", str(tmp_path / "exts"))
    assert code == 0 and "order: mathlib" in out
