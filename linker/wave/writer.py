"""Print a value (in the Python mapping) as WAVE text, as the wasm-wave crate's writer does:
`{id: 1, tag: 3}`, `ok(5)`, `some("x")`, `%none` for cases named like keywords, record
fields whose value is `none` left out, `{:}` for an empty record."""

from __future__ import annotations

import math
from typing import Any

from linker.wave import mapping
from linker.wave import types as t

KEYWORDS = frozenset({"true", "false", "inf", "nan", "some", "none", "ok", "err"})
_ESCAPES = {"\\": "\\\\", '"': '\\"', "'": "\\'", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def to_wave(ty: t.ValueType, value: Any) -> str:
    """`value` of type `ty` as WAVE; raises `ValueMismatch` if it is not one."""
    mapping.check(ty, value)
    out: list[str] = []
    _write(ty, value, out)
    return "".join(out)


def case_label(name: str) -> str:
    """A variant or enum case name as WAVE writes it (`%` before a keyword)."""
    return f"%{name}" if name in KEYWORDS else name


def quote(text: str, mark: str) -> str:
    """`text` between `mark`s, escaped as WAVE chars and strings are."""
    return mark + "".join(_escape(c) for c in text) + mark


def _escape(char: str) -> str:
    escaped = _ESCAPES.get(char)
    if escaped is not None:
        return escaped
    return char if char.isprintable() else f"\\u{{{ord(char):x}}}"


def _float(value: float) -> str:
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _write(ty: t.ValueType, value: Any, out: list[str]) -> None:
    if isinstance(ty, t.Scalar):
        name = ty.name
        if name == "bool":
            out.append("true" if value else "false")
        elif name in ("f32", "f64"):
            out.append(_float(value))
        elif name == "char":
            out.append(quote(value, "'"))
        elif name == "string":
            out.append(quote(value, '"'))
        else:
            out.append(str(value))
    elif isinstance(ty, t.ListType):
        _sequence("[", "]", [ty.element] * len(value), value, out)
    elif isinstance(ty, t.TupleType):
        _sequence("(", ")", list(ty.elements), value, out)
    elif isinstance(ty, t.RecordType):
        _record(ty, value, out)
    elif isinstance(ty, t.VariantType):
        payload = dict(ty.cases)[value.tag]
        _case(case_label(value.tag), payload, value.value, out)
    elif isinstance(ty, t.EnumType):
        out.append(case_label(value))
    elif isinstance(ty, t.FlagsType):
        out.append("{" + ", ".join(mapping.flag_names(ty, value)) + "}")
    elif isinstance(ty, t.OptionType):
        if value is None:
            out.append("none")
        else:
            _case("some", ty.payload, value.value if type(value) is mapping.Some else value, out)
    elif isinstance(ty, t.ResultType):
        if isinstance(value, mapping.Ok):
            _case("ok", ty.ok, value.value, out)
        else:
            _case("err", ty.err, value.value, out)
    else:
        raise mapping.ValueMismatch("", "a value WAVE can print (not a resource handle)", value)


def _sequence(start: str, end: str, types: list[t.ValueType], items: Any, out: list[str]) -> None:
    out.append(start)
    for i, (ty, item) in enumerate(zip(types, items, strict=True)):
        if i:
            out.append(", ")
        _write(ty, item, out)
    out.append(end)


def _record(ty: t.RecordType, value: Any, out: list[str]) -> None:
    out.append("{")
    first = True
    for name, fty in ty.fields:
        item = mapping.record_field(value, name, mapping.field_attr(name))
        if isinstance(fty, t.OptionType) and item is None:
            continue
        if not first:
            out.append(", ")
        first = False
        out.append(f"{name}: ")
        _write(fty, item, out)
    if first:
        out.append(":")
    out.append("}")


def _case(label: str, payload: t.ValueType | None, value: Any, out: list[str]) -> None:
    out.append(label)
    if payload is not None:
        out.append("(")
        _write(payload, value, out)
        out.append(")")
