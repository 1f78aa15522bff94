"""How each WIT type of a world looks in Python, and how its values convert.

`TypeMap` decides the Python names of a world's types, their annotations, and
the expressions that turn a typed Python value into wasmtime-py's untyped value
("lower", with checks) and back ("lift"). wasmtime-py passes a variant-like
value (variant, option, result) untagged when the Python classes of its cases
are disjoint, and as `Variant(tag, payload)` otherwise; `classes` and `tagged`
repeat that rule so generated code hands wasmtime exactly what it expects.
"""

from __future__ import annotations

import zlib

from bindgen.names import Namespace, lit, pascal, snake
from linker.wit import model as m
from linker.wit.printer import type_text

INT_RANGES = {
    m.Primitive.U8: "u8",
    m.Primitive.U16: "u16",
    m.Primitive.U32: "u32",
    m.Primitive.U64: "u64",
    m.Primitive.S8: "s8",
    m.Primitive.S16: "s16",
    m.Primitive.S32: "s32",
    m.Primitive.S64: "s64",
}

INT_BOUNDS = {
    ty: (0, 2**bits - 1) if name[0] == "u" else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    for ty, name in INT_RANGES.items()
    for bits in [int(name[1:])]
}
"""The inclusive range of each integer type."""

_ANNOTATION = {
    m.Primitive.BOOL: "bool",
    m.Primitive.F32: "float",
    m.Primitive.F64: "float",
    m.Primitive.CHAR: "str",
    m.Primitive.STRING: "str",
    m.Primitive.ERROR_CONTEXT: "object",
    **dict.fromkeys(INT_RANGES, "int"),
}

_CLASSES = {
    m.Primitive.BOOL: "bool",
    m.Primitive.F32: "float",
    m.Primitive.F64: "float",
    m.Primitive.CHAR: "str",
    m.Primitive.STRING: "str",
    m.Primitive.ERROR_CONTEXT: "error-context",
    **dict.fromkeys(INT_RANGES, "int"),
}

_CLASS_EXPR = {"Record": "_wc.Record", "Variant": "_wc.Variant"}
_HANDLES = frozenset({"ResourceAny", "ResourceHost"})

MODULE_NAMES = {"attrs", "enum", "Any", "Protocol", "TypeAlias", "_rt", "_wc", "_t"}


