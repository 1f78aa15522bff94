"""Structural identity of WIT types across two different Resolves.

Each component is decoded into its own Resolve, so type ids mean nothing across
extensions. `Shapes(resolve).function(f)` gives a hashable description of a
function's type in which records, variants, enums and flags are spelled out with
their field and case names, aliases (`use`, `type a = b`) are seen through, and
resources are identified by their name and the unversioned name of the interface
that defines them. Two functions fit when their shapes are equal.

Shapes made with one shared `canon` dict are interned: equal type and interface
shapes (and signature tables) of different extensions are one object, so a set of
extensions built against the same WIT keeps one copy, and comparing them is an
identity check.
"""

from __future__ import annotations

from typing import Any

from linker.wit import model as m
from linker.wit.model import InterfaceId, Primitive, Resolve, TypeId
from linker.wit.signature import signature

Shape = Any
"""A nested tuple of strings; equal shapes mean identical types."""


class Shapes:
    """Computes (and memoises) the shapes of one Resolve's types and functions.

    One of these exists per extension, so it is kept small: one memo dict holds
    type shapes under the type's index, an interface's function shapes under
    `-1 - 2 * index` and its signatures under `-2 - 2 * index`; what is memoised
    is interned in `canon` (shared by all extensions of one link).
    """

    __slots__ = ("_canon", "_memo", "resolve")

    def __init__(self, resolve: Resolve, canon: dict[Any, Any] | None = None) -> None:
        self.resolve = resolve
        self._canon: dict[Any, Any] = {} if canon is None else canon
        """Interned shapes and tables: each value is the first equal one seen."""
        self._memo: dict[int, Any] = {}

    def signatures(self, id: InterfaceId) -> dict[str, str]:
        """The WIT signature of each function of an interface, by name (memoised)."""
        key = -2 - 2 * id.index
        texts: dict[str, str] | None = self._memo.get(key)
        if texts is None:
            functions = self.resolve.interfaces[id.index].functions
            texts = {name: signature(self.resolve, f) for name, f in functions.items()}
            texts = self._memo[key] = self._canon.setdefault(("texts", *texts.items()), texts)
        return texts

    def interface(self, id: InterfaceId) -> dict[str, Shape]:
        """The shape of each function of an interface, by name (memoised)."""
        key = -1 - 2 * id.index
        shapes: dict[str, Shape] | None = self._memo.get(key)
        if shapes is None:
            functions = self.resolve.interfaces[id.index].functions
            shapes = {name: self.function(f) for name, f in functions.items()}
            shapes = self._memo[key] = self._canon.setdefault(
                ("functions", *shapes.items()), shapes
            )
        return shapes

    def function(self, func: m.Function) -> Shape:
        shape_of = self.type
        params = tuple(
            [
                (p.name, p.type if p.type.__class__ is Primitive else shape_of(p.type))
                for p in func.params
            ]
        )
        result = func.result
        if result is not None and result.__class__ is not Primitive:
            result = shape_of(result)
        return (func.kind.tag, params, result)

    def opt(self, ty: m.Type | None) -> Shape:
        return None if ty is None else self.type(ty)

    def type(self, ty: m.Type) -> Shape:
        if ty.__class__ is Primitive:
            return ty  # a StrEnum: equal to (and hashed as) its WIT spelling
        assert isinstance(ty, TypeId)
        shape = self._memo.get(ty.index)
        if shape is None:
            shape = self._typedef(ty)
            shape = self._memo[ty.index] = self._canon.setdefault(shape, shape)
        return shape

    def resource(self, id: TypeId) -> Shape:
        """A resource's identity: `iface-base#name` (aliases seen through)."""
        typedef = self.resolve.type(id)
        while isinstance(typedef.kind, m.Alias) and isinstance(typedef.kind.type, TypeId):
            typedef = self.resolve.type(typedef.kind.type)
        owner = typedef.owner
        where = ""
        if isinstance(owner, m.OwnerInterface):
            full = self.resolve.interface_name(owner.id) or ""
            where = full.split("@", 1)[0]
        return f"{where}#{typedef.name}"

    def _typedef(self, id: TypeId) -> Shape:
        kind = self.resolve.types[id.index].kind
        match kind:
            case m.Alias(type=target):
                return self.type(target)
            case m.Record(fields=fields):
                return ("record", tuple([(f.name, self.type(f.type)) for f in fields]))
            case m.Variant(cases=cases):
                return ("variant", tuple([(c.name, self.opt(c.type)) for c in cases]))
            case m.Enum(cases=enum_cases):
                return ("enum", tuple([c.name for c in enum_cases]))
            case m.Flags(flags=flags):
                return ("flags", tuple([f.name for f in flags]))
            case m.Tuple(types=types):
                return ("tuple", tuple([self.type(t) for t in types]))
            case m.Option(type=inner):
                return ("option", self.type(inner))
            case m.Result(ok=ok, err=err):
                return ("result", self.opt(ok), self.opt(err))
            case m.List(type=inner):
                return ("list", self.type(inner))
            case m.FixedLengthList(type=inner, size=size):
                return ("list", self.type(inner), size)
            case m.Map(key=key, value=value):
                return ("map", self.type(key), self.type(value))
            case m.Future(type=inner):
                return ("future", self.opt(inner))
            case m.Stream(type=inner):
                return ("stream", self.opt(inner))
            case m.Handle(kind=handle, resource=resource):
                return (handle.value, self.resource(resource))
            case m.Resource():
                return ("resource", self.resource(id))
            case _:
                return ("unknown", id.index)
