"""`build(folder)`: an extension's sources -> its component, with the right toolchain.

An extension folder holds `extension.toml`, `wit/` (its world) and one source:
`app.py` (componentize-py), `app.js` (componentize-js, with its `http` and
`fetch-event` features disabled so the component imports only what the host serves) or
`module.wat` (wasm-tools). Before building, `wit/deps/` receives the `witlink:host`
WIT and, for every other package the world uses, that package's WIT decoded from the
component of the extension providing it (searched in `libs` and `into`).

Builds are cached by content hash (sources, WIT, tool version) under
`$WITLINK_BUILD_CACHE` (default `~/.cache/witlink/builds`): an unchanged extension is
copied from the cache, not rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import attrs

from linker import manifest as manifests
from linker import wit
from linker.authoring import extdir, libwit, toolchains
from linker.errors import InputError, WitlinkError
from linker.tools import wasm_tools
from linker.wit.loader import references

SOURCES = {"app.py": "python", "app.js": "js", "module.wat": "wat"}
JS_DISABLED_FEATURES = ("http", "fetch-event")
HOST_DEPS_FOLDER = "witlink-host"
_SKIPPED = {"__pycache__", "node_modules"}

Progress = Callable[[str, float, bool], None]
"""`progress(message, elapsed_seconds, done)`: called about once a second while a tool runs."""


class BuildError(WitlinkError):
    """An extension that cannot be built; a failing tool's whole output is in the message."""


@attrs.frozen
class Built:
    ext_id: str
    component: Path
    cached: bool
    installed: Path | None = None
    """The extension's folder in the extensions directory (`into`), if asked."""


def host_wit() -> str:
    return resources.files("linker").joinpath("data/host.wit").read_text(encoding="utf-8")


