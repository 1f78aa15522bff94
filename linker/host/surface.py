"""What `Host` and the Ray backend's `RayHost` share on top of the calls each runs its own
way: the HTTP limits as properties and the asyncio forms of the calls (`linker.host.aio`:
worker threads; cancelling the awaiting task interrupts the running wasm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from bindgen.runtime import Caller
from linker.host import aio
from linker.host.events import EventReply
from linker.host.jobs import ProgressHook
from linker.host.settings import HttpLimits
from linker.services.jobs import JobRecord

C = TypeVar("C")


class Blocking(Protocol):
    """The blocking calls the asyncio forms run on worker threads."""

    def call(self, ext_id: str, function: str, *args: Any) -> Any: ...

    def bind(self, ext_id: str, exports: Callable[[Caller], C]) -> C: ...

    def run_job(
        self,
        ext_id: str,
        name: str,
        state: bytes | None = None,
        on_progress: ProgressHook | None = None,
    ) -> JobRecord: ...

    def emit(self, topic: str, payload: str = "{}") -> list[EventReply]: ...


class HostSurface:
    """The part of a host's public API built on its other parts."""

    _http: HttpLimits

    @property
    def http_timeout(self) -> float:
        """Seconds an outbound `http.fetch` may take (may be changed while running)."""
        return self._http.timeout

    @http_timeout.setter
    def http_timeout(self, seconds: float) -> None:
        self._http.timeout = seconds

    @property
    def http_max_bytes(self) -> int:
        """The largest response body `http.fetch` accepts (may be changed while running)."""
        return self._http.max_bytes

    @http_max_bytes.setter
    def http_max_bytes(self, size: int) -> None:
        self._http.max_bytes = size

    async def acall(self: Blocking, ext_id: str, function: str, *args: Any) -> Any:
        """`call` awaited; cancelling the awaiting task interrupts the running wasm."""
        return await aio.in_thread(self.call, ext_id, function, *args)

    def abind(self: Blocking, ext_id: str, exports: Callable[[Caller], object]) -> aio.AsyncClient:
        """`bind`'s typed client with every call awaited: `await client.lib.render(x)`."""
        return aio.AsyncClient(self.bind(ext_id, exports))

    async def arun_job(
        self: Blocking,
        ext_id: str,
        name: str,
        state: bytes | None = None,
        on_progress: ProgressHook | None = None,
    ) -> JobRecord:
        """`run_job` awaited; cancelling the task interrupts the job (`resume` continues it)."""
        return await aio.in_thread(self.run_job, ext_id, name, state, on_progress)

    async def aemit(self: Blocking, topic: str, payload: str = "{}") -> list[EventReply]:
        """`emit` awaited."""
        return await aio.in_thread(self.emit, topic, payload)
