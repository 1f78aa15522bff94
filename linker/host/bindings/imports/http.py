"""Import `witlink:host/http@0.1.0`.

Outbound HTTP, limited to the extension's allowed domains.
"""

from __future__ import annotations

from typing import Any, Protocol

from bindgen import runtime as _rt
from wasmtime import component as _wc

from .. import types as _t

NAME = "witlink:host/http@0.1.0"
"""The interface's name in a linker."""


class Host(Protocol):
    """What the host implements for `witlink:host/http@0.1.0`."""

    def fetch(self, req: _t.Request) -> _t.Response:
        """Raise `ResultError(error)` to return the `result`'s error."""
        ...


def functions(impl: Host) -> dict[str, _rt.HostFunction]:
    """The host functions of `witlink:host/http@0.1.0` implemented by `impl`, by WIT name: each
    lifts wasmtime-py's values, calls `impl` and lowers its result.
    """

    def _f_fetch(a0: Any) -> Any:
        try:
            ok = impl.fetch(_t._lift_request(a0))
        except _rt.ResultError as error:
            try:
                return _t._lower_t13(_rt.Err(error.value))
            except _rt.Mismatch as err:
                raise _rt.type_error(err, "fetch: the host's return value") from None
        try:
            return _t._lower_response(ok)
        except _rt.Mismatch as err:
            raise _rt.type_error(_rt.at(err, ".value"), "fetch: the host's return value") from None

    return {
        "fetch": _rt.HostFunction(_f_fetch),
    }


def add_to_linker(
    linker: _wc.Linker, impl: Host, *, name: str = NAME, define: _rt.Define = _rt.define
) -> list[object]:
    """Define interface `name` (default `NAME`) in `linker`, implemented by `impl`; each function
    through `define` (default: wasmtime-py's `add_func`). Returns what `define` returned.
    """
    with linker.root() as root, root.add_instance(name) as instance:
        return [define(instance, n, f) for n, f in functions(impl).items()]
