"""Manifests keep their component inside their folder; nothing is skipped silently;
`remove` never deletes outside the extensions directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import componentbuild
import pytest

from linker.cli import main
from linker.plan import analyze


def base_wasm() -> Path:
    return componentbuild.build("link-base") / "link-base.wasm"


def extension(folder: Path, toml: str, wasm: str | None = "link-base.wasm") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if wasm is not None:
        shutil.copy(base_wasm(), folder / wasm)
    (folder / "extension.toml").write_text(toml)
    return folder


def codes(*inputs: Path) -> dict[str, str]:
    return {d.code: str(d) for d in analyze(inputs).diagnostics}


@pytest.mark.parametrize("where", ["../elsewhere/x.wasm", "ABSOLUTE", "SYMLINK"])
def test_component_outside_the_extension_folder_is_refused(tmp_path: Path, where: str) -> None:
    outside = tmp_path / "elsewhere" / "x.wasm"
    outside.parent.mkdir()
    shutil.copy(base_wasm(), outside)
    folder = tmp_path / "exts" / "evil"
    name = {"ABSOLUTE": str(outside), "SYMLINK": "link.wasm"}.get(where, where)
    extension(folder, f'[extension]\nid = "evil"\ncomponent = "{name}"\n', wasm=None)
    if where == "SYMLINK":
        (folder / "link.wasm").symlink_to(outside)
    found = codes(tmp_path / "exts" / "evil")
    assert set(found) == {"W011-bad-manifest"}
    assert "`extension.component` must name a file inside the extension's folder" in str(found)
    assert "outside" in found["W011-bad-manifest"]


def test_symlink_loop_and_nul_are_diagnosed(tmp_path: Path) -> None:
    folder = extension(tmp_path / "loop", '[extension]\ncomponent = "a.wasm"\n', wasm=None)
    (folder / "a.wasm").symlink_to(folder / "b.wasm")
    (folder / "b.wasm").symlink_to(folder / "a.wasm")
    assert "cannot be resolved" in codes(folder)["W011-bad-manifest"]
    nul = extension(tmp_path / "nul", '[extension]\ncomponent = "a\\u0000.wasm"\n')
    assert "W011-bad-manifest" in codes(nul)


def test_two_manifests_naming_one_component_are_diagnosed(tmp_path: Path) -> None:
    folder = extension(tmp_path / "a", '[extension]\nid = "a"\ncomponent = "link-base.wasm"\n')
    (folder / "b.toml").write_text('[extension]\nid = "b"\ncomponent = "link-base.wasm"\n')
    found = codes(folder / "extension.toml", folder / "b.toml")
    assert "W014-shared-component" in found
    assert "already names" in found["W014-shared-component"]
    assert "extension `a`" in found["W014-shared-component"]
    # the same manifest named twice is one extension, not a problem
    assert codes(folder / "extension.toml", folder) == {}


def test_a_folder_without_an_extension_is_diagnosed(tmp_path: Path) -> None:
    exts = tmp_path / "exts"
    extension(exts / "base", '[extension]\nid = "link-base"\n')
    (exts / "empty").mkdir()
    (exts / ".git").mkdir()
    found = codes(exts)
    assert set(found) == {"W015-empty-folder"} and "empty" in found["W015-empty-folder"]


@pytest.mark.parametrize("ext_id", ["host", "wasi"])
def test_reserved_ids_are_refused(tmp_path: Path, ext_id: str) -> None:
    folder = extension(tmp_path / ext_id, f'[extension]\nid = "{ext_id}"\n')
    assert f"`{ext_id}` is reserved" in codes(folder)["W011-bad-manifest"]
    bare = tmp_path / "bare" / f"{ext_id}.wasm"
    bare.parent.mkdir()
    shutil.copy(base_wasm(), bare)
    assert f"`{ext_id}` is reserved" in codes(bare)["W011-bad-manifest"]


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ('[permissions]\nmax-memory-mb = "64"', "`permissions.max-memory-mb` must be an integer"),
        ("[permissions]\nmax-memory-mb = 99999999999999999999999", "permissions.max-memory-mb"),
        (
            '[permissions.rate-limits]\nrequests-per-minute = ["1"]',
            "`permissions.rate-limits.requests-per-minute` must be an integer",
        ),
        ('[permissions]\nmethods = "files."', "`permissions.methods` must be a list of strings"),
        ("[dependencies]\n'a:b/lib' = 3", "`dependencies.a:b/lib` must be a string"),
        ("x = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
        ("[permissions]\nmax-memory-mb = " + "9" * 5000, "not valid TOML: Exceeds the limit"),
        ("[permissions]\nmethods = []\n[permissions.methods]", "not valid TOML"),
    ],
)
def test_manifest_types_and_nesting_give_w011_with_the_key(
    tmp_path: Path, toml: str, needle: str
) -> None:
    folder = extension(tmp_path / "e", toml)
    found = codes(folder)
    assert set(found) == {"W011-bad-manifest"} and needle in found["W011-bad-manifest"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def test_remove_never_deletes_outside_the_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    victim = tmp_path / "victim" / "important.wasm"
    victim.parent.mkdir()
    shutil.copy(base_wasm(), victim)
    one = extension(
        tmp_path / "exts" / "one",
        '[extension]\nid = "one"\ncomponent = "../../victim/important.wasm"\n',
        wasm=None,
    )
    code, _ = run(capsys, "remove", "one", "--from", str(one))
    assert code == 1 and victim.is_file() and (one / "extension.toml").is_file()
    # DIR being the extension's own folder is refused, and nothing is deleted
    own = extension(tmp_path / "own", '[extension]\nid = "own"\n')
    code, err = run(capsys, "remove", "own", "--from", str(own))
    assert code == 1 and "own folder" in err
    assert sorted(p.name for p in own.iterdir()) == ["extension.toml", "link-base.wasm"]


def test_remove_of_a_symlinked_extension_drops_only_the_link(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    real = extension(tmp_path / "dev" / "base", '[extension]\nid = "base"\n')
    exts = tmp_path / "exts"
    exts.mkdir()
    (exts / "base").symlink_to(real)
    code, _ = run(capsys, "remove", "base", "--from", str(exts))
    assert code == 0 and not (exts / "base").exists()
    assert (real / "link-base.wasm").is_file() and (real / "extension.toml").is_file()


def test_remove_of_a_bare_component_beside_others_deletes_only_its_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = tmp_path / "exts" / "bundle"
    bundle.mkdir(parents=True)
    for name in ("alpha.wasm", "beta.wasm"):
        shutil.copy(base_wasm(), bundle / name)
    ids = sorted(e.id for e in analyze([tmp_path / "exts"]).extensions)
    code, err = run(capsys, "remove", ids[0], "--from", str(tmp_path / "exts"))
    assert code == 0, err
    assert len(list(bundle.glob("*.wasm"))) == 1
    assert sorted(e.id for e in analyze([tmp_path / "exts"]).extensions) == ids[1:]
