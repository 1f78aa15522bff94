"""WIT parse+resolve throughput over the wit-parser corpus's passing cases.

witlink's `linker.wit.load` against a baseline measured in the same run: the
`wasm-tools component wit --json` CLI on the same cases, one process per case
(so its figure includes process spawn). Throughput is total WIT bytes of the
cases divided by the median time of a full pass over them (KB = 1000 bytes),
both wall-clock and CPU time (this process plus its children: on a shared,
busy machine CPU time is the steadier figure). Cases with `.wat`/`.wasm` files
are left out: loading those runs wasm-tools.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's `linker`, not an installed one

import linker.wit  # noqa: E402
from linker.tools import run_wasm_tools  # noqa: E402

SHARED = Path(os.environ.get("WITLINK_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "conformance" / "wit-parser-ui"
EMPTY_RECORD_CASES = {"types.wit", "use-chain.wit", "union-fuzz-2.wit", "multi-file"}
"""Passing corpus cases that wasm-tools 1.262 rejects (see the corpus's SOURCE.md)."""
WITLINK_PASSES = 15
BASELINE_PASSES = 3
GOAL_BYTES_PER_SECOND = 1_000_000


def corpus_cases() -> list[Path]:
    """The passing cases (a `.wit` file or a directory) made of WIT text only."""
    cases = []
    for expected in sorted(CORPUS.glob("*.wit.json")):
        stem = expected.name.removesuffix(".wit.json")
        case = CORPUS / stem if (CORPUS / stem).is_dir() else CORPUS / f"{stem}.wit"
        if case.exists() and not any(wit_files(case, suffixes=(".wat", ".wasm"))):
            cases.append(case)
    return cases


def wit_files(case: Path, suffixes: tuple[str, ...] = (".wit",)) -> list[Path]:
    files = [case] if case.is_file() else sorted(case.rglob("*"))
    return [f for f in files if f.is_file() and f.suffix in suffixes]


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def median_pass(
    run_case: Callable[[Path], object], cases: list[Path], passes: int
) -> tuple[float, float]:
    """Median wall and CPU seconds of `passes` full passes of `run_case` over `cases`."""
    walls, cpus = [], []
    for _ in range(passes):
        wall, cpu = time.perf_counter(), cpu_seconds()
        for case in cases:
            run_case(case)
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def load_case(case: Path) -> object:
    return linker.wit.load(case, features=("active",))


def wasm_tools_case(case: Path) -> object:
    return run_wasm_tools("component", "wit", "--json", "--features", "active", str(case))


def kb_per_second(size: int, seconds: float) -> float:
    return size / seconds / 1000


def main() -> None:
    if not CORPUS.is_dir():
        raise SystemExit(f"the wit-parser corpus is missing: expected it at {CORPUS}")
    cases = corpus_cases()
    shared = [c for c in cases if c.name not in EMPTY_RECORD_CASES]
    size_all = sum(f.stat().st_size for c in cases for f in wit_files(c))
    size_shared = sum(f.stat().st_size for c in shared for f in wit_files(c))

    for case in cases:  # warm up (imports, grammar construction) and check every case loads
        load_case(case)
    witlink_all = median_pass(load_case, cases, WITLINK_PASSES)
    witlink_shared = median_pass(load_case, shared, WITLINK_PASSES)
    baseline = median_pass(wasm_tools_case, shared, BASELINE_PASSES)

    print(
        f"WIT parse+resolve over the wit-parser corpus: {len(cases)} passing cases of WIT text"
        f" ({size_all / 1000:.1f} KB; cases with .wat/.wasm files left out), median pass time"
    )
    rows = [
        (f"witlink load, all {len(cases)} cases", witlink_all, size_all),
        (f"witlink load, the {len(shared)} wasm-tools accepts", witlink_shared, size_shared),
        (f"wasm-tools CLI, same {len(shared)} (spawn included)", baseline, size_shared),
    ]
    print(f"  {'':42} {'wall':>9}     {'wall':>9}        {'CPU':>9}     {'CPU':>9}")
    for label, (wall, cpu), size in rows:
        print(
            f"  {label:42} {wall * 1000:9.1f} ms  {kb_per_second(size, wall):9.1f} KB/s"
            f"  {cpu * 1000:9.1f} ms  {kb_per_second(size, cpu):9.1f} KB/s"
        )
    for clock, index in (("wall", 0), ("CPU", 1)):
        ratio = baseline[index] / witlink_shared[index]
        print(
            f"  ratio witlink / wasm-tools CLI (`component wit --json`, one process per case),"
            f" {clock} time: {ratio:.2f}x"
        )
    for clock, index in (("wall", 0), ("CPU", 1)):
        rate = size_all / witlink_all[index]
        verdict = "met" if rate >= GOAL_BYTES_PER_SECOND else "NOT met"
        print(f"  goal >= 1 MB/s over all cases, {clock} time: {verdict} ({rate / 1e6:.2f} MB/s)")


if __name__ == "__main__":
    main()
