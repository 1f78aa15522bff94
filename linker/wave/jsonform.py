"""The JSON form of the value mapping, for `witlink run --json`.

Like the Python form, with what JSON lacks spelled out: a variant is `{"case": payload}`
(`null` without one), a result `{"ok": v}` or `{"err": e}`, a nested option's present
value `{"some": v}`, flags and tuples arrays, `list<u8>` an array of numbers, and the
floats `nan`, `inf`, `-inf` strings.
"""

from __future__ import annotations

import math
from typing import Any

from linker.wave import mapping
from linker.wave import types as t

_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def from_json(ty: t.ValueType, data: Any, path: str = "") -> Any:
    """The Python value of `ty` that JSON `data` encodes; raises `ValueMismatch`."""
    fail = mapping.ValueMismatch(path, str(ty), data)
    if isinstance(ty, t.Scalar):
        if ty.name in ("f32", "f64") and isinstance(data, str) and data in _SPECIAL:
            return _SPECIAL[data]
        value = data
    elif isinstance(ty, t.ListType | t.TupleType):
        if not isinstance(data, list):
            raise fail
        types = [ty.element] * len(data) if isinstance(ty, t.ListType) else list(ty.elements)
        if len(types) != len(data):
            raise fail
        pairs = enumerate(zip(types, data, strict=True))
        items = [from_json(e, d, f"{path}[{i}]") for i, (e, d) in pairs]
        if ty == t.ListType(t.Scalar("u8")):
            value = bytes(items) if all(0 <= i <= 255 for i in items) else items
        else:
            value = tuple(items) if isinstance(ty, t.TupleType) else items
    elif isinstance(ty, t.RecordType):
        if not isinstance(data, dict):
            raise fail
        value = {}
        for n, f in ty.fields:
            if n in data:
                value[n] = from_json(f, data[n], f"{path}.{n}")
            elif isinstance(f, t.OptionType):
                value[n] = None
            else:
                raise mapping.ValueMismatch(f"{path}.{n}", str(f), mapping.MISSING)
        value.update({k: v for k, v in data.items() if k not in value})
    elif isinstance(ty, t.VariantType):
        tag, payload = _single(data, fail)
        cases = dict(ty.cases)
        if tag not in cases:
            raise fail
        case = cases[tag]
        value = mapping.Variant(
            tag, payload if case is None else from_json(case, payload, f"{path}.{tag}")
        )
    elif isinstance(ty, t.FlagsType):
        value = frozenset(data) if isinstance(data, list) else data
    elif isinstance(ty, t.OptionType):
        if data is None:
            return None
        if mapping.nested_option(ty.payload):
            tag, payload = _single(data, fail)
            if tag != "some":
                raise fail
            return mapping.Some(from_json(ty.payload, payload, f"{path}.some"))
        return from_json(ty.payload, data, path)
    elif isinstance(ty, t.ResultType):
        tag, payload = _single(data, fail)
        if tag not in ("ok", "err"):
            raise fail
        case = ty.ok if tag == "ok" else ty.err
        inner = payload if case is None else from_json(case, payload, f"{path}.{tag}")
        value = mapping.Ok(inner) if tag == "ok" else mapping.Err(inner)
    else:
        value = data
    mapping.check(ty, value, path)
    return value


def _single(data: Any, fail: mapping.ValueMismatch) -> tuple[str, Any]:
    if not isinstance(data, dict) or len(data) != 1:
        raise fail
    ((tag, payload),) = data.items()
    return tag, payload


def to_json(ty: t.ValueType, value: Any) -> Any:
    """`value` of type `ty` in the JSON form (for `json.dumps`)."""
    if isinstance(ty, t.Scalar):
        if ty.name in ("f32", "f64") and not math.isfinite(value):
            return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return value
    if isinstance(ty, t.ListType):
        return [to_json(ty.element, v) for v in value]
    if isinstance(ty, t.TupleType):
        return [to_json(e, v) for e, v in zip(ty.elements, value, strict=True)]
    if isinstance(ty, t.RecordType):
        return {
            n: to_json(f, mapping.record_field(value, n, mapping.field_attr(n)))
            for n, f in ty.fields
        }
    if isinstance(ty, t.VariantType):
        case = dict(ty.cases)[value.tag]
        return {value.tag: None if case is None else to_json(case, value.value)}
    if isinstance(ty, t.FlagsType):
        return mapping.flag_names(ty, value)
    if isinstance(ty, t.OptionType):
        if value is None:
            return None
        if mapping.nested_option(ty.payload):
            return {"some": to_json(ty.payload, value.value)}
        return to_json(ty.payload, value.value if type(value) is mapping.Some else value)
    if isinstance(ty, t.ResultType):
        tag, case = ("ok", ty.ok) if isinstance(value, mapping.Ok) else ("err", ty.err)
        return {tag: None if case is None else to_json(case, value.value)}
    return repr(value)
