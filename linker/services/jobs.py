"""Durable job records and checkpoints in one SQLite file (WAL mode).

Each `checkpoint` is committed before it returns, so after a trap, a cancel or a
crash of the host process `JobStore.get(job_id).checkpoint` is the last state the
extension saved, and resuming from it repeats no step before that checkpoint.
"""

from __future__ import annotations

import enum
import os
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Protocol

import attrs

from linker.errors import WitlinkError


class JobError(WitlinkError):
    """An unknown job, or a job in a state that does not allow the request."""


class JobState(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    """Was running when its host stopped or its extension trapped: resumable."""


RESUMABLE = frozenset({JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED})


@attrs.frozen
class JobRecord:
    id: str
    extension: str
    name: str
    state: JobState
    completed: int
    total: int
    message: str
    created: float
    updated: float
    checkpoint: bytes | None
    checkpoints: int
    """How many checkpoints were committed over the job's life."""
    error: str | None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    extension TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    completed INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL,
    checkpoint BLOB,
    checkpoints INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    owner INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_by_extension ON jobs (extension, state);
"""
_COLUMNS = (
    "id, extension, name, state, completed, total, message, created, updated, "
    "checkpoint, checkpoints, error"
)


class JobStorage(Protocol):
    """What the host needs of a job store; `JobStore` (SQLite) is the one witlink ships.
    Another (for hosts on several machines) must keep `checkpoint` durable before it
    returns and tell which running jobs' processes are gone (`interrupt_running`)."""

    def create(self, extension: str, name: str, checkpoint: bytes | None = None) -> JobRecord: ...
    def get(self, job_id: str) -> JobRecord: ...
    def jobs(self, extension: str | None = None) -> list[JobRecord]: ...
    def running(self, extension: str) -> int: ...
    def progress(self, job_id: str, completed: int, total: int, message: str) -> None: ...
    def checkpoint(self, job_id: str, state: bytes) -> None: ...
    def finish(self, job_id: str, state: JobState, error: str | None = None) -> None: ...
    def restart(self, job_id: str) -> JobRecord: ...
    def interrupt_running(self) -> int: ...
    def close(self) -> None: ...


class JobStore:
    """Job records in `path` (created if missing); safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(jobs)")}
            if "owner" not in columns:  # a database made before jobs recorded their process
                self._db.execute("ALTER TABLE jobs ADD COLUMN owner INTEGER")
        except sqlite3.DatabaseError as err:
            raise JobError(f"{path}: cannot open the job database: {err}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, args: tuple[object, ...]) -> int:
        with self._lock:
            return self._db.execute(sql, args).rowcount

    def create(self, extension: str, name: str, checkpoint: bytes | None = None) -> JobRecord:
        job_id = uuid.uuid4().hex[:12]
        now = time.time()
        self._write(
            "INSERT INTO jobs (id, extension, name, state, created, updated, checkpoint, owner) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (job_id, extension, name, JobState.RUNNING.value, now, now, checkpoint, os.getpid()),
        )
        return self.get(job_id)

    def get(self, job_id: str) -> JobRecord:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        if row is None:
            raise JobError(f"no job {job_id!r} in {self.path}")
        return _record(row)

    def jobs(self, extension: str | None = None) -> list[JobRecord]:
        sql = f"SELECT {_COLUMNS} FROM jobs"
        args: tuple[object, ...] = ()
        if extension is not None:
            sql, args = sql + " WHERE extension = ?", (extension,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created, id", args).fetchall()
        return [_record(r) for r in rows]

    def running(self, extension: str) -> int:
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM jobs WHERE extension = ? AND state = ?",
                (extension, JobState.RUNNING.value),
            ).fetchone()
        return int(count)

    def progress(self, job_id: str, completed: int, total: int, message: str) -> None:
        self._write(
            "UPDATE jobs SET completed = ?, total = ?, message = ?, updated = ? WHERE id = ?",
            (completed, total, message, time.time(), job_id),
        )

    def checkpoint(self, job_id: str, state: bytes) -> None:
        """Persist `state`; committed (and synced) before this returns."""
        self._write(
            "UPDATE jobs SET checkpoint = ?, checkpoints = checkpoints + 1, updated = ? "
            "WHERE id = ?",
            (state, time.time(), job_id),
        )

    def finish(self, job_id: str, state: JobState, error: str | None = None) -> None:
        self._write(
            "UPDATE jobs SET state = ?, error = ?, updated = ? WHERE id = ?",
            (state.value, error, time.time(), job_id),
        )

    def restart(self, job_id: str) -> JobRecord:
        """Mark a resumable job running again; returns it with its last checkpoint."""
        record = self.get(job_id)
        if record.state not in RESUMABLE:
            raise JobError(
                f"job {job_id} ({record.extension}/{record.name}) is {record.state.value}; "
                "only failed, cancelled or interrupted jobs can be resumed"
            )
        self._write(
            "UPDATE jobs SET state = ?, error = NULL, updated = ?, owner = ? WHERE id = ?",
            (JobState.RUNNING.value, time.time(), os.getpid(), job_id),
        )
        return self.get(job_id)

    def interrupt_running(self) -> int:
        """At host start: jobs left `running` by a process that no longer exists become
        `interrupted` (jobs of live processes sharing the database are left alone)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, owner FROM jobs WHERE state = ?", (JobState.RUNNING.value,)
            ).fetchall()
        dead = [job_id for job_id, owner in rows if owner is None or not _alive(int(owner))]
        for job_id in dead:
            self._write(
                "UPDATE jobs SET state = ?, updated = ? WHERE id = ? AND state = ?",
                (JobState.INTERRUPTED.value, time.time(), job_id, JobState.RUNNING.value),
            )
        return len(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _record(row: tuple[Any, ...]) -> JobRecord:
    (job_id, ext, name, state, done, total, message, created, updated, ckpt, count, error) = row
    return JobRecord(
        id=str(job_id),
        extension=str(ext),
        name=str(name),
        state=JobState(str(state)),
        completed=int(done),
        total=int(total),
        message=str(message),
        created=float(created),
        updated=float(updated),
        checkpoint=None if ckpt is None else bytes(ckpt),
        checkpoints=int(count),
        error=None if error is None else str(error),
    )
