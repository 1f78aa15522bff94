"""Runtime host benchmarks: ratios against baselines measured in the same run (medians).

1. cross-extension call: time one call adds (consumer export calling the provider's `add`,
   minus the same export doing the work itself) / one stock wasmtime-py call of `add`
   (`Func.__call__` + `post_return`). Required <= 1.0, aim 0.5.
2. host operation round trip (`call` with a small JSON payload, checks on) / the same guest
   export against a plain wasmtime-py host function doing the same JSON work. Goal <= 0.5.
3. warm load (cache hit) of a componentize-py extension: <= 150 ms and >= 30x faster than
   its cold compile.
4. load and instantiate 1,000 small WAT extensions (a binary tree of lib dependencies):
   time and peak memory per extension.
5. rich cross-extension calls against the floor: what passing a 100-item
   `list<record{3 x u32}>` and a 100 KB string adds to a WAT consumer's call of a WAT
   provider, divided by what the same call adds when forwarded by a bare ctypes callback
   handing the consumer's argument array unchanged to the provider's
   `wasmtime_component_func_call` and its results straight back. Goal <= 1.25 each.
   Also the scalar cross call (`add`) against a stock direct call: goal <= 0.25.
6. a resource method call across extensions (`[method]tally.add`) / a plain function
   cross call of the same shape without `self` (`count`), from a WAT consumer to a WAT
   provider (so the figure is witlink's cost, not the provider's), as time added over the
   consumer's call of a function doing neither. Goal <= 1.5. The same for a componentize-py
   provider (`[method]index.add`), whose own method dispatch dominates, labelled as such.

`python benchmarks/bench_host.py --dataplane` runs the data-plane measures (1, 5, 6) only;
`--operation` runs the host operation round trip (2) only.
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

import ctypes  # noqa: E402

import attrs  # noqa: E402
import componentbuild  # noqa: E402
import hostkit  # noqa: E402
from wasmtime import Store, WasiConfig, _bindings  # noqa: E402
from wasmtime import _ffi as ffi  # noqa: E402
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
                stock_add(host._settings.engine, plan.extension("calc").component),
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


BENCH = "acme:bench/lib@0.1.0"
BENCH_FUNCS = ("add", "sum", "size")
RICH_CALLS = [
    ("add (scalar)", "add-via-lib", "add-local", (2, 3)),
    ("100 records", "sum-via-lib", "sum-local", (100,)),
    ("100 KB string", "size-via-lib", "size-local", (100_000,)),
]


def bench_plan() -> Plan:
    provider = hostkit.planned(
        "bprov", componentbuild.component("dp-wat-provider"), exports=[BENCH]
    )
    consumer = hostkit.planned(
        "bcons", componentbuild.component("dp-wat-consumer"), [(BENCH, "bprov")]
    )
    binding, refs = hostkit.wire("bcons", BENCH, "bprov", BENCH_FUNCS)
    return Plan((provider, consumer), ("bprov", "bcons"), (binding,), tuple(refs))


def bare_forwarding(engine: Any, plan: Plan) -> tuple[Callable[..., Any], list[object]]:
    """The floor: the consumer's imports are ctypes callbacks that hand its argument array
    unchanged to the provider's `wasmtime_component_func_call` and its results straight
    back. Returns a stock caller of the consumer's exports (and what must stay alive)."""
    provider = Component(engine, plan.extension("bprov").component.read_bytes())
    consumer = Component(engine, plan.extension("bcons").component.read_bytes())
    p_store = Store(engine)
    p_store.set_epoch_deadline(1 << 40)
    p_instance = Linker(engine).instantiate(p_store, provider)
    iface = p_instance.get_export_index(p_store, BENCH)
    context = p_store._context()
    func_call = _bindings._wasmtime_component_func_call
    keep: list[object] = []
    linker = Linker(engine)
    with linker.root() as root, root.add_instance(BENCH) as instance:
        for name in BENCH_FUNCS:
            func = p_instance.get_func(p_store, p_instance.get_export_index(p_store, name, iface))
            assert func is not None
            fref = ctypes.byref(func._func)

            def forward(
                _data: Any,
                _ctx: Any,
                _ty: Any,
                args: Any,
                n: int,
                results: Any,
                m: int,
                fref: Any = fref,
            ) -> Any:
                err = func_call(fref, context, args, n, results, m)
                return ctypes.cast(err, ctypes.c_void_p).value if err else 0

            callback = ffi.wasmtime_component_func_callback_t(forward)
            encoded = name.encode()
            err = ffi.wasmtime_component_linker_instance_add_func(
                instance.ptr(),
                ctypes.create_string_buffer(encoded),
                len(encoded),
                callback,
                None,
                ctypes.CFUNCTYPE(None, ctypes.c_void_p)(0),
            )
            assert not err
            keep += [func, callback]
    c_store = Store(engine)
    c_store.set_epoch_deadline(1 << 40)
    c_instance = linker.instantiate(c_store, consumer)
    keep += [linker, p_store, p_instance, c_instance]

    def call(name: str, *args: Any) -> Any:
        func = c_instance.get_func(c_store, name)
        assert func is not None
        result = func(c_store, *args)
        func.post_return(c_store)
        return result

    return call, keep


