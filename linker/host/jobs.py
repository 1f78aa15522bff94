"""Jobs: a guest's `run-job` export run as a durable job (`witlink:host/job`).

Each job has a record in the host's `JobStore` (SQLite). While `run-job` runs, the
guest's `report-progress` updates the record (written to the database at most every
`PROGRESS_WRITE_INTERVAL` and at the end) and calls the progress callback; `checkpoint`
commits its state before returning; `is-interrupted` turns true once `cancel` is called.
How a run ends sets the job's state: `completed` (ok), `failed` (the guest returned an error),
`cancelled` (it was cancelled), `interrupted` (it trapped, or its host died): `resume`
runs `run-job` again from the last committed checkpoint.

The database is opened on first use (a host whose extensions run no jobs never creates
it); opening it marks jobs left running by a dead process `interrupted`.

Progress and checkpoints re-arm the extension's per-call deadline: a job may run longer
than one call's timeout as long as it keeps reporting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from linker.errors import ExtensionError
from linker.host.bindings.exports import GuestExports, RunJobError
from linker.services.jobs import JobError, JobRecord, JobState, JobStorage, JobStore

if TYPE_CHECKING:
    from linker.host.runtime import Export, ExtensionRuntime

log = logging.getLogger("witlink.host.jobs")

ProgressHook = Callable[[JobRecord], None]
"""Called with the job's record after every `report-progress`."""

PROGRESS_WRITE_INTERVAL = 0.25
"""Seconds between database writes of a running job's progress (checkpoints are always
written at once; progress is also written when the job ends)."""


class ActiveJob:
    """A job running in this host: its id, cancel flag and progress hook."""

    def __init__(self, job_id: str) -> None:
        self.id = job_id
        self.on_progress: ProgressHook | None = None
        self.progress: tuple[int, int, str] | None = None
        """The latest `report-progress`, if not yet written to the database."""
        self.written = 0.0
        self.cancelled = threading.Event()


class Jobs:
    """The host's jobs; `Host` delegates `run_job`, `cancel`, `resume` and friends here."""

    def __init__(self, path: Path, open_store: Callable[[], JobStorage] | None = None) -> None:
        self.path = path
        self._open = open_store if open_store is not None else lambda: JobStore(path)
        self._store: JobStorage | None = None
        self._active: dict[str, ActiveJob] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._current = threading.local()
        self._lock = threading.Lock()

    @property
    def store(self) -> JobStorage:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    store = self._open()
                    store.interrupt_running()
                    self._store = store
        return self._store

    # -- running ---------------------------------------------------------------------

    def begin(self, rt: ExtensionRuntime, name: str, state: bytes | None) -> JobRecord:
        """Create the record of a new job of `rt` (checking its concurrent-jobs cap)."""
        store = self.store  # opened before taking the lock (opening takes it too)
        with self._lock:
            self._check_cap(rt)
            record = store.create(rt.id, name, state)
            self._active[record.id] = ActiveJob(record.id)
            return record

    def reopen(self, rt: ExtensionRuntime, job_id: str) -> JobRecord:
        """Mark resumable job `job_id` running again (checking the cap); returns its record."""
        store = self.store  # opened before taking the lock (opening takes it too)
        with self._lock:
            record = store.get(job_id)
            if record.extension != rt.id:
                raise JobError(f"job {job_id} belongs to `{record.extension}`, not `{rt.id}`")
            if job_id in self._active:
                raise JobError(f"job {job_id} ({record.extension}/{record.name}) is running")
            self._check_cap(rt)
            self._active[job_id] = ActiveJob(job_id)
            return store.restart(job_id)

    def _check_cap(self, rt: ExtensionRuntime) -> None:
        cap = rt.planned.permissions.rate_limits.concurrent_jobs
        if cap is None:
            return
        running = self.store.running(rt.id)
        if running >= cap:
            raise ExtensionError(
                f"extension `{rt.id}` already runs {running} job(s), its limit "
                f"(concurrent-jobs = {cap} under [permissions.rate-limits]); wait for one to "
                "finish or cancel it",
                extension=rt.id,
            )

    def execute(
        self, rt: ExtensionRuntime, record: JobRecord, on_progress: ProgressHook | None
    ) -> JobRecord:
        """Run `run-job` for `record` (from `begin` or `reopen`) in this thread; returns
        the finished record."""
        active = self._active[record.id]
        active.on_progress = on_progress
        current = self._contexts()
        outer = current.get(rt.id)
        current[rt.id] = active
        state: JobState = JobState.INTERRUPTED
        error: str | None = "the host failed while running the job"
        try:
            state, error = self._run(rt, record)
        except BaseException as err:  # a host-side failure: the job stays resumable
            error = f"the host failed while running the job: {err!r}"
            raise
        finally:
            if outer is None:
                del current[rt.id]
            else:
                current[rt.id] = outer
            self._active.pop(record.id, None)
            if active.cancelled.is_set():
                state = JobState.CANCELLED
            self._write_progress(active)
            self.store.finish(record.id, state, error)
        return self.store.get(record.id)

    def _run(self, rt: ExtensionRuntime, record: JobRecord) -> tuple[JobState, str | None]:
        try:
            guest_of(rt).run_job(record.name, record.checkpoint)
        except RunJobError as err:
            return JobState.FAILED, err.value
        except ExtensionError as err:
            log.info("job %s of %s stopped: %s", record.id, rt.id, err)
            return JobState.INTERRUPTED, str(err)
        return JobState.COMPLETED, None

    def start(
        self,
        rt: ExtensionRuntime,
        record: JobRecord,
        on_progress: ProgressHook | None,
    ) -> str:
        """Run `record` in a background thread; returns its id (see `wait`)."""
        thread = threading.Thread(
            target=self.execute, args=(rt, record, on_progress), name=f"job-{record.id}"
        )
        self._threads[record.id] = thread
        thread.start()
        return record.id

    def wait(self, job_id: str, timeout: float | None = None) -> JobRecord:
        """Wait for a job started with `start` to finish; returns its record."""
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
            if not thread.is_alive():
                self._threads.pop(job_id, None)
        return self.store.get(job_id)

    def cancel(self, job_id: str) -> JobRecord:
        """Ask a job running here to stop (`is-interrupted` turns true); an interrupted or
        failed job is marked cancelled at once."""
        active = self._active.get(job_id)
        if active is not None:
            active.cancelled.set()
            return self.store.get(job_id)
        record = self.store.get(job_id)
        if record.state is JobState.RUNNING:
            raise JobError(
                f"job {job_id} ({record.extension}/{record.name}) is running in another "
                "process; cancel it with that process's host"
            )
        if record.state in (JobState.INTERRUPTED, JobState.FAILED):
            self.store.finish(job_id, JobState.CANCELLED, record.error)
            return self.store.get(job_id)
        raise JobError(f"job {job_id} ({record.extension}/{record.name}) is {record.state.value}")

    def close(self) -> None:
        """Cancel running jobs and wait for their threads."""
        for active in list(self._active.values()):
            active.cancelled.set()
        for thread in list(self._threads.values()):
            thread.join()
        if self._store is not None:
            self._store.close()

    # -- the guest's side: witlink:host/job ----------------------------------------

    def _contexts(self) -> dict[str, ActiveJob]:
        current: dict[str, ActiveJob] | None = getattr(self._current, "jobs", None)
        if current is None:
            current = self._current.jobs = {}
        return current

    def _job_of(self, rt: ExtensionRuntime, function: str) -> ActiveJob:
        active = self._contexts().get(rt.id)
        if active is None:
            raise ExtensionError(
                f"extension `{rt.id}` called job.{function} outside a job; only code run by "
                "run-job may report progress or checkpoint",
                extension=rt.id,
            )
        return active

    def record(self, job_id: str) -> JobRecord:
        """`job_id`'s record, with its latest progress if it runs here."""
        return self.latest(self.store.get(job_id))

    def records(self, extension: str | None = None) -> list[JobRecord]:
        return [self.latest(r) for r in self.store.jobs(extension)]

    def latest(self, record: JobRecord) -> JobRecord:
        """`record` with the progress its job reported here since it was last written."""
        active = self._active.get(record.id)
        pending = active.progress if active is not None else None
        if pending is None:
            return record
        completed, total, message = pending
        return attrs.evolve(record, completed=completed, total=total, message=message)

    def _write_progress(self, active: ActiveJob) -> None:
        pending, active.progress = active.progress, None
        if pending is not None:
            self.store.progress(active.id, *pending)
            active.written = time.monotonic()

    def guest_import(self, rt: ExtensionRuntime) -> GuestJob:
        """The `witlink:host/job` interface of extension `rt`."""
        return GuestJob(self, rt)


