"""Job benchmarks: what one durable job step costs (medians, same run).

The counter job's step is one host operation (`counter.step`), one `checkpoint` (an
SQLite commit with synchronous=FULL in WAL mode, before `checkpoint` returns) and one
`report-progress`. Baselines: the SQLite checkpoint commit alone (`JobStore.checkpoint`),
and an event round trip into the same guest (`host.emit`, one call into wasm).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "test-components")]

import componentbuild  # noqa: E402

import linker  # noqa: E402
from linker.host import Host, OperationContext, Operations  # noqa: E402
from linker.services.jobs import JobStore  # noqa: E402

STEPS = 200


def main() -> None:
    ops = Operations()

    @ops.operation("counter.plan")
    def plan(ctx: OperationContext, payload: Any) -> Any:
        return {"steps": STEPS, "trap_at": None}

    ops.add("counter.step", lambda ctx, payload: None)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        host = Host(
            linker.link([componentbuild.build("jobs-counter")]), operations=ops, data_dir=data
        )
        with host:
            steps = []
            for _ in range(5):
                start = time.perf_counter()
                host.run_job("counter", "count")
                steps.append((time.perf_counter() - start) / STEPS)
            events = []
            for _ in range(200):
                start = time.perf_counter()
                host.emit("counter.ping", "{}")
                events.append(time.perf_counter() - start)
        store = JobStore(data / "bench.sqlite")
        job = store.create("bench", "commit")
        commits = []
        for i in range(200):
            start = time.perf_counter()
            store.checkpoint(job.id, str(i).encode())
            commits.append(time.perf_counter() - start)
        store.close()
    step, event, commit = (statistics.median(x) for x in (steps, events, commits))
    print(f"job step (host op + checkpoint + progress): {step * 1e6:9.1f} us")
    print(f"  SQLite checkpoint commit alone:          {commit * 1e6:9.1f} us")
    print(f"  event round trip into the same guest:    {event * 1e6:9.1f} us")
    print(f"  step / commit: {step / commit:.2f}   step / event: {step / event:.2f}")


if __name__ == "__main__":
    main()
