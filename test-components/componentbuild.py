"""Build the test components from source, cached by content hash.

Each folder under `test-components/` (other than `deps/`) is one component:

- `module.wat` plus `wit/`: a WAT core module turned into a component with
  `wasm-tools component embed` and `wasm-tools component new`;
- `app.py` plus `wit/`: a componentize-py guest (Python inside the component);
- `app.js` plus `wit/`: a componentize-js guest, built as `witlink build` builds one
  (componentize-js is installed on first use: it needs Node.js and npm).

Every build sees the same WIT dependencies: the repository's `wit/` (the
`witlink:host` package) and each folder of `test-components/deps/`. An
`extension.toml` beside the sources is copied next to the built component, so a
built folder is an extension folder `witlink link` can take.

Outputs go to `build/components/<name>-<hash>/` (git-ignored). The hash covers
the sources, the shared WIT and the tool versions, so a component is built once
and rebuilt only when something it depends on changes.

Run `python test-components/componentbuild.py [NAME...]` to build all or some.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from functools import cache
from pathlib import Path

from linker.authoring import toolchains
from linker.authoring.build import JS_DISABLED_FEATURES
from linker.errors import WitlinkError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HOST_WIT = ROOT / "wit"
SHARED_DEPS = HERE / "deps"
BUILD_ROOT = Path(os.environ.get("WITLINK_COMPONENT_CACHE", ROOT / "build" / "components"))


class BuildError(Exception):
    """A test component failed to build; the message has the tool's output."""


class NoComponentizeJs(BuildError):
    """componentize-js cannot be had here (no Node.js or npm, or its install failed)."""


def _tool(name: str) -> str:
    scripts = Path(sysconfig.get_path("scripts"))
    candidate = scripts / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BuildError(f"`{name}` not found: install the dev extra (pip install -e '.[dev]')")
    return found


@cache
def _tool_version(name: str) -> str:
    out = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def names() -> list[str]:
    """Every buildable component folder, sorted."""
    return sorted(
        p.name
        for p in HERE.iterdir()
        if p.is_dir() and any((p / s).exists() for s in ("module.wat", "app.py", "app.js"))
    )


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _digest(source: Path) -> str:
    h = hashlib.sha256()
    tools = ["wasm-tools"] + (["componentize-py"] if (source / "app.py").exists() else [])
    for tool in tools:
        h.update(_tool_version(tool).encode())
    if (source / "app.js").exists():
        h.update(f"componentize-js {toolchains.COMPONENTIZE_JS_VERSION}".encode())
    for base in (source, HOST_WIT, SHARED_DEPS):
        if not base.exists():
            continue
        for path in _files(base):
            h.update(str(path.relative_to(base.parent)).encode() + b"\0")
            h.update(path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _assemble_wit(source: Path, into: Path) -> Path:
    """A WIT folder: the component's own files, with the shared packages as deps."""
    wit = into / "wit"
    shutil.copytree(source / "wit", wit)
    deps = wit / "deps"
    deps.mkdir(exist_ok=True)
    shutil.copytree(HOST_WIT, deps / "witlink-host", dirs_exist_ok=True)
    if SHARED_DEPS.exists():
        for dep in sorted(SHARED_DEPS.iterdir()):
            if dep.is_dir() and not (deps / dep.name).exists():
                shutil.copytree(dep, deps / dep.name)
    return wit


def _run(cmd: list[str], cwd: Path | None = None) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=False)
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")


def _componentize_js() -> list[str]:
    """The componentize-js command, installed into witlink's tools folder on first use."""
    try:
        toolchains.install_componentize_js()
        return toolchains.componentize_js()
    except WitlinkError as err:
        raise NoComponentizeJs(f"componentize-js is not available: {err}") from None


def _build_into(source: Path, out: Path, work: Path) -> None:
    wit = _assemble_wit(source, work)
    name = source.name
    if (source / "module.wat").exists():
        core = work / "core.wasm"
        wasm_tools = _tool("wasm-tools")
        _run(
            [
                wasm_tools,
                "component",
                "embed",
                str(wit),
                str(source / "module.wat"),
                "-o",
                str(core),
            ]
        )
        _run([wasm_tools, "component", "new", str(core), "-o", str(out / f"{name}.wasm")])
    elif (source / "app.js").exists():
        disabled = [arg for feature in JS_DISABLED_FEATURES for arg in ("-d", feature)]
        js = [str(source / "app.js"), "-w", str(wit), *disabled]
        _run([*_componentize_js(), *js, "-o", str(out / f"{name}.wasm")])
    else:
        _run(
            [
                _tool("componentize-py"),
                "-d",
                str(wit),
                "componentize",
                "app",
                "-p",
                str(source),
                "-o",
                str(out / f"{name}.wasm"),
            ],
            cwd=work,
        )
    if (source / "extension.toml").exists():
        shutil.copy(source / "extension.toml", out / "extension.toml")


def build(name: str) -> Path:
    """Build (or reuse) component `name`; returns the folder holding `<name>.wasm`."""
    source = HERE / name
    if not source.is_dir():
        raise BuildError(f"no test component named {name!r} in {HERE}")
    out = BUILD_ROOT / f"{name}-{_digest(source)}"
    if (out / f"{name}.wasm").exists():
        return out
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BUILD_ROOT) as tmp:
        staged = Path(tmp) / "out"
        staged.mkdir()
        work = Path(tmp) / "work"
        work.mkdir()
        _build_into(source, staged, work)
        try:
            staged.rename(out)
        except OSError:
            if not (out / f"{name}.wasm").exists():  # lost a race to an equal build: fine
                raise
    return out


def component(name: str) -> Path:
    """The built `<name>.wasm` of component `name`."""
    return build(name) / f"{name}.wasm"


def main(argv: list[str]) -> int:
    wanted = argv or names()
    for name in wanted:
        try:
            print(component(name))
        except BuildError as err:
            if isinstance(err, NoComponentizeJs) and not argv:
                print(f"skipped {name}: {err}", file=sys.stderr)  # its tests skip too
                continue
            print(f"error: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
