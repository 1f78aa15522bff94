"""The Ray backend on a local cluster: the same plan gives the same results as in-process,
host operations keep their checks at the driver, a killed actor's job resumes from its
last checkpoint."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import importlib
import inspect
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import hostkit
import pytest
from conftest import IN_CI
from hostkit import CALC, TEXT

from linker.cli import main as cli
from linker.errors import ExtensionError, ExtensionTrap, ReloadRefused
from linker.host import Host, OperationContext, Operations, Status
from linker.manifest import RateLimits
from linker.plan.model import Plan
from linker.services.jobs import JobState, JobStore
from tests.support import raykit
from tests.support.jobkit import Counter, counter_plan
from tests.support.loopback import loopback_server
from tests.support.readme import run_readme_example
from tests.test_host_deputy import VAULT, file_ops, vault_plan
from tests.test_host_operations import make_ops

if not raykit.available():
    if IN_CI:
        pytest.fail(raykit.MISSING, pytrace=False)
    pytest.skip(raykit.MISSING, allow_module_level=True)

from linker.ray import RayHost

SHAPES = "acme:shapes/lib@1.0.0"
COUNTED = "acme:counted/lib@0.1.0"


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    ray = raykit.start()
    yield ray
    ray.shutdown()


def relay_chain(component: hostkit.Build) -> Plan:
    """app -> relay -> calc: a chain of two cross-extension calls."""
    calc = hostkit.planned("calc", component("host-calc-provider"), exports=[CALC])
    relay = hostkit.planned("relay", component("host-calc-relay"), [(CALC, "calc")], [CALC])
    app = hostkit.planned("app", component("host-calc-consumer"), [(CALC, "relay")])
    b1, r1 = hostkit.wire("relay", CALC, "calc", hostkit.CALC_FUNCS)
    b2, r2 = hostkit.wire("app", CALC, "relay", hostkit.CALC_FUNCS)
    return Plan((calc, relay, app), ("calc", "relay", "app"), (b1, b2), (*r1, *r2))


CALLS: list[tuple[str, str, tuple[Any, ...]]] = [
    ("calc", f"{CALC}#add", (2, 3)),
    ("app", "add-via-lib", (40, 2)),
    ("app", "run", (21,)),
    ("py-text", f"{TEXT}#shout", ("hey",)),
    ("counter", "count-greeting", ()),
    ("py-ext", "run", (3,)),
    ("py-ext", "op", ("files.list", "lib-1", '{"dir": "/tmp"}')),
    ("py-ext", "op", ("secrets.read", None, "{}")),
    ("py-ext", "op", ("files.list", "lib-9", "{}")),
    ("py-ext", "op", ("files.nothing", None, "{}")),
    ("py-ext", "op", ("files.boom", None, "{}")),
    ("py-ext", "op", ("files.list", None, "{not json")),
]


def test_full_plan_answers_as_in_process(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path
) -> None:
    plan = hostkit.full_plan(component)
    with Host(plan, operations=make_ops(), cache_dir=compile_cache) as local:
        expected = [local.call(e, f, *a) for e, f, a in CALLS]
        local_audit = [(a.extension, a.subject, a.outcome) for a in local.audit()]
    with RayHost(plan, operations=make_ops(), cache_dir=compile_cache) as host:
        assert host.extensions() == list(plan.order)
        assert [host.call(e, f, *a) for e, f, a in CALLS] == expected
        # the checks ran at the driver, and were recorded there
        assert [(a.extension, a.subject, a.outcome) for a in host.audit()] == local_audit
        assert expected[7].startswith("denied: extension `py-ext` may not call `secrets.read`")
        assert host.call("py-ext", "op", "secrets.read", None, "{}").startswith("denied")
        with pytest.raises(ExtensionError, match=r"argument `n`: expected u32, got str 'x'"):
            host.call("app", "run", "x")
        with pytest.raises(ExtensionError, match=r"no extension `nope`"):
            host.call("nope", "run")
        assert host.info("calc").metrics.calls >= 3


def test_rate_limit_is_kept_at_the_driver(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path
) -> None:
    perms = attrs.evolve(hostkit.PY_EXT_PERMISSIONS, rate_limits=RateLimits(requests_per_minute=3))
    plan = hostkit.full_plan(component, perms)
    with RayHost(
        plan, operations=make_ops(), cache_dir=compile_cache, extensions_per_actor=2
    ) as host:
        answers = [host.call("py-ext", "op", "files.list", None, '{"dir": "x"}') for _ in range(5)]
        assert all(a.startswith("{") for a in answers[:3])
        assert all(a.startswith("ratelimited") for a in answers[3:])
        assert host.call("py-ext", "op", "secrets.read", None, "{}").startswith("denied")


def test_chain_and_a_trap_two_actors_down(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path
) -> None:
    plan = relay_chain(component)
    with Host(plan, cache_dir=compile_cache) as local, pytest.raises(ExtensionTrap) as local_trap:
        local.call("app", "divide", 1, 0)
    with RayHost(plan, cache_dir=compile_cache) as host:
        assert host.call("app", "add-via-lib", 30, 12) == 42
        with pytest.raises(ExtensionTrap) as info:
            host.call("app", "divide", 1, 0)
        assert type(info.value) is type(local_trap.value)
        text = str(info.value)
        assert "extension `app` call `divide` failed: its call into extension `relay`" in text
        assert "extension `calc`" in text and "divide by zero" in text
        assert (info.value.extension, info.value.provider) == ("app", "relay")
        assert host.status("calc") is Status.FAULTED
        assert host.info("calc").metrics.consecutive_faults == 1
        assert host.info("relay").metrics.consecutive_faults == 0  # only restarted
        assert host.call("app", "run", 21) == 42
        assert host.status("calc") is Status.LOADED


def test_killed_actor_mid_job_resumes_from_its_checkpoint(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    counter = Counter(steps=12)
    killed = threading.Event()
    pid: list[int] = []

    def kill_at_5(step: int) -> None:
        if step == 5 and not killed.is_set():
            killed.set()
            os.kill(pid[0], signal.SIGKILL)

    counter.on_step = kill_at_5
    plan = counter_plan(component("jobs-counter"))
    store_file = tmp_path / "shared" / "jobs.sqlite"  # a pluggable store every actor reaches
    with RayHost(
        plan,
        operations=counter.operations(),
        cache_dir=compile_cache,
        data_dir=tmp_path / "data",
        job_store=functools.partial(JobStore, store_file),
    ) as host:
        pid.append(ray_cluster.get(host.actor("counter").pid.remote()))
        job_id = host.start_job("counter", "count")
        try:
            first = host.wait_job(job_id, timeout=60)
        except ExtensionError as err:  # the call died with the actor
            assert "Ray actor failed" in str(err)
            first = host.wait_job(job_id, timeout=60)
        assert killed.is_set()
        assert first.state is JobState.INTERRUPTED  # marked so by the restarted actor
        assert first.checkpoint in (b"5", b"6")
        seen_before = list(counter.steps_seen)
        assert seen_before == list(range(6))
        progress: list[int] = []
        done = host.resume(job_id, on_progress=lambda r: progress.append(r.completed))
        assert done.state is JobState.COMPLETED, done.error
        assert done.checkpoint == b"12"
        resumed_from = int(first.checkpoint)
        assert progress == list(range(resumed_from + 1, 13))  # reported to the driver
        # no checkpointed step is run again, none is lost
        assert counter.steps_seen == seen_before + list(range(resumed_from, 12))
        assert host.job(job_id) == done
        assert [j.id for j in host.jobs("counter")] == [job_id]
        assert store_file.exists()  # the actors and the driver used the given store
        assert not (tmp_path / "data" / "jobs.sqlite").exists()
        (reply,) = host.emit("counter.hello", '{"n": 1}')
        assert (reply.extension, reply.error) == ("counter", None)
        assert json.loads(reply.reply or "") == {"topic": "counter.hello", "payload": '{"n": 1}'}


def test_readme_ray_example_runs(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "build" / "host-plan.json"
    hostkit.full_plan(component).save(plan)
    done = run_readme_example("readme-ray-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ['["/d/a.txt"]', "loaded 2"]


def test_actor_checks_the_bytes_against_the_plan(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path
) -> None:
    plan = hostkit.calc_plan(component)
    wrong = hashlib.sha256(b"not calc").hexdigest()
    calc = attrs.evolve(plan.extension("calc"), sha256=wrong)
    plan = attrs.evolve(plan, extensions=(calc, *plan.extensions[1:]))
    with RayHost(plan, cache_dir=compile_cache) as host:
        assert host.status("calc") is Status.UNLOADED
        assert "changed since the plan was made" in (host.info("calc").metrics.last_error or "")
        with pytest.raises(ExtensionError, match=r"extension `calc` is unloaded"):
            host.call("calc", f"{CALC}#add", 1, 2)


def test_a_provider_in_another_actor_gets_only_what_its_caller_may_do(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path
) -> None:
    seen: list[OperationContext] = []
    with loopback_server() as server:
        server.files["note.txt"] = b"hello"
        plan = vault_plan(component, server, fetches_per_minute=5)
        url = server.url("/files/note.txt")
        with RayHost(
            plan, operations=file_ops(seen), cache_dir=compile_cache, http_timeout=2.0
        ) as host:
            assert json.loads(host.call("vault", f"{VAULT}#op", "files.list")) == ["a.txt"]
            # `user` (another actor) may not list files: neither may the vault it calls
            answer = host.call("user", "op", "files.list")
            assert answer.startswith("denied: extension `user` may not call `files.list`")
            assert "`vault` is running on its behalf" in answer
            assert json.loads(host.call("friend", "op", "files.list")) == ["a.txt"]
            # outbound HTTP runs at the driver: the vault's domains, and its callers'
            assert host.call("vault", f"{VAULT}#fetch", url) == "200 hello"
            before = len(server.connections)
            answer = host.call("user", "fetch", url)
            assert answer.startswith("denied: host '127.0.0.1' port")
            assert "allowed-domains of `user`" in answer
            assert len(server.connections) == before  # never contacted
            host.http_max_bytes = 1000  # the driver's limits, read on every request
            assert host.call("friend", "fetch", server.url("/big?5000")) == "toolarge: 1000"
            # the rate limit (5 a minute, operations and requests alike) is the driver's
            answer = host.call("vault", f"{VAULT}#fetch", url)
            assert answer.startswith("denied: rate limit reached")
            audit = [(e.extension, e.chain, e.kind, e.outcome) for e in host.audit()]
    assert [ctx.chain for ctx in seen] == [(), ("friend",)]
    assert audit == [
        ("vault", (), "operation", "allowed"),
        ("vault", ("user",), "operation", "denied"),
        ("vault", ("friend",), "operation", "allowed"),
        ("vault", (), "http", "allowed"),
        ("vault", ("user",), "http", "denied"),
        ("vault", ("friend",), "http", "allowed"),  # the hop, then its answer
        ("vault", ("friend",), "http", "too-large"),
        ("vault", (), "http", "rate-limited"),
    ]


def test_an_actor_that_cannot_start_says_why(ray_cluster: Any, component: hostkit.Build) -> None:
    plan = hostkit.calc_plan(component)
    with pytest.raises(TypeError, match=r"does not pass to its actors' hosts: max_fault"):
        RayHost(plan, max_fault=3)
    with pytest.raises(ExtensionError, match=r"Ray actor of calc could not start its host: "):
        RayHost(plan, cache_dir="not/a/Path")  # the actor says so; Ray does not restart it


def test_reentrance_through_the_driver_is_refused(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path
) -> None:
    ops = Operations()
    hosts: list[RayHost] = []

    @ops.operation("again")
    def again(ctx: OperationContext, payload: object) -> object:
        return hosts[0].call(ctx.extension_id, "run", 1)  # calls back into the caller

    @ops.operation("echo")
    def echo(ctx: OperationContext, payload: object) -> object:
        return hosts[0].call("app", "run", 5)  # a different extension (actor): fine

    plan = hostkit.full_plan(component)
    with RayHost(plan, operations=ops, cache_dir=compile_cache, extensions_per_actor=3) as host:
        hosts.append(host)
        answer = host.call("py-ext", "op", "again", None, "{}")
        assert answer.startswith(
            "failed: re-entrant call refused: extension `py-ext` is already running"
        )
        assert host.call("py-ext", "op", "echo", None, "{}") == "10"
        assert host.call("py-ext", "run", 2) == 4


def test_ray_host_has_the_whole_surface_of_host() -> None:
    """A method added to `Host` must be added to `RayHost` too (or refused there, named)."""
    public = {n for n in dir(Host) if not n.startswith("_")}
    assert public - set(dir(RayHost)) == set()
    for name in sorted(public):
        ours, theirs = getattr(RayHost, name), getattr(Host, name)
        if callable(theirs):  # the same parameters, so a call written for one fits the other
            assert list(inspect.signature(ours).parameters) == list(
                inspect.signature(theirs).parameters
            ), name


def test_load_unload_and_reload_across_actors(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path
) -> None:
    plan = relay_chain(component)  # calc, relay, app: one actor each
    with RayHost(plan, cache_dir=compile_cache) as host:
        with pytest.raises(ExtensionError, match="loaded extensions depend on it: relay;"):
            host.unload("calc")
        assert host.unload("calc", cascade=True) == ["app", "relay", "calc"]
        assert [host.status(e) for e in host.extensions()] == [Status.UNLOADED] * 3
        with pytest.raises(ExtensionError, match=r"`app` is unloaded; call host.load\('app'\)"):
            host.call("app", "run", 1)
        with pytest.raises(ExtensionError, match="its provider `relay` is unloaded"):
            host.load("app")
        for ext_id in plan.order:
            host.load(ext_id)
        assert host.call("app", "add-via-lib", 30, 12) == 42
        # a reload that would break `relay` (another actor) is refused as in-process
        with pytest.raises(ReloadRefused) as info:
            host.reload("calc", component("wat-adder"))
        assert str(info.value).startswith("reload of `calc` refused, the old component keeps")
        assert f"`relay` imports `{CALC}#add`, but the new component does not export" in str(
            info.value
        )
        with pytest.raises(ReloadRefused):
            host.check_reload("calc", component("wat-adder"))
        assert host.call("app", "add-via-lib", 2, 2) == 4
        host.check_reload("calc", component("host-calc-provider"))
        host.reload("calc", component("host-calc-provider"))
        assert host.call("app", "add-via-lib", 5, 6) == 11
        add = host.function("calc", f"{CALC}#add")
        assert add == Host(plan, cache_dir=compile_cache).function("calc", f"{CALC}#add")
        assert [i.id for i in host.instances("calc")] == ["calc"]


def test_asyncio_forms_and_cancelling_the_wasm_in_its_actor(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path
) -> None:
    async def main(host: RayHost) -> tuple[Any, ...]:
        doubled, added = await asyncio.gather(
            host.acall("app", "run", 5), host.acall("calc", f"{CALC}#add", 2, 3)
        )
        spin = asyncio.create_task(host.acall("calc", f"{CALC}#spin"))  # never returns
        await asyncio.sleep(1.0)
        spin.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await spin
        stopped_in = time.monotonic() - started
        again = await host.acall("app", "add-via-lib", 1, 1)  # still serving
        return doubled, added, stopped_in, again, await host.aemit("nobody.listens")

    plan = relay_chain(component)
    with RayHost(plan, cache_dir=compile_cache, call_timeout=60) as host:
        doubled, added, stopped_in, again, replies = asyncio.run(main(host))
        assert (doubled, added, again, replies) == (10, 5, 2, [])
        assert stopped_in < 30  # stopped by the cancellation, not by the 60 s call timeout
        assert host.info("calc").metrics.errors == 0  # a cancelled call is no fault


def test_job_progress_reaches_the_driver(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    counter = Counter(steps=4)
    plan = counter_plan(component("jobs-counter"))
    with RayHost(
        plan, operations=counter.operations(), cache_dir=compile_cache, data_dir=tmp_path
    ) as host:
        seen: list[tuple[int, int, str]] = []
        record = host.run_job(
            "counter", "count", on_progress=lambda r: seen.append((r.completed, r.total, r.message))
        )
        assert record.state is JobState.COMPLETED, record.error
        assert seen == [(i, 4, f"step {i}") for i in range(1, 5)]
        later: list[int] = []
        job_id = host.start_job("counter", "count", on_progress=lambda r: later.append(r.completed))
        assert host.wait_job(job_id, timeout=60).state is JobState.COMPLETED
        assert later == [1, 2, 3, 4]
        assert asyncio.run(host.arun_job("counter", "count")).state is JobState.COMPLETED

        async def cancelled_job() -> None:
            task = asyncio.create_task(host.arun_job("counter", "count"))
            await asyncio.sleep(1.0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        counter.steps = 10**6  # runs until cancelled
        asyncio.run(cancelled_job())
        (stopped,) = [j for j in host.jobs("counter") if j.checkpoints < 10**6 and j.total > 4]
        assert stopped.state is JobState.INTERRUPTED  # resumable, as in-process


def test_typed_clients_call_the_actor_and_refuse_resources(
    ray_cluster: Any, component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    shapes = hostkit.planned("shapes", component("client-wat"), exports=[SHAPES])
    counted = hostkit.planned("counted", component("dp-counted-provider"), exports=[COUNTED])
    plan_file = tmp_path / "plan.json"
    Plan((shapes, counted), ("shapes", "counted"), (), ()).save(plan_file)
    out = tmp_path / "bindings"
    assert cli(["bindgen", str(plan_file), "-o", str(out)]) == 0
    sys.path.insert(0, str(out))
    try:
        t, exports = (
            importlib.import_module("shapes.types"),
            importlib.import_module("shapes.exports"),
        )
        counted_exports = importlib.import_module("counted.exports")
        with RayHost.from_plan(plan_file, cache_dir=compile_cache) as host:
            lib = host.bind("shapes", exports.Exports).lib
            assert lib.shift(t.Point(1, -2), 3) == t.Point(4, 1)
            assert lib.invert(t.Perms.READ) == t.Perms.WRITE | t.Perms.EXEC
            assert lib.next(t.Color.BLUE) is t.Color.RED
            assert (lib.half(8), lib.half(7)) == (4, None)
            with pytest.raises(exports.DivideError):
                lib.divide(1, 0)
            assert lib.area(t.ShapeRect(t.Point(2, 5))) == 10
            assert asyncio.run(host.abind("shapes", exports.Exports).lib.half(8)) == 4
            assert host.info("shapes").metrics.calls == 8  # each went through the actor's host
            counted_lib = host.bind("counted", counted_exports.Exports).lib
            assert counted_lib.live() == 0
            with pytest.raises(ExtensionError, match="resource, which cannot cross Ray"):
                counted_lib.new_thing()
            assert counted_lib.live() == 0  # refused before any wasm ran
            with pytest.raises(ExtensionError, match="resource, which cannot cross Ray"):
                host.call("counted", f"{COUNTED}#[constructor]thing")
            with pytest.raises(ExtensionError, match=r"no extension `nope`"):
                host.bind("nope", exports.Exports)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] in ("shapes", "counted")]:
            del sys.modules[name]
