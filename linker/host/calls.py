"""Calling component functions, and defining host functions, with types resolved once.

wasmtime-py's public `Func.__call__` reads the function's type again on every call, and
its `LinkerInstance.add_func` trampoline does the same for every call from wasm. Here the
types are read once, and `bind` converts values with `values`' converters, built once per
function type. The fast path uses wasmtime-py's ctypes bindings (`wasmtime._ffi`),
which are not public API: it is enabled only for the wasmtime versions in `PINNED`, tests
check it agrees with the public path, and any other version (or `WITLINK_PUBLIC_CALLS=1`)
uses the public path.

Errors raised by a host function cannot cross wasm as Python exceptions; they are kept in
a per-thread list (`take_host_error`) and wasm sees a trap carrying their message.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections.abc import Callable, Sequence
from ctypes import byref
from importlib.metadata import version
from typing import Any, TypeVar

import attrs
from wasmtime import Store, StoreContext, WasmtimeError, _bindings
from wasmtime import _ffi as ffi
from wasmtime.component import (
    S8,
    S16,
    S32,
    S64,
    U8,
    U16,
    U32,
    U64,
    Func,
    FuncType,
    LinkerInstance,
    ValType,
)
from wasmtime.component._types import VariantLikeType

from linker.errors import HandleError
from linker.host import capi, values
from linker.wave import mapping
from linker.wave import types as wt

PINNED = frozenset({"50.0.1"})
"""wasmtime-py versions whose private call path this module was written and tested against."""

WASMTIME_VERSION = version("wasmtime")
FAST = WASMTIME_VERSION in PINNED and os.environ.get("WITLINK_PUBLIC_CALLS") != "1"

HostFunc = Callable[..., Any]
RawCall = Callable[[int | None, int, int | None, int], None]
"""A call with C value arrays given by address: `(args, len(args), results, len(results))`;
the callee reads the arguments in place and writes owned values into the result slots."""
RawHostFunc = Callable[[int, int | None, int, int | None, int], None]
"""A host function on C value arrays given by address: `(store context, args, n, results, m)`."""
_VAL = ffi.wasmtime_component_val_t
_VAL_SIZE = ctypes.sizeof(_VAL)
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(0)
_INT_FIELDS: dict[type, str] = {
    U8: "u8",
    U16: "u16",
    U32: "u32",
    U64: "u64",
    S8: "s8",
    S16: "s16",
    S32: "s32",
    S64: "s64",
}
_errors = threading.local()
E = TypeVar("E", bound=BaseException)


@attrs.frozen
class Signature:
    """A component function's parameter and result types, read once."""

    names: tuple[str, ...]
    params: tuple[ValType, ...]
    result: ValType | None
    types: tuple[wt.ValueType, ...]
    """The parameter types as `linker.wave.types` trees."""
    result_type: wt.ValueType | None

    @classmethod
    def of(cls, ty: FuncType, fast: bool = FAST) -> Signature:
        params = ty.params
        result = ty.result
        sig = cls(
            tuple(n for n, _ in params),
            tuple(t for _, t in params),
            result,
            tuple(values.wit_type(t) for _, t in params),
            None if result is None else values.wit_type(result),
        )
        if fast:
            for param in sig.params:
                _freeze(param)
            if sig.result is not None:
                _freeze(sig.result)
        return sig


def _freeze(ty: ValType) -> None:
    """Read a variant-like type's cases once (wasmtime-py reads them on every conversion)."""
    if not isinstance(ty, VariantLikeType) or "_cases" in vars(ty):
        return
    cases = ty._cases()
    for _, payload in cases:
        if payload is not None:
            _freeze(payload)
    tagged = ty._tagged()
    ty._cases = lambda: cases  # type: ignore[method-assign]
    ty._tagged = lambda: tagged  # type: ignore[method-assign]


def take_host_error() -> BaseException | None:
    """The Python error behind the latest host-function trap on this thread, if any."""
    pending: list[BaseException] = getattr(_errors, "pending", [])
    return pending.pop() if pending else None


def clear_host_errors() -> None:
    _errors.pending = []


def unchained(err: E) -> E:
    """`err` without its traceback, whose frames hold the store: wasmtime-py raises its
    errors from a frame that holds them too (`enter_wasm`), a cycle that kept the store
    alive until a gc run; an error kept by a caller would keep it as well."""
    err.__traceback__ = None
    return err


def _keep_host_error(err: BaseException) -> WasmtimeError:
    pending = getattr(_errors, "pending", None)
    if pending is None:
        pending = _errors.pending = []
    pending.append(err)
    return WasmtimeError(str(err))