class TypeMap:
    """Names, annotations and conversions for the types a world uses."""

    def __init__(self, resolve: m.Resolve, world: m.World) -> None:
        self.resolve = resolve
        self.world = world
        self.ns = Namespace(set(MODULE_NAMES))
        self.reachable = self._reachable()
        self.exported_resources = self._exported_resources()
        self.names: dict[m.TypeId, str] = {}
        self.case_names: dict[tuple[m.TypeId, str], str] = {}
        self.aliases: dict[m.TypeId, str] = {}
        self.prefix = ""
        """Prepended to generated names: `""` inside `types.py`, `"_t."` elsewhere."""
        self._assign_names()

    # ------------------------------------------------------------ which types

    def world_interfaces(self) -> list[tuple[str, m.InterfaceId, bool]]:
        """(instance name, interface, is_export) for each interface the world names."""
        out = []
        for items, exported in ((self.world.imports, False), (self.world.exports, True)):
            for key, item in items.items():
                if isinstance(item, m.WorldInterface):
                    out.append((self.resolve.world_key_name(key), item.id, exported))
        return out

    def _reachable(self) -> list[m.TypeId]:
        todo: list[m.TypeId] = []
        for _, iface_id, _ in self.world_interfaces():
            iface = self.resolve.interface(iface_id)
            todo += iface.types.values()
            for func in iface.functions.values():
                todo += _func_types(func)
        for items in (self.world.imports, self.world.exports):
            for item in items.values():
                if isinstance(item, m.WorldType):
                    todo.append(item.id)
                elif isinstance(item, m.WorldFunction):
                    todo += _func_types(item.function)
        seen: set[m.TypeId] = set()
        while todo:
            tid = todo.pop()
            if tid in seen:
                continue
            seen.add(tid)
            todo += _children(self.resolve.type(tid).kind)
        return sorted(seen)

    def _exported_resources(self) -> set[m.TypeId]:
        exported = {iid for _, iid, is_export in self.world_interfaces() if is_export}
        imported = {iid for _, iid, is_export in self.world_interfaces() if not is_export}
        out = set()
        for tid in self.reachable:
            td = self.resolve.type(tid)
            owner = td.owner
            if (
                isinstance(td.kind, m.Resource)
                and isinstance(owner, m.OwnerInterface)
                and owner.id in exported
                and owner.id not in imported
            ):
                out.add(tid)
        return out

    def _assign_names(self) -> None:
        for tid in self.reachable:
            td = self.resolve.type(tid)
            if td.name is None or isinstance(td.kind, m.Alias):
                continue
            self.names[tid] = self.ns.claim(*self._candidates(tid, td.name))
            if isinstance(td.kind, m.Variant):
                for case in td.kind.cases:
                    base = self.names[tid] + pascal(case.name)
                    self.case_names[(tid, case.name)] = self.ns.claim(base, base + "Case")
        for tid in self.reachable:
            td = self.resolve.type(tid)
            if td.name is None or not isinstance(td.kind, m.Alias):
                continue
            target = self.unalias(tid)
            if isinstance(target, m.TypeId) and self.names.get(target) == pascal(td.name):
                continue
            self.aliases[tid] = self.ns.claim(*self._candidates(tid, td.name))

    def _candidates(self, tid: m.TypeId, name: str) -> list[str]:
        base = pascal(name)
        owner = self.resolve.type(tid).owner
        if isinstance(owner, m.OwnerInterface):
            iface = self.resolve.interface(owner.id)
            prefix = pascal(iface.name or "")
            candidates = [base, prefix + base]
            if iface.package is not None:
                pkg = self.resolve.package(iface.package).name
                candidates.append(pascal(pkg.namespace) + pascal(pkg.name) + prefix + base)
            return candidates
        return [base, pascal(self.world.name) + base]

    # ------------------------------------------------------------ annotations

    def unalias(self, ty: m.Type) -> m.Type:
        while isinstance(ty, m.TypeId):
            kind = self.resolve.type(ty).kind
            if not isinstance(kind, m.Alias):
                break
            ty = kind.type
        return ty

    def kind(self, ty: m.Type) -> m.TypeDefKind | m.Primitive:
        ty = self.unalias(ty)
        return ty if isinstance(ty, m.Primitive) else self.resolve.type(ty).kind

    def is_bytes(self, ty: m.Type) -> bool:
        kind = self.kind(ty)
        return isinstance(kind, m.List) and self.unalias(kind.type) == m.Primitive.U8

    def annotation(self, ty: m.Type | None) -> str:
        """The Python type of values of `ty` (`None` for a missing payload)."""
        if ty is None:
            return "None"
        if isinstance(ty, m.Primitive):
            return _ANNOTATION[ty]
        if ty in self.aliases:
            return self.prefix + self.aliases[ty]
        if ty in self.names:
            return self.prefix + self.names[ty]
        return self.structural(ty)

    def structural(self, ty: m.TypeId) -> str:
        """The annotation of `ty` spelled out, not by its own name."""
        kind = self.resolve.type(ty).kind
        if isinstance(kind, m.Alias):
            return self.annotation(kind.type)
        if isinstance(kind, m.Handle):
            return self.annotation(kind.resource)
        if isinstance(kind, m.Tuple):
            if not kind.types:
                return "tuple[()]"
            return "tuple[" + ", ".join(self.annotation(t) for t in kind.types) + "]"
        if isinstance(kind, m.Option):
            inner = self.annotation(kind.type)
            if self.nullable(kind.type):
                inner = f"_rt.Some[{inner}]"
            return f"{inner} | None"
        if isinstance(kind, m.Result):
            ok, err = self.annotation(kind.ok), self.annotation(kind.err)
            return f"_rt.Ok[{ok}] | _rt.Err[{err}]"
        if isinstance(kind, m.List | m.FixedLengthList):
            return "bytes" if self.is_bytes(ty) else f"list[{self.annotation(kind.type)}]"
        if isinstance(kind, m.Map):
            return f"dict[{self.annotation(kind.key)}, {self.annotation(kind.value)}]"
        return "object"

    def nullable(self, ty: m.Type) -> bool:
        """Whether `None` is a value of `ty` in Python (only options are)."""
        return isinstance(self.kind(ty), m.Option)

    def wit(self, ty: m.Type | None) -> str:
        """`ty` spelled as WIT, for error messages."""
        return type_text(self.resolve, ty)

    # ------------------------------------------------------------ wasmtime-py's shape

    def classes(self, ty: m.Type | None) -> frozenset[str]:
        """The Python classes wasmtime-py uses for values of `ty` ("object" for none)."""
        if ty is None:
            return frozenset({"object"})
        kind = self.kind(ty)
        if isinstance(kind, m.Primitive):
            return frozenset({_CLASSES[kind]})
        if isinstance(kind, m.Record):
            return frozenset({"Record"})
        if isinstance(kind, m.Tuple):
            return frozenset({"tuple"})
        if isinstance(kind, m.List | m.FixedLengthList):
            return frozenset({"bytes" if self.is_bytes(ty) else "list"})
        if isinstance(kind, m.Enum):
            return frozenset({"str"})
        if isinstance(kind, m.Flags):
            return frozenset({"set"})
        if isinstance(kind, m.Handle | m.Resource):
            return _HANDLES
        cases = self.cases(ty)
        if cases is None:
            return frozenset({type(kind).__name__})
        if self.tagged(ty):
            return frozenset({"Variant"})
        return frozenset().union(*(self.classes(t) for _, t in cases))

    def cases(self, ty: m.Type) -> list[tuple[str, m.Type | None]] | None:
        """The cases of a variant-like type in wasmtime-py's order, else `None`."""
        kind = self.kind(ty)
        if isinstance(kind, m.Variant):
            return [(c.name, c.type) for c in kind.cases]
        if isinstance(kind, m.Option):
            return [("none", None), ("some", kind.type)]
        if isinstance(kind, m.Result):
            return [("ok", kind.ok), ("err", kind.err)]
        return None

    def tagged(self, ty: m.Type) -> bool:
        """Whether wasmtime-py passes values of variant-like `ty` as `Variant`."""
        seen: set[str] = set()
        for _, case_ty in self.cases(ty) or ():
            case = self.classes(case_ty)
            if case & seen:
                return True
            seen |= case
        return False

    def class_test(self, classes: frozenset[str], value: str) -> str:
        """An expression testing that `value` is one of wasmtime-py's `classes`."""
        tests = []
        if "object" in classes:
            tests.append(f"{value} is None")
        if classes >= _HANDLES:  # a host's `Caller` may pass its own handle objects
            tests.append(f"isinstance({value}, _rt.HANDLE_CLASSES)")
            classes -= _HANDLES
        exprs = sorted(_CLASS_EXPR.get(c, c) for c in classes if c != "object")
        if len(exprs) == 1:
            tests.append(f"type({value}) is {exprs[0]}")
        elif exprs:
            tests.append(f"type({value}) in ({', '.join(exprs)})")
        return " or ".join(tests)

    # ------------------------------------------------------------ resources

    def needs_cx(self, ty: m.Type | None) -> bool:
        """Whether converting `ty` needs the call's `Scope` (it holds a handle)."""
        seen: set[m.TypeId] = set()
        todo = [ty] if isinstance(ty, m.TypeId) else []
        while todo:
            tid = todo.pop()
            if tid in seen:
                continue
            seen.add(tid)
            kind = self.resolve.type(tid).kind
            if isinstance(kind, m.Handle | m.Resource):
                return True
            todo += _children(kind)
        return False

    def resource_type_id(self, tid: m.TypeId) -> int:
        """A stable host resource type number for imported resource `tid`."""
        td = self.resolve.type(tid)
        owner = td.owner
        where = ""
        if isinstance(owner, m.OwnerInterface):
            where = self.resolve.interface_name(owner.id) or ""
        return zlib.crc32(f"{where}#{td.name}".encode())

    def table_name(self, tid: m.TypeId) -> str:
        return "_" + snake(self.names[tid]).upper().strip("_") + "_HANDLES"

    # ------------------------------------------------------------ conversions

    def func_base(self, tid: m.TypeId) -> str:
        return snake(self.names[tid]).strip("_") if tid in self.names else f"t{tid.index}"

    def lift_is_identity(self, ty: m.Type | None) -> bool:
        """Whether wasmtime-py's value of `ty` already is the typed value."""
        if ty is None:
            return True
        ty = self.unalias(ty)
        if isinstance(ty, m.Primitive):
            return ty != m.Primitive.ERROR_CONTEXT
        kind = self.resolve.type(ty).kind
        if isinstance(kind, m.List):
            return self.lift_is_identity(kind.type)
        if isinstance(kind, m.Tuple):
            return all(self.lift_is_identity(t) for t in kind.types)
        if isinstance(kind, m.Option):
            return (
                not self.tagged(ty)
                and not self.nullable(kind.type)
                and self.lift_is_identity(kind.type)
            )
        return False

    def lower(self, ty: m.Type, value: str) -> str:
        """An expression lowering (and checking) typed `value` for wasmtime-py."""
        ty = self.unalias(ty)
        if isinstance(ty, m.Primitive):
            if ty in INT_RANGES and value.isidentifier():
                # Inline the common case (a plain int in range), skipping a call.
                low, high = INT_BOUNDS[ty]
                fast = f"type({value}) is int and {low} <= {value} <= {high}"
                inline = f"{value} if {fast} else _rt.check_{ty.value}({value})"
                if len(inline) <= 68:
                    return inline
            if ty != m.Primitive.ERROR_CONTEXT:
                return f"_rt.check_{ty.value}({value})"
            return f'_rt.unsupported("values of type `error-context`", {value})'
        kind = self.resolve.type(ty).kind
        if self.is_bytes(ty):
            return f"_rt.check_bytes({value})"
        if isinstance(kind, m.List | m.FixedLengthList):
            fn = self.lower_fn(kind.type)
            return f"_rt.lower_list({value}, {fn}, {lit(self.wit(ty))})"
        cx = ", cx" if self.needs_cx(ty) else ""
        return f"{self.prefix}_lower_{self.func_base(ty)}({value}{cx})"

    def lower_fn(self, ty: m.Type) -> str:
        """A callable lowering one value of `ty` (for list elements)."""
        ty = self.unalias(ty)
        if isinstance(ty, m.Primitive) and ty != m.Primitive.ERROR_CONTEXT:
            return f"_rt.check_{ty.value}"
        if isinstance(ty, m.TypeId) and not self.is_bytes(ty) and not self.needs_cx(ty):
            kind = self.resolve.type(ty).kind
            if not isinstance(kind, m.List | m.FixedLengthList):
                return f"{self.prefix}_lower_{self.func_base(ty)}"
        return f"lambda x: {self.lower(ty, 'x')}"

    def lift(self, ty: m.Type | None, value: str, depth: int = 0) -> str:
        """An expression lifting wasmtime-py's `value` of `ty` to its typed form."""
        if ty is None or self.lift_is_identity(ty):
            return value
        ty = self.unalias(ty)
        assert isinstance(ty, m.TypeId)
        kind = self.resolve.type(ty).kind
        if isinstance(kind, m.List | m.FixedLengthList):
            item = f"x{depth}"
            return f"[{self.lift(kind.type, item, depth + 1)} for {item} in {value}]"
        cx = ", cx" if self.needs_cx(ty) else ""
        return f"{self.prefix}_lift_{self.func_base(ty)}({value}{cx})"


def _func_types(func: m.Function) -> list[m.TypeId]:
    types = [p.type for p in func.params] + [func.result]
    out = [t for t in types if isinstance(t, m.TypeId)]
    if func.kind.resource is not None:
        out.append(func.kind.resource)
    return out


def _children(kind: m.TypeDefKind) -> list[m.TypeId]:
    refs: list[m.Type | None] = []
    if isinstance(kind, m.Record):
        refs = [f.type for f in kind.fields]
    elif isinstance(kind, m.Variant):
        refs = [c.type for c in kind.cases]
    elif isinstance(kind, m.Tuple):
        refs = list(kind.types)
    elif isinstance(kind, m.Option | m.List | m.FixedLengthList | m.Alias | m.Future | m.Stream):
        refs = [kind.type]
    elif isinstance(kind, m.Result):
        refs = [kind.ok, kind.err]
    elif isinstance(kind, m.Map):
        refs = [kind.key, kind.value]
    elif isinstance(kind, m.Handle):
        refs = [kind.resource]
    return [t for t in refs if isinstance(t, m.TypeId)]