def rich_calls(cache: Path) -> list[float]:
    plan = bench_plan()
    ratios = []
    with Host.from_plan(plan, cache_dir=cache) as host:
        bare, _keep = bare_forwarding(host._settings.engine, plan)
        provider = Component(host._settings.engine, plan.extension("bprov").component.read_bytes())
        store = Store(host._settings.engine)
        store.set_epoch_deadline(1 << 40)
        p_instance = Linker(host._settings.engine).instantiate(store, provider)
        add = p_instance.get_func(
            store,
            p_instance.get_export_index(store, "add", p_instance.get_export_index(store, BENCH)),
        )
        assert add is not None

        def stock() -> None:
            add(store, 2, 3)
            add.post_return(store)

        for label, via, local, args in RICH_CALLS:
            assert host.call("bcons", via, *args) == bare(via, *args)
            # Exports are resolved once here, so the consumer calls cost the same on both sides.
            funcs = {n: bare_export(bare, n, args) for n in (via, local)}
            times = interleaved(
                [
                    lambda v=via, a=args: host.call("bcons", v, *a),
                    lambda lo=local, a=args: host.call("bcons", lo, *a),
                    funcs[via],
                    funcs[local],
                    stock,
                ],
                n=2000 if label.startswith("add") else 300,
                rounds=11,
            )
            t_via, t_local, b_via, b_local, t_stock = times
            added, floor = t_via - t_local, b_via - b_local
            ratio = added / floor
            print(f"  {label}: witlink adds {added:8.2f} us, the bare callback {floor:8.2f} us")
            print(f"    ratio (witlink / bare callback):           {ratio:7.2f}   (goal <= 1.25)")
            if label.startswith("add"):
                print(
                    f"    stock direct call {t_stock:6.2f} us; ratio (added / stock): "
                    f"{added / t_stock:5.2f}   (goal <= 0.25; the bare callback: "
                    f"{floor / t_stock:4.2f})"
                )
            ratios.append(ratio)
    return ratios


def bare_export(call: Callable[..., Any], name: str, args: tuple[Any, ...]) -> Callable[[], Any]:
    return lambda: call(name, *args)


@attrs.frozen
class ResourcePair:
    """A provider of a resource and a consumer calling its method and a plain function."""

    label: str
    provider: str
    consumer: str
    lib: str
    resource: str
    method: str
    method_args: tuple[Any, ...]
    """The method's arguments after `self`; `count` takes the same."""


RESOURCE_PAIRS = [
    ResourcePair(
        "WAT provider, WAT consumer (witlink's own cost)",
        "dp-wat-res-provider",
        "dp-wat-tally-consumer",
        "acme:dp-tally/lib@0.1.0",
        "tally",
        "add",
        (1,),
    ),
    ResourcePair(
        "componentize-py provider, WAT consumer (the provider's dispatch dominates)",
        "dp-provider",
        "dp-wat-res-consumer",
        "acme:dp/lib@0.1.0",
        "index",
        "add",
        ("k", 1),
    ),
]


