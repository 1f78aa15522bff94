"""Authoring commands that need no guest toolchain: deps pictures, add --id, wit-deps, new,
and the errors a new user meets (bad names, a lib nobody provides, a missing toolchain)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import componentbuild
import pytest

from linker.authoring import toolchains
from linker.cli import main
from linker.plan import analyze


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def exts(tmp_path: Path) -> Path:
    folder = tmp_path / "exts"
    for name in ("host-calc-provider", "demo-text", "link-base", "link-left"):
        shutil.copytree(componentbuild.build(name), folder / name)
    return folder


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("witlink 0.")


def test_deps_as_mermaid(capsys: pytest.CaptureFixture[str], exts: Path) -> None:
    code, out, _ = run(capsys, "deps", str(exts), "--format", "mermaid")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "graph LR"
    nodes = {line.split("[")[1].strip('[]"'): line.split("[")[0].strip() for line in lines[1:5]}
    assert set(nodes) == {"calc", "text", "link-base", "link-left"}
    assert lines[5:] == [f'  {nodes["link-left"]} -->|"link:base/lib@1.0.0"| {nodes["link-base"]}']


def test_deps_as_svg(capsys: pytest.CaptureFixture[str], exts: Path) -> None:
    code, out, err = run(capsys, "deps", str(exts), "--format", "svg")
    if shutil.which("dot") is None:
        assert code == 1 and "install the graphviz package" in err
        return
    assert code == 0 and "<svg" in out and "link:base/lib@1.0.0" in out


def test_add_with_another_id(
    capsys: pytest.CaptureFixture[str], exts: Path, tmp_path: Path
) -> None:
    into = tmp_path / "more"
    for source, new_id in ((exts / "demo-text", "text2"), (exts / "link-base", "base2")):
        code, out, _ = run(capsys, "add", str(source), "--into", str(into), "--id", new_id)
        assert code == 0 and out == f"added {new_id} to {into}\n"
    manifest = tomllib.loads((into / "text2" / "extension.toml").read_text())
    original = tomllib.loads((exts / "demo-text" / "extension.toml").read_text())
    assert manifest["extension"] == {**original["extension"], "id": "text2"}
    assert manifest.get("permissions") == original.get("permissions")
    assert sorted(e.id for e in analyze([into]).extensions) == ["base2", "text2"]
    code, _, err = run(capsys, "add", str(exts / "demo-text"), "--into", str(into), "--id", "../x")
    assert code == 2 and "not a valid extension id" in err
    assert sorted(p.name for p in into.iterdir()) == ["base2", "text2"]


def test_wit_deps_writes_each_lib_package(
    capsys: pytest.CaptureFixture[str], exts: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "deps"
    code, out, _ = run(capsys, "wit-deps", str(exts), "-o", str(out_dir))
    assert code == 0
    assert "demo:text/lib@0.1.0: from text" in out
    text = (out_dir / "demo-text-0.1.0" / "text.wit").read_text()
    assert "package demo:text@0.1.0;" in text and "record receipt-fields" in text
    assert (
        "add: func(a: u32, b: u32) -> u32;"
        in (out_dir / "acme-calc-1.0.0" / "calc.wit").read_text()
    )
    # the written WIT is what the providers export: a world importing it resolves
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "w.wit").write_text(
        "package t:w;\nworld w { import demo:text/lib@0.1.0; import acme:calc/lib@1.0.0; }\n"
    )
    shutil.copytree(out_dir, tmp_path / "w" / "deps")
    code, out, _ = run(capsys, "wit", str(tmp_path / "w"))
    assert code == 0 and "import demo:text/lib@0.1.0;" in out


def test_new_writes_a_folder_that_uses_the_libs(
    capsys: pytest.CaptureFixture[str], exts: Path, tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "new", "report", "--lang", "python", "--uses", str(exts / "demo-text"),
        "acme:calc/lib@1.0.0", "--into", str(tmp_path),
    )  # fmt: skip
    assert code == 0 and "witlink build" in out
    folder = tmp_path / "report"
    world = (folder / "wit" / "world.wit").read_text()
    for line in ("import witlink:host/host@0.1.0;", "import demo:text/lib@0.1.0;",
                 "import acme:calc/lib@1.0.0;", "export witlink:host/guest@0.1.0;"):  # fmt: skip
        assert line in world
    assert (folder / "wit" / "deps" / "demo-text-0.1.0" / "text.wit").exists()
    manifest = tomllib.loads((folder / "extension.toml").read_text())
    assert manifest["extension"]["id"] == "report"
    compile((folder / "app.py").read_text(), "app.py", "exec")  # the guest source is valid Python


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new", "My_Ext", "--lang", "python"], "cannot name an extension"),
        (["new", "x", "--lang", "js", "--exports", "acme:math/api@1.0.0"], "`*/lib` interfaces"),
        (["new", "x", "--lang", "js", "--uses", "nowhere"], "neither an existing path"),
    ],
)
def test_new_refuses_bad_arguments(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str, tmp_path: Path
) -> None:
    code, _, err = run(capsys, *argv, "--into", str(tmp_path))
    assert code == 2 and message in err
    assert list(tmp_path.iterdir()) == []


def test_build_says_which_lib_is_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, exts: Path
) -> None:
    run(capsys, "new", "app", "--lang", "wat", "--uses", "acme:nope/lib@1.0.0",
        "--into", str(tmp_path))  # fmt: skip
    code, _, err = run(capsys, "build", str(tmp_path / "app"), "--libs", str(exts))
    assert code == 1
    assert "uses acme:nope@1.0.0, which no extension in" in err
    assert "acme:calc@1.0.0, demo:text@0.1.0" in err  # what there is


def test_wat_build_is_cached_and_links(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WITLINK_BUILD_CACHE", str(tmp_path / "cache"))
    run(capsys, "new", "adder", "--lang", "wat", "--exports", "acme:add/lib@1.0.0",
        "--into", str(tmp_path))  # fmt: skip
    run(capsys, "new", "user", "--lang", "wat", "--uses", "acme:add/lib@1.0.0",
        "--into", str(tmp_path))  # fmt: skip
    into = tmp_path / "exts"
    code, out, _ = run(capsys, "build", str(tmp_path / "adder"), "--into", str(into))
    assert code == 0 and "(built)" in out
    code, out, _ = run(capsys, "build", str(tmp_path / "adder"), "--into", str(into))
    assert code == 0 and "(from the build cache)" in out
    code, _, _ = run(capsys, "build", str(tmp_path / "user"), "--into", str(into))
    assert code == 0
    code, out, _ = run(capsys, "run", str(into), "adder", "acme:add/lib@1.0.0#add", "2", "3")
    assert code == 0 and out.splitlines()[-1] == "5"
    code, out, _ = run(capsys, "run", str(into), "user", "run")
    assert out.splitlines()[-1] == "42"


def test_build_shows_the_tools_whole_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WITLINK_BUILD_CACHE", str(tmp_path / "cache"))
    run(capsys, "new", "broken", "--lang", "wat", "--into", str(tmp_path))
    (tmp_path / "broken" / "module.wat").write_text('(module (func (export "run") oops))')
    code, _, err = run(capsys, "build", str(tmp_path / "broken"))
    assert code == 1 and "building broken with wasm-tools failed" in err
    assert "oops" in err  # wasm-tools' own message, not a summary


def test_missing_componentize_js_says_how_to_get_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WITLINK_TOOLS_DIR", str(tmp_path / "no-tools"))
    run(capsys, "new", "js-app", "--lang", "js", "--into", str(tmp_path))
    code, _, err = run(capsys, "build", str(tmp_path / "js-app"))
    assert code == 1
    if shutil.which("node") is None:
        assert "Node.js" in err
    else:
        assert "--install-tools" in err and toolchains.COMPONENTIZE_JS in err


def test_witlink_script_has_the_new_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "linker", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("new", "build", "wit-deps", "sdk"):
        assert command in out
