"""The type check of hot reload: does a new component still serve its current consumers?

Each function a loaded consumer imports from the extension (per the plan's registry) must
be exported by the new component with the same parameter and result types, compared by
wasmtime's own component types (what instantiation would enforce).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wasmtime.component import Component, ComponentInstanceType, FuncType

from linker.component import ComponentError, decode
from linker.errors import ExtensionError
from linker.host.calls import Signature
from linker.plan.signature import signature
from linker.wit.semver import on_track

if TYPE_CHECKING:
    from linker.host.host import Host
    from linker.host.runtime import ExtensionRuntime


def check_provider(
    host: Host, ext_id: str, new: Component, path: Path, consumers: list[ExtensionRuntime]
) -> dict[str, str]:
    """Raise `ExtensionError` naming every consumer function `new` would break.

    Returns the interfaces `new` exports under another (semver-compatible) version:
    `{old export name: new export name}`.
    """
    engine = host.engine
    exports = new.type.exports(engine)
    problems: list[str] = []
    renamed: dict[str, str] = {}
    for consumer in consumers:
        imports = consumer.component.type.imports(engine)
        for ref in host.plan.functions:
            if ref.consumer != consumer.id or ref.provider != ext_id:
                continue
            want = _function(imports, ref.import_, ref.function, engine)
            current = host.current_export(ext_id, ref.export)
            name = on_track(current, exports)
            have = _function(exports, name, ref.function, engine) if name else None
            where = f"`{consumer.id}` imports `{ref.import_}#{ref.function}`"
            if name is not None and name != current:
                renamed[current] = name
            if have is None:
                problems.append(
                    f"{where}, but the new component does not export `{current}#{ref.function}`"
                    + (f" (nor a compatible version of `{current}`)" if "@" in current else "")
                )
            elif want is not None and name is not None and not _same(want, have):
                wanted = _signature_of(consumer.planned.component, False, ref.import_, ref.function)
                problems.append(
                    f"{where}: {wanted}, but the new component has "
                    f"{_signature_of(path, True, name, ref.function)}"
                )
    if problems:
        raise ExtensionError(
            f"reload of `{ext_id}` refused, the old component keeps running: "
            + "; ".join(problems),
            extension=ext_id,
        )
    return renamed


def _function(items: dict[str, Any], iface: str, func: str, engine: Any) -> Signature | None:
    item = items.get(iface)
    if item is None or not isinstance(item.ty, ComponentInstanceType):
        return None
    inner = item.ty.exports(engine).get(func)
    if inner is None or not isinstance(inner.ty, FuncType):
        return None
    return Signature.of(inner.ty, fast=False)


def _same(a: Signature, b: Signature) -> bool:
    return a.params == b.params and a.result == b.result


def _signature_of(path: Path, exported: bool, iface: str, func: str) -> str:
    """`func`'s WIT signature in the component at `path`, for messages (the WIT printer's)."""
    try:
        info = decode(path)
    except ComponentError:
        return "another signature"
    items = info.exports if exported else info.imports
    item = next((i for i in items if i.name == iface), None)
    found = [f for f in info.functions(item) if f.name == func] if item is not None else []
    return signature(info.resolve, found[0]) if found else "another signature"
