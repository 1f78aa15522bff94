"""A component's imports and exports as Resolve items, decoded without compiling it.

`decode(path)` runs `wasm-tools component wit --json` on the binary and reads the
result into the Resolve model; the component's own world is the world named
`root` (or the only world). Decoding is cached by the file's sha256: in memory,
and on disk under `$WITLINK_DECODE_CACHE` (default `~/.cache/witlink/decoded`),
so re-linking a set of large (e.g. 18 MB Python) components skips wasm-tools.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import cache
from pathlib import Path

import attrs

from linker.errors import WitError, WitlinkError
from linker.tools import ToolError, run_wasm_tools
from linker.wit.json_io import resolve_from_json
from linker.wit.model import (
    Function,
    InterfaceId,
    Resolve,
    WorldFunction,
    WorldId,
    WorldInterface,
    WorldItem,
    WorldKey,
)

_MAGIC = b"\0asm"
_COMPONENT_LAYER = b"\x0d\x00\x01\x00"
_CORE_LAYER = b"\x01\x00\x00\x00"


class ComponentError(WitlinkError):
    """A file that is missing, not a component, or a component that cannot be decoded."""


class MissingComponent(ComponentError):
    """The component file does not exist."""


@attrs.frozen
class Item:
    """One import or export of a component: an interface or a bare function."""

    name: str
    """As written in the component: `acme:math/lib@1.0.0`, or a function's name."""
    interface: InterfaceId | None = None
    function: Function | None = None


@attrs.frozen
class ComponentInfo:
    """What a component imports and exports, with full WIT types in `resolve`."""

    resolve: Resolve
    world: WorldId
    imports: tuple[Item, ...]
    exports: tuple[Item, ...]
    sha256: str = ""
    size: int = 0

    def functions(self, item: Item) -> list[Function]:
        """The functions an item carries (an interface's, or the function itself)."""
        if item.interface is not None:
            return list(self.resolve.interface(item.interface).functions.values())
        return [item.function] if item.function is not None else []


def _items(resolve: Resolve, entries: dict[WorldKey, WorldItem]) -> tuple[Item, ...]:
    items = []
    for key, entry in entries.items():
        name = resolve.world_key_name(key)
        if isinstance(entry, WorldInterface):
            items.append(Item(name, interface=entry.id))
        elif isinstance(entry, WorldFunction):
            items.append(Item(name, function=entry.function))
    return tuple(items)


def component_world(resolve: Resolve) -> WorldId:
    """The decoded component's world: the one named `root`, or the only one."""
    roots = [i for i, w in enumerate(resolve.worlds) if w.name == "root"]
    if len(roots) != 1 and len(resolve.worlds) == 1:
        roots = [0]
    if len(roots) != 1:
        raise ComponentError(
            f"cannot tell the component's world among {len(resolve.worlds)} worlds "
            "(expected one named `root`)"
        )
    return WorldId(roots[0])


def from_resolve(resolve: Resolve, *, sha256: str = "", size: int = 0) -> ComponentInfo:
    """Describe a component from its decoded Resolve."""
    world_id = component_world(resolve)
    world = resolve.world(world_id)
    return ComponentInfo(
        resolve=resolve,
        world=world_id,
        imports=_items(resolve, world.imports),
        exports=_items(resolve, world.exports),
        sha256=sha256,
        size=size,
    )


_cache: dict[str, ComponentInfo] = {}


@cache
def _disk_cache() -> Path:
    """The folder of decoded descriptions, one per wasm-tools version."""
    base = os.environ.get("WITLINK_DECODE_CACHE")
    root = Path(base) if base else Path.home() / ".cache" / "witlink" / "decoded"
    version = run_wasm_tools("--version").decode().strip().replace(" ", "-")
    return root / version


def cache_entry(digest: str) -> Path:
    """Where the decoded description of the component with this sha256 is kept on disk."""
    return _disk_cache() / f"{digest}.json"


def forget_decoded(*, cache_dir: bool = False) -> None:
    """Drop the decodes held in memory (and with `cache_dir`, re-read `$WITLINK_DECODE_CACHE`)."""
    _cache.clear()
    if cache_dir:
        _disk_cache.cache_clear()


def _cached_info(digest: str, size: int) -> ComponentInfo | None:
    """The description from the disk cache; a corrupt entry is removed (and re-decoded)."""
    entry = cache_entry(digest)
    try:
        text = entry.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        text = ""
    try:
        return from_resolve(resolve_from_json(text), sha256=digest, size=size)
    except WitlinkError:
        with contextlib.suppress(OSError):
            entry.unlink()
        return None


def _decoded_json(path: Path, data: bytes, digest: str) -> str:
    """wasm-tools' JSON description of the component, stored in the disk cache."""
    cached = cache_entry(digest)
    try:
        text = run_wasm_tools("component", "wit", "--json", input=data).decode("utf-8")
    except ToolError as err:
        raise ComponentError(
            f"{path}: cannot decode the component (truncated or corrupt?): {err}"
        ) from None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(cached)
    except OSError:
        pass  # a read-only or full cache only costs speed
    return text


def _check_header(path: Path, data: bytes) -> None:
    if data[:4] != _MAGIC:
        raise ComponentError(f"{path}: not a WebAssembly component (no `\\0asm` header)")
    layer = data[4:8]
    if layer == _CORE_LAYER:
        raise ComponentError(
            f"{path}: a core WebAssembly module, not a component; "
            "make one with `wasm-tools component new`"
        )
    if layer != _COMPONENT_LAYER:
        raise ComponentError(f"{path}: unsupported WebAssembly version/layer {layer.hex()}")


def decode(path: Path) -> ComponentInfo:
    """Read the component at `path`; raises `ComponentError` with a clear message."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MissingComponent(f"{path}: component file not found") from None
    except OSError as err:
        raise ComponentError(f"{path}: cannot read: {err.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    cached = _cache.get(digest)
    if cached is not None:
        return cached
    _check_header(path, data)
    info = _cached_info(digest, len(data))
    if info is None:
        text = _decoded_json(path, data, digest)
        try:
            resolve = resolve_from_json(text)
        except WitError as err:
            raise ComponentError(f"{path}: unexpected component description: {err}") from None
        info = from_resolve(resolve, sha256=digest, size=len(data))
    _cache[digest] = info
    return info
