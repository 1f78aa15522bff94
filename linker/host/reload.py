"""The type check of hot reload: does a new component still serve its current consumers?

Each function a loaded consumer imports from the extension (per the plan's registry) must
be exported by the new component with the same parameter and result types, compared by
wasmtime's own component types (what instantiation would enforce).
"""

from __future__ import annotations

from collections.abc import Mapping
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

from linker.errors import ExtensionError
from linker.host.calls import Signature

if TYPE_CHECKING:
    from linker.host.host import Host
    from linker.host.runtime import ExtensionRuntime


def check_provider(
    host: Host, ext_id: str, new: Component, consumers: list[ExtensionRuntime]
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
            name = compatible_name(current, exports)
            have = _function(exports, name, ref.function, engine) if name else None
            where = f"`{consumer.id}` imports `{ref.import_}#{ref.function}`"
            if name is not None and name != current:
                renamed[current] = name
            if have is None:
                problems.append(
                    f"{where}, but the new component does not export `{current}#{ref.function}`"
                    + (f" (nor a compatible version of `{current}`)" if "@" in current else "")
                )
            elif want is not None and not _same(want, have):
                problems.append(
                    f"{where}: {_show_sig(want.sig)}, but the new component has "
                    f"{_show_sig(have.sig)}"
                )
    if problems:
        raise ExtensionError(
            f"reload of `{ext_id}` refused, the old component keeps running: "
            + "; ".join(problems),
            extension=ext_id,
        )
    return renamed


def track(name: str) -> tuple[str, str] | None:
    """wasmtime's semver track of an export name: `a:b/c@1.2.3` -> (`a:b/c`, `1`).

    `@1.x.y` -> major (>= 1); `@0.m.x` -> `0.m` (m != 0); `0.0.x` and pre-releases match
    only exactly (None); build metadata is ignored.
    """
    base, at, version = name.partition("@")
    version = version.partition("+")[0]
    parts = version.split(".")
    if not at or "-" in version or len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    major, minor = int(parts[0]), int(parts[1])
    if major >= 1:
        return base, str(major)
    return (base, f"0.{minor}") if minor != 0 else None


def compatible_name(name: str, exports: Mapping[str, object]) -> str | None:
    """`name` if exported, else the highest export on the same semver track, else None."""
    if name in exports:
        return name
    wanted = track(name)
    if wanted is None:
        return None
    same = [n for n in exports if track(n) == wanted]
    return max(same, key=_version_key) if same else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.partition("@")[2].partition("+")[0].split("."))


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


def _show(ty: ValType | None) -> str:
    """A WIT-like rendering of a wasmtime value type, for error messages."""
    if ty is None:
        return "nothing"
    if isinstance(ty, ListType):
        return f"list<{_show(ty.element)}>"
    if isinstance(ty, OptionType):
        return f"option<{_show(ty.payload)}>"
    if isinstance(ty, ResultType):
        return f"result<{_show(ty.ok)}, {_show(ty.err)}>"
    if isinstance(ty, TupleType):
        return f"tuple<{', '.join(_show(t) for t in ty.elements)}>"
    if isinstance(ty, RecordType):
        return "record { " + ", ".join(f"{n}: {_show(t)}" for n, t in ty.fields) + " }"
    if isinstance(ty, VariantType):
        cases = (n if t is None else f"{n}({_show(t)})" for n, t in ty.cases)
        return "variant { " + ", ".join(cases) + " }"
    if isinstance(ty, EnumType | FlagsType):
        kind = "enum" if isinstance(ty, EnumType) else "flags"
        return f"{kind} {{ {', '.join(ty.names)} }}"
    return type(ty).__name__.lower()


def _show_sig(sig: Signature) -> str:
    params = ", ".join(f"{n}: {_show(t)}" for n, t in zip(sig.names, sig.params, strict=True))
    return f"func({params}) -> {_show(sig.result)}"
