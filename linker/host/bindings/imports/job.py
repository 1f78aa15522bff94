"""Import `witlink:host/job@0.1.0`.

Long-running work with progress and durable checkpoints.
"""

from __future__ import annotations

from typing import Any, Protocol

from bindgen import runtime as _rt
from wasmtime import component as _wc

NAME = "witlink:host/job@0.1.0"
"""The interface's name in a linker."""


class Host(Protocol):
    """What the host implements for `witlink:host/job@0.1.0`."""

    def report_progress(self, completed: int, total: int, message: str) -> None: ...

    def checkpoint(self, state: bytes) -> None: ...

    def is_interrupted(self) -> bool: ...


def functions(impl: Host) -> dict[str, _rt.HostFunction]:
    """The host functions of `witlink:host/job@0.1.0` implemented by `impl`, by WIT name: each
    lifts wasmtime-py's values, calls `impl` and lowers its result.
    """

    def _f_report_progress(a0: Any, a1: Any, a2: Any) -> Any:
        impl.report_progress(a0, a1, a2)

    def _f_checkpoint(a0: Any) -> Any:
        impl.checkpoint(a0)

    def _f_is_interrupted() -> Any:
        out = impl.is_interrupted()
        try:
            return _rt.check_bool(out)
        except _rt.Mismatch as err:
            raise _rt.type_error(err, "is-interrupted: the host's return value") from None

    return {
        "report-progress": _rt.HostFunction(_f_report_progress),
        "checkpoint": _rt.HostFunction(_f_checkpoint),
        "is-interrupted": _rt.HostFunction(_f_is_interrupted),
    }


def add_to_linker(
    linker: _wc.Linker, impl: Host, *, name: str = NAME, define: _rt.Define = _rt.define
) -> list[object]:
    """Define interface `name` (default `NAME`) in `linker`, implemented by `impl`; each function
    through `define` (default: wasmtime-py's `add_func`). Returns what `define` returned.
    """
    with linker.root() as root, root.add_instance(name) as instance:
        return [define(instance, n, f) for n, f in functions(impl).items()]
