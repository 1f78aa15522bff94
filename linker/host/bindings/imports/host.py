"""Import `witlink:host/host@0.1.0`.

The generic host: one `call` routed to the host application's operations.
"""

from __future__ import annotations

from typing import Any, Protocol

from bindgen import runtime as _rt
from wasmtime import component as _wc

from .. import types as _t

NAME = "witlink:host/host@0.1.0"
"""The interface's name in a linker."""


class Host(Protocol):
    """What the host implements for `witlink:host/host@0.1.0`."""

    def call(self, method: str, library_id: str | None, payload: str) -> str:
        """Run host operation `method` with a JSON `payload`; returns its JSON result.

        Raise `ResultError(error)` to return the `result`'s error.
        """
        ...

    def log(self, level: _t.Level, message: str) -> None:
        """Write a message to the host's log."""
        ...


def functions(impl: Host) -> dict[str, _rt.HostFunction]:
    """The host functions of `witlink:host/host@0.1.0` implemented by `impl`, by WIT name: each
    lifts wasmtime-py's values, calls `impl` and lowers its result.
    """

    def _f_call(a0: Any, a1: Any, a2: Any) -> Any:
        try:
            ok = impl.call(a0, a1, a2)
        except _rt.ResultError as error:
            try:
                return _t._lower_t5(_rt.Err(error.value))
            except _rt.Mismatch as err:
                raise _rt.type_error(err, "call: the host's return value") from None
        try:
            return _rt.check_string(ok)
        except _rt.Mismatch as err:
            raise _rt.type_error(_rt.at(err, ".value"), "call: the host's return value") from None

    def _f_log(a0: Any, a1: Any) -> Any:
        impl.log(_t._lift_level(a0), a1)

    return {
        "call": _rt.HostFunction(_f_call),
        "log": _rt.HostFunction(_f_log),
    }


def add_to_linker(
    linker: _wc.Linker, impl: Host, *, name: str = NAME, define: _rt.Define = _rt.define
) -> list[object]:
    """Define interface `name` (default `NAME`) in `linker`, implemented by `impl`; each function
    through `define` (default: wasmtime-py's `add_func`). Returns what `define` returned.
    """
    with linker.root() as root, root.add_instance(name) as instance:
        return [define(instance, n, f) for n, f in functions(impl).items()]
