"""Composed mode: the cost of a cross-extension call inside a composite.

A consumer export calling the provider's `add` once, minus the same export doing the work
itself, divided by one stock wasmtime-py call of `add` (`Func.__call__` + `post_return`):
goal <= 0.05 composed, next to the same ratio for the dynamically linked extension (the
host's forwarder), all measured in alternation in this run. The added time is the median
over rounds of each round's difference, so drift between rounds cancels out (CPU time).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_host import componentbuild, hostkit, rounds_of, stock_add  # noqa: E402

from linker.compose import composed_plan  # noqa: E402
from linker.host import Host  # noqa: E402


def added(via: list[float], local: list[float]) -> float:
    """The median over rounds of what the call adds in that round."""
    return statistics.median(v - w for v, w in zip(via, local, strict=True))


def main() -> None:
    print("composed mode (medians; ratios against a stock call measured in this run)")
    plan = hostkit.calc_plan(componentbuild.component)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        composed = composed_plan(plan, ["app"], cache / "composed")
        with (
            Host(plan, cache_dir=cache) as dynamic,
            Host(composed, cache_dir=cache) as fused,
        ):
            stock, d_via, d_local, c_via, c_local = rounds_of(
                [
                    stock_add(dynamic.engine, plan.extension("calc").component),
                    lambda: dynamic.call("app", "add-via-lib", 2, 3),
                    lambda: dynamic.call("app", "add-local", 2, 3),
                    lambda: fused.call("app", "add-via-lib", 2, 3),
                    lambda: fused.call("app", "add-local", 2, 3),
                ],
                n=3000,
                rounds=31,
            )
    t_stock = statistics.median(stock)
    d_added, c_added = added(d_via, d_local), added(c_via, c_local)
    print(f"  stock Func.__call__ + post_return of `add`:  {t_stock:7.2f} us")
    print(f"  host.call of the export without the call:    {statistics.median(d_local):7.2f} us")
    print(f"  added by the call, dynamic (forwarder):      {d_added:7.2f} us")
    print(f"  added by the call, composed:                 {c_added:7.2f} us")
    print(f"  dynamic ratio (added / stock direct call):   {d_added / t_stock:7.3f}")
    ratio = c_added / t_stock
    print(f"  composed ratio (added / stock direct call):  {ratio:7.3f}   (goal <= 0.05)")


if __name__ == "__main__":
    main()
