"""Cancellable calls: a cancelled call's wasm stops at its next epoch tick.

The engine's epoch clock ticks every `engine.TICK` seconds; a store's epoch deadline
bounds how many ticks one call may run. A call made in a thread under `cancellable(token)`
arms its store one tick ahead instead, with a deadline callback (run by wasmtime on the
calling thread at each tick) that lets it continue, tick by tick, until the call's time is
up or `token.cancel()` was called from anywhere; then the wasm traps. The trap is told
apart by `cancelled()`: the runtime restarts the instance without counting a fault.
Calls made without a token keep the plain deadline and never enter the callback.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Callable, Iterator
from typing import Any

from wasmtime import Store, _bindings

from linker.host import calls

_CONTINUE = 0
"""`WASMTIME_UPDATE_DEADLINE_CONTINUE`: keep running, with a new deadline."""


class CancelToken:
    """Set from any thread to stop the call running under it."""

    def __init__(self) -> None:
        self.cancelled = False
        self.fired = False
        """True once a store's deadline callback acted on the cancellation."""
        self._forwards: list[Callable[[], object]] = []

    def cancel(self) -> None:
        self.cancelled = True
        for forward in self._forwards:
            forward()

    def forward(self, stop: Callable[[], object]) -> None:
        """Also run `stop` on cancellation (at once if cancelled already): how a call that
        runs in another process (the Ray backend) is stopped."""
        self._forwards.append(stop)
        if self.cancelled:
            stop()


class _Local(threading.local):
    token: CancelToken | None = None
    """The token of the call this thread runs (a class default: no exception to look up)."""


_local = _Local()


def _token() -> CancelToken | None:
    return _local.token


@contextlib.contextmanager
def cancellable(token: CancelToken) -> Iterator[None]:
    """Run the calls this thread makes in the block under `token`."""
    outer = _token()
    _local.token = token
    try:
        yield
    finally:
        _local.token = outer


def current() -> CancelToken | None:
    """The token of the call this thread runs under (`cancellable`), if any."""
    return _token()


def cancelled() -> bool:
    """Whether this thread's current call trapped because its token was cancelled."""
    token = _token()
    return token is not None and token.fired


class _Budget:
    """The ticks the current cancellable call of one store may still run."""

    def __init__(self) -> None:
        self.left = 0


def arming(store: Store, ticks: int, fast: bool = calls.FAST) -> Callable[[], None]:
    """A function arming `store` for one call of at most `ticks` ticks (see the module)."""
    plain = calls.deadline_setter(store, ticks, fast)
    next_tick = calls.deadline_setter(store, 1, fast)
    budget = _Budget()
    local = _local

    def arm() -> None:
        if local.token is None:
            plain()
            return
        if _KEEP not in store.__dict__:
            _install(store, budget)
        budget.left = ticks
        next_tick()

    return arm


def _install(store: Store, budget: _Budget) -> None:
    """Set `store`'s deadline callback (kept alive by the store)."""

    def on_deadline(_ctx: Any, _env: Any, delta: Any, kind: Any) -> int:
        token = _token()
        budget.left -= 1
        if token is not None and token.cancelled:
            token.fired = True
            return _error("interrupt: the call was cancelled")
        if token is None or budget.left <= 0:
            return _error("wasm trap: interrupt")
        delta[0] = 1
        kind[0] = _CONTINUE
        return 0

    callback = _CALLBACK(on_deadline)
    _bindings.wasmtime_store_epoch_deadline_callback(store.ptr(), callback, None, _NO_FINALIZER)
    store.__dict__[_KEEP] = callback


def _error(message: str) -> int:
    err = _bindings.wasmtime_error_new(message.encode())
    address: int = ctypes.cast(err, ctypes.c_void_p).value or 0
    return address


_KEEP = "_witlink_deadline_callback"
_CALLBACK = _bindings._wasmtime_store_epoch_deadline_callback.argtypes[1]
_NO_FINALIZER = _bindings._wasmtime_store_epoch_deadline_callback.argtypes[3]()
