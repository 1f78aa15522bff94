"""Value conversion host to guest: ratios of medians against stock wasmtime-py, one run.

1. `Host.call` of `count(items: list<item>) -> u32` with 1,000 `item { id, score, tag: u32 }`
   / the same call through stock wasmtime-py (`Func.__call__` + `post_return`, its `Record`
   values). Goal <= 0.1.
2. The same for `echo-items` (the list comes back too, so lifting is measured as well).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "test-components")]

import componentbuild  # noqa: E402
import hostkit  # noqa: E402
from wasmtime import Store  # noqa: E402
from wasmtime.component import Component, Linker, Record  # noqa: E402

from linker.host import Host  # noqa: E402
from linker.plan.model import Plan  # noqa: E402

COUNT = 1000


def interleaved(fns: list[Callable[[], Any]], n: int, rounds: int) -> list[float]:
    """Median over `rounds` of the mean CPU time of one call (us), alternating the functions."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, bucket in zip(fns, times, strict=True):
            start = time.process_time()
            for _ in range(n):
                fn()
            bucket.append((time.process_time() - start) / n * 1e6)
    return [statistics.median(bucket) for bucket in times]


def records(cache: Path) -> list[float]:
    bench = hostkit.planned("bench", componentbuild.component("values-bench"))
    with Host.from_plan(Plan((bench,), ("bench",), (), ()), cache_dir=cache) as host:
        store = Store(host._settings.engine)
        store.set_epoch_deadline(1 << 40)
        component = Component(host._settings.engine, bench.component.read_bytes())
        instance = Linker(host._settings.engine).instantiate(store, component)
        items = [{"id": i, "score": 2 * i, "tag": i % 7} for i in range(COUNT)]
        stock_items = []
        for item in items:
            record = Record()
            record.id, record.score, record.tag = item["id"], item["score"], item["tag"]
            stock_items.append(record)
        ratios = []
        for name in ("count", "echo-items"):
            func = instance.get_func(store, name)
            assert func is not None

            def stock(func: Any = func) -> Any:
                result = func(store, stock_items)
                func.post_return(store)
                return result

            def witlink(name: str = name) -> Any:
                return host.call("bench", name, items)

            expected = COUNT if name == "count" else items
            assert witlink() == expected
            t_stock, t_witlink = interleaved([stock, witlink], n=3, rounds=9)
            ratio = t_witlink / t_stock
            print(f"  {name}: {COUNT} records")
            print(f"    stock Func.__call__ + post_return:          {t_stock:9.0f} us")
            print(f"    Host.call:                                  {t_witlink:9.0f} us")
            print(f"    ratio (Host.call / stock):                  {ratio:9.3f}   (goal <= 0.1)")
            ratios.append(ratio)
    return ratios


def main() -> None:
    print("value conversion host to guest (medians of CPU time; baselines measured in this run)")
    with tempfile.TemporaryDirectory() as tmp:
        records(Path(tmp))


if __name__ == "__main__":
    main()