def _putter(store: Store, ty: ValType) -> tuple[Callable[[Any, Any], None], bool]:
    """A function storing a Python value in a `val_t` slot; and whether it owns memory."""
    field = _INT_FIELDS.get(type(ty))
    if field is not None:
        kind = getattr(ffi, f"WASMTIME_COMPONENT_{field.upper()}")

        def put_int(slot: Any, value: Any) -> None:
            if not isinstance(value, int):
                raise TypeError(f"expected int for {field} type")
            slot.kind = kind
            setattr(slot.of, field, value)

        return put_int, False

    def put(slot: Any, value: Any) -> None:
        ty.convert_to_c(store, value, ctypes.pointer(slot))

    return put, True


def _getter(ty: ValType) -> Callable[[Any], Any]:
    """A function reading a Python value from a `val_t` slot."""
    field = _INT_FIELDS.get(type(ty))
    if field is not None:
        return lambda slot: getattr(slot.of, field)
    return ty.convert_from_c


def bind(
    store: Store,
    func: Func,
    sig: Signature,
    fast: bool = FAST,
    owner: values.Owner | None = None,
) -> Callable[..., Any]:
    """`func` in `store` as a Python callable taking and returning the value mapping of
    `linker.wave.mapping`; `owner` (the extension) makes and checks resource handles.

    Raises `ValueMismatch` for a wrong argument (before any wasm runs), `TypeError` for a
    wrong number of them, `WasmtimeError` on a trap.
    """
    count = len(sig.params)
    if not fast:
        return _public_call(store, func, sig, owner)
    context = store._context()
    fref = byref(func._func)
    statics: list[Any] = []
    lowers = [values.lowerer(ty, owner, statics) for ty in sig.types]
    lift = None if sig.result_type is None else values.lifter(sig.result_type, owner)
    moves = any(_moves_handle(ty) for ty in sig.types)
    array_type = _VAL * count
    call = _bindings._wasmtime_component_func_call
    post_return = _bindings._wasmtime_component_func_post_return
    delete = _bindings._wasmtime_component_val_delete
    string_at, addressof = ctypes.string_at, ctypes.addressof

    def fast_call(*args: Any) -> Any:
        if len(args) != count:
            raise _arity(sig, args)
        keep: list[Any] = [statics]
        try:
            raw = array_type.from_buffer_copy(
                b"".join([lower(value, keep) for lower, value in zip(lowers, args, strict=True)])
            )
        except HandleError:
            raise
        except Exception:
            raise _mismatch(sig, args) from None
        if moves:
            for item in keep:
                if type(item) is values.Handle:
                    item.moved()
        if lift is None:
            err = call(fref, context, raw, count, None, 0)
            out = None
        else:
            space = _VAL()
            err = call(fref, context, raw, count, byref(space), 1)
            out = None
            if not err:
                where = addressof(space)
                try:
                    out = lift(string_at(where, _VAL_SIZE), 0, where)
                finally:
                    delete(byref(space))
        if err:
            raise WasmtimeError._from_ptr(err)
        err = post_return(fref, context)
        if err:
            raise WasmtimeError._from_ptr(err)
        return out

    return fast_call


def on_public(sig: Signature, target: HostFunc) -> HostFunc:
    """`target`, which takes and returns the value mapping, as a function on wasmtime-py's
    value classes."""
    ins = [values.from_public(v, t, None) for v, t in zip(sig.params, sig.types, strict=True)]
    out = (
        values.to_public(sig.result, sig.result_type, None)
        if sig.result is not None and sig.result_type is not None
        else None
    )

    def call(*args: Any) -> Any:
        result = target(*[f(a) for f, a in zip(ins, args, strict=True)])
        return None if out is None else out(result)

    return call


def _public_call(
    store: Store, func: Func, sig: Signature, owner: values.Owner | None
) -> Callable[..., Any]:
    """`bind` through wasmtime-py's public API."""
    count = len(sig.params)
    puts = [values.to_public(v, t, owner) for v, t in zip(sig.params, sig.types, strict=True)]
    get = (
        values.from_public(sig.result, sig.result_type, owner)
        if sig.result is not None and sig.result_type is not None
        else None
    )

    def public_call(*args: Any) -> Any:
        if len(args) != count:
            raise _arity(sig, args)
        for name, ty, value in zip(sig.names, sig.types, args, strict=True):
            mapping.check(ty, value, name)
        converted = [put(value) for put, value in zip(puts, args, strict=True)]
        result = func(store, *converted)
        func.post_return(store)
        return None if get is None else get(result)

    return public_call


def _moves_handle(ty: wt.ValueType) -> bool:
    """Whether a value of `ty` can pass an `own` handle (which the call then consumes)."""
    if isinstance(ty, wt.HandleType):
        return ty.own
    if isinstance(ty, wt.ListType | wt.OptionType):
        return _moves_handle(ty.element if isinstance(ty, wt.ListType) else ty.payload)
    if isinstance(ty, wt.TupleType):
        return any(map(_moves_handle, ty.elements))
    if isinstance(ty, wt.RecordType):
        return any(_moves_handle(f) for _, f in ty.fields)
    if isinstance(ty, wt.VariantType):
        return any(_moves_handle(p) for _, p in ty.cases if p is not None)
    if isinstance(ty, wt.ResultType):
        return any(_moves_handle(p) for p in (ty.ok, ty.err) if p is not None)
    return False


