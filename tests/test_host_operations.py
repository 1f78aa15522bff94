"""Host operations through a real Python guest: the checks, in the issue's order."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import hostkit
import pytest

from linker.errors import ExtensionError
from linker.host import Host, OperationContext, Operations, Status
from linker.manifest import RateLimits

seen: list[OperationContext] = []


def make_ops() -> Operations:
    ops = Operations()

    @ops.operation("files.list")
    def list_files(ctx: OperationContext, payload: Any) -> Any:
        seen.append(ctx)
        return {"files": ["a.txt", "b.txt"], "dir": payload["dir"]}

    @ops.operation("files.boom")
    def boom(ctx: OperationContext, payload: Any) -> Any:
        raise RuntimeError("disk on fire")

    @ops.operation("files.weird")
    def weird(ctx: OperationContext, payload: Any) -> Any:
        return {1, 2}

    @ops.operation("files.nan")
    def nan(ctx: OperationContext, payload: Any) -> Any:
        return {"mean": float("nan"), "max": float("inf")}

    @ops.operation("files.slow")
    def slow(ctx: OperationContext, payload: Any) -> Any:
        time.sleep(payload.get("s", 1.0))
        return "done"

    @ops.operation("files.slow-capped", timeout=0.2)
    def slow_capped(ctx: OperationContext, payload: Any) -> Any:
        time.sleep(2.0)
        return "too late"

    @ops.operation("files.interrupt")
    def interrupt(ctx: OperationContext, payload: Any) -> Any:
        raise KeyboardInterrupt

    @ops.operation("files.exit")
    def leave(ctx: OperationContext, payload: Any) -> Any:
        raise SystemExit(3)

    @ops.operation("secrets.read")
    def secrets(ctx: OperationContext, payload: Any) -> Any:
        return "nope"

    return ops


@pytest.fixture(scope="module")
def host(component: hostkit.Build, compile_cache: Path) -> Iterator[Host]:
    with Host.from_plan(
        hostkit.full_plan(component), operations=make_ops(), cache_dir=compile_cache
    ) as h:
        yield h


def op(host: Host, method: str, payload: str = "{}", library: str | None = None) -> str:
    answer = host.call("py-ext", "op", method, library, payload)
    assert host.call("app", "run", 2) == 4  # the others still answer
    assert host.call("py-ext", "run", 2) == 4
    return str(answer)


def test_operation_runs_with_context(host: Host) -> None:
    answer = op(host, "files.list", json.dumps({"dir": "/tmp"}), "lib-1")
    assert json.loads(answer) == {"files": ["a.txt", "b.txt"], "dir": "/tmp"}
    assert seen[-1] == OperationContext("py-ext", "lib-1", "files.list")


def test_kind_prefix_is_ignored_for_lookup_and_permission(host: Host) -> None:
    assert json.loads(op(host, "query:files.list", '{"dir": "q"}'))["dir"] == "q"
    assert json.loads(op(host, "action:files.list", '{"dir": "a"}'))["dir"] == "a"


@pytest.mark.parametrize(
    ("method", "payload", "library", "expected"),
    [
        ("files.nothing", "{}", None, "notfound: no host operation `files.nothing`"),
        ("secrets.read", "{}", None, "denied: extension `py-ext` may not call `secrets.read`"),
        ("files.list", "{}", "lib-9", "denied: extension `py-ext` may not use library `lib-9`"),
        ("files.list", "{not json", None, "invalid: payload is not JSON"),
        ("files.boom", "{}", None, "failed: disk on fire"),
        ("files.weird", "{}", None, "failed: `files.weird` returned a value that is not strict"),
        ("files.nan", "{}", None, "failed: `files.nan` returned a value that is not strict JSON"),
        ("files.list", '{"dir": NaN}', None, "invalid: payload is not JSON: NaN"),
        ("files.list", '{"dir": -Infinity}', None, "invalid: payload is not JSON"),
        ("files.list", "[" * 100_000 + "]" * 100_000, None, "invalid: payload is not JSON"),
        ("files.list", "1" * 5000, None, "invalid: payload is not JSON"),
        # order: denied beats not-found (a guest cannot probe which operations exist),
        # not-found beats a bad payload
        ("secrets.none", "{}", None, "denied: extension `py-ext` may not call `secrets.none`"),
        ("secrets.none", "{not json", "lib-9", "denied"),
        ("files.nothing", "{not json", "lib-9", "denied"),
        ("files.nothing", "{not json", None, "notfound"),
        ("secrets.read", "{not json", None, "denied"),
        ("files.list", "{not json", "lib-9", "denied"),
    ],
)
def test_refusals(
    host: Host, method: str, payload: str, library: str | None, expected: str
) -> None:
    assert op(host, method, payload, library).startswith(expected)


def test_rate_limit_burst(component: hostkit.Build, compile_cache: Path) -> None:
    perms = attrs.evolve(hostkit.PY_EXT_PERMISSIONS, rate_limits=RateLimits(requests_per_minute=5))
    plan = hostkit.full_plan(component, perms)
    with Host.from_plan(plan, operations=make_ops(), cache_dir=compile_cache) as host:
        answers = [host.call("py-ext", "op", "files.list", None, '{"dir": "x"}') for _ in range(7)]
        assert all(a.startswith("{") for a in answers[:5])
        for refused in answers[5:]:
            kind, _, ms = refused.partition(": ")
            assert kind == "ratelimited" and 1 <= int(ms) <= 12_000  # 5/min: one token per 12 s
        # a payload that is not JSON is still rate-limited first (the checks' order)
        assert host.call("py-ext", "op", "files.list", None, "{bad").startswith("ratelimited")
        assert host.call("py-ext", "run", 5) == 10


def test_log_and_stdout_go_to_python_logging(
    component: hostkit.Build, compile_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ops = make_ops()
    ops.add("ext.init", lambda ctx, payload: {})
    with (
        caplog.at_level(logging.DEBUG, logger="witlink.ext"),
        Host.from_plan(hostkit.full_plan(component), operations=ops, cache_dir=compile_cache),
    ):
        pass
    records = [
        (r.name, r.levelname, r.getMessage())
        for r in caplog.records
        if r.name.startswith("witlink.ext")
    ]
    assert ("witlink.ext.py-ext", "INFO", "py-ext starting") in records  # WASI stdout
    assert ("witlink.ext.py-ext", "INFO", "initialised") in records  # host.log from init


def test_init_error_fails_only_that_extensions_load(
    component: hostkit.Build, compile_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ops = make_ops()
    ops.add("ext.init", lambda ctx, payload: {"fail": "no licence key configured"})
    plan = hostkit.full_plan(component)
    with Host.from_plan(plan, operations=ops, cache_dir=compile_cache) as host:
        assert host.status("py-ext") is Status.UNLOADED
        assert "no licence key configured" in caplog.text
        with pytest.raises(
            ExtensionError,
            match=r"`py-ext` is unloaded \(last error: .*failed to start: .*no licence key",
        ):
            host.call("py-ext", "op", "files.list", None, "{}")
        assert host.call("app", "run", 5) == 10  # the others loaded and answer
        with pytest.raises(ExtensionError, match="no licence key configured"):
            host.load("py-ext")  # still failing: the error says why


def test_wasi_gives_no_environment_and_no_files(host: Host) -> None:
    seen_by_guest = json.loads(host.call("py-ext", "probe"))
    assert seen_by_guest["env"] == {}
    assert seen_by_guest["files"] == [] or str(seen_by_guest["files"]).startswith("error")


def test_a_slow_handler_does_not_count_against_the_guest(
    component: hostkit.Build, compile_cache: Path
) -> None:
    """The handler runs 1.2 s under a 0.5 s call timeout: the guest is not trapped."""
    plan = hostkit.full_plan(component)
    with Host.from_plan(
        plan, operations=make_ops(), cache_dir=compile_cache, call_timeout=0.5
    ) as host:
        assert host.call("py-ext", "op", "files.slow", None, '{"s": 1.2}') == '"done"'
        assert host.status("py-ext") is Status.LOADED
        assert host.info("py-ext").metrics.errors == 0


def test_operation_timeouts(component: hostkit.Build, compile_cache: Path) -> None:
    plan = hostkit.full_plan(component)
    with Host.from_plan(
        plan,
        operations=make_ops(),
        cache_dir=compile_cache,
        operation_timeout=0.3,
    ) as host:
        answer = host.call("py-ext", "op", "files.slow", None, '{"s": 2}')
        assert answer == "failed: host operation `files.slow` did not finish within 0.3 s"
        answer = host.call("py-ext", "op", "files.slow-capped", None, "{}")
        assert answer == "failed: host operation `files.slow-capped` did not finish within 0.2 s"
        assert host.call("py-ext", "op", "files.slow", None, '{"s": 0}') == '"done"'
        assert host.status("py-ext") is Status.LOADED


@pytest.mark.parametrize("fast", [True, False], ids=["fast-calls", "public-calls"])
def test_interrupts_reach_the_host_and_are_not_the_guests_fault(
    component: hostkit.Build, compile_cache: Path, fast: bool
) -> None:
    plan = hostkit.full_plan(component)
    with Host.from_plan(
        plan, operations=make_ops(), cache_dir=compile_cache, max_faults=1, fast_calls=fast
    ) as host:
        with pytest.raises(KeyboardInterrupt):
            host.call("py-ext", "op", "files.interrupt", None, "{}")
        with pytest.raises(SystemExit) as leaving:
            host.call("py-ext", "op", "files.exit", None, "{}")
        assert leaving.value.code == 3
        metrics = host.info("py-ext").metrics
        assert (metrics.errors, metrics.consecutive_faults) == (0, 0)
        assert host.status("py-ext") is not Status.QUARANTINED
        assert json.loads(host.call("py-ext", "op", "files.list", None, '{"dir": "x"}'))
