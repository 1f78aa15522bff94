"""Concurrency benchmarks: throughput ratios against baselines measured in the same run
(medians of alternating rounds, wall time: parallelism is what is measured).

1. asyncio: two CPU-bound extensions awaited together (`asyncio.gather` of two
   `host.acall`) / one awaited alone, as throughput (calls per second). Goal >= 1.7.
2. pools: two threads calling one provider run as a pool of 2 instances / the same two
   threads calling it run as one instance (calls then wait for its single store), as
   throughput. Goal >= 1.7. Also the two threads calling a consumer that calls the
   provider (both pooled / both single): cross-extension calls to a pool.

The work is `burn(n)` of test component `pool-work` (a loop of integer arithmetic), long
enough (about 0.1 s) that call overheads do not count. On a shared machine other
processes take cores too: each figure comes with the cores the parallel run kept busy
(its CPU time / wall time); a ratio is only as high as the cores it got.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "test-components")]

import componentbuild  # noqa: E402
import hostkit  # noqa: E402

from linker.host import Host  # noqa: E402
from linker.plan.model import Plan  # noqa: E402

WORK = "acme:work/lib@1.0.0"
BURN = f"{WORK}#burn"
STEPS = 30_000_000
ROUNDS = 9


def wall(fn: Callable[[], object], cores: list[float] | None = None) -> float:
    """Wall time of `fn()`; appends the cores it kept busy (CPU time / wall) to `cores`."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    took = time.perf_counter() - start
    if cores is not None:
        cores.append((time.process_time() - cpu) / took)
    return took


def ratio(
    baseline: Callable[[], object], candidate: Callable[[], object], work: float
) -> tuple[float, float]:
    """Medians over alternating rounds of candidate throughput / baseline throughput (the
    candidate does `work` times the baseline's calls) and of the cores the candidate used."""
    ratios: list[float] = []
    cores: list[float] = []
    for _ in range(ROUNDS):
        base, cand = wall(baseline), wall(candidate, cores)
        ratios.append(work * base / cand)
    return statistics.median(ratios), statistics.median(cores)


def in_threads(*calls: Callable[[], object]) -> None:
    threads = [threading.Thread(target=c) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def plan(instances: int) -> Plan:
    """`work-a`, `work-b` (both `pool-work`) and `user`, a consumer of `work-a`; `work-a`
    and `user` run as `instances` instances."""
    wasm = componentbuild.component("pool-work")
    a = attrs.evolve(
        hostkit.planned("work-a", wasm, exports=[WORK]), instances=instances, stateless=True
    )
    b = hostkit.planned("work-b", wasm, exports=[WORK])
    user = attrs.evolve(
        hostkit.planned("user", componentbuild.component("pool-work-user"), [(WORK, "work-a")]),
        instances=instances,
        stateless=True,
    )
    binding, refs = hostkit.wire("user", WORK, "work-a", ("burn", "forever"))
    return Plan((a, b, user), ("work-a", "work-b", "user"), (binding,), tuple(refs))


def bench_asyncio(host: Host) -> tuple[float, float]:
    async def one() -> None:
        await host.acall("work-b", BURN, STEPS)

    async def two() -> None:
        await asyncio.gather(host.acall("work-a", BURN, STEPS), host.acall("work-b", BURN, STEPS))

    return ratio(lambda: asyncio.run(one()), lambda: asyncio.run(two()), 2)


def bench_pool(single: Host, pooled: Host, ext: str, function: str) -> tuple[float, float]:
    def two_threads(host: Host) -> Callable[[], None]:
        call = lambda: host.call(ext, function, STEPS)  # noqa: E731
        return lambda: in_threads(call, call)

    return ratio(two_threads(single), two_threads(pooled), 1)


def _on(cores: float) -> str:
    return f"; {cores:.2f} cores busy (2.0 on an idle 2-core machine)"


def main() -> None:
    cache = ROOT / "build" / "bench-cache"
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with (
        Host(plan(1), cache_dir=cache, call_timeout=30) as single,
        Host(plan(2), cache_dir=cache, call_timeout=30) as pooled,
    ):
        for h in (single, pooled):  # instantiate and warm every instance
            in_threads(*[lambda h=h: h.call("work-a", BURN, 10)] * 2)
        r, c = bench_asyncio(single)
        print(f"asyncio: 2 extensions awaited together / 1 alone: {r:.2f}x (goal >= 1.7){_on(c)}")
        r, c = bench_pool(single, pooled, "work-a", BURN)
        print(
            f"pool: 2 threads on a 2-instance pool / on 1 instance: {r:.2f}x (goal >= 1.7){_on(c)}"
        )
        r, c = bench_pool(single, pooled, "user", "run")
        print(f"pool: the same through a pooled consumer's cross-extension calls: {r:.2f}x{_on(c)}")
    print(f"machine load average after: {os.getloadavg()[0]:.1f}")
