"""The SQLite job store: durable checkpoints, resumable states, many threads."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from linker.services.events import subscribed, topic_matches
from linker.services.jobs import JobError, JobState, JobStore


def test_checkpoints_survive_reopening(tmp_path: Path) -> None:
    db = tmp_path / "data" / "jobs.sqlite"
    store = JobStore(db)
    job = store.create("counter", "count")
    store.progress(job.id, 3, 10, "step 3")
    store.checkpoint(job.id, b"3")
    store.close()
    # Another connection (as another process would) sees the committed state at once.
    raw = sqlite3.connect(db).execute("SELECT checkpoint, state FROM jobs").fetchone()
    assert raw == (b"3", "running")
    again = JobStore(db)
    assert again.interrupt_running() == 0  # its process (this one) is alive
    _owned_by_a_dead_process(db, job.id)
    assert again.interrupt_running() == 1
    record = again.get(job.id)
    assert (record.state, record.checkpoint, record.completed, record.total) == (
        JobState.INTERRUPTED,
        b"3",
        3,
        10,
    )
    assert again.restart(job.id).state is JobState.RUNNING
    again.finish(job.id, JobState.COMPLETED)
    with pytest.raises(JobError, match="only failed, cancelled or interrupted"):
        again.restart(job.id)


def test_unknown_job_and_bad_file(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite")
    with pytest.raises(JobError, match="no job"):
        store.get("nope")
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JobError, match="cannot open"):
        JobStore(bad)


def test_threads_write_concurrently(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite")
    jobs = [store.create("ext", f"job{i}") for i in range(4)]

    def work(job_id: str) -> None:
        for step in range(50):
            store.checkpoint(job_id, str(step).encode())

    threads = [threading.Thread(target=work, args=(j.id,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {store.get(j.id).checkpoint for j in jobs} == {b"49"}
    assert {store.get(j.id).checkpoints for j in jobs} == {50}
    assert store.running("ext") == 4 and store.running("other") == 0


def test_topics() -> None:
    assert topic_matches("files.created", "files.created")
    assert topic_matches("plan.*", "plan.saved") and topic_matches("plan.*", "plan.a.b")
    assert not topic_matches("plan.*", "plan") and not topic_matches("plan.*", "planner.x")
    assert subscribed(["a", "*"], "anything") and not subscribed([], "x")


def _owned_by_a_dead_process(db: Path, job_id: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE jobs SET owner = ? WHERE id = ?", (child.pid, job_id))
