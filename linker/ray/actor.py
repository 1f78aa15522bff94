"""One Ray actor: a `Host` running some extensions of a plan, reaching the rest through Ray.

The actor is given the component bytes of its extensions; it writes them to a private
folder and runs them in an ordinary `Host`, which checks them against the plan's sha256
before compiling them. Imports from extensions in other actors call those actors (with the
call chain, so permissions and re-entrance are judged as in-process); host operations go
to the driver through the `OperationRelay`. Methods return a `Failure` instead of raising
a `WitlinkError` (see `linker.ray.wire`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from bindgen.runtime import Caller
from linker.errors import ExtensionError, WitlinkError
from linker.host import callchain
from linker.host.bindings.types import CallError, HttpError, Response
from linker.host.bindings.types import Request as HttpRequest
from linker.host.events import EventReply
from linker.host.host import ExtensionInfo, FunctionInfo, Host
from linker.host.interrupt import CancelToken, cancellable
from linker.host.jobs import ProgressHook
from linker.host.runtime import Status
from linker.plan.model import Plan, PlannedExtension
from linker.ray.relay import FetchRequest, ProgressReport, Request
from linker.ray.running import entered, running
from linker.ray.wire import Failure, lost, refuse_resources, unwrap
from linker.services.jobs import JobRecord


class ActorRemote:
    """The `linker.host.remote.Remote` of one actor: which extensions are its own, and how
    to reach the others' actors (looked up by name, so the order of creation does not matter)
    and the driver's operations."""

    def __init__(self, local: frozenset[str], actors: Mapping[str, str], relay: Any) -> None:
        import ray

        self._ray = ray
        self._local = local
        self._names = actors
        self._handles: dict[str, Any] = {}
        self._relay = relay

    def local(self, ext_id: str) -> bool:
        return ext_id in self._local

    def forwarder(self, consumer: str, provider: str, function: str) -> Callable[..., Any]:
        name = self._names[provider]

        def forward(*args: Any) -> Any:
            chain = (*callchain.current(), consumer)
            busy = (*running(), consumer)
            try:
                actor = self._handles.get(name) or self._handles.setdefault(
                    name, self._ray.get_actor(name)
                )
                reply = self._ray.get(actor.call.remote(provider, function, args, chain, busy))
            except self._ray.exceptions.RayError as err:
                raise lost(provider, err) from None
            return unwrap(reply)

        return forward

    def operation(
        self, ext_id: str, method: str, library_id: str | None, payload: str
    ) -> str | CallError:
        busy = (*running(), ext_id)
        request = Request(ext_id, callchain.current(), busy, method, library_id, payload)
        result: str | CallError = self._ray.get(self._relay.ask.remote(request))
        return result

    def fetch(self, ext_id: str, request: HttpRequest) -> Response | HttpError:
        busy = (*running(), ext_id)
        asked = FetchRequest(ext_id, callchain.current(), busy, request)
        result: Response | HttpError = self._ray.get(self._relay.ask.remote(asked))
        return result

    def progress_hook(self, key: str | None) -> ProgressHook | None:
        """A job's progress callback sending each record to the driver's hook `key` (and
        waiting for it, as a callback in-process would run in the job's thread)."""
        if key is None:
            return None
        relay, get = self._relay, self._ray.get

        def report(record: JobRecord) -> None:
            get(relay.ask.remote(ProgressReport(key, record)))

        return report


def _caller(caller: Caller) -> Caller:
    return caller


def _answer(run: Callable[[], Any]) -> Any:
    try:
        return run()
    except WitlinkError as err:
        return Failure.of(err)