def _arity(sig: Signature, args: Sequence[Any]) -> TypeError:
    return TypeError(
        f"takes {len(sig.params)} argument(s) ({', '.join(sig.names)}), got {len(args)}"
    )


def _mismatch(sig: Signature, args: Sequence[Any]) -> mapping.ValueMismatch:
    """The `ValueMismatch` describing the first wrong argument."""
    for name, ty, value in zip(sig.names, sig.types, args, strict=True):
        try:
            mapping.check(ty, value, name)
        except mapping.ValueMismatch as err:
            return err
    return mapping.ValueMismatch(sig.names[0], str(sig.types[0]), args[0])


def bind_raw(store: Store, func: Func) -> RawCall:
    """`func` in `store` called on C value arrays (fast path only): no Python values."""
    context = capi.address(store._context())
    fref = ctypes.addressof(func._func)
    call, post_return = capi.func_call, capi.func_post_return

    def raw_call(args: int | None, n: int, results: int | None, m: int) -> None:
        err = call(fref, context, args, n, results, m) or post_return(fref, context)
        if err:
            raise capi.error(err)

    raw_call.func = func  # type: ignore[attr-defined]  # `fref` points into it
    return raw_call


def bind_public(store: Store, func: Func) -> Callable[..., Any]:
    """`func` in `store` on wasmtime-py's own value classes (the public path's `raw`)."""

    def public_raw(*args: Any) -> Any:
        result = func(store, *args)
        func.post_return(store)
        return result

    return public_raw


def deadline_setter(store: Store, ticks: int, fast: bool = FAST) -> Callable[[], None]:
    """A function arming `store`'s epoch deadline `ticks` ticks from now."""
    if not fast:
        return functools.partial(store.set_epoch_deadline, ticks)
    return functools.partial(
        _bindings._wasmtime_context_set_epoch_deadline, store._context(), ticks
    )


def define(
    instance: LinkerInstance,
    name: str,
    sig: Signature,
    target: HostFunc,
    fast: bool = FAST,
    with_store: bool = False,
) -> object:
    """Define host function `name` calling `target(*args)`.

    `with_store` (public path only) passes the caller's `StoreContext` first. Returns the
    native callback object on the fast path: the caller must keep it alive as long as the
    linker (and any instance made from it) lives.
    """
    if not fast:

        def public_func(store: StoreContext, *args: Any) -> Any:
            try:
                return target(store, *args) if with_store else target(*args)
            except WasmtimeError:
                raise
            except BaseException as err:  # KeyboardInterrupt too: it must cross wasm
                raise _keep_host_error(err) from None

        instance.add_func(name, public_func)
        return None
    gets = [_getter(ty) for ty in sig.params]
    put = _putter(None, sig.result)[0] if sig.result is not None else None  # type: ignore[arg-type]

    @ffi.wasmtime_component_func_callback_t  # type: ignore[untyped-decorator]
    def callback(_data: Any, _ctx: Any, _ty: Any, args: Any, _n: int, results: Any, _m: int) -> Any:
        try:
            value = target(*[get(args[i]) for i, get in enumerate(gets)])
            if put is not None:
                put(results[0], value)
            return 0
        except BaseException as err:
            return _trap(err)

    return _add_callback(instance, name, callback)


def define_raw(instance: LinkerInstance, name: str, target: RawHostFunc) -> object:
    """Define host function `name` on C value arrays (fast path only): `target` gets the
    caller's store context and arrays as addresses, reads the arguments in place and writes
    owned values into its result slots.

    Returns the native callback object, to be kept alive as long as the linker lives.
    """

    @capi.RAW_CALLBACK  # type: ignore[untyped-decorator]
    def callback(_data: Any, ctx: int, _ty: Any, args: int, n: int, results: int, m: int) -> Any:
        try:
            target(ctx, args, n, results, m)
            return 0
        except BaseException as err:
            return _trap(err)

    encoded = name.encode()
    err = capi.linker_instance_add_func(
        capi.address(instance.ptr()), encoded, len(encoded), callback, None, None
    )
    if err:
        raise capi.error(err)
    return callback


def _trap(err: BaseException) -> int | None:
    """A native callback's failure: `err` as the wasmtime error it returns to wasm."""
    failure = err if isinstance(err, WasmtimeError) else _keep_host_error(err)
    return ctypes.cast(failure._consume(), ctypes.c_void_p).value


def _add_callback(instance: LinkerInstance, name: str, callback: object) -> object:
    encoded = name.encode()
    err = ffi.wasmtime_component_linker_instance_add_func(
        instance.ptr(),
        ctypes.create_string_buffer(encoded),
        len(encoded),
        callback,
        None,
        _NO_FINALIZER,
    )
    if err:
        raise WasmtimeError._from_ptr(err)
    return callback
