"""Runtime host benchmarks: ratios against baselines measured in the same run (medians).

1. cross-extension call: time one call adds (consumer export calling the provider's `add`,
   minus the same export doing the work itself) / one stock wasmtime-py call of `add`
   (`Func.__call__` + `post_return`). Required <= 1.0, aim 0.5.
2. host operation round trip (`call` with a small JSON payload, checks on) / the same guest
   export against a plain wasmtime-py host function doing the same JSON work. Required <= 1.3.
3. warm load (cache hit) of a componentize-py extension: <= 150 ms and >= 30x faster than
   its cold compile.
4. load and instantiate 1,000 small WAT extensions (a binary tree of lib dependencies):
   time and peak memory per extension.
"""

from __future__ import annotations

import hashlib
import json
import resource
import statistics
import subprocess
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
from wasmtime import Store, WasiConfig  # noqa: E402
from wasmtime.component import Component, Linker  # noqa: E402

from linker.host import Host, Operations  # noqa: E402
from linker.host.cache import CompileCache  # noqa: E402
from linker.host.engine import make_engine  # noqa: E402
from linker.plan.model import Plan  # noqa: E402

CALC = hostkit.CALC


def per_call(fn: Callable[[], Any], n: int, rounds: int = 9) -> float:
    """Median over `rounds` of the mean CPU time of one call, in microseconds.

    CPU time (not wall time) keeps other processes on a shared machine out of the figure.
    """
    return interleaved([fn], n, rounds)[0]


def interleaved(fns: list[Callable[[], Any]], n: int, rounds: int = 9) -> list[float]:
    """`per_call` for several functions, measured in alternation so drift hits all alike."""
    return [statistics.median(bucket) for bucket in rounds_of(fns, n, rounds)]


def rounds_of(fns: list[Callable[[], Any]], n: int, rounds: int) -> list[list[float]]:
    """Per function, the mean CPU time of one call in each round (us), functions alternating."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, bucket in zip(fns, times, strict=True):
            start = time.process_time()
            for _ in range(n):
                fn()
            bucket.append((time.process_time() - start) / n * 1e6)
    return times


def stock_add(engine: Any, wasm: Path) -> Callable[[], None]:
    """One stock wasmtime-py call of calc's `add` (`Func.__call__` + `post_return`)."""
    store = Store(engine)
    store.set_epoch_deadline(1 << 40)
    instance = Linker(engine).instantiate(store, Component(engine, wasm.read_bytes()))
    add = instance.get_func(
        store, instance.get_export_index(store, "add", instance.get_export_index(store, CALC))
    )

    def stock() -> None:
        add(store, 2, 3)
        add.post_return(store)

    return stock


def cross_call(cache: Path) -> float:
    plan = hostkit.calc_plan(componentbuild.component)
    with Host.from_plan(plan, cache_dir=cache) as host:
        t_stock, t_via, t_local = interleaved(
            [
                stock_add(host.engine, plan.extension("calc").component),
                lambda: host.call("app", "add-via-lib", 2, 3),
                lambda: host.call("app", "add-local", 2, 3),
            ],
            n=5000,
            rounds=15,
        )
    added = t_via - t_local
    print(f"  stock Func.__call__ + post_return of `add`:  {t_stock:7.2f} us")
    print(f"  host.call consumer export with the call:     {t_via:7.2f} us")
    print(f"  host.call consumer export without it:        {t_local:7.2f} us")
    print(f"  added by one cross-extension call:           {added:7.2f} us")
    ratio = added / t_stock
    print(
        f"  ratio 1 (added / stock direct call):         {ratio:7.2f}   (required <= 1.0, aim 0.5)"
    )
    return ratio


def plain_op_baseline(engine: Any, wasm: Path) -> Callable[[], Any]:
    """py-ext in a hand-written wasmtime-py host: `call` does the same JSON work."""
    component = Component(engine, wasm.read_bytes())
    linker = Linker(engine)
    linker.add_wasip2()
    with linker.root() as root:
        with root.add_instance(CALC) as calc:
            calc.add_func("add", lambda _s, a, b: a + b)
            for name in ("div", "spin", "bomb", "recurse"):
                calc.add_func(name, lambda _s, *a: 0)
        with root.add_instance("witlink:host/types@0.1.0"):
            pass
        with root.add_instance("witlink:host/host@0.1.0") as host_iface:
            host_iface.add_func(
                "call", lambda _s, method, lib, payload: json.dumps(json.loads(payload))
            )
            host_iface.add_func("log", lambda _s, level, message: None)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    store.set_epoch_deadline(1 << 40)
    instance = linker.instantiate(store, component)
    op = instance.get_func(store, "op")

    def call() -> Any:
        result = op(store, "echo", None, '{"a": 1}')
        op.post_return(store)
        return result

    return call


