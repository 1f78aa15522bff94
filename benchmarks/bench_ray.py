"""Ray backend benchmarks, on a local cluster started here (2 CPUs, nothing leaves the
machine). Medians of wall time (the work happens in other processes), with the in-process
`Host` measured in the same run as the baseline.

1. cross-extension call latency: what one call from `app` into `calc` adds (`add-via-lib`
   minus `add-local`, the same export doing the work itself), on Ray (two actors) and
   in-process; and a driver-to-actor call (`calc`'s `add` called from the driver).
2. throughput of 100 extensions (50 `app` consumers, each with its own `calc` provider)
   spread over the cluster's actors, called from 8 driver threads for a few seconds each:
   calls/s on Ray next to the same plan in one in-process `Host`. Extensions are grouped
   `PER_ACTOR` per actor (each actor process takes about `rss` of memory, printed). One
   actor per extension (`WITLINK_BENCH_RAY_PER_ACTOR=1`) starts 100 processes: minutes to
   start and a load average near 100 on 2 cores.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "test-components")]

import componentbuild  # noqa: E402
import hostkit  # noqa: E402

from linker.host import Host  # noqa: E402
from linker.plan.model import Plan  # noqa: E402
from tests.support import raykit  # noqa: E402

CALC = hostkit.CALC
PAIRS = 50
PER_ACTOR = int(os.environ.get("WITLINK_BENCH_RAY_PER_ACTOR", "10"))
"""Extensions per actor in 2.; `WITLINK_BENCH_RAY_PER_ACTOR=1` gives each its own actor."""
THREADS = 8
SECONDS = 3.0


def per_call_ms(fn: Callable[[], Any], n: int, rounds: int = 7) -> float:
    """Median over `rounds` of the mean wall time of one call, in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n * 1e3)
    return statistics.median(times)


def pairs_plan(pairs: int) -> Plan:
    """`pairs` x (calc-i, app-i calling calc-i): 2 x `pairs` extensions."""
    calc_wasm = componentbuild.component("host-calc-provider")
    app_wasm = componentbuild.component("host-calc-consumer")
    exts, bindings, functions = [], [], []
    for i in range(pairs):
        exts.append(hostkit.planned(f"calc-{i}", calc_wasm, exports=[CALC]))
        exts.append(hostkit.planned(f"app-{i}", app_wasm, [(CALC, f"calc-{i}")]))
        binding, refs = hostkit.wire(f"app-{i}", CALC, f"calc-{i}", hostkit.CALC_FUNCS)
        bindings.append(binding)
        functions.extend(refs)
    return Plan(tuple(exts), tuple(e.id for e in exts), tuple(bindings), tuple(functions))


def throughput(call: Callable[[str, str, int], Any], apps: list[str]) -> float:
    """Calls/s of `THREADS` threads calling `run` of `apps` round-robin for `SECONDS`."""
    for app in apps:  # first calls bind exports and look up actors: not what is measured
        assert call(app, "run", 21) == 42
    counts = [0] * THREADS
    stop = time.perf_counter() + SECONDS

    def work(k: int) -> None:
        n = 0
        while time.perf_counter() < stop:
            assert call(apps[(k + n * THREADS) % len(apps)], "run", 21) == 42
            n += 1
        counts[k] = n

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def actor_rss_mb(ray: Any, host: Any) -> float:
    """Resident memory of one actor process, in MiB (from /proc, on this machine)."""
    pid = ray.get(host.actor("calc").pid.remote())
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    if not raykit.available():
        print(f"skipped: {raykit.MISSING}")
        return
    ray = raykit.start()
    from linker.ray import RayHost

    cache = Path(tempfile.mkdtemp(prefix="witlink-bench-ray-"))
    plan = hostkit.calc_plan(componentbuild.component)
    with Host(plan, cache_dir=cache) as local, RayHost(plan, cache_dir=cache) as remote:
        fns = {
            "in-process via-lib": lambda: local.call("app", "add-via-lib", 1, 2),
            "in-process local": lambda: local.call("app", "add-local", 1, 2),
            "ray via-lib": lambda: remote.call("app", "add-via-lib", 1, 2),
            "ray local": lambda: remote.call("app", "add-local", 1, 2),
            "ray driver->actor": lambda: remote.call("calc", f"{CALC}#add", 1, 2),
        }
        for fn in fns.values():
            fn()
        ms = {
            name: per_call_ms(fn, 2000 if "in-process" in name else 200) for name, fn in fns.items()
        }
        rss = actor_rss_mb(ray, remote)
    local_hop = ms["in-process via-lib"] - ms["in-process local"]
    ray_hop = ms["ray via-lib"] - ms["ray local"]
    print(
        f"1. a call with one cross-extension hop (add-via-lib): ray "
        f"{ms['ray via-lib'] * 1e3:.0f} us, in-process {ms['in-process via-lib'] * 1e3:.1f} us; "
        "the hop adds: ray "
        f"{ray_hop * 1e3:.0f} us, in-process {local_hop * 1e3:.1f} us; a driver->actor call "
        f"{ms['ray driver->actor'] * 1e3:.0f} us"
    )
    print(f"   one actor process (a host of one WAT extension): rss {rss:.0f} MiB")
    big = pairs_plan(PAIRS)
    apps = [f"app-{i}" for i in range(PAIRS)]
    with Host(big, cache_dir=cache) as local:
        base = throughput(local.call, apps)
    with RayHost(big, cache_dir=cache, extensions_per_actor=PER_ACTOR) as remote:
        spread = throughput(remote.call, apps)
    print(
        f"2. {2 * PAIRS} extensions, {2 * PAIRS // PER_ACTOR} actors, {THREADS} threads: ray "
        f"{spread:,.0f} calls/s, in-process {base:,.0f} calls/s (ratio {spread / base:.3f})"
    )
    ray.shutdown()
