"""Converters between the Python value mapping (`linker.wave.mapping`) and wasm, built once
per function type.

The fast path (pinned wasmtime-py, see `calls`) lowers arguments straight into the C API's
`wasmtime_component_val_t` layout, in buffers Python owns for the length of the call, and
lifts results by reading the C values' bytes: no type is queried per value. Lists of
numbers and of records of numbers are lowered a column at a time. The public path converts
to and from wasmtime-py's own value classes. Both reject a wrong value with the same
`ValueMismatch`, found by `linker.wave.mapping.check` (the one definition of a valid value).
"""

from __future__ import annotations

import ctypes
import struct
from array import array
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from operator import attrgetter, itemgetter
from typing import Any, Protocol

from wasmtime import Store, WasmtimeError
from wasmtime import _ffi as ffi
from wasmtime.component import (
    F32,
    F64,
    S8,
    S16,
    S32,
    S64,
    U8,
    U16,
    U32,
    U64,
    Bool,
    BorrowType,
    Char,
    EnumType,
    FlagsType,
    Instance,
    ListType,
    OptionType,
    OwnType,
    Record,
    RecordType,
    ResourceAny,
    ResourceType,
    ResultType,
    String,
    TupleType,
    ValType,
    Variant,
    VariantType,
)

from bindgen.runtime import HostHandle
from linker.errors import ExtensionError, HandleError
from linker.wave import mapping
from linker.wave import types as t
from linker.wave.mapping import Err, Ok, Some, record_object


class Owner(Protocol):
    """What handles need of the extension that made them (its `ExtensionRuntime`)."""

    id: str
    instance: Instance | None
    store: Store | None
    arm: Callable[[], None]
    """Sets the call deadline afresh (a destructor runs under it)."""

    def held(self) -> AbstractContextManager[None]: ...

    def fault(self, function: str, err: WasmtimeError) -> ExtensionError:
        """The error for a trap in `function`; drops the instance and counts the fault."""
        ...


Lower = Callable[[Any, list[Any]], bytes]
"""Python value, buffers to keep alive -> the 32 bytes of a `wasmtime_component_val_t`."""
Lift = Callable[[bytes, int, int], Any]
"""(bytes holding a C value, its offset in them, their address) -> Python value."""

_VAL = 32
_U8 = t.Scalar("u8")
_FLOATS = (t.Scalar("f32"), t.Scalar("f64"))
_ENTRY = 48
_NAME = 16
_KIND_NAMES = (
    "BOOL S8 U8 S16 U16 S32 U32 S64 U64 F32 F64 CHAR STRING LIST RECORD TUPLE VARIANT ENUM "
    "OPTION RESULT FLAGS RESOURCE"
)
_K = {name: getattr(ffi, f"WASMTIME_COMPONENT_{name}").value for name in _KIND_NAMES.split()}
_CODES = {
    "bool": "?",
    "u8": "B",
    "s8": "b",
    "u16": "H",
    "s16": "h",
    "u32": "I",
    "s32": "i",
    "u64": "Q",
    "s64": "q",
    "f32": "f",
    "f64": "d",
    "char": "I",
}
_SCALAR_OF: dict[type, str] = {
    Bool: "bool",
    U8: "u8",
    S8: "s8",
    U16: "u16",
    S16: "s16",
    U32: "u32",
    S32: "s32",
    U64: "u64",
    S64: "s64",
    F32: "f32",
    F64: "f64",
    Char: "char",
    String: "string",
}
_PAIR = struct.Struct("=B7xQQ8x")  # kind, size, pointer (string, list, record, ...)
_PTR = struct.Struct("=B7xQ16x")  # kind, pointer (option, resource)
_READ_PAIR = struct.Struct("=8xQQ")
_READ_PTR = struct.Struct("=8xQ")
_READ_NAME = struct.Struct("=QQ")
_EMPTY = ctypes.create_string_buffer(8)
_EMPTY_ADDR = ctypes.addressof(_EMPTY)
_buffer = ctypes.create_string_buffer
_address = ctypes.addressof
_string_at = ctypes.string_at


