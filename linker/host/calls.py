"""Calling component functions, and defining host functions, with types resolved once.

wasmtime-py's public `Func.__call__` reads the function's type again on every call, and
its `LinkerInstance.add_func` trampoline does the same for every call from wasm. Here the
types are read once. The fast path uses wasmtime-py's ctypes bindings (`wasmtime._ffi`),
which are not public API: it is enabled only for the wasmtime versions in `PINNED`, tests
check it agrees with the public path, and any other version (or `WITLINK_PUBLIC_CALLS=1`)
uses the public path.

Errors raised by a host function cannot cross wasm as Python exceptions; they are kept in
a per-thread list (`take_host_error`) and wasm sees a trap carrying their message.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Sequence
from ctypes import byref
from importlib.metadata import version
from typing import Any

import attrs
from wasmtime import Store, StoreContext, WasmtimeError
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

PINNED = frozenset({"50.0.1"})
"""wasmtime-py versions whose private call path this module was written and tested against."""

WASMTIME_VERSION = version("wasmtime")
FAST = WASMTIME_VERSION in PINNED and os.environ.get("WITLINK_PUBLIC_CALLS") != "1"

HostFunc = Callable[..., Any]
_VAL = ffi.wasmtime_component_val_t
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(0)
_INT_RANGES: dict[type, tuple[int, int]] = {
    U8: (0, 2**8 - 1),
    U16: (0, 2**16 - 1),
    U32: (0, 2**32 - 1),
    U64: (0, 2**64 - 1),
    S8: (-(2**7), 2**7 - 1),
    S16: (-(2**15), 2**15 - 1),
    S32: (-(2**31), 2**31 - 1),
    S64: (-(2**63), 2**63 - 1),
}
_errors = threading.local()


@attrs.frozen
class Signature:
    """A component function's parameter and result types, read once."""

    names: tuple[str, ...]
    params: tuple[ValType, ...]
    result: ValType | None

    @classmethod
    def of(cls, ty: FuncType) -> Signature:
        params = ty.params
        return cls(tuple(n for n, _ in params), tuple(t for _, t in params), ty.result)

    def check_args(self, args: Sequence[Any]) -> None:
        """Raise `TypeError` unless `args` fit the parameters (count, and integer ranges)."""
        if len(args) != len(self.params):
            raise TypeError(f"takes {len(self.params)} argument(s) ({', '.join(self.names)}), got {len(args)}")
        for name, ty, value in zip(self.names, self.params, args, strict=True):
            bounds = _INT_RANGES.get(type(ty))
            if bounds is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"argument `{name}` must be an integer, got {type(value).__name__}")
            if not bounds[0] <= value <= bounds[1]:
                raise TypeError(f"argument `{name}` = {value} is out of range {bounds[0]}..{bounds[1]}")


def take_host_error() -> BaseException | None:
    """The Python error behind the latest host-function trap on this thread, if any."""
    pending: list[BaseException] = getattr(_errors, "pending", [])
    return pending.pop() if pending else None


def clear_host_errors() -> None:
    _errors.pending = []


def _keep_host_error(err: BaseException) -> WasmtimeError:
    pending = getattr(_errors, "pending", None)
    if pending is None:
        pending = _errors.pending = []
    pending.append(err)
    return WasmtimeError(str(err))


def bind(store: Store, func: Func, sig: Signature, fast: bool = FAST) -> Callable[..., Any]:
    """`func` in `store` as a plain Python callable; raises `WasmtimeError` on a trap."""
    if not fast:

        def public_call(*args: Any) -> Any:
            result = func(store, *args)
            func.post_return(store)
            return result

        return public_call
    context = store._context()
    fref = byref(func._func)
    params, result_ty, count = sig.params, sig.result, len(sig.params)
    array_type = _VAL * count
    call, post_return, delete = (
        ffi.wasmtime_component_func_call,
        ffi.wasmtime_component_func_post_return,
        ffi.wasmtime_component_val_delete,
    )

    def fast_call(*args: Any) -> Any:
        if len(args) != count:
            raise TypeError(f"wrong number of parameters provided: given {len(args)}, expected {count}")
        raw = array_type()
        done = 0
        try:
            for ty, value in zip(params, args, strict=True):
                ty.convert_to_c(store, value, ctypes.pointer(raw[done]))
                done += 1
            if result_ty is None:
                err = call(fref, context, raw, count, None, 0)
                out = None
            else:
                space = _VAL()
                err = call(fref, context, raw, count, byref(space), 1)
                out = None if err else result_ty.convert_from_c(space)
        finally:
            for i in range(done):
                delete(byref(raw[i]))
        if err:
            raise WasmtimeError._from_ptr(err)
        err = post_return(fref, context)
        if err:
            raise WasmtimeError._from_ptr(err)
        return out

    return fast_call


def define(
    instance: LinkerInstance, name: str, sig: Signature, target: HostFunc, fast: bool = FAST
) -> Callable[..., Any] | None:
    """Define host function `name` calling `target(*args)`.

    Returns the native callback object on the fast path: the caller must keep it alive as
    long as the linker (and any instance made from it) lives.
    """
    if not fast:

        def public_func(_store: StoreContext, *args: Any) -> Any:
            try:
                return target(*args)
            except WasmtimeError:
                raise
            except Exception as err:
                raise _keep_host_error(err) from None

        instance.add_func(name, public_func)
        return None
    params, result_ty = sig.params, sig.result

    @ffi.wasmtime_component_func_callback_t  # type: ignore[untyped-decorator]
    def callback(_data: Any, _ctx: Any, _ty: Any, args: Any, _n: int, results: Any, _m: int) -> Any:
        try:
            value = target(*[ty.convert_from_c(args[i]) for i, ty in enumerate(params)])
            if result_ty is not None:
                result_ty.convert_to_c(None, value, results)
            return 0
        except BaseException as err:  # noqa: BLE001 - every error must become a trap
            failure = err if isinstance(err, WasmtimeError) else _keep_host_error(err)
            return ctypes.cast(failure._consume(), ctypes.c_void_p).value

    encoded = name.encode()
    err = ffi.wasmtime_component_linker_instance_add_func(
        instance.ptr(), ctypes.create_string_buffer(encoded), len(encoded), callback, None, _NO_FINALIZER
    )
    if err:
        raise WasmtimeError._from_ptr(err)
    return callback
