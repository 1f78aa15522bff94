"""Host operations for extensions in Ray actors, run at the driver.

Operations are Python handlers the host application registered in its own process, so
actors cannot run them. An actor's `witlink:host/host.call` (and `http.fetch`) asks the
`OperationRelay` (an async Ray actor), which queues the request; the driver's
`OperationServer` takes requests off the queue, runs each through that extension's `Gate`
(the same permission, rate-limit, audit and timeout rules as in-process; for HTTP the
host's `HttpLimits` too) under the caller's call chain, and answers. A job's progress
report takes the same way to the `on_progress` callback the application gave.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs

from bindgen.runtime import ResultError
from linker.host.bindings.imports import http as http_import
from linker.host.bindings.types import (
    CallError,
    CallErrorFailed,
    HttpError,
    HttpErrorFailed,
    Response,
)
from linker.host.bindings.types import (
    Request as HttpRequest,
)
from linker.host.jobs import ProgressHook
from linker.host.operations import Gate
from linker.ray.running import entered
from linker.services.jobs import JobRecord

log = logging.getLogger("witlink.ray.relay")


@attrs.frozen
class Request:
    ext_id: str
    chain: tuple[str, ...]
    busy: tuple[str, ...]
    """Every extension running up the call, `ext_id` included (see `linker.ray.running`)."""
    method: str
    library_id: str | None
    payload: str


@attrs.frozen
class FetchRequest:
    """An extension's `http.fetch`: the guest's `request` record, run at the driver."""

    ext_id: str
    chain: tuple[str, ...]
    busy: tuple[str, ...]
    request: HttpRequest


@attrs.frozen
class ProgressReport:
    """A job's progress, for the hook `key` its `run_job` (or `start_job`, `resume`) gave."""

    key: str
    record: JobRecord


Asked = Request | FetchRequest | ProgressReport
Answer = str | CallError | Response | HttpError | None


class OperationRelay:
    """The mailbox between actors and the driver (run as an async Ray actor)."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[int, Asked] | None] = asyncio.Queue()
        self._waiting: dict[int, asyncio.Future[Answer]] = {}
        self._ids = itertools.count()

    async def ask(self, request: Asked) -> Answer:
        """Queue `request` for the driver and wait for its answer."""
        key = next(self._ids)
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting[key] = answer
        await self._queue.put((key, request))
        try:
            return await answer
        finally:
            self._waiting.pop(key, None)

    async def next(self) -> tuple[int, Asked] | None:
        """The next request (None once `stop` was called)."""
        return await self._queue.get()

    async def answer(self, key: int, result: Answer) -> None:
        waiting = self._waiting.get(key)
        if waiting is not None and not waiting.done():
            waiting.set_result(result)

    async def stop(self) -> None:
        await self._queue.put(None)


class OperationServer:
    """The driver's side: a thread taking requests off the relay, handlers run on a pool."""

    def __init__(
        self,
        relay: Any,
        gate: Callable[[str], Gate],
        fetcher: Callable[[str], http_import.Host],
        progress: Callable[[str], ProgressHook | None],
        workers: int = 8,
    ) -> None:
        import ray

        self._ray = ray
        self._relay = relay
        self._gate = gate
        self._fetcher = fetcher
        self._progress = progress
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="witlink-ray-op")
        self._thread = threading.Thread(target=self._serve, name="witlink-ray-ops", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            item = self._ray.get(self._relay.next.remote())
            if item is None:
                return
            self._pool.submit(self._run, *item)

    def _run(self, key: int, request: Asked) -> None:
        self._relay.answer.remote(key, self._answer(request))

    def _answer(self, request: Asked) -> Answer:
        if isinstance(request, ProgressReport):
            hook = self._progress(request.key)
            try:
                if hook is not None:  # None: its run has returned already
                    hook(request.record)
            except Exception:
                log.exception("progress callback of job %s failed", request.record.id)
            return None
        try:
            with entered(request.chain, request.busy):
                if isinstance(request, FetchRequest):
                    return _fetched(self._fetcher(request.ext_id), request.request)
                gate = self._gate(request.ext_id)
                return gate.call(request.method, request.library_id, request.payload)
        except Exception as err:  # an unknown extension, a broken handler registry
            log.exception("host request %s for %s failed", request, request.ext_id)
            failed = str(err) or type(err).__name__
            if isinstance(request, FetchRequest):
                return HttpErrorFailed(failed)
            return CallErrorFailed(failed)

    def stop(self) -> None:
        self._relay.stop.remote()
        self._thread.join(10)
        self._pool.shutdown(wait=True)


def _fetched(http: http_import.Host, request: HttpRequest) -> Response | HttpError:
    """`http.fetch(request)`: its response, or the error it raised."""
    try:
        return http.fetch(request)
    except ResultError as err:
        error: HttpError = err.value
        return error
