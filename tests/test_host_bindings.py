"""The host serves witlink:host through bindings bindgen generates from its host.wit.

They are committed (`linker/host/bindings`); these tests fail when they are stale, and
show that a change to host.wit the host does not follow fails `mypy --strict`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bindgen import generate
from linker.wit import load as load_wit

ROOT = Path(__file__).resolve().parent.parent
HOST_WIT = ROOT / "linker" / "data" / "host.wit"
BINDINGS = ROOT / "linker" / "host" / "bindings"
REGENERATE = "just host-bindings"


def _generated(wit: Path) -> dict[str, str]:
    files = generate(load_wit(wit), "extension", package="bindings")
    return {path.removeprefix("bindings/"): text for path, text in files.items()}


def test_committed_host_bindings_match_host_wit() -> None:
    expected = _generated(HOST_WIT)
    committed = {
        str(path.relative_to(BINDINGS)): path.read_text(encoding="utf-8")
        for path in BINDINGS.rglob("*.py")
    }
    stale = sorted(
        p for p in expected.keys() | committed.keys() if expected.get(p) != committed.get(p)
    )
    assert not stale, (
        f"linker/host/bindings is stale ({', '.join(stale)} differ from host.wit's bindings): "
        f"run `{REGENERATE}` and commit the result"
    )


def test_a_change_to_host_wit_fails_the_type_check(tmp_path: Path) -> None:
    """A renamed function (`log`) and a renamed case (`denied`) of host.wit, regenerated into
    a copy of the library: mypy names the host code that no longer fits."""
    pytest.importorskip("mypy")
    for package in ("linker", "bindgen"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    wit = tmp_path / "host.wit"
    text = HOST_WIT.read_text(encoding="utf-8")
    changed = text.replace("log: func(level", "write-log: func(level").replace(
        "denied(string), rate-limited", "refused(string), rate-limited"
    )
    assert changed.count("write-log") == 1 and changed.count("refused(string)") == 1
    wit.write_text(changed, encoding="utf-8")
    copy = tmp_path / "linker" / "host" / "bindings"
    shutil.rmtree(copy)
    for relative, source in _generated(wit).items():
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        (copy / relative).write_text(source, encoding="utf-8")
    checked = ["linker/host/wiring.py", "linker/host/operations.py"]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / ".mypy"),
            *checked,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert 'has no attribute "CallErrorDenied"' in run.stdout
    assert '"GuestHost" is missing following "Host" protocol member' in run.stdout
    assert "write_log" in run.stdout
