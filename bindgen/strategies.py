"""Hypothesis strategies for the values of WIT types, as generated bindings type them.

`Strategies(resolve, world, types).for_type(ty)` draws values of WIT type `ty`
built from the classes of `types`, the generated `types` module of `world`;
`for_params(func)` draws a function's arguments. Needs Hypothesis, which the
`strategies` extra installs: `pip install 'witlink[strategies]'`.
"""

from __future__ import annotations

import functools
import operator
from types import ModuleType
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as err:  # a plain install has no Hypothesis
    raise ImportError(
        "bindgen.strategies needs Hypothesis: install it with pip install 'witlink[strategies]'"
    ) from err

from bindgen import runtime
from bindgen.typemap import INT_RANGES, TypeMap
from linker.wit import model as m

_TEXT = st.characters(codec="utf-8")


class Strategies:
    """Builds strategies for one world's types; `types` is its generated `types` module."""

    def __init__(
        self,
        resolve: m.Resolve,
        world: m.World,
        types: ModuleType,
        *,
        allow_nan: bool = False,
        max_size: int = 4,
    ) -> None:
        self.map = TypeMap(resolve, world)
        self.types = types
        self.allow_nan = allow_nan
        self.max_size = max_size

    def for_params(self, func: m.Function) -> st.SearchStrategy[tuple[Any, ...]]:
        """Arguments for `func`, in order (a method's `self` excluded)."""
        params = func.params[1:] if func.kind.tag == m.FunctionKindTag.METHOD else func.params
        return st.tuples(*(self.for_type(p.type) for p in params))

    def for_type(self, ty: m.Type | None) -> st.SearchStrategy[Any]:
        """Values of `ty` (`None` for a missing result or case payload)."""
        if ty is None:
            return st.none()
        ty = self.map.unalias(ty)
        if isinstance(ty, m.Primitive):
            return self._primitive(ty)
        kind = self.map.resolve.type(ty).kind
        name = self.map.names.get(ty)
        if isinstance(kind, m.Record):
            cls = getattr(self.types, name or "")
            return st.builds(cls, *(self.for_type(f.type) for f in kind.fields))
        if isinstance(kind, m.Enum):
            return st.sampled_from(list(getattr(self.types, name or "")))
        if isinstance(kind, m.Flags):
            flags = getattr(self.types, name or "")
            members = st.sets(st.sampled_from(list(flags))) if kind.flags else st.just(set())
            return members.map(lambda chosen: functools.reduce(operator.or_, chosen, flags(0)))
        if isinstance(kind, m.Variant):
            cases = []
            for case in kind.cases:
                cls = getattr(self.types, self.map.case_names[(ty, case.name)])
                payload = () if case.type is None else (self.for_type(case.type),)
                cases.append(st.builds(cls, *payload))
            return st.one_of(cases)
        if isinstance(kind, m.Option):
            some = self.for_type(kind.type)
            if self.map.nullable(kind.type):
                some = st.builds(runtime.Some, some)
            return st.none() | some
        if isinstance(kind, m.Result):
            ok = st.builds(runtime.Ok, self.for_type(kind.ok))
            return ok | st.builds(runtime.Err, self.for_type(kind.err))
        if isinstance(kind, m.Tuple):
            return st.tuples(*(self.for_type(t) for t in kind.types))
        if isinstance(kind, m.List):
            if self.map.is_bytes(ty):
                return st.binary(max_size=self.max_size * 4)
            return st.lists(self.for_type(kind.type), max_size=self.max_size)
        raise TypeError(f"no strategy for WIT type `{self.map.wit(ty)}`")

    def _primitive(self, ty: m.Primitive) -> st.SearchStrategy[Any]:
        if ty in INT_RANGES:
            bits = int(ty.value[1:])
            if ty.value.startswith("u"):
                return st.integers(0, 2**bits - 1)
            return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        if ty == m.Primitive.BOOL:
            return st.booleans()
        if ty == m.Primitive.F32:
            return st.floats(width=32, allow_nan=self.allow_nan)
        if ty == m.Primitive.F64:
            return st.floats(allow_nan=self.allow_nan)
        if ty == m.Primitive.CHAR:
            return _TEXT
        if ty == m.Primitive.STRING:
            return st.text(_TEXT, max_size=self.max_size * 4)
        raise TypeError(f"no strategy for WIT type `{ty.value}`")
