"""Jobs through a real componentize-py guest: checkpoints in SQLite, traps, resume, cancel,
the concurrent-jobs cap, and a host process killed mid-job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import hostkit
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linker.errors import ExtensionError
from linker.host import Host
from linker.services.jobs import JobError, JobState
from tests.support.jobkit import Counter, counter_plan

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def counter_wasm(component: hostkit.Build) -> Path:
    return component("jobs-counter")


@pytest.fixture(scope="module")
def counter() -> Counter:
    return Counter()


@pytest.fixture(scope="module")
def host(
    counter_wasm: Path,
    counter: Counter,
    compile_cache: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Host]:
    with Host(
        counter_plan(counter_wasm),
        operations=counter.operations(),
        cache_dir=compile_cache,
        data_dir=tmp_path_factory.mktemp("jobs"),
    ) as h:
        yield h


def reset(counter: Counter, steps: int, trap_at: int | None = None) -> None:
    counter.steps, counter.trap_at, counter.on_step = steps, trap_at, None
    counter.steps_seen.clear()


def test_progress_checkpoints_and_record(host: Host, counter: Counter) -> None:
    reset(counter, 4)
    seen: list[tuple[int, int, str]] = []
    record = host.run_job(
        "counter", "count", on_progress=lambda r: seen.append((r.completed, r.total, r.message))
    )
    assert record.state is JobState.COMPLETED and record.error is None
    assert seen == [(i, 4, f"step {i}") for i in range(1, 5)]
    assert (record.completed, record.total, record.checkpoint, record.checkpoints) == (
        4,
        4,
        b"4",
        4,
    )
    assert counter.steps_seen == [0, 1, 2, 3]
    assert record.created <= record.updated
    assert host.job(record.id) == record
    assert record.id in [j.id for j in host.jobs("counter")]


def test_state_given_to_a_new_job(host: Host, counter: Counter) -> None:
    reset(counter, 6)
    record = host.run_job("counter", "count", state=b"4")
    assert record.state is JobState.COMPLETED
    assert counter.steps_seen == [4, 5]


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.integers(1, 12), data=st.data())
def test_trap_at_any_step_then_resume_is_exact(
    host: Host, counter: Counter, steps: int, data: st.DataObject
) -> None:
    trap_at = data.draw(st.integers(0, steps - 1), label="trap_at")
    reset(counter, steps, trap_at)
    first = host.run_job("counter", "count")
    assert first.state is JobState.INTERRUPTED
    assert first.error is not None and "trapped" in first.error
    assert first.checkpoint == (str(trap_at).encode() if trap_at else None)
    assert counter.steps_seen == list(range(trap_at))
    done = host.resume(first.id)
    assert done.state is JobState.COMPLETED, done.error
    assert done.checkpoint == str(steps).encode()
    assert counter.steps_seen == list(range(steps))  # every step once: none lost, none twice
    assert done.checkpoints == steps


def test_guest_error_fails_the_job(host: Host) -> None:
    record = host.run_job("counter", "sleep")
    assert record.state is JobState.FAILED
    assert record.error == "unknown job 'sleep'"
    with pytest.raises(JobError, match="is completed"):
        host.resume(host.run_job("counter", "count").id)


def test_cancel_from_another_thread(host: Host, counter: Counter) -> None:
    reset(counter, 6)
    at_step_2, go_on = threading.Event(), threading.Event()

    def pause(step: int) -> None:
        if step == 2:
            at_step_2.set()
            go_on.wait(5)

    counter.on_step = pause
    job_id = host.start_job("counter", "count")
    assert at_step_2.wait(30)
    running = host.job(job_id)
    assert (running.state, running.completed, running.total) == (JobState.RUNNING, 2, 6)
    assert running.checkpoint == b"2"
    host.cancel(job_id)
    go_on.set()
    record = host.wait_job(job_id, 30)
    assert record.state is JobState.CANCELLED
    assert record.checkpoint == b"3"  # step 2 finished; the guest saw is-interrupted before 3
    assert counter.steps_seen == [0, 1, 2]
    counter.on_step = None
    done = host.resume(job_id)
    assert done.state is JobState.COMPLETED
    assert counter.steps_seen == list(range(6))


def test_concurrent_jobs_cap(host: Host, counter: Counter) -> None:
    reset(counter, 2)
    started, go_on = threading.Event(), threading.Event()

    def pause(step: int) -> None:
        started.set()
        go_on.wait(5)

    counter.on_step = pause
    first = host.start_job("counter", "count")
    assert started.wait(30)
    second = host.start_job("counter", "count")  # waits for the store, but counts
    with pytest.raises(ExtensionError, match=r"concurrent-jobs = 2"):
        host.start_job("counter", "count")
    with pytest.raises(ExtensionError, match=r"already runs 2 job"):
        host.run_job("counter", "count")
    go_on.set()
    assert host.wait_job(first, 30).state is JobState.COMPLETED
    assert host.wait_job(second, 30).state is JobState.COMPLETED
    counter.on_step = None
    assert host.run_job("counter", "count").state is JobState.COMPLETED


def test_extension_without_jobs(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    import linker

    plan = linker.link([component("demo-text").parent])
    with Host(plan, cache_dir=compile_cache, data_dir=tmp_path) as h:
        with pytest.raises(ExtensionError, match="does not export witlink:host/guest"):
            h.run_job("text", "scan")
        with pytest.raises(ExtensionError, match="no extension `nope`"):
            h.run_job("nope", "scan")
        with pytest.raises(JobError, match="no job"):
            h.job("missing")


def test_killed_host_process_resumes_from_the_database(
    host: Host, counter_wasm: Path, counter: Counter, compile_cache: Path, tmp_path: Path
) -> None:
    steps = 40
    steps_file = tmp_path / "steps.txt"
    data_dir = tmp_path / "data"
    child = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "support" / "job_child.py"),
            str(counter_wasm),
            str(data_dir),
            str(compile_cache),
            str(steps_file),
            str(steps),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while _lines(steps_file) < 8:
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "the child never got going"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    child_steps = [int(s) for s in steps_file.read_text().split()]
    reset(counter, steps)
    with Host(
        host.plan, operations=counter.operations(), cache_dir=compile_cache, data_dir=data_dir
    ) as again:
        (left,) = again.jobs()
        assert left.state is JobState.INTERRUPTED  # marked so when this host started
        assert left.checkpoint is not None
        resumed_from = int(left.checkpoint)
        # the checkpoint is the last step whose `counter.step` ran, or the one after it
        assert child_steps[-1] <= resumed_from <= child_steps[-1] + 1
        done = again.resume(left.id)
    assert done.state is JobState.COMPLETED and done.checkpoint == str(steps).encode()
    assert counter.steps_seen == list(range(resumed_from, steps))
    assert sorted(set(child_steps + counter.steps_seen)) == list(range(steps))
    repeated = len(child_steps) + len(counter.steps_seen) - steps
    assert repeated == child_steps[-1] + 1 - resumed_from  # at most the step in flight


def _lines(path: Path) -> int:
    return len(path.read_text().split()) if path.exists() else 0


def test_cancel_a_stopped_job(host: Host, counter: Counter) -> None:
    reset(counter, 3, trap_at=1)
    stopped = host.run_job("counter", "count")
    assert stopped.state is JobState.INTERRUPTED
    assert host.cancel(stopped.id).state is JobState.CANCELLED
    assert host.resume(stopped.id).state is JobState.COMPLETED
    assert counter.steps_seen == [0, 1, 2]
    with pytest.raises(JobError, match="is completed"):
        host.cancel(stopped.id)


def test_bad_job_arguments_are_clear_errors(host: Host) -> None:
    with pytest.raises(ExtensionError, match=r"state bytes or None \(got str"):
        host.run_job("counter", "count", state="3")  # type: ignore[arg-type]
    assert all(j.state is not JobState.RUNNING for j in host.jobs())
