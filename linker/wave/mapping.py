"""The Python form of component values, and the one check of a value against its type.

| WIT                    | Python                                                           |
| ---------------------- | ---------------------------------------------------------------- |
| bool, integers         | `bool`, `int`                                                    |
| f32, f64               | `float` (an `int` is accepted)                                   |
| char, string           | `str` (one character for `char`)                                 |
| list<u8>               | `bytes` (`bytearray` accepted)                                   |
| list<T>, tuple<...>    | `list`, `tuple` (either accepted)                                |
| record                 | `dict` keyed by WIT field names (objects with attributes too)    |
| variant                | `Variant(tag, value)`                                            |
| enum                   | the case name, `str`                                             |
| flags                  | `frozenset` of names (any set, list or tuple accepted)           |
| option<T>              | `None` or the value; `Some(v)` when `T` is itself an option      |
| result<T, E>           | `Ok(v)` or `Err(e)` (`Ok()` / `Err()` without a payload)         |
| own<R>, borrow<R>      | a handle object (see `linker.host.values.Handle`)                |
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import attrs

from linker.errors import WitlinkError
from linker.wave import types as t

F32_MAX = 3.4028234663852886e38


@attrs.frozen
class Some:
    """A present `option<T>` value, needed when `T` can itself be `None`."""

    value: Any


@attrs.frozen
class Ok:
    """The success case of a `result`."""

    value: Any = None


@attrs.frozen
class Err:
    """The error case of a `result`."""

    value: Any = None


@attrs.frozen
class Variant:
    """A case of a `variant`; `value` is `None` for a case without payload."""

    tag: str
    value: Any = None


class ValueMismatch(WitlinkError):
    """A value does not fit its WIT type: `path` locates it (`.items[3].id`), `expected`
    is the WIT type there, `value` the Python value found."""

    def __init__(self, path: str, expected: str, value: object) -> None:
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        got = "nothing" if value is MISSING else f"{type(value).__name__} {shown}"
        super().__init__(f"`{path or 'value'}`: expected {expected}, got {got}")
        self.path = path
        self.expected = expected
        self.value = value


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


MISSING = _Missing()
"""Stands for a record field that is not there, in `ValueMismatch.value`."""


def nested_option(ty: t.ValueType) -> bool:
    """Whether `option<ty>` needs `Some(...)` (its payload can itself be `None`)."""
    return isinstance(ty, t.OptionType)


def field_attr(name: str) -> str:
    """The Python attribute a record object uses for WIT field `name`."""
    return name.replace("-", "_")


def record_object(value: Any) -> bool:
    """Whether `value` may stand for a record as an object with attributes (not a dict)."""
    return hasattr(value, "__dict__") or hasattr(type(value), "__slots__")


def record_field(value: Any, name: str, attr: str) -> Any:
    """Field `name` of a record given as a dict or as an object (bindgen's record classes)."""
    if type(value) is dict:
        return value[name]
    return getattr(value, attr)


def check(ty: t.ValueType, value: Any, path: str = "") -> None:
    """Raise `ValueMismatch` unless `value` is a valid Python form of `ty`.

    Handles (`own`/`borrow`) are not checked here: the host checks them.
    """
    fail = ValueMismatch(path, str(ty), value)
    if isinstance(ty, t.Scalar):
        if not _scalar_fits(ty.name, value):
            raise fail
    elif isinstance(ty, t.ListType):
        if ty.element == t.Scalar("u8"):
            if not isinstance(value, bytes | bytearray):
                raise fail
            return
        if not isinstance(value, list | tuple):
            raise fail
        for i, item in enumerate(value):
            check(ty.element, item, f"{path}[{i}]")
    elif isinstance(ty, t.TupleType):
        if not isinstance(value, list | tuple) or len(value) != len(ty.elements):
            raise fail
        for i, (elem, item) in enumerate(zip(ty.elements, value, strict=True)):
            check(elem, item, f"{path}[{i}]")
    elif isinstance(ty, t.RecordType):
        _check_record(ty, value, path, fail)
    elif isinstance(ty, t.VariantType):
        cases = dict(ty.cases)
        if not isinstance(value, Variant) or value.tag not in cases:
            raise fail
        payload = cases[value.tag]
        _check_payload(payload, value.value, f"{path}.{value.tag}", fail)
    elif isinstance(ty, t.EnumType):
        if not isinstance(value, str) or value not in ty.names:
            raise fail
    elif isinstance(ty, t.FlagsType):
        if not isinstance(value, set | frozenset | list | tuple) or not all(
            isinstance(n, str) and n in ty.names for n in value
        ):
            raise fail
    elif isinstance(ty, t.OptionType):
        if value is None:
            return
        if isinstance(value, Some):
            check(ty.payload, value.value, f"{path}.some")
        elif nested_option(ty.payload):
            raise fail
        else:
            check(ty.payload, value, path)
    elif isinstance(ty, t.UnsupportedType):
        raise ValueMismatch(path, f"{ty} (not supported by witlink yet)", value)
    elif isinstance(ty, t.ResultType):
        if isinstance(value, Ok):
            _check_payload(ty.ok, value.value, f"{path}.ok", fail)
        elif isinstance(value, Err):
            _check_payload(ty.err, value.value, f"{path}.err", fail)
        else:
            raise fail


def _check_record(ty: t.RecordType, value: Any, path: str, fail: ValueMismatch) -> None:
    if type(value) is not dict and not record_object(value):
        raise fail
    if type(value) is dict:
        extra = set(value) - {n for n, _ in ty.fields}
        if extra:
            raise ValueMismatch(f"{path}.{sorted(map(str, extra))[0]}", "no such field", value)
    for name, fty in ty.fields:
        try:
            item = record_field(value, name, field_attr(name))
        except (KeyError, AttributeError):
            raise ValueMismatch(f"{path}.{name}", str(fty), MISSING) from None
        check(fty, item, f"{path}.{name}")


def _check_payload(payload: t.ValueType | None, value: Any, path: str, fail: ValueMismatch) -> None:
    if payload is None:
        if value is not None:
            raise ValueMismatch(path, "no payload (None)", value)
        return
    check(payload, value, path)


def _scalar_fits(name: str, value: Any) -> bool:
    if name == "bool":
        return type(value) is bool
    bounds = t.INT_RANGES.get(name)
    if bounds is not None:
        return type(value) is int and bounds[0] <= value <= bounds[1]
    if name in ("f32", "f64"):
        return type(value) in (float, int) and (name == "f64" or fits_f32(value))
    if name == "char":
        return type(value) is str and len(value) == 1 and not 0xD800 <= ord(value) <= 0xDFFF
    return type(value) is str and _valid_utf8(value)


def fits_f32(value: float) -> bool:
    """Whether `value` is not a finite number too large for an f32."""
    return not math.isfinite(value) or abs(value) <= F32_MAX


def _valid_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def flag_names(ty: t.FlagsType, value: Iterable[str]) -> list[str]:
    """The set flags of `value` in the type's order."""
    chosen = set(value)
    return [n for n in ty.names if n in chosen]
