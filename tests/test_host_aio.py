"""The asyncio API on real components: parallel awaits, cancellation that stops the wasm
without faulting the extension, typed clients, jobs and events awaited."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import hostkit
import pytest
from hostkit import CALC

from linker.cli import main as cli
from linker.errors import ExtensionTrap
from linker.host import Host, Status
from linker.plan.model import Plan
from linker.services.jobs import JobState
from tests.support.jobkit import Counter, counter_plan
from tests.support.readme import run_readme_example

WORK = "acme:work/lib@1.0.0"
BURN = f"{WORK}#burn"
STEPS = 3_000_000


def lcg(n: int) -> int:
    """What `burn(n)` computes."""
    x = 0
    for _ in range(n):
        x = (x * 1664525 + 1013904223) % 2**32
    return x


@pytest.fixture(scope="module")
def plan(component: hostkit.Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two extensions running the CPU-bound `pool-work` component, saved as plan.json."""
    wasm = component("pool-work")
    exts = tuple(hostkit.planned(i, wasm, exports=[WORK]) for i in ("aio-a", "aio-b"))
    path = tmp_path_factory.mktemp("aio") / "plan.json"
    Plan(exts, ("aio-a", "aio-b"), (), ()).save(path)
    return path


@pytest.fixture
def host(plan: Path, compile_cache: Path) -> Iterator[Host]:
    with Host.from_plan(plan, cache_dir=compile_cache, call_timeout=20) as h:
        yield h


def test_two_extensions_awaited_together_both_run(host: Host) -> None:
    async def both() -> list[int]:
        return list(
            await asyncio.gather(
                host.acall("aio-a", BURN, STEPS), host.acall("aio-b", BURN, STEPS + 1)
            )
        )

    assert asyncio.run(both()) == [lcg(STEPS), lcg(STEPS + 1)]
    assert host.info("aio-a").metrics.calls == host.info("aio-b").metrics.calls == 1


def test_the_loop_keeps_running_while_wasm_runs(host: Host) -> None:
    async def main() -> int:
        call = asyncio.create_task(host.acall("aio-a", BURN, 20 * STEPS))
        ticks = 0
        while not call.done():
            ticks += 1
            await asyncio.sleep(0)
        await call
        return ticks

    assert asyncio.run(main()) > 1


def cancel_after_start(host: Host, ext_id: str, function: str) -> None:
    """Cancel a running call that never returns; it must end in CancelledError."""

    async def main() -> None:
        call = asyncio.create_task(host.acall(ext_id, function))
        await asyncio.sleep(0.3)
        assert not call.done()  # the wasm loops...
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call

    asyncio.run(main())


def test_cancelling_stops_an_infinite_loop_without_a_fault(host: Host) -> None:
    """With a 20 s call timeout, only the cancellation can have stopped the loop this soon
    (`asyncio.wait_for` below); no fault is counted and the extension answers after."""

    async def bounded() -> None:
        await asyncio.wait_for(
            asyncio.to_thread(cancel_after_start, host, "aio-a", f"{WORK}#forever"), 10
        )

    asyncio.run(bounded())
    info = host.info("aio-a")
    assert info.status is Status.LOADED
    assert (info.metrics.errors, info.metrics.consecutive_faults, info.metrics.last_error) == (
        0,
        0,
        None,
    )
    assert host.call("aio-a", BURN, 10) == lcg(10)
    assert asyncio.run(host.acall("aio-a", BURN, 11)) == lcg(11)


def test_cancelling_a_cross_extension_call_faults_neither(
    component: hostkit.Build, compile_cache: Path
) -> None:
    with Host(hostkit.calc_plan(component), cache_dir=compile_cache, call_timeout=20) as host:
        cancel_after_start(host, "app", "spin-via-lib")
        for ext_id in ("app", "calc"):
            assert host.info(ext_id).metrics.errors == 0
            assert host.status(ext_id) is Status.LOADED
        assert host.call("app", "add-via-lib", 2, 3) == 5
        assert host.call("calc", f"{CALC}#add", 2, 3) == 5


def test_a_call_cancelled_before_a_worker_took_it_never_runs(host: Host) -> None:
    async def main() -> None:
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=1))
        first = asyncio.create_task(host.acall("aio-a", BURN, 20 * STEPS))
        queued = asyncio.create_task(host.acall("aio-b", BURN, 5))
        await asyncio.sleep(0.05)
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert await first == lcg(20 * STEPS)

    asyncio.run(main())
    assert host.info("aio-b").metrics.calls == 0


def test_an_uncancelled_call_still_times_out_as_a_fault(plan: Path, compile_cache: Path) -> None:
    with Host.from_plan(plan, cache_dir=compile_cache, call_timeout=0.3) as host:
        with pytest.raises(ExtensionTrap, match=r"ran longer than the 0\.3 s call timeout"):
            asyncio.run(host.acall("aio-a", f"{WORK}#forever"))
        assert host.info("aio-a").metrics.errors == 1


def test_typed_client_awaited(
    host: Host, plan: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("bindings")
    assert cli(["bindgen", str(plan), "-o", str(out)]) == 0
    sys.path.insert(0, str(out))
    try:
        exports = importlib.import_module("aio_a.exports")
        lib = host.abind("aio-a", exports.Exports).lib
        assert asyncio.run(lib.burn(12)) == lcg(12)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] in ("aio_a", "aio_b")]:
            del sys.modules[name]


def test_jobs_and_events_awaited(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    counter = Counter()
    counter.steps = 3
    plan = counter_plan(component("jobs-counter"))
    plan = attrs.evolve(
        plan, extensions=tuple(attrs.evolve(e, subscribe=("counter.*",)) for e in plan.extensions)
    )
    with Host(
        plan, operations=counter.operations(), cache_dir=compile_cache, data_dir=tmp_path
    ) as host:
        record = asyncio.run(host.arun_job("counter", "count"))
        assert (record.state, record.completed, record.checkpoint) == (JobState.COMPLETED, 3, b"3")
        (reply,) = asyncio.run(host.aemit("counter.ok", '{"n": 2}'))
        assert reply.ok and '"counter.ok"' in str(reply.reply)


def test_readme_concurrency_example(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    hostkit.calc_plan(component).save(tmp_path / "build" / "host-plan.json")
    done = run_readme_example("readme-concurrency-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "10 5 0 2"
