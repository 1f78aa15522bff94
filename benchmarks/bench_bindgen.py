"""Per-call cost of generated typed wrappers against wasmtime-py's untyped API.

The guest is `test-components/bindgen-bench`, a WAT component whose exports
return their argument without work, so the times are the host's: lowering and
lifting values. The baseline is a hand-written call through wasmtime-py
(`Func.__call__` then `post_return`) with values already in wasmtime-py's
untyped form; the typed path checks and converts the generated classes on top.
Prints the median CPU time per call of each and their ratio (goal: at most 1.2).
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

import wasmtime
from wasmtime.component import Linker, Record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "test-components"))

import componentbuild  # noqa: E402
from wasmcache import compiled  # noqa: E402

from bindgen import generate  # noqa: E402
from linker.wit import load as load_wit  # noqa: E402

ROUNDS = 31
FIELDS = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": -6, "g": 7.5, "h": True, "i": 9, "j": -10}


def _per_call(call: Callable[[], Any], calls: int) -> float:
    """CPU seconds per call: other work on a shared machine does not count."""
    start = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - start) / calls


def _compare(typed: Callable[[], Any], untyped: Callable[[], Any], calls: int) -> tuple[float, ...]:
    """Median per-call times over interleaved rounds (the machine is shared and noisy)."""
    typed_times, untyped_times = [], []
    _per_call(typed, max(1, calls // 5))
    _per_call(untyped, max(1, calls // 5))
    for _ in range(ROUNDS):
        untyped_times.append(_per_call(untyped, calls))
        typed_times.append(_per_call(typed, calls))
    t, u = statistics.median(typed_times), statistics.median(untyped_times)
    return t, u, t / u


def main() -> None:
    wasm = componentbuild.component("bindgen-bench")
    out = Path(tempfile.mkdtemp(prefix="witlink-bench-"))
    wit = ROOT / "test-components" / "bindgen-bench" / "wit"
    for relative, text in generate(load_wit(wit), "bindgen-bench").items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text)
    sys.path.insert(0, str(out))
    types = importlib.import_module("bindgen_bench.types")
    exports_module = importlib.import_module("bindgen_bench.exports")

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    instance = Linker(engine).instantiate(store, compiled(engine, wasm))
    typed = exports_module.Exports(instance, store)

    def untyped_func(name: str) -> Callable[..., Any]:
        func = instance.get_func(store, name)
        assert func is not None

        def call(*args: Any) -> Any:
            result = func(store, *args)
            func.post_return(store)
            return result

        return call

    raw_record = Record()
    for name, value in FIELDS.items():
        setattr(raw_record, name, value)
    raw_records = [raw_record] * 1000
    record = types.Rec(**FIELDS)
    records = [record] * 1000
    scalar_raw, one_raw, many_raw = (untyped_func(n) for n in ("scalar", "one-record", "records"))
    assert typed.records(records) == records and many_raw(raw_records) == raw_records

    cases = [
        ("scalar u32", lambda: typed.scalar(7), lambda: scalar_raw(7), 1000),
        ("record of 10 fields", lambda: typed.one_record(record), lambda: one_raw(raw_record), 100),
        ("list of 1,000 records", lambda: typed.records(records), lambda: many_raw(raw_records), 1),
    ]
    print(f"{'case':<24}{'typed':>12}{'untyped':>12}{'ratio':>8}")
    for label, typed_call, untyped_call, calls in cases:
        t, u, ratio = _compare(typed_call, untyped_call, calls)
        print(f"{label:<24}{t * 1e6:>10.1f}us{u * 1e6:>10.1f}us{ratio:>8.3f}")
    print(f"goal: typed/untyped ratio at most 1.2 (medians of {ROUNDS} interleaved rounds)")


if __name__ == "__main__":
    main()
