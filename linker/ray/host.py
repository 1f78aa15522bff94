"""`RayHost`: a plan's extensions in Ray actors, with `Host`'s call surface.

```python
ray.init()
with RayHost.from_plan("plan.json", operations=ops, data_dir=shared) as host:
    host.call("app", "run", 21)                  # runs in app's actor; its imports call
    record = host.run_job("receipts", "scan")    # the providers' actors
```

Each group of `extensions_per_actor` extensions (in plan order) is one Ray actor running
an ordinary `Host` for them (see `linker.ray.actor`); host operations, outbound HTTP and
jobs' progress callbacks run here, in the driver (see `linker.ray.relay`). Ray restarts an
actor whose process dies; the calls it was running fail with an `ExtensionError`, its jobs
are left `interrupted` and `resume` continues them from their last checkpoint in the job
store under `data_dir`, which every actor must reach (on one machine, any folder; across
machines, a shared file system with working file locks).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from bindgen.runtime import Caller
from linker.errors import ExtensionError, IntegrityError, WitlinkError
from linker.host import callchain, interrupt
from linker.host.events import EventReply
from linker.host.host import (
    DEFAULT_HTTP_MAX_BYTES,
    DEFAULT_HTTP_TIMEOUT,
    JOBS_FILE,
    ExtensionInfo,
    FunctionInfo,
    default_data_dir,
)
from linker.host.http import GatedHttp
from linker.host.jobs import ProgressHook
from linker.host.operations import Authority, Gate
from linker.host.runtime import Status
from linker.host.settings import HttpLimits
from linker.host.surface import HostSurface
from linker.plan.link import link
from linker.plan.model import Plan
from linker.ray.actor import ExtensionActor, component_files
from linker.ray.clients import RayCaller
from linker.ray.relay import OperationRelay, OperationServer
from linker.ray.running import running
from linker.ray.wire import lost, unwrap
from linker.services.audit import AuditEntry, AuditLog
from linker.services.jobs import JobRecord, JobState, JobStorage, JobStore
from linker.services.opschema import Operations

try:
    import ray
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("the Ray backend needs Ray: pip install 'witlink[ray]'") from None

RETRIES = 3
"""Times a read (status, info, a job's record) is tried again on an actor Ray restarts."""
RESTART_WAIT = 60.0
"""Seconds a read waits for an actor Ray is restarting."""
ACTOR_HOST_OPTIONS = frozenset(
    {"cache_dir", "lazy", "call_timeout", "max_faults", "default_max_memory_mb", "fast_calls"}
)
"""The `Host` options a `RayHost` hands to the hosts in its actors."""
DEFAULT_MAX_CONCURRENCY = 32
"""Calls one actor runs at once: chains and nested calls through it need a thread each."""

C = TypeVar("C")
_Actor = ray.remote(ExtensionActor)
_Relay = ray.remote(OperationRelay)


class RayHost(HostSurface):
    """Every extension of a plan, each group in a Ray actor; see `from_plan`.

    Options of `Host` that concern running extensions (`cache_dir`, `lazy`, `call_timeout`,
    `max_faults`, `default_max_memory_mb`, `fast_calls`) are passed to the actors' hosts;
    `operations`, `delegates`, `operation_timeout`, `audit_log`, `http_timeout` and
    `http_max_bytes` stay here, with the checks: host operations and outbound HTTP run here.
    `job_store` (a picklable callable opening a `JobStorage`) replaces the SQLite file under
    `data_dir` in every actor and here; `actor_options` go to Ray's `.options()` (default
    `num_cpus=0`: actors mostly wait, and wasm runs outside the GIL).
    """

    def __init__(
        self,
        plan: Plan,
        *,
        operations: Operations | None = None,
        data_dir: Path | None = None,
        delegates: Collection[str] = (),
        operation_timeout: float | None = None,
        audit_log: Path | None = None,
        http_timeout: float = DEFAULT_HTTP_TIMEOUT,
        http_max_bytes: int = DEFAULT_HTTP_MAX_BYTES,
        extensions_per_actor: int = 1,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        actor_options: dict[str, Any] | None = None,
        job_store: Callable[[], JobStorage] | None = None,
        **host_options: Any,
    ) -> None:
        unknown = sorted(set(host_options) - ACTOR_HOST_OPTIONS)
        if unknown:
            raise TypeError(
                f"RayHost got options it does not pass to its actors' hosts: {', '.join(unknown)} "
                f"(it passes {', '.join(sorted(ACTOR_HOST_OPTIONS))})"
            )
        plan.verify()
        if extensions_per_actor < 1:
            raise ValueError("extensions_per_actor must be at least 1")
        self.plan = plan
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.operations = operations if operations is not None else Operations()
        self.audit_log = AuditLog(Path(audit_log) if audit_log is not None else None)
        self.authority = Authority(
            lambda ext_id: plan.extension(ext_id).permissions,
            self.audit_log,
            frozenset([delegates] if isinstance(delegates, str) else delegates),
            operation_timeout,
        )
        self._gates = {
            e.id: Gate(e.id, e.permissions, self.operations, self.authority)
            for e in plan.extensions
        }
        self._http = HttpLimits(http_timeout, http_max_bytes)
        fetchers = {
            i: GatedHttp(self._http, gate, logging.getLogger(f"witlink.ext.{i}"))
            for i, gate in self._gates.items()
        }
        jobs_file = self.data_dir / JOBS_FILE
        self._open_store = job_store if job_store is not None else lambda: JobStore(jobs_file)
        self._store: JobStorage | None = None
        self._relay: Any = _Relay.remote()
        self._hooks: dict[str, ProgressHook] = {}
        """Progress callbacks of running jobs, by the key their actor reports under."""
        self._job_hooks: dict[str, str] = {}
        """The key of each `start_job` with a callback, by job id, until it ends."""
        self._server = OperationServer(
            self._relay, self._gates.__getitem__, fetchers.__getitem__, self._hooks.get
        )
        self._actors: dict[str, Any] = {}
        options = {**host_options, "data_dir": self.data_dir, "job_store": job_store}
        groups = list(groups_of(plan.order, extensions_per_actor))
        prefix = f"witlink-{uuid.uuid4().hex[:12]}"
        names = {e: f"{prefix}-{n}" for n, group in enumerate(groups) for e in group}
        settings = {"num_cpus": 0, **(actor_options or {})}
        # The actors' constructor arguments are put in the object store by this host, which
        # holds them while it runs: Ray frees arguments it put there itself once the first
        # construction has them, and an actor it restarts then fails to start again.
        self._pinned: list[Any] = [ray.put(plan)]
        try:
            for n, group in enumerate(groups):
                self._pinned.append(ray.put(component_files(plan, group)))
                actor = _Actor.options(
                    name=f"{prefix}-{n}",
                    max_concurrency=max_concurrency,
                    max_restarts=-1,
                    **settings,
                ).remote(self._pinned[0], group, self._pinned[-1], names, self._relay, options)
                self._actors.update(dict.fromkeys(group, actor))
            for group in groups:
                self._ask(group[0], self._actors[group[0]].ready, again=True)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_plan(cls, plan: Plan | str | Path, **options: Any) -> RayHost:
        """A Ray host running `plan` (a `Plan`, or the path of a plan.json)."""
        if not isinstance(plan, Plan):
            plan = Plan.load(Path(plan))
        return cls(plan, **options)

    @classmethod
    def link(cls, inputs: Sequence[str | Path], *, wasi: bool = True, **options: Any) -> RayHost:
        """Link extension folders or components (see `linker.link`), then run the plan."""
        return cls(link([Path(p) for p in inputs], wasi=wasi), **options)

    def close(self) -> None:
        """Stop every actor (their hosts close first) and the operation server."""
        actors = [actor for _, actor in self._groups()]
        self._actors.clear()
        with contextlib.suppress(ray.exceptions.RayError):  # a dead actor has nothing to close
            ray.get([a.close.remote() for a in actors], timeout=30)
        for actor in actors:
            ray.kill(actor, no_restart=True)
        self._server.stop()
        ray.kill(self._relay, no_restart=True)
        if self._store is not None:
            self._store.close()
        self.audit_log.close()

    def __enter__(self) -> RayHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls and state ---------------------------------------------------------------

    def call(self, ext_id: str, function: str, *args: Any) -> Any:
        """Call `function` of `ext_id` as `Host.call` does (same values, same errors); a
        function taking or returning a resource is refused (a handle cannot cross Ray)."""
        return self._call_in(ext_id, "call", function, args)

    def bind(self, ext_id: str, exports: Callable[[Caller], C]) -> C:
        """A typed client of `ext_id` (`Host.bind`) whose calls run in its actor; functions
        taking or returning resources are refused when called."""
        self.actor(ext_id)  # an unknown extension is refused now, as `Host.bind` does
        return exports(RayCaller(ext_id, functools.partial(self._call_in, ext_id, "client_call")))

    def function(self, ext_id: str, function: str) -> FunctionInfo:
        """The export `call(ext_id, function, ...)` would call, with its types (`Host.function`)."""
        found: FunctionInfo = self._ask(
            ext_id, self.actor(ext_id).function, ext_id, function, again=True
        )
        return found

    def extensions(self) -> list[str]:
        """Ids of every extension known to the actors (loaded or not), in load order."""
        known: set[str] = set()
        for ext_id, actor in self._groups():
            known.update(self._ask(ext_id, actor.extensions, again=True))
        return [i for i in self.plan.order if i in known]

    def status(self, ext_id: str) -> Status:
        found: Status = self._ask(ext_id, self.actor(ext_id).status, ext_id, again=True)
        return found

    def info(self, ext_id: str) -> ExtensionInfo:
        """Status and metrics of `ext_id`, as its actor counts them."""
        found: ExtensionInfo = self._ask(ext_id, self.actor(ext_id).info, ext_id, again=True)
        return found

    def instances(self, ext_id: str) -> list[ExtensionInfo]:
        """Status and metrics of each instance of `ext_id` (a pool's, in its actor)."""
        found: list[ExtensionInfo] = self._ask(
            ext_id, self.actor(ext_id).instances, ext_id, again=True
        )
        return found

    # -- lifecycle ---------------------------------------------------------------------

    def load(self, ext_id: str) -> None:
        """Load (again) `ext_id` in its actor, as `Host.load` does; its providers (in any
        actor) must be loaded."""
        if self.status(ext_id) is not Status.UNLOADED:
            return
        for provider in self._providers(ext_id):
            if self.status(provider) is Status.UNLOADED:
                raise ExtensionError(
                    f"cannot load `{ext_id}`: its provider `{provider}` is unloaded; load it first",
                    extension=ext_id,
                )
        self._ask(ext_id, self.actor(ext_id).load, ext_id)

    def unload(self, ext_id: str, cascade: bool = False) -> list[str]:
        """Unload `ext_id` (and, with `cascade`, its loaded dependents in every actor), as
        `Host.unload` does; returns the ids."""
        self.actor(ext_id)
        dependents = [
            d
            for d in self.plan.order
            if ext_id in self._providers(d) and self.status(d) is not Status.UNLOADED
        ]
        if dependents and not cascade:
            raise ExtensionError(
                f"cannot unload `{ext_id}`: loaded extensions depend on it: "
                f"{', '.join(dependents)}; unload them first or pass cascade=True",
                extension=ext_id,
            )
        done: list[str] = []
        for dependent in dependents:
            done.extend(i for i in self.unload(dependent, cascade=True) if i not in done)
        self._ask(ext_id, self.actor(ext_id).unload, ext_id)
        done.append(ext_id)
        return done

    def reload(self, ext_id: str, component: str | Path | None = None) -> None:
        """Replace `ext_id`'s component (default: its file again) as `Host.reload` does.

        The loaded consumers in every actor check the new component first (`check_reload`);
        a restarted actor runs the plan's component again.
        """
        path = Path(component) if component is not None else self.plan.extension(ext_id).component
        wasm = self._read(ext_id, path)
        self._check_elsewhere(ext_id, wasm)
        self._ask(ext_id, self.actor(ext_id).reload, ext_id, wasm, component is not None)

    def check_reload(self, ext_id: str, component: str | Path) -> None:
        """Raise `ReloadRefused` if `component` would break a loaded consumer of `ext_id` in
        any actor: what `reload` checks first; nothing is reloaded."""
        wasm = self._read(ext_id, Path(component))
        self._check_elsewhere(ext_id, wasm)
        self._ask(ext_id, self.actor(ext_id).check_reload, ext_id, wasm)

    def emit(self, topic: str, payload: str = "{}") -> list[EventReply]:
        """Deliver event `topic` to every subscribed extension, actor by actor in plan order
        (each actor's subscribers in plan order too)."""
        replies: list[EventReply] = []
        groups = self._groups()
        call_id = self._stoppable(*(actor for _, actor in groups))
        for ext_id, actor in groups:
            replies.extend(self._ask(ext_id, actor.emit, topic, payload, call_id))
        return replies

    def audit(self) -> list[AuditEntry]:
        """The latest decisions on host operations, oldest first."""
        return self.audit_log.entries()

    def actor(self, ext_id: str) -> Any:
        """The Ray actor running `ext_id` (for Ray's own tools: `ray.kill`, state API)."""
        found = self._actors.get(ext_id)
        if found is None:
            known = ", ".join(self._actors) or "none"
            raise ExtensionError(f"no extension `{ext_id}`; extensions: {known}", extension=ext_id)
        return found

    # -- jobs --------------------------------------------------------------------------

    def run_job(
        self,
        ext_id: str,
        name: str,
        state: bytes | None = None,
        on_progress: ProgressHook | None = None,
    ) -> JobRecord:
        """Run job `name` of `ext_id` in its actor from `state`; the finished record.

        `on_progress` runs here, in a thread of the operation server, with the record after
        each `report-progress` (the job waits for it, as in-process)."""
        actor = self.actor(ext_id)
        with self._hook(on_progress) as key:
            call_id = self._stoppable(actor)
            record: JobRecord = self._ask(ext_id, actor.run_job, ext_id, name, state, call_id, key)
        return record

    def start_job(
        self,
        ext_id: str,
        name: str,
        state: bytes | None = None,
        on_progress: ProgressHook | None = None,
    ) -> str:
        """Like `run_job`, in a thread of its actor; returns the job id (see `wait_job`).
        `on_progress` is kept until `wait_job` sees the job end."""
        key = self._keep_hook(on_progress)
        try:
            job_id: str = self._ask(ext_id, self.actor(ext_id).start_job, ext_id, name, state, key)
        except BaseException:
            self._hooks.pop(key or "", None)
            raise
        if key is not None:
            self._job_hooks[job_id] = key
        return job_id

    def wait_job(self, job_id: str, timeout: float | None = None) -> JobRecord:
        """The record of `job_id` once its run (`start_job`) has finished or stopped."""
        record = self._on_job(job_id, "wait_job", timeout, again=True)
        if record.state is not JobState.RUNNING:
            self._hooks.pop(self._job_hooks.pop(job_id, ""), None)
        return record

    def resume(self, job_id: str, on_progress: ProgressHook | None = None) -> JobRecord:
        """Run an interrupted, failed or cancelled job again from its last checkpoint."""
        ext_id = self.job_store.get(job_id).extension
        actor = self.actor(ext_id)
        with self._hook(on_progress) as key:
            call_id = self._stoppable(actor)
            record: JobRecord = self._ask(ext_id, actor.resume, job_id, call_id, key)
        return record

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel `job_id`: its guest sees `is-interrupted` true and should return."""
        return self._on_job(job_id, "cancel")

    def job(self, job_id: str) -> JobRecord:
        """`job_id`'s record, with the progress its actor has not written yet."""
        return self._on_job(job_id, "job", again=True)

    def jobs(self, ext_id: str | None = None) -> list[JobRecord]:
        """Every job in the job store (of `ext_id` only, if given)."""
        return self.job_store.jobs(ext_id)

    @property
    def job_store(self) -> JobStorage:
        """The store every actor keeps its jobs in: `job_store()`, by default the SQLite
        file `data_dir`/jobs.sqlite."""
        if self._store is None:
            self._store = self._open_store()
        return self._store

    # -- internals ---------------------------------------------------------------------

    def _groups(self) -> list[tuple[str, Any]]:
        """Each actor once, with the first of its extensions, in plan order."""
        first: dict[int, tuple[str, Any]] = {}
        for ext_id, actor in self._actors.items():
            first.setdefault(id(actor), (ext_id, actor))
        return list(first.values())

    def _call_in(self, ext_id: str, verb: str, *args: Any) -> Any:
        """A call of `ext_id`'s actor running its wasm: `verb(ext_id, *args, chain, busy,
        call_id)`, with the caller's chain and what runs further up (set in a handler of a
        host operation), stopped if the caller is cancelled."""
        chain, busy = callchain.current(), running()
        actor = self.actor(ext_id)
        call_id = self._stoppable(actor)
        return self._ask(ext_id, getattr(actor, verb), ext_id, *args, chain, busy, call_id)

    def _read(self, ext_id: str, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as err:
            raise IntegrityError(
                f"extension `{ext_id}`: cannot read {path}: {err.strerror}", extension=ext_id
            ) from None

    def _providers(self, ext_id: str) -> set[str]:
        """The extensions of the plan `ext_id` imports from (as it runs: its composite's)."""
        ext = self.plan.extension(ext_id)
        imports = ext.composite.imports if ext.composite is not None else ext.imports
        return {i.provider for i in imports if i.provider in self._actors}

    def _check_elsewhere(self, ext_id: str, wasm: bytes) -> None:
        """`check_reload` by the loaded consumers of `ext_id` outside its own actor."""
        own = self.actor(ext_id)
        consumers = [d for d in self.plan.order if ext_id in self._providers(d)]
        actors = {id(a): a for d in consumers if (a := self._actors[d]) is not own}
        for actor in actors.values():
            self._ask(ext_id, actor.check_reload, ext_id, wasm)

    def _stoppable(self, *actors: Any) -> str | None:
        """A call id for actors' calls that the caller's cancellation (the asyncio forms)
        interrupts there, or None if nothing can cancel this call."""
        token = interrupt.current()
        if token is None:
            return None
        call_id = uuid.uuid4().hex
        token.forward(lambda: [actor.interrupt.remote(call_id) for actor in actors])
        return call_id

    def _keep_hook(self, on_progress: ProgressHook | None) -> str | None:
        """The key actors report `on_progress`'s records under (None: no hook)."""
        if on_progress is None:
            return None
        key = uuid.uuid4().hex
        self._hooks[key] = on_progress
        return key

    @contextlib.contextmanager
    def _hook(self, on_progress: ProgressHook | None) -> Iterator[str | None]:
        key = self._keep_hook(on_progress)
        try:
            yield key
        finally:
            self._hooks.pop(key or "", None)

    def _on_job(self, job_id: str, verb: str, *args: Any, again: bool = False) -> JobRecord:
        ext_id = self.job_store.get(job_id).extension
        method = getattr(self.actor(ext_id), verb)
        record: JobRecord = self._ask(ext_id, method, job_id, *args, again=again)
        return record

    def _ask(self, ext_id: str, method: Any, *args: Any, again: bool = False) -> Any:
        """`method(*args)` on an actor, its `Failure` raised; Ray's failures as `ExtensionError`.

        With `again` (methods that change nothing), a call the actor's death cut short runs
        again once Ray has restarted it, waiting up to `RESTART_WAIT` seconds for the restart.
        """
        if again:
            method = method.options(max_task_retries=RETRIES)
        deadline = time.monotonic() + RESTART_WAIT
        while True:
            try:
                return unwrap(ray.get(method.remote(*args)))
            except WitlinkError:
                raise
            except ray.exceptions.ActorUnavailableError as err:
                if not again or time.monotonic() > deadline:
                    raise lost(ext_id, err) from None
                time.sleep(0.2)  # the actor is restarting: ask again
            except ray.exceptions.RayError as err:
                raise lost(ext_id, err) from None


def groups_of(order: Sequence[str], size: int) -> Iterator[tuple[str, ...]]:
    """`order` cut into consecutive groups of `size` (the last may be smaller)."""
    for i in range(0, len(order), size):
        yield tuple(order[i : i + size])