class ExtensionActor:
    """Extensions `local` of `plan`, run from `components` (their bytes, by path in the plan)."""

    def __init__(
        self,
        plan: Plan,
        local: tuple[str, ...],
        components: dict[str, bytes],
        actors: dict[str, str],
        relay: Any,
        options: dict[str, Any],
    ) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="witlink-ray-"))
        self.plan = _with_components(plan, set(local), components, self._dir)
        self._components = {e.id: e.component for e in self.plan.extensions if e.id in local}
        """Where each local extension's component is now (a reload may give a new one)."""
        self.remote = ActorRemote(frozenset(local), actors, relay)
        self._failure: Failure | None = None
        self._tokens: dict[str, CancelToken] = {}
        """The cancel tokens of calls the driver may interrupt, by call id."""
        try:
            self.host = Host(self.plan, remote=self.remote, **options)
        except WitlinkError as err:  # a component the plan is wrong about
            self._failure = Failure.of(err)
        except Exception as err:  # bad host options: kept, so Ray does not restart in a loop
            failure = ExtensionError(
                f"the Ray actor of {', '.join(local)} could not start its host: "
                f"{type(err).__name__}: {err}",
                extension=local[0],
            )
            self._failure = Failure.of(failure)

    def ready(self) -> Failure | None:
        """None once every extension here has started (or is unloaded, with why)."""
        return self._failure

    def pid(self) -> int:
        return os.getpid()

    def call(
        self,
        ext_id: str,
        function: str,
        args: tuple[Any, ...],
        chain: tuple[str, ...],
        busy: tuple[str, ...],
        call_id: str | None = None,
    ) -> Any:
        """`Host.call` for callers `chain` (whose permissions bound it) while the extensions
        `busy` run further up (none of them may be entered again); `interrupt(call_id)`
        stops it."""
        run = functools.partial(self.host.call, ext_id, function, *args)
        return self._entered(ext_id, chain, busy, call_id, run, function)

    def client_call(
        self,
        ext_id: str,
        interface: str | None,
        name: str,
        args: tuple[Any, ...],
        chain: tuple[str, ...],
        busy: tuple[str, ...],
        call_id: str | None = None,
    ) -> Any:
        """A typed client's call (`Host.bind`): wasmtime-py's value classes in and out."""

        def run() -> Any:
            return self.host.bind(ext_id, _caller).function(interface, name)(*args)

        full = name if interface is None else f"{interface}#{name}"
        return self._entered(ext_id, chain, busy, call_id, run, full)

    def _entered(
        self,
        ext_id: str,
        chain: tuple[str, ...],
        busy: tuple[str, ...],
        call_id: str | None,
        run: Callable[[], Any],
        function: str | None = None,
    ) -> Any:
        def checked() -> Any:
            if ext_id in busy:
                via = f" (called from `{busy[-1]}`)" if busy[-1] != ext_id else ""
                raise ExtensionError(
                    f"re-entrant call refused: extension `{ext_id}` is already running{via}; "
                    "an extension cannot be called back while it is running",
                    extension=ext_id,
                )
            if function is not None:
                refuse_resources(ext_id, self.host.function(ext_id, function))
            with entered(chain, busy), self._cancellable(call_id):
                return run()

        return _answer(checked)

    @contextlib.contextmanager
    def _cancellable(self, call_id: str | None) -> Iterator[None]:
        if call_id is None:
            yield
            return
        token = self._tokens.setdefault(call_id, CancelToken())
        try:
            with cancellable(token):
                yield
        finally:
            self._tokens.pop(call_id, None)

    def interrupt(self, call_id: str) -> None:
        """Stop the call `call_id` at its wasm's next epoch tick (the driver's task was
        cancelled); one not started yet stops at its first."""
        self._tokens.setdefault(call_id, CancelToken()).cancel()

    def function(self, ext_id: str, function: str) -> FunctionInfo | Failure:
        return _answer(lambda: self.host.function(ext_id, function))  # type: ignore[no-any-return]

    def instances(self, ext_id: str) -> list[ExtensionInfo] | Failure:
        return _answer(lambda: self.host.instances(ext_id))  # type: ignore[no-any-return]

    def load(self, ext_id: str) -> Failure | None:
        return _answer(lambda: self.host.load(ext_id))  # type: ignore[no-any-return]

    def unload(self, ext_id: str) -> list[str] | Failure:
        """Unload `ext_id`, whose dependents in every actor the driver has unloaded."""
        return _answer(lambda: self.host.unload(ext_id))  # type: ignore[no-any-return]

    def extensions(self) -> list[str]:
        return self.host.extensions()

    def status(self, ext_id: str) -> Status | Failure:
        return _answer(lambda: self.host.status(ext_id))  # type: ignore[no-any-return]

    def info(self, ext_id: str) -> ExtensionInfo | Failure:
        return _answer(lambda: self.host.info(ext_id))  # type: ignore[no-any-return]

    def run_job(
        self,
        ext_id: str,
        name: str,
        state: bytes | None,
        call_id: str | None = None,
        progress: str | None = None,
    ) -> JobRecord | Failure:
        """`Host.run_job`; each progress report goes to the driver's hook `progress`."""
        hook = self.remote.progress_hook(progress)
        with self._cancellable(call_id):
            return _answer(lambda: self.host.run_job(ext_id, name, state, hook))  # type: ignore[no-any-return]

    def start_job(
        self, ext_id: str, name: str, state: bytes | None, progress: str | None = None
    ) -> str | Failure:
        hook = self.remote.progress_hook(progress)
        return _answer(lambda: self.host.start_job(ext_id, name, state, hook))  # type: ignore[no-any-return]

    def wait_job(self, job_id: str, timeout: float | None) -> JobRecord | Failure:
        return _answer(lambda: self.host.wait_job(job_id, timeout))  # type: ignore[no-any-return]

    def resume(
        self, job_id: str, call_id: str | None = None, progress: str | None = None
    ) -> JobRecord | Failure:
        hook = self.remote.progress_hook(progress)
        with self._cancellable(call_id):
            return _answer(lambda: self.host.resume(job_id, hook))  # type: ignore[no-any-return]

    def cancel(self, job_id: str) -> JobRecord | Failure:
        return _answer(lambda: self.host.cancel(job_id))  # type: ignore[no-any-return]

    def job(self, job_id: str) -> JobRecord | Failure:
        return _answer(lambda: self.host.job(job_id))  # type: ignore[no-any-return]

    def emit(self, topic: str, payload: str, call_id: str | None = None) -> list[EventReply]:
        with self._cancellable(call_id):
            return self.host.emit(topic, payload)

    def reload(self, ext_id: str, wasm: bytes, given: bool) -> Failure | None:
        """Reload `ext_id` from `wasm`: as a new component if `given`, else as its own file
        read again (which must still hash to the plan's sha256)."""

        def run() -> None:
            if given:
                path = self._dir / f"{ext_id}.{len(list(self._dir.iterdir()))}.wasm"
                path.write_bytes(wasm)
                self.host.reload(ext_id, path)
                self._components[ext_id] = path
            else:
                self._components[ext_id].write_bytes(wasm)
                self.host.reload(ext_id)

        return _answer(run)  # type: ignore[no-any-return]

    def check_reload(self, ext_id: str, wasm: bytes) -> Failure | None:
        """`Host.check_reload` of `wasm` for `ext_id` (in another actor) by the consumers here."""

        def run() -> None:
            with tempfile.TemporaryDirectory(prefix="witlink-ray-check-") as folder:
                path = Path(folder) / f"{ext_id}.wasm"
                path.write_bytes(wasm)
                self.host.check_reload(ext_id, path)

        return _answer(run)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.host.close()
        shutil.rmtree(self._dir, ignore_errors=True)


