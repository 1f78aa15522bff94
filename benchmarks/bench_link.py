"""Planning time for synthetic extension sets (3 imports each, random DAG).

Extensions are built in memory (as decoding real components would leave them),
then `plan_extensions` is timed: matching with semver tracks and structural
type checks, cycle detection, ordering, and the function-reference registry.
Prints medians per size and the 10k/1k ratio (goal: 10,000 under 1 s, ratio <= 12).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linker.plan import plan_extensions, synthetic
from linker.plan.hostworld import host_world
from linker.plan.inputs import Extension

SIZES = {100: 15, 1_000: 7, 10_000: 5}
"""Extensions in the set -> how many timed runs."""


def extensions(count: int, seed: int = 1) -> list[Extension]:
    rng = random.Random(seed)
    ids = [f"e{i:05d}" for i in range(count)]
    edges = {ext_id: rng.sample(ids[:index], min(3, index)) for index, ext_id in enumerate(ids)}
    shuffled = list(edges.items())
    rng.shuffle(shuffled)
    return synthetic.graph(dict(shuffled))


def medians(count: int, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of planning `count` extensions."""
    exts = extensions(count)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        plan = plan_extensions(exts)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert len(plan.order) == count and len(plan.bindings) == 3 * count - 6
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    host_world()  # decoded once per process, outside the timed planning
    wall, cpu = {}, {}
    for count, runs in SIZES.items():
        wall[count], cpu[count] = medians(count, runs)
        print(
            f"plan {count:>6} extensions: median {wall[count] * 1000:8.1f} ms wall, "
            f"{cpu[count] * 1000:8.1f} ms CPU ({runs} runs)"
        )
    print(
        f"10k/1k ratio: {wall[10_000] / wall[1_000]:.1f} wall, {cpu[10_000] / cpu[1_000]:.1f} CPU "
        "(linear would be 10; goal <= 12)"
    )
    print(
        f"10k under 1 s: {'yes' if wall[10_000] < 1.0 else 'NO'} (wall), "
        f"{'yes' if cpu[10_000] < 1.0 else 'NO'} (CPU; other load on the machine excluded)"
    )


if __name__ == "__main__":
    main()