class Handle(HostHandle):
    """A resource an extension returned to the host: pass it back to calls of the same
    extension, and drop it (`handle.drop()`, or `with handle:`) when done. Typed clients
    (`Host.bind`) hold one inside each of their resource objects."""

    __slots__ = ("_gone", "_instance", "_owner", "_resource", "resource_type")

    def __init__(self, owner: Owner, resource: ResourceAny, resource_type: str) -> None:
        self._owner = owner
        self._instance = owner.instance
        self._resource = resource
        self._gone: str | None = None
        self.resource_type = resource_type

    def __repr__(self) -> str:
        state = f", {self._gone}" if self._gone else ""
        return f"<Handle {self.resource_type} of {self._owner.id}{state}>"

    def __enter__(self) -> Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._gone is None:
            self.drop()

    @property
    def extension(self) -> str:
        return self._owner.id

    def drop(self) -> None:
        """Drop the resource in its extension (runs the guest's destructor)."""
        owner = self._owner
        with owner.held():
            resource = self.resource_for(owner)
            self._gone = "dropped"
            store = owner.store
            assert store is not None
            owner.arm()  # the destructor runs under the call deadline, not a stale one
            try:
                resource.drop(store)
            except WasmtimeError as err:  # the guest's destructor trapped
                err.__traceback__ = None  # its frames hold the store
                raise owner.fault(f"[resource-drop]{self.resource_type}", err) from None

    def resource_for(self, owner: Owner) -> ResourceAny:
        """The wasmtime resource, after checking it may be used in a call to `owner`."""
        if self._gone is not None:
            problem = f"was {self._gone}"
        elif owner is not self._owner:
            problem = f"belongs to extension `{self._owner.id}`"
        elif owner.instance is not self._instance:
            problem = (
                "is stale: the extension was reloaded, unloaded or restarted after a trap "
                "since the handle was made"
            )
        else:
            return self._resource
        raise HandleError(
            f"handle of `{self.resource_type}` from extension `{self._owner.id}` {problem}; "
            "get a new handle from the extension",
            extension=owner.id,
        )

    def moved(self) -> None:
        """The handle was passed as `own`: the extension owns the resource now."""
        self._gone = "moved into a call (passed as own)"


# -- types -------------------------------------------------------------------------------


ResourceNames = Sequence[tuple[ResourceType, str]]
"""The resources a component names beside a function (wasmtime-py's types do not)."""


def wit_type(ty: ValType, names: ResourceNames = ()) -> t.ValueType:
    """wasmtime-py's type `ty` as a `linker.wave.types` tree (each part read once); a
    handle's resource is named when it is among `names`."""
    name = _SCALAR_OF.get(type(ty))
    if name is not None:
        return t.Scalar(name)
    if isinstance(ty, ListType):
        return t.ListType(wit_type(ty.element, names))
    if isinstance(ty, TupleType):
        return t.TupleType(tuple(wit_type(e, names) for e in ty.elements))
    if isinstance(ty, RecordType):
        return t.RecordType(tuple((n, wit_type(f, names)) for n, f in ty.fields))
    if isinstance(ty, VariantType):
        return t.VariantType(
            tuple((n, None if p is None else wit_type(p, names)) for n, p in ty.cases)
        )
    if isinstance(ty, EnumType):
        return t.EnumType(tuple(ty.names))
    if isinstance(ty, FlagsType):
        return t.FlagsType(tuple(ty.names))
    if isinstance(ty, OptionType):
        return t.OptionType(wit_type(ty.payload, names))
    if isinstance(ty, ResultType):
        ok, err = ty.ok, ty.err
        return t.ResultType(
            None if ok is None else wit_type(ok, names),
            None if err is None else wit_type(err, names),
        )
    if isinstance(ty, OwnType | BorrowType):
        resource = next((n for r, n in names if r == ty.ty), None)
        return t.HandleType(isinstance(ty, OwnType), resource)
    return t.UnsupportedType(type(ty).__name__.removesuffix("Type").lower())


# -- fast path: lowering -------------------------------------------------------------------


def _static(data: bytes, keep: list[Any]) -> int:
    """The address of a copy of `data` that lives as long as `keep`."""
    if not data:
        return _EMPTY_ADDR
    buf = _buffer(data, len(data))
    keep.append(buf)
    return _address(buf)


def _name(text: str, keep: list[Any]) -> bytes:
    """A `wasm_name_t` (16 bytes) for a name known when the converter is built."""
    data = text.encode()
    return _READ_NAME.pack(len(data), _static(data, keep))