def operation(cache: Path) -> float:
    ops = Operations()
    ops.add("echo", lambda ctx, payload: payload)
    plan = hostkit.full_plan(componentbuild.component)
    with Host.from_plan(plan, operations=ops, cache_dir=cache) as host:
        plain = plain_op_baseline(host.engine, plan.extension("py-ext").component)
        assert plain() == host.call("py-ext", "op", "echo", None, '{"a": 1}') == '{"a": 1}'
        t_plain, t_host = interleaved(
            [plain, lambda: host.call("py-ext", "op", "echo", None, '{"a": 1}')], n=1000
        )
    print(f"  plain wasmtime-py host function:             {t_plain:7.2f} us")
    print(f"  witlink host operation (checks on):          {t_host:7.2f} us")
    ratio = t_host / t_plain
    print(f"  ratio 2 (witlink / plain):                   {ratio:7.2f}   (required <= 1.3)")
    return ratio


def warm_load() -> tuple[float, float]:
    """Wall time of what `Host` does per extension: read, hash, then compile or cache hit."""
    path = componentbuild.component("host-py-ext")
    engine = make_engine()

    def load(cache: CompileCache) -> float:
        start = time.perf_counter()
        wasm = path.read_bytes()
        cache.load("py-ext", wasm, hashlib.sha256(wasm).hexdigest())
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        cache = CompileCache(engine, Path(tmp))
        cold = load(cache)
        warm = statistics.median(load(cache) for _ in range(7))
    print(f"  componentize-py extension: {path.stat().st_size / 1e6:.1f} MB")
    print(f"  cold compile:                                {cold * 1e3:7.0f} ms")
    print(
        f"  warm load (cache hit):                       {warm * 1e3:7.0f} ms   (required <= 150)"
    )
    print(f"  ratio 3 (cold / warm):                       {cold / warm:7.0f} x  (required >= 30)")
    return warm, cold / warm


def thousand(cache: Path, count: int = 1000) -> None:
    calc = hostkit.planned("calc", componentbuild.component("host-calc-provider"), exports=[CALC])
    relay_wasm = componentbuild.component("host-calc-relay")
    exts, bindings, functions = [calc], [], []
    ids = ["calc"] + [f"r{i}" for i in range(1, count)]
    for i in range(1, count):
        provider = ids[(i - 1) // 2]
        exts.append(hostkit.planned(ids[i], relay_wasm, [(CALC, provider)], exports=[CALC]))
        binding, refs = hostkit.wire(ids[i], CALC, provider, hostkit.CALC_FUNCS)
        bindings.append(binding)
        functions.extend(refs)
    plan = Plan(tuple(exts), tuple(ids), tuple(bindings), tuple(functions))
    small = Plan(tuple(exts[:2]), tuple(ids[:2]), tuple(bindings[:1]), tuple(functions[:5]))
    with Host.from_plan(small, cache_dir=cache):  # compile both components once
        pass
    before = resident_kib()
    start = time.perf_counter()
    host = Host.from_plan(plan, cache_dir=cache)
    elapsed = time.perf_counter() - start
    after = resident_kib()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    deepest = ids[-1]
    assert host.call(deepest, f"{CALC}#add", 20, 22) == 42  # through a chain of ~10 relays
    host.close()
    print(f"  {count} extensions loaded and instantiated:   {elapsed:7.2f} s")
    print(f"  per extension:                               {elapsed / count * 1e3:7.2f} ms")
    print(f"  resident memory per extension:               {(after - before) / count:7.1f} KiB")
    print(f"  process peak RSS (all {count} live):          {peak / 1024:7.1f} MiB")


def resident_kib() -> float:
    """The process's resident memory now (Linux), in KiB."""
    fields = Path("/proc/self/statm").read_text().split()
    return int(fields[1]) * resource.getpagesize() / 1024


def main() -> None:
    print("host benchmarks (medians; ratios against baselines measured in this run)")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        print("1. cross-extension call")
        cross_call(cache)
        print("2. host operation round trip")
        operation(cache)
        print("3. warm load of a componentize-py extension")
        warm_load()
        print("4. 1,000 small WAT extensions in a tree (in a fresh process, for its peak memory)")
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, "--thousand", str(cache)], check=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--thousand"]:
        thousand(Path(sys.argv[2]))
    else:
        main()
