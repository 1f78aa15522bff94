"""Child process of the crash test: runs the counter job, appending each step to a file.

`python job_child.py COMPONENT DATA_DIR CACHE_DIR STEPS_FILE STEPS`; the test kills it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TextIO

from linker.host import Host
from tests.support.jobkit import Counter, counter_plan


def main(argv: list[str]) -> int:
    wasm, data_dir, cache_dir, steps_file, steps = argv
    with open(steps_file, "a", buffering=1) as out:
        run(wasm, data_dir, cache_dir, out, int(steps))
    return 0


def run(wasm: str, data_dir: str, cache_dir: str, out: TextIO, steps: int) -> None:
    def record(step: int) -> None:
        out.write(f"{step}\n")
        out.flush()
        os.fsync(out.fileno())
        time.sleep(0.05)

    counter = Counter(steps=steps, on_step=record)
    with Host(
        counter_plan(Path(wasm)),
        operations=counter.operations(),
        cache_dir=Path(cache_dir),
        data_dir=Path(data_dir),
    ) as host:
        host.run_job("counter", "count")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