def _with_components(
    plan: Plan, local: set[str], components: dict[str, bytes], folder: Path
) -> Plan:
    """`plan` with the components of `local` extensions written under `folder`."""

    def written(path: Path) -> Path:
        if str(path) not in components:
            return path  # unreadable at the driver: the host says so when it loads
        target = folder / f"{len(list(folder.iterdir()))}-{path.name}"
        target.write_bytes(components[str(path)])
        return target

    def moved(ext: PlannedExtension) -> PlannedExtension:
        if ext.id not in local:
            return ext
        c = ext.composite
        composite = None if c is None else attrs.evolve(c, component=written(c.component))
        return attrs.evolve(ext, component=written(ext.component), composite=composite)

    return attrs.evolve(plan, extensions=tuple(moved(e) for e in plan.extensions))


def component_files(plan: Plan, local: tuple[str, ...]) -> dict[str, bytes]:
    """The bytes of every component file `local` extensions of `plan` run from, by path
    (read at the driver; the actor checks their hashes). An unreadable file is left out:
    the actor's host reports it as it would in-process."""
    found: dict[str, bytes] = {}
    for ext_id in local:
        ext = plan.extension(ext_id)
        paths = [ext.component] + ([ext.composite.component] if ext.composite else [])
        for path in paths:
            try:
                found[str(path)] = path.read_bytes()
            except OSError:
                continue
    return found
