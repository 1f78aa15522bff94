"""One Ray actor: a `Host` running some extensions of a plan, reaching the rest through Ray.

The actor is given the component bytes of its extensions; it writes them to a private
folder and runs them in an ordinary `Host`, which checks them against the plan's sha256
before compiling them. Imports from extensions in other actors call those actors (with the
call chain, so permissions and re-entrance are judged as in-process); host operations go
to the driver through the `OperationRelay`. Methods return a `Failure` instead of raising
a `WitlinkError` (see `linker.ray.wire`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
from wasmtime.component import Record, Variant

from linker.errors import ExtensionError, WitlinkError
from linker.host import callchain
from linker.host.events import EventReply
from linker.host.host import ExtensionInfo, Host
from linker.host.runtime import Status
from linker.plan.model import Plan, PlannedExtension
from linker.ray.relay import FetchRequest, Request
from linker.ray.running import entered, running
from linker.ray.wire import Failure, lost, unwrap
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
    ) -> str | Variant:
        busy = (*running(), ext_id)
        request = Request(ext_id, callchain.current(), busy, method, library_id, payload)
        result: str | Variant = self._ray.get(self._relay.ask.remote(request))
        return result

    def fetch(self, ext_id: str, request: Any) -> Record | Variant:
        busy = (*running(), ext_id)
        asked = FetchRequest(ext_id, callchain.current(), busy, request)
        result: Record | Variant = self._ray.get(self._relay.ask.remote(asked))
        return result


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
    ) -> Any:
        """`Host.call` for callers `chain` (whose permissions bound it) while the extensions
        `busy` run further up (none of them may be entered again)."""

        def run() -> Any:
            if ext_id in busy:
                via = f" (called from `{busy[-1]}`)" if busy[-1] != ext_id else ""
                raise ExtensionError(
                    f"re-entrant call refused: extension `{ext_id}` is already running{via}; "
                    "an extension cannot be called back while it is running",
                    extension=ext_id,
                )
            with entered(chain, busy):
                return self.host.call(ext_id, function, *args)

        return _answer(run)

    def extensions(self) -> list[str]:
        return self.host.extensions()

    def status(self, ext_id: str) -> Status | Failure:
        return _answer(lambda: self.host.status(ext_id))  # type: ignore[no-any-return]

    def info(self, ext_id: str) -> ExtensionInfo | Failure:
        return _answer(lambda: self.host.info(ext_id))  # type: ignore[no-any-return]

    def run_job(self, ext_id: str, name: str, state: bytes | None) -> JobRecord | Failure:
        return _answer(lambda: self.host.run_job(ext_id, name, state))  # type: ignore[no-any-return]

    def start_job(self, ext_id: str, name: str, state: bytes | None) -> str | Failure:
        return _answer(lambda: self.host.start_job(ext_id, name, state))  # type: ignore[no-any-return]

    def wait_job(self, job_id: str, timeout: float | None) -> JobRecord | Failure:
        return _answer(lambda: self.host.wait_job(job_id, timeout))  # type: ignore[no-any-return]

    def resume(self, job_id: str) -> JobRecord | Failure:
        return _answer(lambda: self.host.resume(job_id))  # type: ignore[no-any-return]

    def cancel(self, job_id: str) -> JobRecord | Failure:
        return _answer(lambda: self.host.cancel(job_id))  # type: ignore[no-any-return]

    def job(self, job_id: str) -> JobRecord | Failure:
        return _answer(lambda: self.host.job(job_id))  # type: ignore[no-any-return]

    def emit(self, topic: str, payload: str) -> list[EventReply]:
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
