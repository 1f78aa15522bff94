"""`load(path)`: a `.wit` file, a WIT directory with `deps/`, or a `.wasm`/`.wat` package."""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from linker.errors import WitError
from linker.tools import ToolError, run_wasm_tools
from linker.wit import ast
from linker.wit import model as m
from linker.wit.ast import parse_file
from linker.wit.json_io import resolve_from_json
from linker.wit.package_resolver import UnresolvedPackage, resolve_files
from linker.wit.resolver import Builder
from linker.wit.source import Source, WitSyntaxError, located

_WASM_SUFFIXES = (".wasm", ".wat")


def load(
    path: str | os.PathLike[str], *, features: Sequence[str] = (), all_features: bool = False
) -> m.Resolve:
    """Parse and resolve the WIT at `path`; raises `WitError` on any bad input.

    `main_packages` of the result lists the packages `path` itself defines (not
    those of `deps/`). Features gate `@unstable(feature = ...)` items.
    """
    root = path if isinstance(path, Path) else Path(path)  # re-making a Path costs a parse
    builder = Builder(features, all_features)
    # the front end allocates many small acyclic objects; pausing the cycle collector
    # during a load saves ~15% of the time; any cycles are collected once it resumes
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        main = _load(builder, root)
    finally:
        if gc_was_enabled:
            gc.enable()
    builder.resolve.main_packages = main
    return builder.resolve


def references(directory: Path) -> tuple[list[m.PackageName], list[m.PackageName]]:
    """The packages the `.wit` files of `directory` (not its `deps/`) define, and the
    foreign packages they refer to; parsed, not resolved (their deps may be missing)."""
    try:
        packages = _parse_package_dir(directory)
    except WitSyntaxError as err:
        raise located(err.message, err.span) from None
    own = [p.name for p in packages]
    keys = {str(p.name) for p in packages}
    foreign = {str(d.name): d.name for p in packages for d in p.foreign_deps.values()}
    return own, [name for key, name in sorted(foreign.items()) if key not in keys]


def _load(builder: Builder, root: Path) -> list[m.PackageId]:
    try:
        mode = _mode(root)
        if stat.S_ISDIR(mode):
            return _load_dir(builder, root)
        if stat.S_ISREG(mode):
            return _load_file(builder, root)
        raise WitError(f"no such file or directory: {root}", path=str(root))
    except WitSyntaxError as err:
        message = err.message
        if root.is_dir():
            message = f"failed to resolve directory while parsing WIT for path [{root}]: {message}"
        raise located(message, err.span) from None
    except RecursionError:
        raise WitError(f"{root}: WIT nested too deeply to resolve", path=str(root)) from None
    except OSError as err:
        raise WitError(f"failed to read WIT at {root}: {err}", path=str(root)) from None


def _load_dir(builder: Builder, root: Path) -> list[m.PackageId]:
    groups: list[list[UnresolvedPackage]] = [_parse_package_dir(root)]
    deps = root / "deps"
    if deps.is_dir():
        try:
            for entry in sorted(deps.iterdir(), key=lambda p: p.name):
                if entry.is_dir():
                    groups.append(_parse_package_dir(entry))
                elif entry.suffix == ".wit":
                    groups.append(_parse_group([entry]))
                elif entry.suffix in _WASM_SUFFIXES:
                    builder.merge(_decode(entry))
        except WitSyntaxError as err:
            context = f"failed to parse dependency directory: {deps}: "
            raise WitSyntaxError(context + err.message, err.span) from None
    return builder.add_groups(groups)[0]


def _parse_package_dir(directory: Path) -> list[UnresolvedPackage]:
    try:
        return _parse_group(_wit_files(directory))
    except WitSyntaxError as err:
        message = f"failed to parse package: {directory}: {err.message}"
        raise WitSyntaxError(message, err.span) from None


def _load_file(builder: Builder, path: Path) -> list[m.PackageId]:
    binary = path.suffix in _WASM_SUFFIXES
    data = b"" if binary else _read(path)
    if binary or data.startswith(b"\0asm"):
        # a decoded package lists its dependencies first and itself last
        return builder.merge(_decode(path))[-1:]
    return builder.add_groups([resolve_files([_parse_source(path, data)])])[0]


def _mode(path: Path) -> int:
    """`path`'s file type bits (0 when it does not exist)."""
    try:
        return os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return 0


def _wit_files(directory: Path) -> list[Path]:
    with os.scandir(directory) as entries:
        return [Path(e.path) for e in entries if _suffix(e.name) == ".wit" and e.is_file()]


def _suffix(name: str) -> str:
    """`Path(name).suffix`, without making a `Path`."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _read(path: Path) -> bytes:
    try:
        return _read_bytes(path)
    except OSError as err:
        message = f"failed to read path for WIT [{path}]: {err.strerror}"
        raise WitError(message, path=str(path)) from None


def _read_bytes(path: Path) -> bytes:
    """The file's contents (unbuffered: a load reads many small files, once each)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _parse_group(paths: Sequence[Path]) -> list[UnresolvedPackage]:
    """The packages of one group of files (one directory, or one file)."""
    return resolve_files([_parse_source(p, _read(p)) for p in sorted(paths, key=str)])


def _parse_source(path: Path, data: bytes) -> ast.PackageFile:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise WitError(f"input file is not valid utf-8 [{path}]", path=str(path)) from None
    return parse_file(Source(str(path), text))


def _decode(path: Path) -> m.Resolve:
    try:
        text = run_wasm_tools("component", "wit", "--json", str(path))
    except ToolError as err:
        raise WitError(f"failed to decode WIT package {path}: {err}", path=str(path)) from None
    return resolve_from_json(text.decode())
