"""`Host`: runs a plan in wasmtime; the library API host applications embed.

```python
host = Host.from_plan("plan.json", operations=ops)
host.call("stats", "run", 5)
host.call("stats", "acme:stats/lib@0.3.1#sum3", 1, 2, 3)
record = host.run_job("receipts", "scan", on_progress=print)   # witlink:host/job
replies = host.emit("files.created", '{"path": "a.txt"}')      # [events] subscribe
```
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from linker.errors import ExtensionError
from linker.host import calls
from linker.host.cache import CompileCache, CompileProgress
from linker.host.engine import EpochClock, make_engine
from linker.host.events import EventReply, emit
from linker.host.jobs import Jobs, ProgressHook, run_job_export
from linker.host.operations import Operations
from linker.host.reload import check_provider
from linker.host.runtime import ExtensionRuntime, Metrics, Status
from linker.host.values import ArgumentError
from linker.host.wiring import build_linker
from linker.plan.link import link
from linker.plan.model import Plan, PlannedExtension
from linker.services.http import HttpClient, HttpPolicy
from linker.services.jobs import JobRecord
from linker.wave.mapping import ValueMismatch

DEFAULT_CALL_TIMEOUT = 5.0
DEFAULT_MAX_FAULTS = 3
DEFAULT_HTTP_TIMEOUT = 10.0
DEFAULT_HTTP_MAX_BYTES = 16 * 1024 * 1024
JOBS_FILE = "jobs.sqlite"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "witlink"


@attrs.frozen
class ExtensionInfo:
    id: str
    status: Status
    metrics: Metrics


_log = logging.getLogger("witlink.host")


class Host:
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
        default_max_memory_mb: int | None = None,
        progress: CompileProgress | None = None,
        fast_calls: bool = calls.FAST,
        data_dir: Path | None = None,
        http_timeout: float = DEFAULT_HTTP_TIMEOUT,
        http_max_bytes: int = DEFAULT_HTTP_MAX_BYTES,
    ) -> None:
        self.plan = plan
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.job_runner = Jobs(self.data_dir / JOBS_FILE)
        self.http = HttpClient()
        self.http_timeout = http_timeout
        self.http_max_bytes = http_max_bytes
        self.operations = operations if operations is not None else Operations()
        self.engine = make_engine()
        self.cache = CompileCache(self.engine, cache_dir)
        self.clock = EpochClock(self.engine)
        self.call_timeout = call_timeout
        self.deadline_ticks = self.clock.ticks(call_timeout)
        self.max_faults = max_faults
        self.default_max_memory_mb = default_max_memory_mb
        self.progress = progress
        self.fast_calls = fast_calls
        self.lazy = lazy
        self._runtimes: dict[str, ExtensionRuntime] = {}
        self._aliases: dict[tuple[str, str], str] = {}
        self.clock.start()
        try:
            for ext_id in plan.order:
                self._load_at_start(plan.extension(ext_id))
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
        self.job_runner.close()
        self.clock.stop()
        for rt in self._runtimes.values():
            rt.drop_instance()
        self.http.close()

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
        rt = self.runtime(ext_id)
        if rt.status is Status.UNLOADED:
            rt.check_usable()
        export = rt.export(function)
        try:
            return rt.call(export, args)
        except TypeError as err:
            raise ExtensionError(
                f"extension `{ext_id}` function `{function}` {err}", extension=ext_id
            ) from None
        except ValueMismatch as err:
            raise ArgumentError(
                f"extension `{ext_id}` function `{function}` argument {err}",
                extension=ext_id,
                function=function,
                path=err.path,
                expected=err.expected,
            ) from None

    def extensions(self) -> list[str]:
        """Ids of every extension known to this host (loaded or not), in load order."""
        return list(self._runtimes)

    def status(self, ext_id: str) -> Status:
        return self.runtime(ext_id).status

    def info(self, ext_id: str) -> ExtensionInfo:
        """Status and metrics (calls, errors, total time, last error) of `ext_id`."""
        rt = self.runtime(ext_id)
        return ExtensionInfo(rt.id, rt.status, attrs.evolve(rt.metrics))

    def current_export(self, ext_id: str, iface: str) -> str:
        """Interface export `iface` as `ext_id` names it now (a reload may move its version)."""
        return self._aliases.get((ext_id, iface), iface)

    def runtime(self, ext_id: str) -> ExtensionRuntime:
        rt = self._runtimes.get(ext_id)
        if rt is None:
            known = ", ".join(self._runtimes) or "none"
            raise ExtensionError(
                f"no extension `{ext_id}`; loaded extensions: {known}", extension=ext_id
            )
        return rt

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
        return self.job_runner.execute(rt, self.job_runner.begin(rt, name, state), on_progress)

    def start_job(
        self,
        ext_id: str,
        name: str,
        state: bytes | None = None,
        on_progress: ProgressHook | None = None,
    ) -> str:
        """Like `run_job`, in a background thread; returns the job id (see `wait_job`)."""
        rt = self._job_runtime(ext_id, name, state)
        return self.job_runner.start(rt, self.job_runner.begin(rt, name, state), on_progress)

    def resume(self, job_id: str, on_progress: ProgressHook | None = None) -> JobRecord:
        """Run an interrupted, failed or cancelled job again from its last checkpoint."""
        rt = self._job_runtime(self.job_runner.store.get(job_id).extension)
        return self.job_runner.execute(rt, self.job_runner.reopen(rt, job_id), on_progress)

    def wait_job(self, job_id: str, timeout: float | None = None) -> JobRecord:
        """The record of `job_id` once its background run (`start_job`) has finished."""
        return self.job_runner.wait(job_id, timeout)

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel `job_id`: its guest sees `is-interrupted` true and should return."""
        return self.job_runner.cancel(job_id)

    def job(self, job_id: str) -> JobRecord:
        """`job_id`'s record: state, progress, message, timestamps, last checkpoint."""
        return self.job_runner.record(job_id)

    def jobs(self, ext_id: str | None = None) -> list[JobRecord]:
        """Every job in the data directory's database (of `ext_id` only, if given)."""
        return self.job_runner.records(ext_id)

    def emit(self, topic: str, payload: str = "{}") -> list[EventReply]:
        """Deliver event `topic` to every subscribed extension, in dependency order."""
        return emit(self, topic, payload)

    def http_policy(self, planned: PlannedExtension) -> HttpPolicy:
        return HttpPolicy(
            allowed_domains=planned.permissions.allowed_domains,
            timeout_s=self.http_timeout,
            max_response_bytes=self.http_max_bytes,
        )

    def _job_runtime(
        self, ext_id: str, name: str = "", state: bytes | None = None
    ) -> ExtensionRuntime:
        if not isinstance(name, str) or not (state is None or isinstance(state, bytes)):
            raise ExtensionError(
                f"job of `{ext_id}`: the name must be a str and the state bytes or None "
                f"(got {type(name).__name__} and {type(state).__name__})",
                extension=ext_id,
            )
        rt = self.runtime(ext_id)
        rt.check_usable()
        run_job_export(rt)
        return rt

    # -- lifecycle -------------------------------------------------------------------

    def load(self, ext_id: str) -> None:
        """Load (again) extension `ext_id` of the plan; its providers must be loaded."""
        rt = self._runtimes.get(ext_id)
        if rt is not None and rt.status is not Status.UNLOADED:
            return
        planned = self._planned(ext_id)
        for provider in self._providers(planned):
            if self.runtime(provider).status is Status.UNLOADED:
                raise ExtensionError(
                    f"cannot load `{ext_id}`: its provider `{provider}` is unloaded; load it first",
                    extension=ext_id,
                )
        self._load(planned)

    def unload(self, ext_id: str, cascade: bool = False) -> list[str]:
        """Unload `ext_id` (and, with `cascade`, its loaded dependents); returns the ids."""
        rt = self.runtime(ext_id)
        dependents = [d for d in self._dependents(ext_id) if self.status(d) is not Status.UNLOADED]
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

        The new component is checked against every loaded consumer's imports first; if the
        check fails the old one keeps running and the error says why.
        """
        rt = self.runtime(ext_id)
        path = Path(component) if component is not None else rt.planned.component
        wasm, sha = _read_component(ext_id, path)
        compiled = self.cache.load(ext_id, wasm, sha, self.progress)
        consumers = [self.runtime(c) for c in self._dependents(ext_id)]
        renamed = check_provider(
            self, ext_id, compiled, [c for c in consumers if c.status is not Status.UNLOADED]
        )
        linker, keep = build_linker(self, rt, compiled)
        with rt.held():
            rt.drop_instance()
            rt.component, rt.linker, rt.keep_alive = compiled, linker, keep
            rt.planned = attrs.evolve(rt.planned, component=path, sha256=sha, size=len(wasm))
            for old, new in renamed.items():
                self._aliases[ext_id, old] = new
            _refresh_exports(rt, renamed)
            rt.metrics.consecutive_faults = 0
            rt.status = Status.LOADED
        if not self.lazy:
            rt.instantiate()

    # -- internals -------------------------------------------------------------------

    def _load(self, planned: PlannedExtension) -> None:
        wasm, sha = _read_component(planned.id, planned.component)
        if planned.sha256 and sha != planned.sha256:
            raise ExtensionError(
                f"extension `{planned.id}`: {planned.component} changed since the plan was made "
                "(sha256 differs); run the link step again",
                extension=planned.id,
            )
        compiled = self.cache.load(planned.id, wasm, sha, self.progress)
        rt = self._runtimes.get(planned.id)
        if rt is None:
            rt = ExtensionRuntime(self, planned, compiled)
        else:
            rt.component, rt.status = compiled, Status.LOADED
        rt.linker, rt.keep_alive = build_linker(self, rt)
        self._runtimes[planned.id] = rt
        if not self.lazy:
            rt.instantiate()

    def _load_at_start(self, planned: PlannedExtension) -> None:
        """Load one extension of the plan; if its instantiation or `init` fails, only it stays
        unloaded (the error is logged and kept as its last error) and the others load."""
        try:
            self._load(planned)
        except ExtensionError as err:
            rt = self._runtimes.get(planned.id)
            if rt is None:  # the component itself is unusable: the plan is wrong
                raise
            rt.status = Status.UNLOADED
            rt.metrics.last_error = str(err)
            _log.warning("%s", err)

    def _planned(self, ext_id: str) -> PlannedExtension:
        try:
            return self.plan.extension(ext_id)
        except KeyError:
            raise ExtensionError(
                f"the plan has no extension `{ext_id}`", extension=ext_id
            ) from None

    def _providers(self, planned: PlannedExtension) -> set[str]:
        return {i.provider for i in planned.imports if i.provider in self._runtimes}

    def _dependents(self, ext_id: str) -> list[str]:
        return [
            rt.id
            for rt in self._runtimes.values()
            if any(i.provider == ext_id for i in rt.planned.imports)
        ]


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


def _read_component(ext_id: str, path: Path) -> tuple[bytes, str]:
    try:
        wasm = path.read_bytes()
    except OSError as err:
        raise ExtensionError(
            f"extension `{ext_id}`: cannot read {path}: {err.strerror}", extension=ext_id
        ) from None
    return wasm, hashlib.sha256(wasm).hexdigest()
