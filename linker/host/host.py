"""`Host`: runs a plan in wasmtime; the library API host applications embed.

```python
host = Host.from_plan("plan.json", operations=ops)
host.call("stats", "run", 5)
host.call("stats", "acme:stats/lib@0.3.1#sum3", 1, 2, 3)
stats = host.bind("stats", stats_bindings.Exports)          # typed client (witlink bindgen)
record = host.run_job("receipts", "scan", on_progress=print)   # witlink:host/job
replies = host.emit("files.created", '{"path": "a.txt"}')      # [events] subscribe
total = await host.acall("stats", "run", 5)                   # asyncio (`linker.host.aio`)
```
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
from wasmtime.component import Component

from bindgen.runtime import Caller
from linker.errors import ExtensionError, IntegrityError, UnknownExtensionError
from linker.host import calls, guestoutput, pool
from linker.host.cache import CompileCache, CompileProgress
from linker.host.clients import HostCaller, call_export
from linker.host.engine import EpochClock, make_engine
from linker.host.events import EventReply, emit
from linker.host.jobs import Jobs, ProgressHook, run_job_export
from linker.host.operations import Authority
from linker.host.registry import Registry
from linker.host.reload import check_provider
from linker.host.remote import Remote
from linker.host.runtime import ExtensionRuntime, Metrics, Status
from linker.host.settings import HttpLimits, Settings
from linker.host.surface import HostSurface
from linker.host.wiring import Wiring, build_linker
from linker.plan.link import link
from linker.plan.model import Plan, PlannedExtension
from linker.services.audit import AuditEntry, AuditLog
from linker.services.jobs import JobRecord, JobStorage
from linker.services.opschema import Operations
from linker.wave.types import ValueType

DEFAULT_CALL_TIMEOUT = 5.0
DEFAULT_MAX_FAULTS = 3
DEFAULT_HTTP_TIMEOUT = 10.0
DEFAULT_HTTP_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_MEMORY_MB = 256
DEFAULT_MAX_INSTANCES = 8
JOBS_FILE = "jobs.sqlite"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "witlink"


@attrs.frozen
class ExtensionInfo:
    id: str
    status: Status
    metrics: Metrics


@attrs.frozen
class FunctionInfo:
    """A function export as `Host.call` resolves its name: the full name and WIT types."""

    name: str
    """The export's name in the component (`iface@version#func`, or a world function)."""
    params: tuple[tuple[str, ValueType], ...]
    result: ValueType | None


_log = logging.getLogger("witlink.host")
C = TypeVar("C")