class GuestJob:
    """`witlink:host/job` for one extension: the job `run-job` runs on this thread."""

    def __init__(self, jobs: Jobs, rt: ExtensionRuntime) -> None:
        self._jobs = jobs
        self._rt = rt

    def report_progress(self, completed: int, total: int, message: str) -> None:
        jobs = self._jobs
        active = jobs._job_of(self._rt, "report-progress")
        active.progress = (completed, total, message)
        if time.monotonic() - active.written >= PROGRESS_WRITE_INTERVAL:
            jobs._write_progress(active)
        self._rt.arm()
        if active.on_progress is not None:
            try:
                active.on_progress(jobs.record(active.id))
            except Exception:
                log.exception("progress callback of job %s failed", active.id)

    def checkpoint(self, state: bytes) -> None:
        active = self._jobs._job_of(self._rt, "checkpoint")
        self._jobs.store.checkpoint(active.id, state)
        self._rt.arm()

    def is_interrupted(self) -> bool:
        active = self._jobs._contexts().get(self._rt.id)
        return active is not None and active.cancelled.is_set()


def run_job_export(rt: ExtensionRuntime) -> Export:
    """`rt`'s `witlink:host/guest#run-job`, or a clear error if it exports none."""
    return rt.export(f"{guest_export(rt)}#run-job")


def guest_of(rt: ExtensionRuntime) -> GuestExports:
    """Typed calls into `rt`'s `witlink:host/guest`, or a clear error if it exports none."""
    guest = rt.guest()
    if guest is None:
        raise _no_guest(rt)
    return guest


def guest_export(rt: ExtensionRuntime) -> str:
    """`rt`'s `witlink:host/guest` interface, or a clear error if it exports none."""
    name = rt.guest_interface()
    if name is None:
        raise _no_guest(rt)
    return name


def _no_guest(rt: ExtensionRuntime) -> ExtensionError:
    return ExtensionError(
        f"extension `{rt.id}` does not export witlink:host/guest, so it has no jobs or event "
        "handler; export it from the extension's world",
        extension=rt.id,
    )
