"""Traps, limits, quarantine, re-entrance and threads, on real components."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
import hostkit
import pytest
from hostkit import CALC

import linker
from linker.errors import ExtensionTimeout, ExtensionTrap, QuarantinedError
from linker.host import Host, OperationContext, Operations, Status


@pytest.fixture
def host(component: hostkit.Build, compile_cache: Path) -> Iterator[Host]:
    plan = hostkit.calc_plan(component, consumers=("app", "app2"))
    with Host.from_plan(plan, cache_dir=compile_cache, call_timeout=0.5) as h:
        yield h


def others_answer(host: Host) -> None:
    assert host.call("app2", "add-local", 1, 2) == 3
    assert host.call("app", "run", 4) == 8


def test_trap_in_provider_during_cross_call_names_both(host: Host) -> None:
    with pytest.raises(ExtensionTrap) as info:
        host.call("app", "divide", 1, 0)
    err = info.value
    assert err.extension == "app" and err.provider == "calc"
    assert "extension `app` call `divide` failed" in str(err)
    assert f"extension `calc` ({CALC}#div) trapped" in str(err)
    assert "divide by zero" in str(err)
    assert "wasm backtrace" in err.backtrace
    assert host.status("calc") is Status.FAULTED
    others_answer(host)  # both re-instantiated on their next call
    assert host.status("calc") is Status.LOADED


@pytest.mark.parametrize(
    ("func", "args", "cause", "code"),
    [
        ("spin", (), "ran longer than the 0.5 s call timeout", "timeout"),
        ("bomb", (), "unreachable", "trap"),  # memory.grow fails at the 4 MiB store limit
        ("recurse", (0,), "call stack exhausted", "trap"),
    ],
)
def test_runaway_provider_is_stopped(
    host: Host, func: str, args: tuple[int, ...], cause: str, code: str
) -> None:
    with pytest.raises(ExtensionTrap) as info:
        host.call("calc", f"{CALC}#{func}", *args)
    assert info.value.extension == "calc" and info.value.function == f"{CALC}#{func}"
    assert info.value.code == code
    assert isinstance(info.value, ExtensionTimeout) is (code == "timeout")
    assert cause in str(info.value)
    assert "restarted on its next call" in str(info.value)
    others_answer(host)


def test_quarantine_after_three_faults_until_reload(host: Host) -> None:
    for _ in range(3):
        with pytest.raises(ExtensionTrap):
            host.call("calc", f"{CALC}#div", 1, 0)
    assert host.status("calc") is Status.QUARANTINED
    with pytest.raises(
        QuarantinedError, match=r"quarantined after 3 consecutive faults.*host.reload\('calc'\)"
    ) as info:
        host.call("calc", f"{CALC}#add", 1, 1)
    assert info.value.code == "quarantined" and isinstance(info.value, linker.ExtensionError)
    with pytest.raises(
        QuarantinedError, match=r"extension `app` call `run` failed: .*quarantined"
    ) as info:
        host.call("app", "run", 1)  # met one call deeper: the type says so all the same
    assert info.value.extension == "calc"
    assert host.call("app2", "add-local", 2, 2) == 4
    host.reload("calc")
    assert host.status("calc") is Status.LOADED
    others_answer(host)


def test_successful_call_resets_the_fault_count(host: Host) -> None:
    for _ in range(5):
        with pytest.raises(ExtensionTrap):
            host.call("calc", f"{CALC}#div", 1, 0)
        assert host.call("calc", f"{CALC}#add", 1, 1) == 2
    assert host.status("calc") is Status.LOADED
    assert host.info("calc").metrics.errors == 5


def test_reentrance_is_refused(component: hostkit.Build, compile_cache: Path) -> None:
    ops = Operations()

    @ops.operation("again")
    def again(ctx: OperationContext, payload: object) -> object:
        return host.call(ctx.extension_id, "run", 1)  # calls back into the caller

    @ops.operation("echo")
    def echo(ctx: OperationContext, payload: object) -> object:
        return host.call("app", "run", 5)  # a different extension: fine

    with Host.from_plan(
        hostkit.full_plan(component), operations=ops, cache_dir=compile_cache
    ) as host:
        answer = host.call("py-ext", "op", "again", None, "{}")
        assert answer.startswith(
            "failed: re-entrant call refused: extension `py-ext` is already running"
        )
        assert host.call("py-ext", "op", "echo", None, "{}") == "10"
        assert host.call("py-ext", "run", 2) == 4


def test_threads_calling_shared_providers(host: Host) -> None:
    errors: list[BaseException] = []

    def work(consumer: str, base: int) -> None:
        try:
            for i in range(200):
                assert host.call(consumer, "add-via-lib", base, i) == base + i
        except BaseException as err:
            errors.append(err)

    threads = [
        threading.Thread(target=work, args=(c, n)) for n, c in enumerate(["app", "app2"] * 2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert not any(t.is_alive() for t in threads)


def test_no_deadlock_when_threads_call_into_each_other(
    component: hostkit.Build, compile_cache: Path
) -> None:
    """Thread 1 runs py-ext and calls py-ext2 while thread 2 runs py-ext2 and calls py-ext."""
    plan = hostkit.full_plan(component)
    twin = attrs.evolve(plan.extension("py-ext"), id="py-ext2")
    binding, refs = hostkit.wire("py-ext2", CALC, "calc", hostkit.CALC_FUNCS)
    plan = attrs.evolve(
        plan,
        extensions=(*plan.extensions, twin),
        order=(*plan.order, "py-ext2"),
        bindings=(*plan.bindings, binding),
        functions=(*plan.functions, *refs),
    )
    ops = Operations()
    barrier = threading.Barrier(2, timeout=10)

    @ops.operation("echo")
    def cross(ctx: OperationContext, payload: object) -> object:
        barrier.wait()  # both threads now hold their own extension's store
        return host.call(str(payload), "run", 1)

    with Host.from_plan(plan, operations=ops, cache_dir=compile_cache) as host:
        results: dict[str, object] = {}

        def run(name: str, target: str) -> None:
            results[name] = host.call(name, "op", "echo", None, f'"{target}"')

        threads = [
            threading.Thread(target=run, args=("py-ext", "py-ext2")),
            threading.Thread(target=run, args=("py-ext2", "py-ext")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
        answers = sorted(str(v) for v in results.values())
        assert answers[0] == "2"  # one call went through...
        assert "would deadlock" in answers[1]  # ...the other was refused, not hung
        assert host.call("py-ext", "run", 1) == host.call("py-ext2", "run", 1) == 2


def test_threads_racing_through_traps_and_restarts(
    component: hostkit.Build, compile_cache: Path
) -> None:
    plan = hostkit.calc_plan(component, consumers=("app", "app2"))
    with Host.from_plan(plan, cache_dir=compile_cache, max_faults=10_000) as host:
        errors: list[BaseException] = []

        def work(consumer: str) -> None:
            try:
                for i in range(60):
                    if i % 3 == 0:
                        with pytest.raises(ExtensionTrap, match="divide by zero"):
                            host.call(consumer, "divide", i, 0)
                    else:
                        assert host.call(consumer, "add-via-lib", i, 1) == i + 1
            except BaseException as err:
                errors.append(err)

        threads = [threading.Thread(target=work, args=(c,)) for c in ("app", "app2", "app", "app2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors and not any(t.is_alive() for t in threads)
        assert host.info("calc").metrics.errors == 4 * 20
        others_answer(host)
