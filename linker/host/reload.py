"""The type check of hot reload: does a new component still serve its current consumers?

Each function a loaded consumer imports from the extension (per the plan's registry) must
be exported by the new component with the same parameter and result types, compared by
wasmtime's own component types (what instantiation would enforce).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from wasmtime.component import (
    BorrowType,
    Component,
    ComponentInstanceType,
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    OptionType,
    OwnType,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    ValType,
    VariantType,
)

from linker.component import ComponentError, decode
from linker.errors import ReloadRefused
from linker.host.calls import Signature
from linker.wit.semver import on_track
from linker.wit.signature import signature

if TYPE_CHECKING:
    from wasmtime import Engine

    from linker.host.registry import Registry
    from linker.host.runtime import ExtensionRuntime


def check_provider(
    engine: Engine,
    registry: Registry,
    ext_id: str,
    new: Component,
    path: Path,
    consumers: list[ExtensionRuntime],
) -> dict[str, str]:
    """Raise `ReloadRefused` naming every consumer function `new` would break.

    Returns the interfaces `new` exports under another (semver-compatible) version:
    `{old export name: new export name}`.
    """
    exports = new.type.exports(engine)
    problems: list[str] = []
    renamed: dict[str, str] = {}
    for consumer in consumers:
        imports = consumer.component.type.imports(engine)
        for ref in registry.plan.functions:
            if ref.consumer != consumer.id or ref.provider != ext_id:
                continue
            want = _function(imports, ref.import_, ref.function, engine)
            current = registry.current_export(ext_id, ref.export)
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
        raise ReloadRefused(
            f"reload of `{ext_id}` refused, the old component keeps running: "
            + "; ".join(problems),
            extension=ext_id,
        )
    return renamed


@attrs.frozen
class _Function:
    """A function's signature, with the names of its interface's resources."""

    sig: Signature
    resources: list[tuple[ResourceType, str]]

    def key(self) -> Any:
        """A structural key: equal keys mean equal types (resources compared by name,
        as resource types of two components cannot be compared)."""
        return tuple(self._key(t) for t in (*self.sig.params, self.sig.result))

    def _key(self, ty: ValType | None) -> Any:
        if ty is None:
            return None
        if isinstance(ty, OwnType | BorrowType):
            name = next((n for r, n in self.resources if r == ty.ty), "?")
            return (type(ty).__name__, name)
        if isinstance(ty, ListType):
            return ("list", self._key(ty.element))
        if isinstance(ty, OptionType):
            return ("option", self._key(ty.payload))
        if isinstance(ty, ResultType):
            return ("result", self._key(ty.ok), self._key(ty.err))
        if isinstance(ty, TupleType):
            return ("tuple", *(self._key(t) for t in ty.elements))
        if isinstance(ty, RecordType):
            return ("record", *((n, self._key(t)) for n, t in ty.fields))
        if isinstance(ty, VariantType):
            return ("variant", *((n, self._key(t)) for n, t in ty.cases))
        if isinstance(ty, EnumType | FlagsType):
            return (type(ty).__name__, *ty.names)
        return type(ty).__name__


def _function(items: dict[str, Any], iface: str, func: str, engine: Any) -> _Function | None:
    item = items.get(iface)
    if item is None or not isinstance(item.ty, ComponentInstanceType):
        return None
    members = item.ty.exports(engine)
    inner = members.get(func)
    if inner is None or not isinstance(inner.ty, FuncType):
        return None
    resources = [(i.ty, n) for n, i in members.items() if isinstance(i.ty, ResourceType)]
    return _Function(Signature.of(inner.ty, fast=False), resources)


def _same(a: _Function, b: _Function) -> bool:
    return bool(a.key() == b.key())


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