def cache_dir() -> Path:
    explicit = os.environ.get("WITLINK_BUILD_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "witlink" / "builds"


def language(folder: Path) -> str:
    found = [lang for name, lang in SOURCES.items() if (folder / name).is_file()]
    if len(found) != 1:
        names = ", ".join(SOURCES)
        raise BuildError(f"{folder}: expected exactly one source file of {names}")
    return found[0]


def _source_files(folder: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).parts
        if any(p in _SKIPPED or p.startswith(".") for p in rel) or path.suffix == ".wasm":
            continue
        if path.is_file():
            files.append(path)
    return files


def place_deps(folder: Path, libs: Sequence[Path]) -> list[str]:
    """Write `wit/deps/` for the world in `folder/wit`; returns the packages placed."""
    wit_dir = folder / "wit"
    _own, foreign = references(wit_dir)
    deps = wit_dir / "deps"
    placed: list[str] = []
    wanted = []
    host_name = host_package()
    for name in foreign:
        key = str(name)
        if key == host_name:
            (deps / HOST_DEPS_FOLDER).mkdir(parents=True, exist_ok=True)
            (deps / HOST_DEPS_FOLDER / "host.wit").write_text(host_wit(), encoding="utf-8")
            placed.append(key)
        elif key.startswith(libwit.HOST_PACKAGE + "@"):
            raise BuildError(
                f"{wit_dir}: uses {key}, but this witlink serves {host_name}; "
                f"change the version in your world to {host_name.split('@')[1]}"
            )
        else:
            wanted.append(key)
    if not wanted:
        return placed
    search = [p for p in libs if p.exists()]
    offered = libwit.collect(search, skip=folder) if search else libwit.LibPackages((), {})
    present = _present_deps(deps)
    missing = [w for w in wanted if w not in offered.packages and w not in present]
    if missing:
        where = ", ".join(str(p) for p in search) or "no extensions directory (pass --libs DIR)"
        have = ", ".join(sorted(offered.packages)) or "none"
        unread = "".join(f"\n  (not read: {p})" for p in offered.problems)
        raise BuildError(
            f"{wit_dir}: the world uses {', '.join(missing)}, which no extension in {where} "
            f"exports (lib packages found: {have}); build its provider and add it there first "
            f"(`witlink build LIB --into DIR`), or put its WIT in wit/deps/{unread}"
        )
    fresh = [w for w in wanted if w in offered.packages]
    offered.write(deps, fresh)
    return placed + fresh


def host_package() -> str:
    """`witlink:host@0.1.0`: the host package this witlink serves (from its WIT)."""
    for line in host_wit().splitlines():
        if line.startswith("package "):
            return line.removeprefix("package ").rstrip(";").strip()
    raise BuildError("witlink's own host.wit has no package line")  # pragma: no cover


def _present_deps(deps: Path) -> set[str]:
    """Packages already in `deps/` (a lib no extension offers may have been put there)."""
    found: set[str] = set()
    if deps.is_dir():
        for entry in deps.iterdir():
            if entry.is_dir():
                found.update(str(n) for n in references(entry)[0])
    return found


def _world(folder: Path, ext_id: str) -> str:
    resolve = wit.load(folder / "wit")
    names = [
        resolve.world(world_id).name
        for pkg in resolve.main_packages
        for world_id in resolve.packages[pkg.index].worlds.values()
    ]
    if len(names) == 1:
        return names[0]
    if ext_id in names:
        return ext_id
    raise BuildError(
        f"{folder / 'wit'}: holds {len(names)} worlds ({', '.join(names) or 'none'}); "
        f"keep one, or name the one to build `{ext_id}`"
    )


def _tool(lang: str) -> list[str]:
    if lang == "python":
        return [toolchains.componentize_py()]
    if lang == "js":
        return toolchains.componentize_js()
    return [wasm_tools()]


def _command(lang: str, folder: Path, world: str, out: Path, work: Path) -> list[list[str]]:
    wit_dir = str(folder / "wit")
    if lang == "python":
        return [
            [
                toolchains.componentize_py(),
                *("-d", wit_dir, "-w", world, "componentize", "app"),
                *("-p", str(folder), "-o", str(out)),
            ]
        ]
    if lang == "js":
        disabled = [arg for feature in JS_DISABLED_FEATURES for arg in ("-d", feature)]
        return [
            [
                *toolchains.componentize_js(),
                str(folder / "app.js"),
                *("-w", wit_dir, "-n", world, *disabled, "-o", str(out)),
            ]
        ]
    core = str(work / "core.wasm")
    tool = wasm_tools()
    return [
        [tool, "component", "embed", wit_dir, str(folder / "module.wat"), "-w", world, "-o", core],
        [tool, "component", "new", core, "-o", str(out)],
    ]


def _run(command: list[str], cwd: Path, label: str, progress: Progress | None) -> None:
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as output:
        proc = subprocess.Popen(
            command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, text=True
        )
        while True:
            try:
                proc.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                if progress is not None:
                    progress(label, time.monotonic() - start, False)
        output.seek(0)
        text = output.read()
    if proc.returncode != 0:
        raise BuildError(
            f"{label} failed (exit {proc.returncode}): {' '.join(command)}\n{text.rstrip()}"
        )


def _digest(lang: str, folder: Path, world: str, tool_version: str) -> str:
    h = hashlib.sha256(f"{lang}\0{world}\0{tool_version}\0".encode())
    h.update(" ".join(JS_DISABLED_FEATURES).encode() + b"\0")
    for path in _source_files(folder):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def build(
    folder: Path,
    *,
    libs: Sequence[Path] = (),
    into: Path | None = None,
    install_tools: bool = False,
    progress: Progress | None = None,
) -> Built:
    """Build the extension in `folder`; its component is written where its manifest says.

    `libs` (and `into`) are extensions directories searched for the providers of the
    packages its world uses; with `into`, the built extension is also added there
    (replacing an earlier build of the same id).
    """
    if not (folder / manifests.MANIFEST_NAME).is_file() or not (folder / "wit").is_dir():
        raise InputError(f"{folder}: not an extension folder (needs extension.toml and wit/)")
    manifest = manifests.load(folder / manifests.MANIFEST_NAME)
    lang = language(folder)
    if lang == "js" and install_tools:
        toolchains.install_componentize_js()
    search = [*libs, *([into] if into is not None else [])]
    place_deps(folder, [p for p in search if p.resolve() != folder.resolve()])
    world = _world(folder, manifest.id)
    tool = _tool(lang)
    key = _digest(lang, folder, world, toolchains.version(tool))
    cached = cache_dir() / f"{key}.wasm"
    hit = cached.exists()
    if not hit:
        _build_into_cache(lang, folder, world, cached, manifest.id, progress)
    manifest.component.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, manifest.component)
    installed = _install(folder, manifest.id, into) if into is not None else None
    return Built(manifest.id, manifest.component, hit, installed)


def _build_into_cache(
    lang: str, folder: Path, world: str, cached: Path, ext_id: str, progress: Progress | None
) -> None:
    cached.parent.mkdir(parents=True, exist_ok=True)
    tool_name = {"python": "componentize-py", "js": "componentize-js", "wat": "wasm-tools"}[lang]
    label = f"building {ext_id} with {tool_name}"
    with tempfile.TemporaryDirectory(dir=cached.parent, prefix=".build-") as tmp:
        work = Path(tmp)
        out = work / "out.wasm"
        for command in _command(lang, folder.resolve(), world, out, work):
            _run(command, work, label, progress)
        out.replace(cached)
    if progress is not None:
        progress(label, 0.0, True)


def _install(folder: Path, ext_id: str, into: Path) -> Path:
    target = into / ext_id
    if folder.resolve() == target.resolve() or folder.resolve().parent == into.resolve():
        return folder
    if target.exists():
        old = target / manifests.MANIFEST_NAME
        if not old.is_file() or manifests.load(old).id != ext_id:
            raise BuildError(f"{target} exists and is not extension `{ext_id}`; move it away")
        shutil.rmtree(target)
    extdir.add(folder / manifests.MANIFEST_NAME, into)
    return target