def lowerer(ty: t.ValueType, owner: Owner | None, statics: list[Any]) -> Lower:
    """A function lowering Python values of `ty`; `statics` keeps names alive."""
    if isinstance(ty, t.Scalar):
        return _scalar_lowerer(ty.name)
    if isinstance(ty, t.ListType):
        return _list_lowerer(ty, owner, statics)
    if isinstance(ty, t.TupleType):
        return _tuple_lowerer(ty, owner, statics)
    if isinstance(ty, t.RecordType):
        return _record_lowerer(ty, owner, statics)
    if isinstance(ty, t.VariantType):
        return _variant_lowerer(ty, owner, statics)
    if isinstance(ty, t.EnumType):
        return _enum_lowerer(ty, statics)
    if isinstance(ty, t.FlagsType):
        return _flags_lowerer(ty, statics)
    if isinstance(ty, t.OptionType):
        return _option_lowerer(ty, owner, statics)
    if isinstance(ty, t.ResultType):
        return _result_lowerer(ty, owner, statics)
    if isinstance(ty, t.HandleType):
        return _handle_lowerer(ty, owner)
    return _unsupported


class _Bad(Exception):
    """A value the fast path refuses; `check` then says why."""


def _unsupported(value: Any, keep: list[Any]) -> bytes:
    raise _Bad


def _not_supported(ty: t.ValueType) -> Callable[..., Any]:
    def convert(*_: Any) -> Any:
        raise TypeError(f"values of type {ty} are not supported yet")

    return convert


def _scalar_lowerer(name: str) -> Lower:
    kind = _K[name.upper()] if name != "char" else _K["CHAR"]
    if name == "string":
        string = _K["STRING"]

        def lower_string(value: Any, keep: list[Any]) -> bytes:
            if type(value) is not str:
                raise _Bad
            data = value.encode()
            return _PAIR.pack(string, len(data), _static(data, keep))

        return lower_string
    code = _CODES[name]
    pack = struct.Struct(f"=B7x{code}{24 - struct.calcsize(code)}x").pack
    if name == "bool":

        def lower_bool(value: Any, keep: list[Any]) -> bytes:
            if type(value) is not bool:
                raise _Bad
            return pack(kind, value)

        return lower_bool
    if name == "char":

        def lower_char(value: Any, keep: list[Any]) -> bytes:
            if type(value) is not str or len(value) != 1 or 0xD800 <= ord(value) <= 0xDFFF:
                raise _Bad
            return pack(kind, ord(value))

        return lower_char
    if name in ("f32", "f64"):
        narrow = name == "f32"

        def lower_float(value: Any, keep: list[Any]) -> bytes:
            if type(value) is not float and type(value) is not int:
                raise _Bad
            if narrow and not mapping.fits_f32(value):
                raise _Bad
            return pack(kind, value)

        return lower_float

    def lower_int(value: Any, keep: list[Any]) -> bytes:
        if type(value) is not int:
            raise _Bad
        return pack(kind, value)

    return lower_int


def _column_code(ty: t.ValueType) -> str | None:
    """The `array` type code of a number type whose values can be lowered as a column."""
    if isinstance(ty, t.Scalar) and ty.name in _CODES and ty.name not in ("bool", "char"):
        return _CODES[ty.name]
    return None


def _column(values: list[Any], code: str) -> array[Any]:
    """`values` as an array of `code` numbers; raises on a value of another type."""
    kinds = set(map(type, values))
    if code in "fd":
        if not kinds <= {float, int} or (code == "f" and not all(map(mapping.fits_f32, values))):
            raise _Bad
    elif not kinds <= {int}:
        raise _Bad
    return array(code, values)


def _list_lowerer(ty: t.ListType, owner: Owner | None, statics: list[Any]) -> Lower:
    list_kind = _K["LIST"]
    element = ty.element
    if element == t.Scalar("u8"):
        u8 = bytes([_K["U8"]])

        def lower_bytes(value: Any, keep: list[Any]) -> bytes:
            if not isinstance(value, bytes | bytearray):
                raise _Bad
            n = len(value)
            data = bytearray(_VAL * n)
            data[0::_VAL] = u8 * n
            data[8::_VAL] = value
            return _PAIR.pack(list_kind, n, _own(data, keep))

        return lower_bytes
    code = _column_code(element)
    if code is not None and isinstance(element, t.Scalar):
        return _number_list_lowerer(element, code)
    if isinstance(element, t.RecordType) and element.fields:
        codes = [_column_code(f) for _, f in element.fields]
        if all(codes):
            return _record_list_lowerer(element, [c for c in codes if c], statics)
    lower = lowerer(element, owner, statics)

    def lower_list(value: Any, keep: list[Any]) -> bytes:
        if type(value) is not list and type(value) is not tuple:
            raise _Bad
        data = b"".join([lower(item, keep) for item in value])
        return _PAIR.pack(list_kind, len(value), _static(data, keep))

    return lower_list


def _view(data: bytes | bytearray, code: str) -> memoryview:
    """`data` as an array of `code` numbers."""
    return memoryview(data).cast(code)  # type: ignore[call-overload, no-any-return]


