"""The host's settings, as the parts behind `Host` read them (never the `Host` itself)."""

from __future__ import annotations

import attrs
from wasmtime import Engine


@attrs.frozen
class Settings:
    """What every extension runtime of one host shares: its engine and its limits."""

    engine: Engine
    fast_calls: bool
    """Whether calls take `linker.host.calls`' fast path (C value arrays)."""
    call_timeout: float
    """Seconds a call may run before its epoch deadline interrupts it."""
    deadline_ticks: int
    """`call_timeout` in epoch ticks."""
    max_faults: int
    """Consecutive faults after which an extension is quarantined."""
    default_max_memory_mb: int | None
    """The memory cap of an extension whose manifest sets none (`None`: no cap)."""


@attrs.define
class HttpLimits:
    """Limits of `witlink:host/http.fetch`, read on every request (so they can change)."""

    timeout: float
    max_bytes: int
