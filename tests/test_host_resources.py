"""Resources and rich values across extensions, on real components, on both call paths.

`dp-provider` (componentize-py) exports `acme:dp/lib` (a resource `index` and functions
moving its handles every way) and `acme:dp-echo/lib` (one echo per kind of WIT type);
`dp-consumer` (componentize-py) imports both and re-exports `echo` by calling through.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hostkit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wasmtime import Store
from wasmtime.component import Component, FuncType

from linker import link
from linker.errors import ExtensionTrap, HandleError
from linker.host import Host, runtime
from linker.host.engine import make_engine
from linker.plan.model import Plan
from linker.wave import Err, Ok, Some, Variant

LIB = "acme:dp/lib@0.1.0"
ECHO = "acme:dp-echo/lib@0.1.0"
WASMTIME_BORROWS_BUG = "deferred host scope has no call context"
"""wasmtime 50 traps a host function taking more than one borrow (lifting them), before
witlink sees the call: such functions cannot cross extensions yet."""


def funcs(wasm: Path, iface: str) -> list[str]:
    engine = make_engine()
    items = Component(engine, wasm.read_bytes()).type.imports(engine)[iface].ty.exports(engine)
    return [n for n, i in items.items() if isinstance(i.ty, FuncType)]


def dp_plan(build: hostkit.Build, consumers: tuple[str, ...] = ("c1", "c2")) -> Plan:
    consumer = build("dp-consumer")
    exts = [hostkit.planned("prov", build("dp-provider"), exports=[LIB, ECHO])]
    bindings, functions = [], []
    for ext_id in consumers:
        exts.append(hostkit.planned(ext_id, consumer, [(LIB, "prov"), (ECHO, "prov")]))
        for iface in (LIB, ECHO):
            binding, refs = hostkit.wire(ext_id, iface, "prov", funcs(consumer, iface))
            bindings.append(binding)
            functions.extend(refs)
    return Plan(tuple(exts), tuple(e.id for e in exts), tuple(bindings), tuple(functions))


@pytest.fixture(scope="module", params=["fast", "public"])
def host(request: Any, component: hostkit.Build, compile_cache: Path) -> Iterator[Host]:
    fast = request.param == "fast"
    with Host.from_plan(dp_plan(component), cache_dir=compile_cache, fast_calls=fast) as h:
        yield h


def test_every_way_a_handle_moves(host: Host) -> None:
    steps = host.call("c1", "steps")
    assert "members" in steps and "variant" in steps
    for step in steps:
        if step in ("list-of-borrows", "merge"):
            with pytest.raises(ExtensionTrap, match=WASMTIME_BORROWS_BUG):
                host.call("c1", "run", step)
            continue
        assert host.call("c1", "run", step) == [], step


def test_handles_kept_across_calls_one_table_per_consumer(host: Host) -> None:
    host.call("c1", "keep", "first")
    host.call("c2", "keep", "second")
    assert host.call("c1", "kept-add", "first") == 2
    assert host.call("c1", "kept-add", "first") == 3
    assert host.call("c2", "kept-add", "second") == 2
    assert (host.call("c1", "kept-name"), host.call("c2", "kept-name")) == ("first", "second")
    host.call("c1", "drop-kept")
    host.call("c2", "drop-kept")


COUNTED = "acme:counted/lib@0.1.0"


@pytest.fixture(scope="module", params=["fast", "public"])
def counted(request: Any, component: hostkit.Build, compile_cache: Path) -> Iterator[Host]:
    """WAT provider counting its live `thing`s (constructor +1, destructor -1), two WAT
    consumers."""
    exts = [hostkit.planned("prov", component("dp-counted-provider"), exports=[COUNTED])]
    bindings, functions = [], []
    for ext_id in ("c1", "c2"):
        exts.append(hostkit.planned(ext_id, component("dp-counted-consumer"), [(COUNTED, "prov")]))
        binding, refs = hostkit.wire(
            ext_id, COUNTED, "prov", ("[constructor]thing", "[method]thing.id")
        )
        bindings.append(binding)
        functions.extend(refs)
    plan = Plan(tuple(exts), ("prov", "c1", "c2"), tuple(bindings), tuple(functions))
    fast = request.param == "fast"
    with Host.from_plan(plan, cache_dir=compile_cache, fast_calls=fast) as h:
        yield h


def things(host: Host) -> int:
    count = host.call("prov", f"{COUNTED}#live")
    assert isinstance(count, int)
    return count


def test_ten_thousand_create_drop_cycles_leave_no_handle(counted: Host) -> None:
    before = things(counted)
    counted.call("c1", "cycle", 10_000)
    assert things(counted) == before


def test_unloading_a_consumer_drops_every_handle_it_held(counted: Host) -> None:
    before = things(counted)
    first = counted.call("c2", "keep")
    assert things(counted) == before + 1
    assert counted.call("c2", "kept-id") == first
    counted.unload("c2")
    assert things(counted) == before
    counted.load("c2")
    counted.call("c2", "keep")
    assert things(counted) == before + 1
    counted.unload("c2")


def test_reloading_a_provider_makes_handles_stale(counted: Host) -> None:
    counted.call("c1", "keep")
    counted.reload("prov")
    assert things(counted) == 0  # a new instance
    with pytest.raises(ExtensionTrap) as info:
        counted.call("c1", "kept-id")
    text = str(info.value)
    assert "resource `thing` of extension `prov` (held by `c1`) is stale" in text
    assert "`prov` was reloaded" in text
    assert info.value.provider == "prov"
    counted.call("c1", "keep")  # the consumer restarted; new handles work
    assert things(counted) == 1


def test_a_linked_plan_lists_resource_members_and_runs(compile_cache: Path) -> None:
    import componentbuild

    plan = link([componentbuild.build("dp-provider"), componentbuild.build("dp-wat-res-consumer")])
    names = {f.function for f in plan.functions}
    assert {"[constructor]index", "[method]index.add", "count"} <= names
    (consumer,) = [e.id for e in plan.extensions if e.id != "dp-provider"]
    with Host(plan, cache_dir=compile_cache) as host:
        host.call(consumer, "make")
        assert host.call(consumer, "method-call") == 1
        assert host.call(consumer, "method-call") == 2
        assert host.call(consumer, "plain-call") == 2


TALLY = "acme:dp-tally/lib@0.1.0"


def tally_plan(build: hostkit.Build) -> Plan:
    """WAT provider of a resource (`tally`) and its WAT consumer (the benchmark's pair)."""
    provider = hostkit.planned("prov", build("dp-wat-res-provider"), exports=[TALLY])
    consumer = hostkit.planned("cons", build("dp-wat-tally-consumer"), [(TALLY, "prov")])
    binding, refs = hostkit.wire(
        "cons", TALLY, "prov", ("[constructor]tally", "[method]tally.add", "count")
    )
    return Plan((provider, consumer), ("prov", "cons"), (binding,), tuple(refs))


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "public"])
def test_a_wat_provider_serves_methods_on_the_handle_a_consumer_keeps(
    component: hostkit.Build, compile_cache: Path, fast: bool
) -> None:
    with Host.from_plan(tally_plan(component), cache_dir=compile_cache, fast_calls=fast) as host:
        host.call("cons", "make")
        assert [host.call("cons", "method-call") for _ in range(3)] == [1, 2, 3]
        assert host.call("cons", "plain-call") == 1
        host.call("cons", "make")  # drops the first tally: its destructor runs
        assert host.call("cons", "method-call") == 1
        assert host.call("prov", f"{TALLY}#live") == 1


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "public"])
def test_a_closed_host_frees_its_stores_without_a_gc_run(
    component: hostkit.Build, compile_cache: Path, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store left to interpreter shutdown can abort the process (wasmtime's WASI output
    threads calling into a finalized interpreter): close must free every store at once."""
    made: list[weakref.ref[Store]] = []

    class Tracked(Store):
        def __init__(self, engine: Any) -> None:
            super().__init__(engine)
            made.append(weakref.ref(self))

    monkeypatch.setattr(runtime, "Store", Tracked)
    monkeypatch.setattr(gc, "collect", lambda *_: 0)  # close must not need one
    gc.disable()
    try:
        host = Host.from_plan(dp_plan(component), cache_dir=compile_cache, fast_calls=fast)
        assert host.call("c1", "run", "members") == []
        host.call("c1", "keep", "kept")  # a consumer handle held in the provider
        with pytest.raises(ExtensionTrap):
            host.call("c1", "run", "merge")  # a trap (the consumer restarts on its next call)
        assert host.call("c2", "run", "own-back") == []
        tallies = Host.from_plan(tally_plan(component), cache_dir=compile_cache, fast_calls=fast)
        tallies.call("cons", "make")
        tallies.call("cons", "method-call")
        for closing in (host, tallies):
            closing.close()
        assert made
        assert [ref for ref in made if ref() is not None] == []
    finally:
        gc.enable()


# -- rich values through a link (consumer echoing through the provider) ----------------

u = st.integers
_point = st.builds(lambda x, y: {"x": x, "y": y}, u(-(2**31), 2**31 - 1), u(-(2**31), 2**31 - 1))
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
# values in `Host.call`'s value mapping (`linker.wave.mapping`)
_shape = st.one_of(
    st.floats(allow_nan=False).map(lambda f: Variant("circle", f)),
    _point.map(lambda p: Variant("rect", p)),
    st.just(Variant("empty")),
    _text.map(lambda t: Variant("labelled", t)),
)
_color = st.sampled_from(["red", "green", "blue"])
ECHOES: dict[str, st.SearchStrategy[Any]] = {
    "echo-bool": st.booleans(),
    "echo-u8": u(0, 255),
    "echo-u16": u(0, 2**16 - 1),
    "echo-u32": u(0, 2**32 - 1),
    "echo-u64": u(0, 2**64 - 1),
    "echo-s8": u(-128, 127),
    "echo-s16": u(-(2**15), 2**15 - 1),
    "echo-s32": u(-(2**31), 2**31 - 1),
    "echo-s64": u(-(2**63), 2**63 - 1),
    "echo-f32": st.floats(allow_nan=False, width=32),
    "echo-f64": st.floats(allow_nan=False),
    "echo-char": st.characters(exclude_categories=("Cs",)),
    "echo-string": _text,
    "echo-bytes": st.binary(max_size=64),
    "echo-strings": st.lists(_text, max_size=5),
    "echo-tuple": st.tuples(u(0, 255), _text, st.floats(allow_nan=False)),
    "echo-result": st.one_of(u(0, 2**32 - 1).map(Ok), _text.map(Err)),
    "echo-color": _color,
    "echo-perms": st.frozensets(st.sampled_from(["read", "write", "exec"])),
    "echo-point": _point,
    "echo-shape": _shape,
    "echo-items": st.lists(
        st.builds(
            lambda a, b, c: {"id": a, "score": b, "tag": c},
            u(0, 2**32 - 1),
            u(0, 2**32 - 1),
            u(0, 2**32 - 1),
        ),
        max_size=20,
    ),
    "echo-nested": st.fixed_dictionaries(
        {
            "name": _text,
            "shapes": st.lists(_shape, max_size=4),
            "maybe-points": st.lists(st.none() | _point, max_size=4),
            "tags": st.none() | st.lists(_text, max_size=3),
            "data": st.binary(max_size=16),
            "pairs": st.lists(st.tuples(u(0, 255), _text), max_size=3),
            "outcome": st.one_of(st.tuples(u(0, 2**32 - 1), _text).map(Ok), _color.map(Err)),
            "deep": st.one_of(st.none(), st.just(Some(None)), _color.map(Some)),
        }
    ),
}


@pytest.mark.parametrize("function", sorted(ECHOES))
def test_every_kind_of_value_crosses_a_link(host: Host, function: str) -> None:
    @settings(max_examples=15, deadline=None)
    @given(ECHOES[function])
    def round_trip(value: Any) -> None:
        direct = host.call("prov", f"{ECHO}#{function}", value)
        through = host.call("c1", f"{ECHO}#{function}", value)
        assert through == direct
        if function not in ("echo-f32",):  # f32 rounds
            assert through == value

    round_trip()


def test_several_values_and_no_result_cross(host: Host) -> None:
    point = {"x": -1, "y": 2}
    assert host.call("c1", f"{ECHO}#echo-many", 7, "é", point) == (7, "é", point)
    assert host.call("c1", f"{ECHO}#noop") is None
    assert host.call("c1", f"{ECHO}#echo-result-unit", Err()) == Err()


def test_a_destructor_that_traps_faults_its_extension(
    component: hostkit.Build, compile_cache: Path
) -> None:
    plan = Plan(
        (hostkit.planned("prov", component("dp-trap-dtor"), exports=[COUNTED]),),
        ("prov",),
        (),
        (),
    )
    with Host.from_plan(plan, cache_dir=compile_cache) as host:
        handle = host.call("prov", f"{COUNTED}#[constructor]thing")
        with pytest.raises(ExtensionTrap) as info:
            handle.drop()
        assert info.value.extension == "prov" and info.value.code == "trap"
        assert info.value.function == "[resource-drop]thing"
        assert "unreachable" in str(info.value)
        assert host.info("prov").metrics.errors == 1
        assert host.call("prov", f"{COUNTED}#live") == 0  # a fresh instance
        with pytest.raises(HandleError, match="handle of `thing` from extension `prov` was"):
            host.call("prov", f"{COUNTED}#[method]thing.id", handle)