def _own(data: bytearray, keep: list[Any]) -> int:
    """The address of `data` itself (kept alive, never resized, by `keep`)."""
    if not data:
        return _EMPTY_ADDR
    keep.append(data)
    return _address((ctypes.c_char * len(data)).from_buffer(data))


def _number_list_lowerer(element: t.Scalar, code: str) -> Lower:
    list_kind, kind = _K["LIST"], _K[element.name.upper()]
    size = struct.calcsize(code)

    def lower_numbers(value: Any, keep: list[Any]) -> bytes:
        if type(value) is not list and type(value) is not tuple:
            raise _Bad
        n = len(value)
        data = bytearray(_VAL * n)
        data[0::_VAL] = bytes([kind]) * n
        _view(data, code)[8 // size :: _VAL // size] = _column(list(value), code)
        return _PAIR.pack(list_kind, n, _own(data, keep))

    return lower_numbers


def _record_list_lowerer(ty: t.RecordType, codes: list[str], statics: list[Any]) -> Lower:
    """`list<record { numbers }>`: every field lowered as one column."""
    list_kind, record_kind = _K["LIST"], _K["RECORD"]
    names = [n for n, _ in ty.fields]
    attrs_ = [mapping.field_attr(n) for n in names]
    count = len(names)
    stride = _ENTRY * count
    template = b"".join(
        _name(n, statics) + bytes([_K[f.name.upper()]]) + bytes(_VAL - 1)  # type: ignore[union-attr]
        for n, f in ty.fields
    )
    sizes = [struct.calcsize(c) for c in codes]

    def lower_records(value: Any, keep: list[Any]) -> bytes:
        if type(value) is not list and type(value) is not tuple:
            raise _Bad
        n = len(value)
        if n == 0:
            return _PAIR.pack(list_kind, 0, _EMPTY_ADDR)
        entries = bytearray(template) * n
        kinds = set(map(type, value))
        try:
            if kinds == {dict}:
                if set(map(len, value)) != {count}:
                    raise _Bad  # a field missing, or one the record does not have
                getters: list[Callable[[Any], Any]] = [itemgetter(name) for name in names]
            elif dict in kinds or not all(map(record_object, value)):
                raise _Bad  # mixed dicts and objects, or not records at all
            else:
                getters = [attrgetter(attr) for attr in attrs_]
            for i, (get, code, size) in enumerate(zip(getters, codes, sizes, strict=True)):
                start = (_ENTRY * i + 16 + 8) // size
                _view(entries, code)[start :: stride // size] = _column(list(map(get, value)), code)
        except (KeyError, AttributeError):
            raise _Bad from None
        base = _own(entries, keep)
        vals = bytearray(_VAL * n)
        words = _view(vals, "Q")
        words[0::4] = array("Q", [record_kind]) * n
        words[1::4] = array("Q", [count]) * n
        words[2::4] = array("Q", range(base, base + stride * n, stride))
        return _PAIR.pack(list_kind, n, _own(vals, keep))

    return lower_records


def _tuple_lowerer(ty: t.TupleType, owner: Owner | None, statics: list[Any]) -> Lower:
    kind, count = _K["TUPLE"], len(ty.elements)
    lowers = [lowerer(e, owner, statics) for e in ty.elements]

    def lower_tuple(value: Any, keep: list[Any]) -> bytes:
        if (type(value) is not tuple and type(value) is not list) or len(value) != count:
            raise _Bad
        data = b"".join([low(v, keep) for low, v in zip(lowers, value, strict=True)])
        return _PAIR.pack(kind, count, _static(data, keep))

    return lower_tuple


def _record_lowerer(ty: t.RecordType, owner: Owner | None, statics: list[Any]) -> Lower:
    kind, count = _K["RECORD"], len(ty.fields)
    fields = [
        (n, mapping.field_attr(n), _name(n, statics), lowerer(f, owner, statics))
        for n, f in ty.fields
    ]

    def lower_record(value: Any, keep: list[Any]) -> bytes:
        try:
            if type(value) is dict:
                if len(value) != count:
                    raise _Bad
                parts = [head + low(value[name], keep) for name, _, head, low in fields]
            elif record_object(value):
                parts = [head + low(getattr(value, a), keep) for _, a, head, low in fields]
            else:
                raise _Bad
        except (KeyError, AttributeError):
            raise _Bad from None
        return _PAIR.pack(kind, count, _static(b"".join(parts), keep))

    return lower_record


def _payload(lower: Lower | None, value: Any, keep: list[Any]) -> int:
    """The address of a lowered payload (0 for a case without one)."""
    if lower is None:
        if value is not None:
            raise _Bad
        return 0
    return _static(lower(value, keep), keep)


def _variant_lowerer(ty: t.VariantType, owner: Owner | None, statics: list[Any]) -> Lower:
    pack = struct.Struct("=B7x16sQ").pack
    kind = _K["VARIANT"]
    cases = {
        n: (_name(n, statics), None if p is None else lowerer(p, owner, statics))
        for n, p in ty.cases
    }

    def lower_variant(value: Any, keep: list[Any]) -> bytes:
        if type(value) is not mapping.Variant:
            raise _Bad
        try:
            head, lower = cases[value.tag]
        except (KeyError, TypeError):
            raise _Bad from None
        return pack(kind, head, _payload(lower, value.value, keep))

    return lower_variant


def _enum_lowerer(ty: t.EnumType, statics: list[Any]) -> Lower:
    kind = _K["ENUM"]
    images = {n: struct.pack("=B7x16s8x", kind, _name(n, statics)) for n in ty.names}

    def lower_enum(value: Any, keep: list[Any]) -> bytes:
        try:
            return images[value]
        except (KeyError, TypeError):
            raise _Bad from None

    return lower_enum


def _flags_lowerer(ty: t.FlagsType, statics: list[Any]) -> Lower:
    kind = _K["FLAGS"]
    order = [(n, _name(n, statics)) for n in ty.names]
    allowed = frozenset(ty.names)

    def lower_flags(value: Any, keep: list[Any]) -> bytes:
        if not isinstance(value, set | frozenset | list | tuple):
            raise _Bad
        chosen = set(value)
        if not chosen <= allowed:
            raise _Bad
        data = b"".join([image for n, image in order if n in chosen])
        return _PAIR.pack(kind, len(data) // _NAME, _static(data, keep))

    return lower_flags


def _option_lowerer(ty: t.OptionType, owner: Owner | None, statics: list[Any]) -> Lower:
    kind = _K["OPTION"]
    lower = lowerer(ty.payload, owner, statics)
    nested = mapping.nested_option(ty.payload)
    none = _PTR.pack(kind, 0)

    def lower_option(value: Any, keep: list[Any]) -> bytes:
        if value is None:
            return none
        if type(value) is Some:
            value = value.value
        elif nested:
            raise _Bad
        return _PTR.pack(kind, _static(lower(value, keep), keep))

    return lower_option


def _result_lowerer(ty: t.ResultType, owner: Owner | None, statics: list[Any]) -> Lower:
    pack = struct.Struct("=B7x?7xQ8x").pack
    kind = _K["RESULT"]
    ok = None if ty.ok is None else lowerer(ty.ok, owner, statics)
    err = None if ty.err is None else lowerer(ty.err, owner, statics)

    def lower_result(value: Any, keep: list[Any]) -> bytes:
        if type(value) is Ok:
            return pack(kind, True, _payload(ok, value.value, keep))
        if type(value) is Err:
            return pack(kind, False, _payload(err, value.value, keep))
        raise _Bad

    return lower_result


def _handle_lowerer(ty: t.HandleType, owner: Owner | None) -> Lower:
    kind = _K["RESOURCE"]

    def lower_handle(value: Any, keep: list[Any]) -> bytes:
        if type(value) is not Handle or owner is None:
            raise _Bad
        resource = value.resource_for(owner)
        keep.append(resource)
        if ty.own:
            keep.append(value)  # marked moved once every argument is lowered
        return _PTR.pack(kind, ctypes.cast(resource.ptr(), ctypes.c_void_p).value or 0)

    return lower_handle


# -- fast path: lifting --------------------------------------------------------------------


def lifter(ty: t.ValueType, owner: Owner | None) -> Lift:
    """A function reading Python values of `ty` from C values (which it does not free)."""
    if isinstance(ty, t.Scalar):
        return _scalar_lifter(ty.name)
    if isinstance(ty, t.ListType):
        return _list_lifter(ty, owner)
    if isinstance(ty, t.TupleType):
        return _sequence_lifter([lifter(e, owner) for e in ty.elements], tuple, _VAL, 0)
    if isinstance(ty, t.RecordType):
        names = [n for n, _ in ty.fields]
        lifts = [lifter(f, owner) for _, f in ty.fields]
        read = _sequence_lifter(lifts, list, _ENTRY, 16)
        return lambda mem, off, addr: dict(zip(names, read(mem, off, addr), strict=True))
    if isinstance(ty, t.VariantType):
        return _variant_lifter(ty, owner)
    if isinstance(ty, t.EnumType):
        cases = {n.encode(): n for n in ty.names}

        def lift_enum(mem: bytes, off: int, addr: int) -> str:
            size, ptr = _READ_PAIR.unpack_from(mem, off)
            return cases[_string_at(ptr, size)]

        return lift_enum
    if isinstance(ty, t.FlagsType):
        return _flags_lifter(ty)
    if isinstance(ty, t.OptionType):
        return _option_lifter(ty, owner)
    if isinstance(ty, t.ResultType):
        return _result_lifter(ty, owner)
    if isinstance(ty, t.HandleType):
        return _handle_lifter(ty, owner)
    return _not_supported(ty)


def _scalar_lifter(name: str) -> Lift:
    if name == "string":

        def lift_string(mem: bytes, off: int, addr: int) -> str:
            size, ptr = _READ_PAIR.unpack_from(mem, off)
            return _string_at(ptr, size).decode() if size else ""

        return lift_string
    unpack = struct.Struct(f"=8x{_CODES[name]}").unpack_from
    if name == "char":
        return lambda mem, off, addr: chr(unpack(mem, off)[0])
    return lambda mem, off, addr: unpack(mem, off)[0]


def _list_lifter(ty: t.ListType, owner: Owner | None) -> Lift:
    if ty.element == t.Scalar("u8"):

        def lift_bytes(mem: bytes, off: int, addr: int) -> bytes:
            size, ptr = _READ_PAIR.unpack_from(mem, off)
            return _string_at(ptr, _VAL * size)[8::_VAL] if size else b""

        return lift_bytes
    code = _column_code(ty.element)
    if code is not None:
        size = struct.calcsize(code)

        def lift_numbers(mem: bytes, off: int, addr: int) -> list[Any]:
            n, ptr = _READ_PAIR.unpack_from(mem, off)
            if not n:
                return []
            column = _view(_string_at(ptr, _VAL * n), code)[8 // size :: _VAL // size]
            return list(column.tolist())

        return lift_numbers
    lift = lifter(ty.element, owner)

    def lift_list(mem: bytes, off: int, addr: int) -> list[Any]:
        n, ptr = _READ_PAIR.unpack_from(mem, off)
        if not n:
            return []
        data = _string_at(ptr, _VAL * n)
        return [lift(data, i, ptr) for i in range(0, _VAL * n, _VAL)]

    return lift_list


def _sequence_lifter(lifts: list[Lift], make: Any, stride: int, skip: int) -> Lift:
    count = len(lifts)
    offsets = [(lift, stride * i + skip) for i, lift in enumerate(lifts)]

    def lift_sequence(mem: bytes, off: int, addr: int) -> Any:
        if not count:
            return make()
        ptr = _READ_PAIR.unpack_from(mem, off)[1]
        data = _string_at(ptr, stride * count)
        return make([lift(data, at, ptr) for lift, at in offsets])

    return lift_sequence


def _payload_lifter(payload: t.ValueType | None, owner: Owner | None) -> Lift:
    """Reads a case's payload (`None` when the case has none) through its pointer."""
    if payload is None:
        return lambda mem, off, addr: None
    lift = lifter(payload, owner)

    def lift_payload(mem: bytes, off: int, addr: int) -> Any:
        return lift(_string_at(off, _VAL), 0, off)

    return lift_payload


def _variant_lifter(ty: t.VariantType, owner: Owner | None) -> Lift:
    read = struct.Struct("=8xQQQ").unpack_from
    cases = {n.encode(): (n, _payload_lifter(p, owner)) for n, p in ty.cases}
    make = mapping.Variant

    def lift_variant(mem: bytes, off: int, addr: int) -> mapping.Variant:
        size, name, ptr = read(mem, off)
        tag, lift = cases[_string_at(name, size)]
        return make(tag, lift(mem, ptr, addr) if ptr else None)

    return lift_variant


def _flags_lifter(ty: t.FlagsType) -> Lift:
    names = {n.encode(): n for n in ty.names}

    def lift_flags(mem: bytes, off: int, addr: int) -> frozenset[str]:
        n, ptr = _READ_PAIR.unpack_from(mem, off)
        if not n:
            return frozenset()
        data = _string_at(ptr, _NAME * n)
        return frozenset(names[_string_at(p, s)] for s, p in _READ_NAME.iter_unpack(data))

    return lift_flags


def _option_lifter(ty: t.OptionType, owner: Owner | None) -> Lift:
    lift = _payload_lifter(ty.payload, owner)
    nested = mapping.nested_option(ty.payload)

    def lift_option(mem: bytes, off: int, addr: int) -> Any:
        ptr = _READ_PTR.unpack_from(mem, off)[0]
        if not ptr:
            return None
        value = lift(mem, ptr, addr)
        return Some(value) if nested else value

    return lift_option


def _result_lifter(ty: t.ResultType, owner: Owner | None) -> Lift:
    read = struct.Struct("=8x?7xQ").unpack_from
    ok, err = _payload_lifter(ty.ok, owner), _payload_lifter(ty.err, owner)

    def lift_result(mem: bytes, off: int, addr: int) -> Ok | Err:
        is_ok, ptr = read(mem, off)
        if is_ok:
            return Ok(ok(mem, ptr, addr) if ptr else None)
        return Err(err(mem, ptr, addr) if ptr else None)

    return lift_result


def _handle_lifter(ty: t.HandleType, owner: Owner | None) -> Lift:
    def lift_handle(mem: bytes, off: int, addr: int) -> Handle:
        assert owner is not None
        ptr = _READ_PTR.unpack_from(mem, off)[0]
        ctypes.memset(addr + off, _K["BOOL"], 1)  # the C value no longer owns the resource
        resource = ResourceAny._from_ptr(
            ctypes.cast(ptr, ctypes.POINTER(ffi.wasmtime_component_resource_any_t))
        )
        return Handle(owner, resource, str(ty.resource))

    return lift_handle


# -- public path ----------------------------------------------------------------------------


def to_public(vt: ValType, ty: t.ValueType, owner: Owner | None) -> Callable[[Any], Any]:
    """Python mapping -> wasmtime-py's value classes for `vt` (values already checked).

    With no `owner`, handles stay `Handle`s (for typed clients, which hold them). Where both
    forms are the same (scalars, strings, enums, lists and tuples of them, an option of one)
    the converter is `same`, which callers may skip."""
    if isinstance(ty, t.UnsupportedType):
        return _not_supported(ty)
    if isinstance(ty, t.Scalar | t.EnumType):
        return float if ty in _FLOATS else same
    if isinstance(vt, ListType) and isinstance(ty, t.ListType):
        if ty.element == _U8:
            return bytes
        each = to_public(vt.element, ty.element, owner)
        return same if each is same else lambda v: [each(x) for x in v]
    if isinstance(vt, TupleType) and isinstance(ty, t.TupleType):
        parts = [to_public(a, b, owner) for a, b in zip(vt.elements, ty.elements, strict=True)]
        if all(p is same for p in parts):
            return tuple
        return lambda v: tuple(f(x) for f, x in zip(parts, v, strict=True))
    if isinstance(vt, RecordType) and isinstance(ty, t.RecordType):
        fields = [
            (n, mapping.field_attr(n), to_public(f, g, owner))
            for (n, f), (_, g) in zip(vt.fields, ty.fields, strict=True)
        ]

        plain = all(conv is same for _, _, conv in fields)

        def record(v: Any) -> Record:
            out = Record()
            d = out.__dict__  # wasmtime-py's records keep their fields by WIT name
            if plain and type(v) is dict:
                out.__dict__ = v  # the mapping's own dict, not copied: it is not kept
                return out
            for name, attr, conv in fields:
                d[name] = conv(mapping.record_field(v, name, attr))
            return out

        return record
    if isinstance(ty, t.FlagsType):
        return set
    if isinstance(vt, OwnType | BorrowType) and isinstance(ty, t.HandleType):
        if owner is None:
            return same

        def handle(v: Handle) -> ResourceAny:
            resource = v.resource_for(owner)
            if ty.own:
                v.moved()
            return resource

        return handle
    if isinstance(ty, t.OptionType) and isinstance(vt, OptionType):
        payload = to_public(vt.payload, ty.payload, owner)
        if payload is same and not mapping.nested_option(ty.payload):
            return same  # `None` or the value, in both forms
    return _variant_like_to_public(vt, ty, owner)


def same(value: Any) -> Any:
    """The converter between two forms that are the same."""
    return value


def _cases(vt: Any, ty: t.ValueType) -> list[tuple[str, Any, t.ValueType | None]]:
    if isinstance(ty, t.OptionType):
        return [("none", None, None), ("some", vt.payload, ty.payload)]
    if isinstance(ty, t.ResultType):
        return [("ok", vt.ok, ty.ok), ("err", vt.err, ty.err)]
    assert isinstance(ty, t.VariantType)
    return [(n, p, q) for (n, p), (_, q) in zip(vt.cases, ty.cases, strict=True)]


def _case_of(ty: t.ValueType, value: Any) -> tuple[str, Any]:
    if isinstance(ty, t.OptionType):
        if value is None:
            return "none", None
        return "some", value.value if type(value) is Some else value
    if isinstance(ty, t.ResultType):
        return ("ok" if type(value) is Ok else "err"), value.value
    return value.tag, value.value


def _variant_like_to_public(
    vt: ValType, ty: t.ValueType, owner: Owner | None
) -> Callable[[Any], Any]:
    tagged = vt._tagged()  # type: ignore[attr-defined]
    convs = {
        n: (None if p is None or q is None else to_public(p, q, owner))
        for n, p, q in _cases(vt, ty)
    }

    def convert(value: Any) -> Any:
        tag, payload = _case_of(ty, value)
        conv = convs[tag]
        inner = None if conv is None else conv(payload)
        return Variant(tag, inner) if tagged else inner

    return convert


def from_public(vt: ValType, ty: t.ValueType, owner: Owner | None) -> Callable[[Any], Any]:
    """wasmtime-py's value classes for `vt` -> the Python mapping (`same` where the two
    forms are the same, as in `to_public`).

    With no `owner`, handles are taken as `Handle`s already (from typed clients)."""
    if isinstance(ty, t.UnsupportedType):
        return _not_supported(ty)
    if isinstance(ty, t.Scalar | t.EnumType):
        return same
    if isinstance(vt, ListType) and isinstance(ty, t.ListType):
        if ty.element == _U8:
            return bytes
        each = from_public(vt.element, ty.element, owner)
        return same if each is same else lambda v: [each(x) for x in v]
    if isinstance(vt, TupleType) and isinstance(ty, t.TupleType):
        parts = [from_public(a, b, owner) for a, b in zip(vt.elements, ty.elements, strict=True)]
        if all(p is same for p in parts):
            return same
        return lambda v: tuple(f(x) for f, x in zip(parts, v, strict=True))
    if isinstance(vt, RecordType) and isinstance(ty, t.RecordType):
        fields = [
            (n, from_public(f, g, owner))
            for (n, f), (_, g) in zip(vt.fields, ty.fields, strict=True)
        ]
        if all(conv is same for _, conv in fields):
            return _fields  # read, never kept: the record's own dict serves
        return lambda v: {n: conv(getattr(v, n)) for n, conv in fields}
    if isinstance(ty, t.FlagsType):
        return frozenset
    if isinstance(ty, t.HandleType):
        if owner is None:
            return same

        def handle(v: ResourceAny) -> Handle:
            return Handle(owner, v, str(ty.resource))

        return handle
    if isinstance(ty, t.OptionType) and isinstance(vt, OptionType):
        payload = from_public(vt.payload, ty.payload, owner)
        if payload is same and not mapping.nested_option(ty.payload):
            return same
    return _variant_like_from_public(vt, ty, owner)


def _fields(record: Any) -> dict[str, Any]:
    """A wasmtime-py record's fields by WIT name."""
    fields: dict[str, Any] = record.__dict__
    return fields


def _variant_like_from_public(
    vt: ValType, ty: t.ValueType, owner: Owner | None
) -> Callable[[Any], Any]:
    tagged = vt._tagged()  # type: ignore[attr-defined]
    cases = []
    for name, p, q in _cases(vt, ty):
        classes: set[type] = set()
        if p is not None:
            p.add_classes(classes)
            if ResourceAny in classes:
                classes.add(Handle)  # a typed client's handle
        conv = None if p is None or q is None else from_public(p, q, owner)
        cases.append((name, tuple(classes), _maker(ty, name, conv)))
    makers = {name: make for name, _, make in cases}

    def convert(value: Any) -> Any:
        if tagged:
            return makers[value.tag](value.payload)
        # the cases' Python classes are distinct: the value's class names its case
        for _, classes, make in cases:
            if (classes and isinstance(value, classes)) or (not classes and value is None):
                return make(value)
        raise AssertionError(f"no case of {ty} takes {value!r}")

    return convert


def _maker(ty: t.ValueType, tag: str, conv: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """The mapping's value of case `tag` of `ty` from its wasmtime-py payload."""
    inner = (lambda _: None) if conv is None else conv
    if isinstance(ty, t.OptionType):
        if tag == "none":
            return lambda _: None
        if mapping.nested_option(ty.payload):
            return lambda p: Some(inner(p))
        return inner
    if isinstance(ty, t.ResultType):
        wrap = Ok if tag == "ok" else Err
        return lambda p: wrap(inner(p))
    return lambda p: mapping.Variant(tag, inner(p))
