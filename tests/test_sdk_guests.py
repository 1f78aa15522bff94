"""The generated SDK in real guests: a componentize-py guest and a componentize-js guest
call typed host operations on a real Host, including a denied and an invalid call."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import linker
from linker.host import Host
from tests.support.authoring import CACHE, need_componentize_js, witlink

DATA = Path(__file__).resolve().parent / "data" / "sdk"
SOURCE = {"py": ("python", "app.py"), "js": ("js", "app.js")}


def make_guest(lang: str, folder: Path) -> Path:
    """`witlink new`, the test's world and source, `witlink sdk`, `witlink build`."""
    name = f"sdk-{lang}"
    language, source = SOURCE[lang]
    witlink("new", name, "--lang", language, "--into", str(folder), cwd=folder)
    guest = folder / name
    shutil.copy(DATA / lang / "world.wit", guest / "wit" / "world.wit")
    shutil.copy(DATA / lang / source, guest / source)
    manifest = guest / "extension.toml"
    text = manifest.read_text().replace("methods = []", 'methods = ["files.", "math."]', 1)
    manifest.write_text(text)
    witlink("sdk", "sdk_ops:ops", "--lang", language, "-o", str(guest), cwd=DATA)
    witlink("build", str(guest), "--into", str(folder / "exts"), cwd=folder)
    return guest


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    need_componentize_js()
    sys.path.insert(0, str(DATA))
    from sdk_ops import ops  # the host's side: the same module the SDK was generated from

    folder = tmp_path_factory.mktemp("sdk")
    for lang in SOURCE:
        make_guest(lang, folder)
    plan = linker.link([folder / "exts"])
    with Host(plan, operations=ops, cache_dir=CACHE / "xdg" / "witlink" / "compiled") as h:
        yield h


@pytest.mark.parametrize("guest", ["sdk-py", "sdk-js"])
def test_typed_calls(host: Host, guest: str) -> None:
    assert json.loads(host.call(guest, "probe", "list")) == [{"name": "/d/a.py", "size": 3}]
    assert json.loads(host.call(guest, "probe", "add")) == 5


@pytest.mark.parametrize("guest", ["sdk-py", "sdk-js"])
def test_denied_call_raises_the_typed_error(host: Host, guest: str) -> None:
    answer = host.call(guest, "probe", "denied")
    assert answer.startswith("Denied: ") and "may not call `secrets.read`" in answer


@pytest.mark.parametrize("guest", ["sdk-py", "sdk-js"])
def test_invalid_call_names_the_field(host: Host, guest: str) -> None:
    answer = host.call(guest, "probe", "invalid")
    assert answer == "Invalid: `payload.dir`: expected a string, got a number"


def test_generated_python_is_typed_and_clean(tmp_path: Path) -> None:
    witlink("sdk", "sdk_ops:ops", "--lang", "python", "-o", str(tmp_path), cwd=DATA)
    text = (tmp_path / "host_ops.py").read_text()
    signature = "def files_list(\n    *,\n    dir: str,\n    pattern: str | None = None,\n"
    assert signature + "    library_id: str | None = None,\n) -> list[Entry]:" in text
    assert "def math_add(*, a: int, b: int, library_id: str | None = None) -> int:" in text
    assert "def secrets_read(payload: str, *, library_id: str | None = None) -> str:" in text
    assert "class Denied(CallError):" in text
    assert "class ListFiles(TypedDict):\n    dir: str\n    pattern: NotRequired[str]\n" in text
    lint = [sys.executable, "-m", "ruff", "check", "--select", "E,F,I,UP", "--line-length", "100"]
    done = subprocess.run([*lint, str(tmp_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_generated_typescript_declarations(tmp_path: Path) -> None:
    witlink("sdk", "sdk_ops:ops", "--lang", "js", "-o", str(tmp_path), cwd=DATA)
    decls = (tmp_path / "host_ops.d.ts").read_text()
    assert "export interface ListFiles {" in decls and '"pattern"?: string;' in decls
    assert (
        "export declare function filesList(payload: ListFiles, libraryId?: string): Array<Entry>;"
        in decls
    )
    assert "class RateLimited extends CallError { readonly kind: 'rate-limited'; " in decls
