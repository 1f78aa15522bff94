"""Hypothesis strategies for WIT value types (`linker.wave.types`) and values of them in the
Python mapping (`linker.wave.mapping`)."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from linker.wave import types as t
from linker.wave.mapping import Err, Ok, Some, Variant, nested_option

WORDS = ("a", "id", "x-y", "none", "some", "ok", "err", "true", "inf", "nan", "red", "v2", "A-B")
labels = st.sampled_from(WORDS)


def _distinct(items: st.SearchStrategy[Any], min_size: int = 1) -> st.SearchStrategy[Any]:
    return st.lists(labels, min_size=min_size, max_size=4, unique=True).map(tuple)


scalars = st.sampled_from(sorted(t.SCALARS)).map(t.Scalar)


def value_types(max_leaves: int = 12) -> st.SearchStrategy[t.ValueType]:
    """Any WIT value type but handles."""
    leaves = st.one_of(
        scalars,
        _distinct(labels).map(t.EnumType),
        _distinct(labels, 0).map(t.FlagsType),
    )

    def extend(inner: st.SearchStrategy[t.ValueType]) -> st.SearchStrategy[t.ValueType]:
        maybe = st.none() | inner
        return st.one_of(
            inner.map(t.ListType),
            inner.map(t.OptionType),
            st.lists(inner, min_size=1, max_size=3).map(lambda e: t.TupleType(tuple(e))),
            st.builds(t.ResultType, maybe, maybe),
            _distinct(labels, 0).flatmap(
                lambda names: st.tuples(*[inner for _ in names]).map(
                    lambda types: t.RecordType(tuple(zip(names, types, strict=True)))
                )
            ),
            _distinct(labels).flatmap(
                lambda names: st.tuples(*[maybe for _ in names]).map(
                    lambda types: t.VariantType(tuple(zip(names, types, strict=True)))
                )
            ),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def values(ty: t.ValueType) -> st.SearchStrategy[Any]:
    """Values of `ty` as `Host.call` returns them."""
    if isinstance(ty, t.Scalar):
        return _scalar(ty.name)
    if isinstance(ty, t.ListType):
        if ty.element == t.Scalar("u8"):
            return st.binary(max_size=8)
        return st.lists(values(ty.element), max_size=3)
    if isinstance(ty, t.TupleType):
        return st.tuples(*map(values, ty.elements))
    if isinstance(ty, t.RecordType):
        return st.fixed_dictionaries({n: values(f) for n, f in ty.fields})
    if isinstance(ty, t.VariantType):
        return st.one_of(
            *[
                st.just(Variant(n)) if p is None else values(p).map(lambda v, n=n: Variant(n, v))
                for n, p in ty.cases
            ]
        )
    if isinstance(ty, t.EnumType):
        return st.sampled_from(ty.names)
    if isinstance(ty, t.FlagsType):
        return st.frozensets(st.sampled_from(ty.names)) if ty.names else st.just(frozenset())
    if isinstance(ty, t.OptionType):
        inner = values(ty.payload)
        return st.none() | (inner.map(Some) if nested_option(ty.payload) else inner)
    if isinstance(ty, t.ResultType):
        ok = st.just(Ok()) if ty.ok is None else values(ty.ok).map(Ok)
        err = st.just(Err()) if ty.err is None else values(ty.err).map(Err)
        return ok | err
    raise AssertionError(f"no values for {ty}")


def _scalar(name: str) -> st.SearchStrategy[Any]:
    if name == "bool":
        return st.booleans()
    if name in t.INT_RANGES:
        low, high = t.INT_RANGES[name]
        return st.integers(low, high)
    if name == "f32":
        return st.floats(width=32)
    if name == "f64":
        return st.floats()
    text = st.characters(exclude_categories=("Cs",))
    if name == "char":
        return text
    return st.text(text, max_size=6)


def same(a: Any, b: Any) -> bool:
    """Equal, counting NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and type(a) is type(b):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    for kind in (Some, Ok, Err):
        if isinstance(a, kind) and isinstance(b, kind):
            return same(a.value, b.value)
    if isinstance(a, Variant) and isinstance(b, Variant):
        return a.tag == b.tag and same(a.value, b.value)
    return type(a) is type(b) and a == b
