"""The fast path's converters against the one definition of a valid value (`check`), without
wasm: lowering accepts exactly the values `check` accepts, and lifting what was lowered gives
the value back (the C value layout is the same both ways)."""

from __future__ import annotations

import ctypes
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from value_strategies import same, value_types, values

from linker.host import values as conv
from linker.wave import ValueMismatch, Variant, check
from linker.wave import types as t


def lowered(ty: t.ValueType, value: Any) -> tuple[bytes, list[Any]] | None:
    keep: list[Any] = []
    try:
        return conv.lowerer(ty, None, keep)(value, keep), keep
    except Exception:
        return None


def valid(ty: t.ValueType, value: Any) -> bool:
    try:
        check(ty, value)
    except ValueMismatch:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_lowering_then_lifting_gives_the_value_back(data: st.DataObject) -> None:
    ty = data.draw(value_types(), label="type")
    value = data.draw(values(ty), label="value")
    done = lowered(ty, value)
    assert done is not None
    image, _keep = done  # the buffers the image points into
    buffer = ctypes.create_string_buffer(image, len(image))
    assert same(conv.lifter(ty, None)(image, 0, ctypes.addressof(buffer)), value)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_lowering_refuses_exactly_what_check_refuses(data: st.DataObject) -> None:
    ty = data.draw(value_types(), label="type")
    other = data.draw(value_types(), label="type of the value")
    value = data.draw(values(other), label="value")
    assert (lowered(ty, value) is not None) == valid(ty, value)


def test_wrong_values_of_records_in_a_list() -> None:
    u32 = t.Scalar("u32")
    ty = t.ListType(t.RecordType((("id", u32), ("score", u32))))
    good = [{"id": 1, "score": 2}]
    for bad in (
        [{"id": 1}],
        [{"id": 1, "score": 2, "more": 3}],
        [{"id": 1, "score": -1}],
        [{"id": 1, "score": True}],
        [{"id": 1, "score": 2.0}],
        [{"id": 1, "score": 2}, Variant("x")],
    ):
        assert lowered(ty, bad) is None and not valid(ty, bad)
    assert lowered(ty, good) is not None and valid(ty, good)