def resource_calls(cache: Path, pair: ResourcePair) -> float:
    method_name = f"[method]{pair.resource}.{pair.method}"
    provider = hostkit.planned("rprov", componentbuild.component(pair.provider), exports=[pair.lib])
    consumer = hostkit.planned(
        "rcons", componentbuild.component(pair.consumer), [(pair.lib, "rprov")]
    )
    binding, refs = hostkit.wire(
        "rcons", pair.lib, "rprov", (f"[constructor]{pair.resource}", method_name, "count")
    )
    plan = Plan((provider, consumer), ("rprov", "rcons"), (binding,), tuple(refs))
    with Host.from_plan(plan, cache_dir=cache) as host:
        host.call("rcons", "make")
        assert host.call("rcons", "method-call") == 1
        assert host.call("rcons", "plain-call") >= 1
        engine = host._settings.engine
        stock_method, stock_plain = stock_provider_calls(engine, provider.component, pair)
        t_method, t_plain, t_local, s_method, s_plain = interleaved(
            [
                lambda: host.call("rcons", "method-call"),
                lambda: host.call("rcons", "plain-call"),
                lambda: host.call("rcons", "local-call"),
                stock_method,
                stock_plain,
            ],
            n=2000,
            rounds=15,
        )
    method, plain = t_method - t_local, t_plain - t_local
    print(f"  {pair.label}")
    print(f"    `{method_name}` across extensions adds:   {method:7.2f} us")
    print(f"    `count` (same shape, no handle) adds:      {plain:7.2f} us")
    print(
        f"    the provider alone (stock wasmtime-py): method {s_method:6.2f} us, "
        f"count {s_plain:6.2f} us"
    )
    ratio = method / plain
    print(f"    ratio (resource method / plain function):  {ratio:7.2f}   (goal <= 1.5)")
    return ratio


def stock_provider_calls(
    engine: Any, wasm: Path, pair: ResourcePair
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """The provider's method and `count` called directly (stock wasmtime-py)."""
    linker = Linker(engine)
    linker.add_wasip2()
    store = Store(engine)
    store.set_wasi(WasiConfig())
    store.set_epoch_deadline(1 << 40)
    instance = linker.instantiate(store, Component(engine, wasm.read_bytes()))
    iface = instance.get_export_index(store, pair.lib)

    def func(name: str) -> Any:
        found = instance.get_func(store, instance.get_export_index(store, name, iface))
        assert found is not None
        return found

    new = func(f"[constructor]{pair.resource}")
    add = func(f"[method]{pair.resource}.{pair.method}")
    count = func("count")
    handle = new(store, *(("i",) if len(pair.method_args) > 1 else ()))
    new.post_return(store)

    def method() -> None:
        add(store, handle, *pair.method_args)
        add.post_return(store)

    def plain() -> None:
        count(store, *pair.method_args)
        count.post_return(store)

    return method, plain


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
        plain = plain_op_baseline(host._settings.engine, plan.extension("py-ext").component)
        assert plain() == host.call("py-ext", "op", "echo", None, '{"a": 1}') == '{"a": 1}'
        t_plain, t_host = interleaved(
            [plain, lambda: host.call("py-ext", "op", "echo", None, '{"a": 1}')], n=1000
        )
    print(f"  plain wasmtime-py host function:             {t_plain:7.2f} us")
    print(f"  witlink host operation (checks on):          {t_host:7.2f} us")
    ratio = t_host / t_plain
    print(f"  ratio 2 (witlink / plain):                   {ratio:7.2f}   (goal <= 0.5)")
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
        print("5. rich cross-extension calls against a bare forwarding callback")
        rich_calls(cache)
        print("6. resource method call across extensions")
        for pair in RESOURCE_PAIRS:
            resource_calls(cache, pair)
        print("3. warm load of a componentize-py extension")
        warm_load()
        print("4. 1,000 small WAT extensions in a tree (in a fresh process, for its peak memory)")
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, "--thousand", str(cache)], check=True)


def dataplane() -> None:
    """The data-plane measures only (1, 5 and 6): `python benchmarks/bench_host.py --dataplane`."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        print("1. cross-extension call")
        cross_call(cache)
        print("5. rich cross-extension calls against a bare forwarding callback")
        rich_calls(cache)
        print("6. resource method call across extensions")
        for pair in RESOURCE_PAIRS:
            resource_calls(cache, pair)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--thousand"]:
        thousand(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--dataplane"]:
        dataplane()
    elif sys.argv[1:2] == ["--operation"]:
        with tempfile.TemporaryDirectory() as tmp:
            print("2. host operation round trip")
            operation(Path(tmp))
    else:
        main()
