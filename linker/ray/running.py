"""Which extensions are running further up a call that crosses Ray processes.

`linker.host.callchain` holds the callers whose permissions bound a host request. Refusing
re-entrance needs more: an extension whose host operation's handler (at the driver) calls
back into it is running, though it is no caller on the chain. In-process the store's lock
tells; across processes every request carries both tuples and `entered` restores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from linker.host import callchain

_running: ContextVar[tuple[str, ...]] = ContextVar("witlink_ray_running", default=())


def running() -> tuple[str, ...]:
    """Every extension running further up this call, in this process's view."""
    return (*_running.get(), *callchain.current())


@contextmanager
def entered(chain: tuple[str, ...], busy: tuple[str, ...]) -> Iterator[None]:
    """Run as a call with callers `chain` under running extensions `busy`."""
    tokens = [callchain.push(caller) for caller in chain]
    mark = _running.set(busy)
    try:
        yield
    finally:
        _running.reset(mark)
        for token in reversed(tokens):
            callchain.pop(token)
