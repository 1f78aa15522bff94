"""asyncio forms of the host's calls: each runs on a worker thread and can be cancelled.

```python
total = await host.acall("stats", "run", 5)
stats = host.abind("stats", stats_bindings.Exports)
text = await stats.lib.render("# hi")               # the typed client's calls, awaited
```

A call runs in the event loop's default executor (`loop.set_default_executor` sets how
many threads), so the loop never blocks and calls into different extensions run in
parallel (wasm runs outside the GIL). Cancelling the awaiting task cancels the call: its
wasm stops at the next epoch tick (`linker.host.interrupt`), the extension is restarted
on its next call without counting a fault, and the task sees `CancelledError` once the
call has stopped (so the extension is free again when the cancellation is seen).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from linker.host.interrupt import CancelToken, cancellable

P = ParamSpec("P")
T = TypeVar("T")


async def in_thread(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` on a worker thread, cancellable (see the module)."""
    loop = asyncio.get_running_loop()
    token = CancelToken()
    context = contextvars.copy_context()

    def work() -> T:
        if token.cancelled:  # cancelled while it waited for a worker: never start it
            raise asyncio.CancelledError
        with cancellable(token):
            return context.run(fn, *args, **kwargs)

    future = loop.run_in_executor(None, work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        token.cancel()
        with contextlib.suppress(BaseException):  # the call's own outcome is not wanted
            await future
        raise


class AsyncClient:
    """A typed client (`Host.bind`) whose calls are awaited: `await client.lib.f(x)`.

    Attributes that are functions become coroutine functions running the client's call
    through `in_thread`; other attributes (interface objects) are wrapped the same way.
    """

    def __init__(self, client: object) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._client, name)
        if not callable(found):
            return AsyncClient(found)

        @functools.wraps(found)
        async def call(*args: Any, **kwargs: Any) -> Any:
            return await in_thread(found, *args, **kwargs)

        return call
