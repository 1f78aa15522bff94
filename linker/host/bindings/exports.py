"""What world `witlink:host/extension@0.1.0` exports, as typed Python calls."""

from __future__ import annotations

from bindgen import runtime as _rt
from wasmtime import Store
from wasmtime import component as _wc

from . import types as _t


class InitError(_rt.ResultError[str]):
    """The error `init` returned; `value` is its typed payload."""


class RunJobError(_rt.ResultError[str]):
    """The error `run-job` returned; `value` is its typed payload."""


class OnEventError(_rt.ResultError[str]):
    """The error `on-event` returned; `value` is its typed payload."""


class GuestExports:
    """Export `witlink:host/guest@0.1.0`.

    What an extension may export for the host to call.
    """

    def __init__(self, scope: _rt.Caller) -> None:
        self._scope = scope
        self._f_init = scope.function("witlink:host/guest@0.1.0", "init")
        self._f_run_job = scope.function("witlink:host/guest@0.1.0", "run-job")
        self._f_on_event = scope.function("witlink:host/guest@0.1.0", "on-event")

    def init(self) -> None:
        """Raises `InitError` carrying the `result`'s error (`try_init` returns `Ok`/`Err`
        instead).
        """
        result = self.try_init()
        if isinstance(result, _rt.Err):
            raise InitError(result.value)
        return result.value

    def try_init(self) -> _rt.Ok[None] | _rt.Err[str]:
        """Like `init`, but returns `Ok` or `Err` instead of raising."""
        raw = self._f_init()
        return _t._lift_t14(raw)

    def run_job(self, name: str, state: bytes | None) -> None:
        """Raises `RunJobError` carrying the `result`'s error (`try_run_job` returns `Ok`/`Err`
        instead).
        """
        result = self.try_run_job(name, state)
        if isinstance(result, _rt.Err):
            raise RunJobError(result.value)
        return result.value

    def try_run_job(self, name: str, state: bytes | None) -> _rt.Ok[None] | _rt.Err[str]:
        """Like `run_job`, but returns `Ok` or `Err` instead of raising."""
        try:
            where = "run-job: parameter `name`"
            a0 = _rt.check_string(name)
            where = "run-job: parameter `state`"
            a1 = _t._lower_t9(state)
        except _rt.Mismatch as err:
            raise _rt.type_error(err, where) from None
        raw = self._f_run_job(a0, a1)
        return _t._lift_t14(raw)

    def on_event(self, topic: str, payload: str) -> str | None:
        """Raises `OnEventError` carrying the `result`'s error (`try_on_event` returns `Ok`/`Err`
        instead).
        """
        result = self.try_on_event(topic, payload)
        if isinstance(result, _rt.Err):
            raise OnEventError(result.value)
        return result.value

    def try_on_event(self, topic: str, payload: str) -> _rt.Ok[str | None] | _rt.Err[str]:
        """Like `on_event`, but returns `Ok` or `Err` instead of raising."""
        try:
            where = "on-event: parameter `topic`"
            a0 = _rt.check_string(topic)
            where = "on-event: parameter `payload`"
            a1 = _rt.check_string(payload)
        except _rt.Mismatch as err:
            raise _rt.type_error(err, where) from None
        raw = self._f_on_event(a0, a1)
        return _t._lift_t15(raw)


class Exports:
    """Typed calls into the exports of world `witlink:host/extension@0.1.0`.

    `Exports(instance, store)` calls a wasmtime instance directly;
    `host.bind(extension_id, Exports)` gives a client whose calls go through a witlink
    `Host` (`Exports(caller)` with any `bindgen.runtime.Caller` does the same).
    """

    def __init__(self, instance: _wc.Instance | _rt.Caller, store: Store | None = None) -> None:
        scope = _rt.caller(instance, store)
        self._scope = scope
        self.guest = GuestExports(scope)
