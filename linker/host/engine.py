"""The shared wasmtime engine: its configuration, fingerprint and epoch clock.

Per-call CPU time is bounded with epoch interruption: a daemon thread advances the
engine's epoch every `TICK` seconds and each call sets its store's deadline in ticks.
"""

from __future__ import annotations

import hashlib
import platform
import threading

from wasmtime import Config, Engine

from linker.host.calls import WASMTIME_VERSION

TICK = 0.01
"""Seconds between epoch ticks: the granularity of the per-call timeout."""

_SETTINGS = (("epoch_interruption", True), ("wasm_component_model", True))


def make_engine() -> Engine:
    config = Config()
    for name, value in _SETTINGS:
        setattr(config, name, value)
    return Engine(config)


def fingerprint() -> str:
    """What compiled code depends on: wasmtime's version, the engine settings, the machine."""
    text = f"wasmtime {WASMTIME_VERSION}; {_SETTINGS!r}; {platform.machine()}; {platform.system()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class EpochClock:
    """Advances an engine's epoch every `TICK` seconds while started."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def ticks(self, seconds: float) -> int:
        return max(1, round(seconds / TICK))

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="witlink-epoch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            self._engine.increment_epoch()
