"""Host calls on real WAT and componentize-py components: happy paths and bad calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hostkit
import pytest
from hostkit import CALC, TEXT
from hypothesis import given, settings
from hypothesis import strategies as st

from linker.errors import ExtensionError, ExtensionTrap
from linker.host import Host, Status
from linker.plan.model import Plan


@pytest.fixture(scope="module")
def host(component: hostkit.Build, compile_cache: Path) -> Iterator[Host]:
    with Host.from_plan(hostkit.full_plan(component), cache_dir=compile_cache) as h:
        yield h


def others_answer(host: Host) -> None:
    assert host.call("app", "run", 21) == 42
    assert host.call("counter", "count-greeting") == len("hello, wasm")
    assert host.call("py-ext", "run", 3) == 6


def test_world_interface_and_cross_calls(host: Host) -> None:
    assert host.call("calc", f"{CALC}#add", 2, 3) == 5
    assert host.call("app", "add-via-lib", 40, 2) == 42
    assert host.call("py-text", f"{TEXT}#shout", "hey") == "HEY!"
    others_answer(host)  # WAT->WAT, WAT->Python, Python->WAT


def test_extensions_status_and_metrics(host: Host) -> None:
    assert host.extensions() == ["calc", "app", "py-ext", "py-text", "counter"]
    before = host.info("calc").metrics.calls
    host.call("app", "run", 1)
    info = host.info("calc")
    assert info.status is Status.LOADED
    assert info.metrics.calls == before + 1
    assert info.metrics.total_time > 0


@pytest.mark.parametrize(
    ("ext", "func", "args", "message", "code"),
    [
        ("app", "run", (), "takes 1 argument(s) (n), got 0", "argument-mismatch"),
        ("app", "run", (1, 2), "got 2", "argument-mismatch"),
        (
            "app",
            "run",
            ("five",),
            "argument `n`: expected u32, got str 'five'",
            "argument-mismatch",
        ),
        ("app", "run", (-1,), "argument `n`: expected u32, got int -1", "argument-mismatch"),
        ("app", "run", (2**32,), "expected u32, got int 4294967296", "argument-mismatch"),
        ("py-text", f"{TEXT}#shout", (5,), "expected string, got int 5", "argument-mismatch"),
        (
            "nope",
            "run",
            (),
            "no extension `nope`; loaded extensions: calc, app",
            "unknown-extension",
        ),
        (
            "app",
            "missing",
            (),
            "no function export `missing`; its exports: add-local",
            "unknown-export",
        ),
        ("calc", f"{CALC}#nope", (), f"its exports: {CALC}#add", "unknown-export"),
    ],
)
def test_bad_calls_are_clear_errors(
    host: Host, ext: str, func: str, args: tuple[object, ...], message: str, code: str
) -> None:
    with pytest.raises(ExtensionError, match=None) as info:
        host.call(ext, func, *args)
    assert message in str(info.value)
    assert info.value.code == code
    others_answer(host)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_cross_call_agrees_with_direct_call(host: Host, a: int, b: int) -> None:
    assert (
        host.call("app", "add-via-lib", a, b)
        == host.call("calc", f"{CALC}#add", a, b)
        == (a + b) % 2**32
    )  # u32 wraps


def test_public_call_path_gives_the_same_answers(
    component: hostkit.Build, compile_cache: Path, host: Host
) -> None:
    """The fast (pinned, private) call path against wasmtime-py's public one."""
    with Host.from_plan(
        hostkit.full_plan(component), cache_dir=compile_cache, fast_calls=False
    ) as public:
        for ext, func, args in [
            ("app", "add-via-lib", (7, 8)),
            ("calc", f"{CALC}#add", (2**32 - 1, 1)),
            ("counter", "count-greeting", ()),
            ("py-text", f"{TEXT}#shout", ("ünïcode",)),
            ("py-ext", "op", ("nope", None, "{}")),
            ("py-ext", "run", (9,)),
        ]:
            assert public.call(ext, func, *args) == host.call(ext, func, *args)
        with pytest.raises(ExtensionError, match=r"calc.*divide by zero") as fast_err:
            host.call("app", "divide", 1, 0)
        with pytest.raises(ExtensionError, match=r"calc.*divide by zero") as public_err:
            public.call("app", "divide", 1, 0)
        assert str(fast_err.value) == str(public_err.value)


def test_chain_of_providers_and_a_trap_two_levels_down(
    component: hostkit.Build, compile_cache: Path
) -> None:
    calc = hostkit.planned("calc", component("host-calc-provider"), exports=[CALC])
    relay = hostkit.planned("relay", component("host-calc-relay"), [(CALC, "calc")], [CALC])
    app = hostkit.planned("app", component("host-calc-consumer"), [(CALC, "relay")])
    b1, r1 = hostkit.wire("relay", CALC, "calc", hostkit.CALC_FUNCS)
    b2, r2 = hostkit.wire("app", CALC, "relay", hostkit.CALC_FUNCS)
    plan = Plan((calc, relay, app), ("calc", "relay", "app"), (b1, b2), (*r1, *r2))
    with Host.from_plan(plan, cache_dir=compile_cache) as host:
        assert host.call("app", "add-via-lib", 30, 12) == 42
        with pytest.raises(ExtensionTrap) as info:
            host.call("app", "divide", 1, 0)
        text = str(info.value)
        assert "extension `app` call `divide` failed: its call into extension `relay`" in text
        assert "extension `calc`" in text and "divide by zero" in text
        assert host.status("calc") is Status.FAULTED
        assert host.info("calc").metrics.consecutive_faults == 1
        assert host.info("relay").metrics.consecutive_faults == 0  # only restarted
        assert host.call("app", "run", 21) == 42
