"""Checking a `Resolve` read from outside (wit-parser JSON) before anything walks it.

Every id must name an item of its arena, types must not refer to themselves
(directly or through others), handles must refer to resources, and anonymous
types may nest no deeper than WIT text allows. After `check_resolve` passes,
printing, signatures and matching can index and recurse without guarding.
"""

from __future__ import annotations

from collections.abc import Iterator

from linker.errors import WitError
from linker.wit import model as m
from linker.wit.ast import MAX_TYPE_DEPTH


def check_resolve(resolve: m.Resolve) -> None:
    """Raise `WitError` naming the first dangling id, type cycle or over-deep type."""
    _check_ids(resolve)
    _check_types(resolve)


def _kind_refs(kind: m.TypeDefKind) -> Iterator[m.Type | None]:
    """The types a type definition refers to (a handle's resource included)."""
    match kind:
        case m.Record(fields):
            yield from (f.type for f in fields)
        case m.Handle(_, resource):
            yield resource
        case m.Tuple(types):
            yield from types
        case m.Variant(cases):
            yield from (c.type for c in cases)
        case m.Result(ok, err):
            yield ok
            yield err
        case m.Map(key, value):
            yield key
            yield value
        case (
            m.Option(ty)
            | m.List(ty)
            | m.FixedLengthList(ty, _)
            | m.Future(ty)
            | m.Stream(ty)
            | m.Alias(ty)
        ):
            yield ty


def _function_refs(func: m.Function) -> Iterator[m.Type | None]:
    yield func.kind.resource
    yield from (p.type for p in func.params)
    yield func.result


class _Ids:
    """Range checks against the arenas' sizes, with the referring item in the message."""

    def __init__(self, resolve: m.Resolve) -> None:
        self.sizes = {
            "type": len(resolve.types),
            "interface": len(resolve.interfaces),
            "world": len(resolve.worlds),
            "package": len(resolve.packages),
        }

    def check(
        self, where: str, id: m.Type | m.InterfaceId | m.WorldId | m.PackageId | None
    ) -> None:
        if id is None or isinstance(id, m.Primitive | str):
            return
        arena = {
            m.TypeId: "type",
            m.InterfaceId: "interface",
            m.WorldId: "world",
            m.PackageId: "package",
        }[type(id)]
        size = self.sizes[arena]
        if id.index >= size:
            raise WitError(
                f"{where} refers to {arena} {id.index}, but the document has "
                f"{size} {arena}{'s' if size != 1 else ''}; the JSON is corrupt or truncated"
            )

    def function(self, where: str, func: m.Function) -> None:
        for ref in _function_refs(func):
            self.check(f"{where} function `{func.name}`", ref)

    def world_items(self, where: str, items: dict[m.WorldKey, m.WorldItem]) -> None:
        for key, item in items.items():
            self.check(where, key if isinstance(key, m.InterfaceId) else None)
            if isinstance(item, m.WorldInterface):
                self.check(where, item.id)
            elif isinstance(item, m.WorldFunction):
                self.function(where, item.function)
            else:
                self.check(where, item.id)


def _check_ids(resolve: m.Resolve) -> None:
    ids = _Ids(resolve)
    for index, world in enumerate(resolve.worlds):
        where = f"world {index} (`{world.name}`)"
        ids.check(where, world.package)
        ids.world_items(where, world.imports)
        ids.world_items(where, world.exports)
    for index, iface in enumerate(resolve.interfaces):
        where = f"interface {index} (`{iface.name or 'anonymous'}`)"
        ids.check(where, iface.package)
        ids.check(where, iface.clone_of)
        for type_id in iface.types.values():
            ids.check(where, type_id)
        for func in iface.functions.values():
            ids.function(where, func)
    for index, typedef in enumerate(resolve.types):
        where = f"type {index} (`{typedef.name or 'anonymous'}`)"
        owner = typedef.owner
        ids.check(where, owner.id if owner is not None else None)
        for ref in _kind_refs(typedef.kind):
            ids.check(where, ref)
    for index, package in enumerate(resolve.packages):
        where = f"package {index} (`{package.name}`)"
        for iface_id in package.interfaces.values():
            ids.check(where, iface_id)
        for world_id in package.worlds.values():
            ids.check(where, world_id)


def _check_types(resolve: m.Resolve) -> None:
    """No cycles among types; handles name resources; anonymous nesting bounded."""
    types = resolve.types
    depth: list[int] = [-1] * len(types)  # -1 unvisited, -2 on the current path
    for root in range(len(types)):
        if depth[root] != -1:
            continue
        stack: list[tuple[int, Iterator[m.Type | None]]] = [(root, _kind_refs(types[root].kind))]
        depth[root] = -2
        while stack:
            index, refs = stack[-1]
            child = next(refs, False)
            if child is False:
                stack.pop()
                depth[index] = _depth_of(resolve, index, depth)
                continue
            if not isinstance(child, m.TypeId):
                continue
            if depth[child.index] == -2:
                name = types[child.index].name or "anonymous"
                raise WitError(
                    f"type {child.index} (`{name}`) refers to itself through type {index}; "
                    "WIT types cannot be recursive"
                )
            if depth[child.index] == -1:
                depth[child.index] = -2
                stack.append((child.index, _kind_refs(types[child.index].kind)))


def _depth_of(resolve: m.Resolve, index: int, depth: list[int]) -> int:
    """How deeply anonymous types nest inside type `index` (its children are done)."""
    typedef = resolve.types[index]
    if isinstance(typedef.kind, m.Handle) and not _is_resource(resolve, typedef.kind.resource):
        raise WitError(
            f"type {index} is a handle to type {typedef.kind.resource.index}, "
            "which is not a resource"
        )
    inner = 0
    for ref in _kind_refs(typedef.kind):
        if isinstance(ref, m.TypeId) and resolve.types[ref.index].name is None:
            inner = max(inner, depth[ref.index])
    if inner + 1 >= MAX_TYPE_DEPTH:
        raise WitError(
            f"type {index} (`{typedef.name or 'anonymous'}`) nests types more than "
            f"{MAX_TYPE_DEPTH} deep (as `list<list<...>>`); WIT allows fewer"
        )
    return inner + 1


def _is_resource(resolve: m.Resolve, ty: m.TypeId) -> bool:
    """Whether `ty` is a resource, or an alias of one (aliases are already acyclic)."""
    kind = resolve.types[ty.index].kind
    while isinstance(kind, m.Alias) and isinstance(kind.type, m.TypeId):
        kind = resolve.types[kind.type.index].kind
    return isinstance(kind, m.Resource | m.UnknownKind)
