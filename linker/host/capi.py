"""wasmtime's C API functions the fast path calls on bare addresses (Python ints).

wasmtime-py's own ctypes declarations type every pointer, so each call builds and checks
pointer objects. The forwarders' hot path passes addresses instead: the callback receives
its arrays as ints, and these declarations (new function objects over the same library,
leaving wasmtime-py's untouched) take and return `c_void_p`. Fast path only (`calls.PINNED`).
"""

from __future__ import annotations

import ctypes
from ctypes import c_size_t, c_uint32, c_void_p
from typing import Any

from wasmtime import WasmtimeError
from wasmtime import _ffi as ffi

VAL_SIZE = ctypes.sizeof(ffi.wasmtime_component_val_t)
OF = ffi.wasmtime_component_val_t.of.offset
"""Where a value's payload (for a resource: its handle pointer) starts in a `val_t`."""

RAW_CALLBACK = ctypes.CFUNCTYPE(
    c_size_t, c_void_p, c_void_p, c_void_p, c_void_p, c_size_t, c_void_p, c_size_t
)
"""`wasmtime_component_func_callback_t` with every pointer an address."""


def _declare(name: str, restype: Any, *argtypes: Any) -> Any:
    func = ffi.dll[name]  # a new function object: wasmtime-py's declaration stays as is
    func.restype = restype
    func.argtypes = argtypes
    return func


func_call = _declare(
    "wasmtime_component_func_call",
    c_void_p,
    c_void_p,
    c_void_p,
    c_void_p,
    c_size_t,
    c_void_p,
    c_size_t,
)
func_post_return = _declare("wasmtime_component_func_post_return", c_void_p, c_void_p, c_void_p)
linker_instance_add_func = _declare(
    "wasmtime_component_linker_instance_add_func",
    c_void_p,
    c_void_p,
    ctypes.c_char_p,
    c_size_t,
    RAW_CALLBACK,
    c_void_p,
    c_void_p,
)
resource_any_to_host = _declare(
    "wasmtime_component_resource_any_to_host", c_void_p, c_void_p, c_void_p, c_void_p
)
resource_host_new = _declare(
    "wasmtime_component_resource_host_new", c_void_p, ctypes.c_bool, c_uint32, c_uint32
)
resource_host_to_any = _declare(
    "wasmtime_component_resource_host_to_any", c_void_p, c_void_p, c_void_p, c_void_p
)
resource_host_rep = _declare("wasmtime_component_resource_host_rep", c_uint32, c_void_p)
resource_host_delete = _declare("wasmtime_component_resource_host_delete", None, c_void_p)


def error(err: int) -> WasmtimeError:
    """The `WasmtimeError` owning the `wasmtime_error_t` at address `err`."""
    return WasmtimeError._from_ptr(ctypes.cast(err, ctypes.POINTER(ffi.wasmtime_error_t)))


def address(pointer: Any) -> int:
    """A ctypes pointer's address (0 for NULL)."""
    return ctypes.cast(pointer, c_void_p).value or 0
