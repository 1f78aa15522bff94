"""WAVE: parse and print values against WIT types, with positions in errors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from value_strategies import same, value_types, values

from linker import wit
from linker.errors import WitlinkError
from linker.wave import Err, Ok, Some, ValueMismatch, Variant, WaveError, parse, to_wave
from linker.wave import types as t
from linker.wit.printer import kind_text

U32, S8, F32, F64 = t.Scalar("u32"), t.Scalar("s8"), t.Scalar("f32"), t.Scalar("f64")
STRING, CHAR = t.Scalar("string"), t.Scalar("char")
ITEM = t.RecordType((("id", U32), ("tag", t.OptionType(STRING))))
COLOR = t.EnumType(("red", "none"))
PERMS = t.FlagsType(("read", "write", "exec"))
SHAPE = t.VariantType((("circle", F64), ("empty", None), ("some", ITEM)))


@pytest.mark.parametrize(
    ("ty", "text", "value", "printed"),
    [
        (ITEM, '{id: 1, tag: some("x")}', {"id": 1, "tag": "x"}, '{id: 1, tag: some("x")}'),
        (
            ITEM,
            '{ tag: "x", id: 1, } // flat some',
            {"id": 1, "tag": "x"},
            '{id: 1, tag: some("x")}',
        ),
        (ITEM, "{id: 7}", {"id": 7, "tag": None}, "{id: 7}"),
        (t.RecordType(()), "{:}", {}, "{:}"),
        (t.ResultType(U32, STRING), "ok(5)", Ok(5), None),
        (t.ResultType(U32, STRING), "5", Ok(5), "ok(5)"),
        (t.ResultType(U32, STRING), 'err("no")', Err("no"), None),
        (t.ResultType(None, None), "err", Err(), None),
        (t.OptionType(t.OptionType(STRING)), "some(none)", Some(None), None),
        (t.OptionType(t.OptionType(STRING)), '"x"', Some("x"), 'some(some("x"))'),
        (COLOR, "%none", "none", None),
        (PERMS, "{write, read}", frozenset({"read", "write"}), "{read, write}"),
        (PERMS, "{}", frozenset(), None),
        (SHAPE, "circle(-inf)", Variant("circle", -math.inf), None),
        (SHAPE, "%some({id: 2})", Variant("some", {"id": 2, "tag": None}), "%some({id: 2})"),
        (CHAR, r"'\u{1F600}'", "😀", "'😀'"),
        (CHAR, r"'\''", "'", None),
        (STRING, r'"a\tb\"\\ \u{0}"', 'a\tb"\\ \x00', r'"a\tb\"\\ \u{0}"'),
        (STRING, '"""\n  one\n    two\n  """', "one\n  two", '"one\\n  two"'),
        (t.ListType(t.Scalar("u8")), "[1, 2, 255,]", b"\x01\x02\xff", "[1, 2, 255]"),
        (
            t.TupleType((S8, F32)),
            "(-128, 0.1)",
            (-128, 0.10000000149011612),
            "(-128, 0.10000000149011612)",
        ),
        (F64, "6.022e+23", 6.022e23, "6.022e+23"),
    ],
)
def test_parse_and_print(ty: t.ValueType, text: str, value: Any, printed: str | None) -> None:
    assert parse(ty, text) == value
    assert to_wave(ty, value) == (printed or text)


@pytest.mark.parametrize(
    ("ty", "text", "message"),
    [
        (ITEM, "{id: -1}", "line 1, column 6: expected u32 (0..4294967295), found `-1`"),
        (ITEM, "{tag: none}", "column 1: missing field `id` of record { id: u32, "),
        (ITEM, "{id: 1, id: 2}", "column 9: field `id` given twice"),
        (ITEM, "{id: 1, size: 2}", "column 9: no field `size` in record"),
        (ITEM, "{id: 1\n  tag: none}", "line 2, column 3: expected `}` or `,`, found `tag`"),
        (COLOR, "none", "write `%none` for a case so named"),
        (COLOR, "blue", "expected a case of enum { red, none }, found `blue`"),
        (SHAPE, "empty(1)", "case `empty` has no payload"),
        (U32, "1.5", "expected u32"),
        (U32, "1 2", "column 3: expected the end of the value, found `2`"),
        (CHAR, "'ab'", "exactly one character"),
        (STRING, r'"\q"', r"invalid escape `\q`"),
        (STRING, r'"\u{D800}"', "not a scalar value"),
        (F32, "1e39", "too large"),
        (t.TupleType((U32, U32)), "(1)", "expected 2 values in tuple<u32, u32>"),
        (U32, "", "expected u32, found the end of the text"),
        (U32, "#", "unexpected character '#'"),
        (t.ListType(U32), "[[]]", "column 2: expected u32, found `[`"),
    ],
)
def test_errors_name_the_place_and_the_type(ty: t.ValueType, text: str, message: str) -> None:
    with pytest.raises(WaveError) as info:
        parse(ty, text)
    assert message in str(info.value)
    assert isinstance(info.value, WitlinkError)


def test_nesting_is_bounded() -> None:
    ty: t.ValueType = U32
    for _ in range(150):
        ty = t.ListType(ty)
    with pytest.raises(WaveError, match="nest more than 100 deep"):
        parse(ty, "[" * 150 + "]" * 150)


def test_printing_a_wrong_value_says_where() -> None:
    with pytest.raises(ValueMismatch, match=r"`\.id`: expected u32, got str 'x'"):
        to_wave(ITEM, {"id": "x", "tag": None})


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_print_then_parse_gives_the_value_back(data: st.DataObject) -> None:
    ty = data.draw(value_types(), label="type")
    value = data.draw(values(ty), label="value")
    text = to_wave(ty, value)
    assert same(parse(ty, text), value), text
    assert to_wave(ty, parse(ty, text)) == text


def test_types_print_by_the_wit_printers_rules(tmp_path: Path) -> None:
    """A wave type prints as the WIT printer spells the same structure (one printer)."""
    expected = "tuple<list<u8>, option<result<_, string>>, borrow<file>, result<u32>>"
    source = tmp_path / "a.wit"
    source.write_text(
        f"package a:b;\ninterface i {{\n  resource file;\n  type x = {expected};\n}}\n"
    )
    resolve = wit.load(source)
    (alias,) = [d for d in resolve.types if d.name == "x"]
    assert kind_text(resolve, alias.kind) == expected
    shape = t.TupleType(
        (
            t.ListType(t.Scalar("u8")),
            t.OptionType(t.ResultType(None, STRING)),
            t.HandleType(False, "file"),
            t.ResultType(U32, None),
        )
    )
    assert str(shape) == expected
    assert str(t.RecordType((("type", U32),))) == "record { %type: u32 }"  # keywords escaped
    assert str(t.HandleType(True)) == "own<resource>"  # a component does not name it