class Host(HostSurface):
    """Every extension of a plan, instantiated and wired; see `from_plan`."""

    def __init__(
        self,
        plan: Plan,
        *,
        operations: Operations | None = None,
        cache_dir: Path | None = None,
        lazy: bool = False,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        max_faults: int = DEFAULT_MAX_FAULTS,
        default_max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB,
        progress: CompileProgress | None = None,
        fast_calls: bool = calls.FAST,
        data_dir: Path | None = None,
        http_timeout: float = DEFAULT_HTTP_TIMEOUT,
        http_max_bytes: int = DEFAULT_HTTP_MAX_BYTES,
        operation_timeout: float | None = None,
        delegates: Collection[str] = (),
        audit_log: Path | None = None,
        max_instances: int | None = DEFAULT_MAX_INSTANCES,
        remote: Remote | None = None,
        job_store: Callable[[], JobStorage] | None = None,
    ) -> None:
        plan.verify()
        self.plan = plan
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self._audit_log = AuditLog(Path(audit_log) if audit_log is not None else None)
        self._lazy = lazy
        self._progress = progress
        self._registry = registry = Registry(plan)
        self._jobs = Jobs(self.data_dir / JOBS_FILE, job_store)
        engine = make_engine()
        self._cache = CompileCache(engine, cache_dir)
        self._clock = EpochClock(engine)
        self._settings = Settings(
            engine=engine,
            fast_calls=fast_calls,
            call_timeout=call_timeout,
            deadline_ticks=self._clock.ticks(call_timeout),
            max_faults=max_faults,
            default_max_memory_mb=default_max_memory_mb,
        )
        self._http = HttpLimits(http_timeout, http_max_bytes)
        self._wiring = Wiring(
            settings=self._settings,
            registry=registry,
            operations=operations if operations is not None else Operations(),
            authority=Authority(
                lambda ext_id: registry.runtime(ext_id).planned.permissions,
                self._audit_log,
                frozenset([delegates] if isinstance(delegates, str) else delegates),
                operation_timeout,
            ),
            jobs=self._jobs,
            http=self._http,
            remote=remote,
        )
        self._max_instances = max_instances
        """The ceiling on every extension's instance pool (None: as the plan asks)."""
        self._clock.start()
        try:
            for ext_id in plan.order:
                if remote is None or remote.local(ext_id):
                    self._load_at_start(self._planned(ext_id))
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_plan(cls, plan: Plan | str | Path, **options: Any) -> Host:
        """A host running `plan` (a `Plan`, or the path of a plan.json)."""
        if not isinstance(plan, Plan):
            plan = Plan.load(Path(plan))
        return cls(plan, **options)

    @classmethod
    def link(cls, inputs: Sequence[str | Path], *, wasi: bool = True, **options: Any) -> Host:
        """Link extension folders or components (see `linker.link`), then run the plan."""
        return cls(link([Path(p) for p in inputs], wasi=wasi), **options)

    def close(self) -> None:
        """Cancel running jobs, stop the epoch clock and drop every instance."""
        self._jobs.close()
        self._clock.stop()
        for rt in self._registry.runtimes.values():
            rt.drop_instance()
        guestoutput.flush()  # the last lines of the dropped stores
        self._audit_log.close()

    def __enter__(self) -> Host:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls -----------------------------------------------------------------------

    def call(self, ext_id: str, function: str, *args: Any) -> Any:
        """Call `function` of extension `ext_id`: a world export (`run`) or `iface#func`.

        Arguments and result use the value mapping of `linker.wave.mapping` (records as
        dicts, `Variant`, `Ok`/`Err`, `Some`, flags as sets, `list<u8>` as bytes, resources
        as `Handle`s); a wrong argument raises `ArgumentError` before any wasm runs.
        """
        return call_export(self._registry.runtime(ext_id), function, args)

    def bind(self, ext_id: str, exports: Callable[[Caller], C]) -> C:
        """A typed client of `ext_id` from a class `witlink bindgen` generated:
        `host.bind("markdown", markdown.Exports)`. Its calls take `call`'s path."""
        return exports(HostCaller(self._registry.runtime(ext_id)))

    def function(self, ext_id: str, function: str) -> FunctionInfo:
        """The export `call(ext_id, function, ...)` would call, with its parameter and result
        types (for `linker.wave`'s `parse`/`to_wave`); `ExtensionError` if there is none."""
        export = self._registry.runtime(ext_id).export(function)
        sig = export.sig
        return FunctionInfo(
            export.name, tuple(zip(sig.names, sig.types, strict=True)), sig.result_type
        )

    def extensions(self) -> list[str]:
        """Ids of every extension known to this host (loaded or not), in load order."""
        known = self._registry.runtimes.keys() | self._registry.not_loaded.keys()
        return [i for i in self.plan.order if i in known]

    def status(self, ext_id: str) -> Status:
        if ext_id in self._registry.not_loaded:
            return Status.UNLOADED
        return self._registry.runtime(ext_id).status

    def info(self, ext_id: str) -> ExtensionInfo:
        """Status and metrics (calls, errors, total time, last error) of `ext_id`."""
        why = self._registry.not_loaded.get(ext_id)
        if why is not None:
            return ExtensionInfo(ext_id, Status.UNLOADED, Metrics(last_error=why))
        rt = self._registry.runtime(ext_id)
        return ExtensionInfo(rt.id, rt.status, attrs.evolve(rt.metrics))

    def instances(self, ext_id: str) -> list[ExtensionInfo]:
        """Status and metrics of each instance of `ext_id` (more than one for a pool)."""
        return [
            ExtensionInfo(m.id, m.status, attrs.evolve(m.metrics))
            for m in pool.instances(self._registry.runtime(ext_id))
        ]

    # -- jobs, events ----------------------------------------------------------------

    def run_job(
        self,
        ext_id: str,
        name: str,
        state: bytes | None = None,
        on_progress: ProgressHook | None = None,
    ) -> JobRecord:
        """Run job `name` of `ext_id` (its `run-job` export) in this thread, from `state`.

        Returns the finished record: completed, failed (with the guest's error),
        cancelled, or interrupted (it trapped; `resume` continues from its checkpoint).
        """
        rt = self._job_runtime(ext_id, name, state)
        return self._jobs.execute(rt, self._jobs.begin(rt, name, state), on_progress)

    def start_job(
        self,
        ext_id: str,
        name: str,
        state: bytes | None = None,
        on_progress: ProgressHook | None = None,
    ) -> str:
        """Like `run_job`, in a background thread; returns the job id (see `wait_job`)."""
        rt = self._job_runtime(ext_id, name, state)
        return self._jobs.start(rt, self._jobs.begin(rt, name, state), on_progress)

    def resume(self, job_id: str, on_progress: ProgressHook | None = None) -> JobRecord:
        """Run an interrupted, failed or cancelled job again from its last checkpoint."""
        rt = self._job_runtime(self._jobs.store.get(job_id).extension)
        return self._jobs.execute(rt, self._jobs.reopen(rt, job_id), on_progress)

    def wait_job(self, job_id: str, timeout: float | None = None) -> JobRecord:
        """The record of `job_id` once its background run (`start_job`) has finished."""
        return self._jobs.wait(job_id, timeout)

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel `job_id`: its guest sees `is-interrupted` true and should return."""
        return self._jobs.cancel(job_id)

    def job(self, job_id: str) -> JobRecord:
        """`job_id`'s record: state, progress, message, timestamps, last checkpoint."""
        return self._jobs.record(job_id)

    def jobs(self, ext_id: str | None = None) -> list[JobRecord]:
        """Every job in the data directory's database (of `ext_id` only, if given)."""
        return self._jobs.records(ext_id)

    def emit(self, topic: str, payload: str = "{}") -> list[EventReply]:
        """Deliver event `topic` to every subscribed extension, in dependency order."""
        return emit(self._registry, topic, payload)

    def audit(self) -> list[AuditEntry]:
        """The latest decisions on host operations and HTTP requests, oldest first."""
        return self._audit_log.entries()

    def _job_runtime(
        self, ext_id: str, name: str = "", state: bytes | None = None
    ) -> ExtensionRuntime:
        if not isinstance(name, str) or not (state is None or isinstance(state, bytes)):
            raise ExtensionError(
                f"job of `{ext_id}`: the name must be a str and the state bytes or None "
                f"(got {type(name).__name__} and {type(state).__name__})",
                extension=ext_id,
            )
        rt = self._registry.runtime(ext_id)
        rt.check_usable()
        run_job_export(rt)
        return rt

    # -- lifecycle -------------------------------------------------------------------

    def load(self, ext_id: str) -> None:
        """Load (again) extension `ext_id` of the plan; its providers must be loaded.

        Its component is read again and must still hash to the plan's sha256 (or to that of
        the component `reload` last gave it).
        """
        rt = self._registry.runtimes.get(ext_id)
        if rt is not None and rt.status is not Status.UNLOADED:
            return
        planned = rt.planned if rt is not None else self._planned(ext_id)
        for provider in self._providers(planned):
            if self.status(provider) is Status.UNLOADED:
                raise ExtensionError(
                    f"cannot load `{ext_id}`: its provider `{provider}` is unloaded; load it first",
                    extension=ext_id,
                )
        self._load(planned)

    def unload(self, ext_id: str, cascade: bool = False) -> list[str]:
        """Unload `ext_id` (and, with `cascade`, its loaded dependents); returns the ids."""
        rt = self._registry.runtime(ext_id)
        dependents = [
            d for d in self._registry.dependents(ext_id) if self.status(d) is not Status.UNLOADED
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
        with rt.held():
            rt.drop_instance()
            rt.status = Status.UNLOADED
        done.append(ext_id)
        return done

    def reload(self, ext_id: str, component: str | Path | None = None) -> None:
        """Replace `ext_id`'s component (default: its file again) and restart it.

        Without `component`, the file must still hash to the plan's sha256 (or to that of the
        component last given here); a given component's sha256 is recorded instead. The new
        component is checked against every loaded consumer's imports first; if a check fails
        the old one keeps running and the error says why.
        """
        registry = self._registry
        rt = registry.runtime(ext_id)
        path = Path(component) if component is not None else rt.planned.component
        expected = None if component is not None else rt.planned.sha256
        wasm, sha = _read_component(ext_id, path, expected)
        compiled, renamed = self._check_consumers(ext_id, wasm, sha, path)
        linker, keep = build_linker(self._wiring, rt, compiled)
        with rt.held():
            rt.drop_instance()
            rt.component, rt.linker, rt.keep_alive = compiled, linker, keep
            rt.planned = attrs.evolve(rt.planned, component=path, sha256=sha, size=len(wasm))
            for old, new in renamed.items():
                registry.aliases[ext_id, old] = new
            _refresh_exports(rt, renamed)
            rt.metrics.consecutive_faults = 0
            rt.status = Status.LOADED
        if not self._lazy:
            rt.instantiate()

    def check_reload(self, ext_id: str, component: str | Path) -> None:
        """Raise `ReloadRefused` if `component` would break a loaded consumer of `ext_id` in
        this host: what `reload` checks first; nothing is reloaded."""
        path = Path(component)
        wasm, sha = _read_component(ext_id, path, None)
        self._check_consumers(ext_id, wasm, sha, path)

    # -- internals -------------------------------------------------------------------

    def _check_consumers(
        self, ext_id: str, wasm: bytes, sha: str, path: Path
    ) -> tuple[Component, dict[str, str]]:
        """`wasm` compiled, and the interfaces it exports under a new version (see
        `check_provider`), once every loaded consumer of `ext_id` here accepts it."""
        registry = self._registry
        compiled = self._cache.load(ext_id, wasm, sha, self._progress)
        consumers = [registry.runtime(c) for c in registry.dependents(ext_id)]
        loaded = [c for c in consumers if c.status is not Status.UNLOADED]
        renamed = check_provider(self._settings.engine, registry, ext_id, compiled, path, loaded)
        return compiled, renamed

    def _load(self, planned: PlannedExtension) -> None:
        wasm, sha = _read_component(planned.id, planned.component, planned.sha256)
        compiled = self._cache.load(planned.id, wasm, sha, self._progress)
        registry = self._registry
        rt = registry.runtimes.get(planned.id)
        if rt is None:
            rt = pool.make_runtime(
                planned.instances,
                self._max_instances,
                lambda: ExtensionRuntime(self._settings, planned, compiled),
                functools.partial(build_linker, self._wiring),
            )
        else:
            rt.component, rt.status = compiled, Status.LOADED
        if pool.instances(rt) == [rt]:  # a pool's instances each build their own
            rt.linker, rt.keep_alive = build_linker(self._wiring, rt)
        registry.runtimes[planned.id] = rt
        registry.not_loaded.pop(planned.id, None)
        if not self._lazy:
            rt.instantiate()

    def _load_at_start(self, planned: PlannedExtension) -> None:
        """Load one extension of the plan; if its instantiation or `init` fails, only it stays
        unloaded (the error is logged and kept as its last error) and the others load; so does
        a component whose bytes do not match the plan, and then its consumers."""
        not_loaded = self._registry.not_loaded
        missing = sorted(p for p in self._providers(planned) if p in not_loaded)
        if missing:
            why = f"its provider `{missing[0]}` did not load"
            not_loaded[planned.id] = why
            _log.warning("extension `%s` is not loaded: %s", planned.id, why)
            return
        try:
            self._load(planned)
        except IntegrityError as err:
            not_loaded[planned.id] = str(err)
            _log.warning("%s", err)
        except ExtensionError as err:
            rt = self._registry.runtimes.get(planned.id)
            if rt is None:  # the component itself is unusable: the plan is wrong
                raise
            rt.status = Status.UNLOADED
            rt.metrics.last_error = str(err)
            _log.warning("%s", err)

    def _planned(self, ext_id: str) -> PlannedExtension:
        """`ext_id` as the plan says to run it (its composite, if it has one)."""
        try:
            return _as_run(self.plan.extension(ext_id))
        except KeyError:
            raise UnknownExtensionError(
                f"the plan has no extension `{ext_id}`", extension=ext_id
            ) from None

    def _providers(self, planned: PlannedExtension) -> set[str]:
        known = self._registry.runtimes.keys() | self._registry.not_loaded.keys()
        return {i.provider for i in planned.imports if i.provider in known}


def _refresh_exports(rt: ExtensionRuntime, renamed: dict[str, str]) -> None:
    """Give the export slots the new component's names and types; drop those it lacks."""
    for name, export in list(rt.exports.items()):
        iface, hash_, func = name.rpartition("#")
        new_name = f"{renamed.get(iface, iface)}{hash_}{func}"
        del rt.exports[name]
        try:
            export.sig = rt.signature(new_name)
        except ExtensionError:
            continue
        export.name = new_name
        rt.exports[new_name] = export


def _as_run(planned: PlannedExtension) -> PlannedExtension:
    """`planned` as the host runs it: a composite (`witlink link --compose`) replaces its
    component and imports; the providers inside it are its private copies."""
    c = planned.composite
    if c is None:
        return planned
    return attrs.evolve(
        planned, component=c.component, sha256=c.sha256, size=c.size, imports=c.imports
    )


def _read_component(ext_id: str, path: Path, expected: str | None) -> tuple[bytes, str]:
    """The bytes at `path` (read once) and their sha256, which must be `expected` if given:
    the caller compiles exactly the bytes that were checked."""
    try:
        wasm = path.read_bytes()
    except OSError as err:
        raise IntegrityError(
            f"extension `{ext_id}`: cannot read {path}: {err.strerror}", extension=ext_id
        ) from None
    sha = hashlib.sha256(wasm).hexdigest()
    if expected is not None and sha != expected:
        raise IntegrityError(
            f"extension `{ext_id}`: {path} changed since the plan was made (its sha256 is "
            f"{sha[:12]}..., the plan says {expected[:12]}...); it was not loaded: link again, "
            "or restore the file",
            extension=ext_id,
        )
    return wasm, sha
