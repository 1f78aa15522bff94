"""A typed client call through the host / a `Host.call` of the same function (goal <= 1.2).

The extensions are `test-components/client-wat` (WAT, `acme:shapes/lib@1.0.0`) and, for a
resource method, `dp-counted-provider` (WAT, `[method]thing.id` on a client's `Thing` /
on a `Handle`), so the times are the host's: both paths take the extension's lock, arm the
deadline, count metrics and convert values; the client also checks and converts the
generated classes (`witlink bindgen plan.json`, bound with `host.bind`). `Host.call` gets
values already in wasmtime-py's untyped form. Medians of CPU time per call over interleaved rounds.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wasmtime.component import Record

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "test-components")]

import componentbuild  # noqa: E402
import hostkit  # noqa: E402

from linker.cli import main as cli  # noqa: E402
from linker.host import Host  # noqa: E402
from linker.plan.model import Plan  # noqa: E402

ROUNDS = 21
CALLS = 3000
LIB = "acme:shapes/lib@1.0.0"
COUNTED = "acme:counted/lib@0.1.0"


def _per_call(call: Callable[[], Any]) -> float:
    start = time.process_time()
    for _ in range(CALLS):
        call()
    return (time.process_time() - start) / CALLS


def _compare(typed: Callable[[], Any], dynamic: Callable[[], Any]) -> tuple[float, float]:
    typed_times, dynamic_times = [], []
    _per_call(typed)  # warm up
    _per_call(dynamic)
    for _ in range(ROUNDS):
        dynamic_times.append(_per_call(dynamic))
        typed_times.append(_per_call(typed))
    return statistics.median(typed_times), statistics.median(dynamic_times)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="witlink-bench-clients-"))
    ext = hostkit.planned("shapes", componentbuild.component("client-wat"), exports=[LIB])
    wasm = componentbuild.component("dp-counted-provider")
    counted = hostkit.planned("counted", wasm, exports=[COUNTED])
    plan = work / "plan.json"
    Plan((ext, counted), ("shapes", "counted"), (), ()).save(plan)
    if cli(["bindgen", str(plan), "-o", str(work / "bindings")]) != 0:
        raise SystemExit("bindgen failed")
    sys.path.insert(0, str(work / "bindings"))
    types = importlib.import_module("shapes.types")
    exports = importlib.import_module("shapes.exports")
    counted_exports = importlib.import_module("counted.exports")

    with Host.from_plan(plan, cache_dir=work / "cache") as host:
        lib = host.bind("shapes", exports.Exports).lib
        raw_point = Record()
        raw_point.x, raw_point.y = 1, 2
        point = types.Point(1, 2)
        blue = types.Color.BLUE
        thing = host.bind("counted", counted_exports.Exports).lib.new_thing()
        handle = host.call("counted", f"{COUNTED}#[constructor]thing")
        cases = [
            (
                "half(u32) -> option",
                lambda: lib.half(8),
                lambda: host.call("shapes", f"{LIB}#half", 8),
            ),
            (
                "next(enum) -> enum",
                lambda: lib.next(blue),
                lambda: host.call("shapes", f"{LIB}#next", "blue"),
            ),
            (
                "shift(record, s32)",
                lambda: lib.shift(point, 3),
                lambda: host.call("shapes", f"{LIB}#shift", raw_point, 3),
            ),
            (
                "thing.id() (resource)",
                thing.id,
                lambda: host.call("counted", f"{COUNTED}#[method]thing.id", handle),
            ),
        ]
        print(f"{'case':<24}{'client':>12}{'Host.call':>12}{'ratio':>8}")
        for label, typed, dynamic in cases:
            t, d = _compare(typed, dynamic)
            print(f"{label:<24}{t * 1e6:>10.2f}us{d * 1e6:>10.2f}us{t / d:>8.3f}")
    print(f"goal: client/Host.call at most 1.2 (medians of {ROUNDS} interleaved rounds of {CALLS})")


if __name__ == "__main__":
    main()
