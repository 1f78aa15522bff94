"""Instance pools on real components: `instances = N` from extension.toml to the plan to
the host; free-instance routing (host calls and consumers' cross-extension calls), faults
confined to one instance, per-instance metrics, quarantine, reload, the host's ceiling,
and the link-time refusals."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hostkit import Build

from linker.errors import ExtensionError, ExtensionTrap, LinkError, PlanError
from linker.host import Host, Status
from linker.host.host import DEFAULT_MAX_INSTANCES
from linker.host.pool import PooledRuntime
from linker.manifest import ManifestError, load
from linker.plan.link import link
from linker.plan.model import Plan

WORK = "acme:work/lib@1.0.0"
BURN = f"{WORK}#burn"
FOREVER = f"{WORK}#forever"


def lcg(n: int) -> int:
    x = 0
    for _ in range(n):
        x = (x * 1664525 + 1013904223) % 2**32
    return x


def extension_folder(component: Build, name: str, into: Path, toml: str | None = None) -> Path:
    """A folder holding test component `name`, built, beside its extension.toml."""
    folder = into / name
    folder.mkdir()
    shutil.copy(component(name), folder / f"{name}.wasm")
    source = Path(__file__).resolve().parent.parent / "test-components" / name
    text = toml if toml is not None else (source / "extension.toml").read_text()
    (folder / "extension.toml").write_text(text)
    return folder


@pytest.fixture(scope="module")
def plan(component: Build, tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """`work` (instances = 2, stateless) and its consumer `work-user`, linked."""
    base = tmp_path_factory.mktemp("pools")
    return link([extension_folder(component, n, base) for n in ("pool-work", "pool-work-user")])


@pytest.fixture
def host(plan: Plan, compile_cache: Path) -> Iterator[Host]:
    with Host(plan, cache_dir=compile_cache, call_timeout=1, max_faults=2) as h:
        yield h


def test_the_plan_records_the_pool(plan: Plan, tmp_path: Path) -> None:
    work = plan.extension("work")
    assert (work.instances, work.stateless) == (2, True)
    assert plan.extension("work-user").instances == 1
    text = plan.to_json(base=tmp_path)
    assert '"instances": 2' in text and '"stateless": true' in text
    assert Plan.from_json(text, base=tmp_path) == plan


def test_calls_and_cross_extension_calls_reach_the_pool(host: Host) -> None:
    assert len(host.instances("work")) == 2
    assert host.call("work", BURN, 10) == lcg(10)
    assert host.call("work-user", "run", 11) == lcg(11)
    assert host.info("work").metrics.calls == 2
    assert host.instances("work-user")[0].metrics.calls == 1


def test_a_busy_or_faulting_instance_leaves_the_other_serving(host: Host) -> None:
    """One instance loops until its call timeout; meanwhile host calls and a consumer's
    calls are served by the other instance, and the trap is counted on that one only."""
    trapped: list[BaseException] = []
    pool = host._registry.runtime("work")
    assert isinstance(pool, PooledRuntime)

    def runaway() -> None:
        try:
            host.call("work", FOREVER)
        except ExtensionTrap as err:
            trapped.append(err)

    thread = threading.Thread(target=runaway)
    thread.start()
    while pool.busy() == 0 and thread.is_alive():
        time.sleep(0.01)
    results = [host.call("work-user", "run", n) for n in range(5)]
    results += [host.call("work", BURN, n) for n in range(5)]
    still_running = thread.is_alive()
    thread.join(timeout=30)
    assert still_running  # every call above was served while the runaway held an instance
    assert results == [lcg(n) for n in range(5)] * 2
    assert len(trapped) == 1 and "ran longer than the 1 s call timeout" in str(trapped[0])
    per_instance = sorted((i.metrics.errors, i.metrics.calls) for i in host.instances("work"))
    assert per_instance == [(0, 10), (1, 1)]
    assert host.info("work").metrics.errors == 1
    assert host.status("work") is Status.LOADED
    assert host.call("work", BURN, 3) == lcg(3)  # the trapped instance is replaced


def test_threads_hammering_the_pool_get_right_answers(host: Host) -> None:
    errors: list[BaseException] = []

    def work(base: int) -> None:
        try:
            for n in range(base, base + 40):
                assert host.call("work-user" if n % 2 else "work", *_args(n)) == lcg(n)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=work, args=(b,)) for b in (0, 100, 200, 300)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    assert sum(i.metrics.calls for i in host.instances("work")) == 160
    assert host.info("work").metrics.calls == 160


def _args(n: int) -> tuple[object, ...]:
    return ("run", n) if n % 2 else (BURN, n)


def test_a_quarantined_instance_quarantines_the_extension_until_reload(host: Host) -> None:
    for _ in range(4):  # LIFO: the same free instance takes every call
        with pytest.raises(ExtensionError):
            host.call("work", FOREVER)
        if host.status("work") is Status.QUARANTINED:
            break
    assert host.status("work") is Status.QUARANTINED
    with pytest.raises(ExtensionError, match="quarantined"):
        host.call("work-user", "run", 1)
    host.reload("work")
    assert host.status("work") is Status.LOADED
    assert all(i.status is Status.LOADED for i in host.instances("work"))
    assert host.call("work-user", "run", 4) == lcg(4)


def test_cancelling_an_awaited_call_into_a_pool_counts_no_error(host: Host) -> None:
    pool = host._registry.runtime("work")
    assert isinstance(pool, PooledRuntime)

    async def main() -> None:
        call = asyncio.create_task(host.acall("work-user", "run", 2**32 - 1))  # ~ seconds
        while pool.busy() == 0:
            await asyncio.sleep(0.01)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call

    asyncio.run(main())
    for ext_id in ("work", "work-user"):
        assert host.info(ext_id).metrics.errors == 0
    assert all(i.metrics.errors == 0 for i in host.instances("work"))
    assert host.call("work-user", "run", 7) == lcg(7)


def test_the_host_sets_the_ceiling(plan: Plan, compile_cache: Path) -> None:
    with Host(plan, cache_dir=compile_cache, max_instances=1) as host:
        assert len(host.instances("work")) == 1
        assert host.call("work-user", "run", 5) == lcg(5)
    greedy = attrs.evolve(
        plan,
        extensions=tuple(
            attrs.evolve(e, instances=1000) if e.id == "work" else e for e in plan.extensions
        ),
    )
    with Host(greedy, cache_dir=compile_cache) as host:
        assert len(host.instances("work")) == DEFAULT_MAX_INSTANCES


def test_unload_and_load_a_pool(host: Host) -> None:
    assert host.unload("work", cascade=True) == ["work-user", "work"]
    host.load("work")
    host.load("work-user")
    assert host.call("work-user", "run", 6) == lcg(6)


def test_link_refuses_a_pool_not_declared_stateless(component: Build, tmp_path: Path) -> None:
    toml = '[extension]\nid = "work"\ninstances = 3\n'
    with pytest.raises(LinkError) as info:
        link([extension_folder(component, "pool-work", tmp_path, toml)])
    (problem,) = info.value.diagnostics
    assert problem.code == "W017-not-poolable" and problem.extension == "work"
    assert "asks for 3 instances, but it does not declare itself stateless" in problem.message
    assert "stateless = true" in problem.hint


def test_link_refuses_a_pool_exporting_resources(component: Build, tmp_path: Path) -> None:
    toml = '[extension]\nid = "tally"\ninstances = 2\nstateless = true\n'
    with pytest.raises(LinkError) as info:
        link([extension_folder(component, "compose-tally", tmp_path, toml)])
    (problem,) = info.value.diagnostics
    assert problem.code == "W017-not-poolable"
    assert "export `acme:tally/lib@1.0.0` defines resource `tally`" in problem.message


@pytest.mark.parametrize(
    ("lines", "needle"),
    [
        ("instances = 0", "extension.instances"),
        ('instances = "2"', "extension.instances"),
        ('stateless = "yes"', "extension.stateless"),
    ],
)
def test_bad_pool_settings_name_the_key(tmp_path: Path, lines: str, needle: str) -> None:
    (tmp_path / "extension.toml").write_text(f'[extension]\ncomponent = "x.wasm"\n{lines}\n')
    with pytest.raises(ManifestError, match=needle):
        load(tmp_path / "extension.toml")


def test_a_plan_pooling_a_stateful_extension_is_refused(plan: Plan) -> None:
    text = plan.to_json().replace('"stateless": true', '"stateless": false')
    with pytest.raises(PlanError, match=r"instances.*may exceed 1 only for a `stateless`"):
        Plan.from_json(text)
