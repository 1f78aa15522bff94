"""Planning time for synthetic extension sets (3 imports each, random DAG).

Extensions are built in memory (as decoding real components would leave them),
then `plan_extensions` is timed: matching with semver tracks and structural
type checks, cycle detection, ordering, and the function-reference registry,
up to the `Plan` object (the library API's result). Prints medians per size and
the 10k/1k ratio (goal: 10,000 under 1 s, ratio <= 12). Writing the plan as
JSON (`Plan.to_json`, which `witlink link` does next) is timed separately.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linker.plan import plan_extensions, synthetic
from linker.plan.hostworld import host_world
from linker.plan.inputs import Extension

SIZES = (100, 1_000, 10_000)
ROUNDS = 7
"""Each round times every size once (interleaved, so load changes hit all sizes alike)."""


def extensions(count: int, seed: int = 1) -> list[Extension]:
    """`count` extensions, each importing the libs of 3 random earlier ones.

    They are made in id order, as `witlink link` loads them (sorted), and handed
    to the planner shuffled.
    """
    rng = random.Random(seed)
    ids = [f"e{i:05d}" for i in range(count)]
    edges = {ext_id: rng.sample(ids[:index], min(3, index)) for index, ext_id in enumerate(ids)}
    exts = synthetic.graph(edges)
    rng.shuffle(exts)
    return exts


def timed(exts: list[Extension]) -> tuple[float, float, float]:
    """Wall-clock and CPU seconds of planning `exts` once, and CPU seconds of its JSON."""
    gc.collect()  # start each run from a collected heap, whatever ran before
    start, start_cpu = time.perf_counter(), time.process_time()
    plan = plan_extensions(exts)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    assert len(plan.order) == len(exts) and len(plan.bindings) == 3 * len(exts) - 6
    gc.collect()
    start_cpu = time.process_time()
    plan.to_json(Path.cwd())
    return wall, cpu, time.process_time() - start_cpu


def main() -> None:
    host_world()  # decoded once per process, outside the timed planning
    sets = {count: extensions(count) for count in SIZES}
    samples: dict[int, list[tuple[float, float, float]]] = {count: [] for count in SIZES}
    for _ in range(ROUNDS):
        for count in SIZES:
            samples[count].append(timed(sets[count]))
    wall = {c: statistics.median(s[0] for s in samples[c]) for c in SIZES}
    cpu = {c: statistics.median(s[1] for s in samples[c]) for c in SIZES}
    json_cpu = {c: statistics.median(s[2] for s in samples[c]) for c in SIZES}
    for count in SIZES:
        print(
            f"plan {count:>6} extensions: median {wall[count] * 1000:8.1f} ms wall, "
            f"{cpu[count] * 1000:8.1f} ms CPU ({ROUNDS} runs); "
            f"plan.json {json_cpu[count] * 1000:8.1f} ms CPU"
        )
    print(
        f"10k/1k ratio: {wall[10_000] / wall[1_000]:.1f} wall, {cpu[10_000] / cpu[1_000]:.1f} CPU "
        "(linear would be 10; goal <= 12)"
    )
    print(
        f"10k under 1 s: {'yes' if wall[10_000] < 1.0 else 'NO'} (wall), "
        f"{'yes' if cpu[10_000] < 1.0 else 'NO'} (CPU, which excludes waiting for other processes)"
    )


if __name__ == "__main__":
    main()
