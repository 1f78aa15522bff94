"""Events and outbound HTTP through real guests: `counter`, and the demo's `receipts` (which
fetches through witlink:host/http and calls `text`'s lib) against a loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import hostkit
import pytest

import linker
from linker.host import Host, OperationContext, Operations
from linker.plan import Plan
from linker.services.jobs import JobState
from tests.support.loopback import Loopback, loopback_server

RECEIPT = b"Corner Bakery\n2026-11-02\nbread 3.20\nTOTAL 12.50\n"


@attrs.define
class Receipts:
    sources: list[str] = attrs.Factory(list)
    stored: list[dict[str, Any]] = attrs.Factory(list)

    def operations(self) -> Operations:
        ops = Operations()

        @ops.operation("receipts.sources")
        def sources(ctx: OperationContext, payload: Any) -> Any:
            return self.sources

        @ops.operation("receipts.store")
        def store(ctx: OperationContext, payload: Any) -> Any:
            self.stored.append(payload)
            return None

        return ops


def subscribe(plan: Plan, **topics: tuple[str, ...]) -> Plan:
    exts = tuple(
        attrs.evolve(e, subscribe=topics[e.id]) if e.id in topics else e for e in plan.extensions
    )
    return attrs.evolve(plan, extensions=exts)


@pytest.fixture(scope="module")
def plan(component: hostkit.Build) -> Plan:
    folders = [component(n).parent for n in ("demo-text", "demo-receipts", "jobs-counter")]
    return linker.link(folders)


@pytest.fixture(scope="module")
def receipts() -> Receipts:
    return Receipts()


@pytest.fixture(scope="module")
def host(
    plan: Plan, receipts: Receipts, compile_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Host]:
    # text and receipts also hear `all.*` (text exports no guest interface at all)
    events = subscribe(plan, text=("all.*",), receipts=("receipts.*", "all.*", "counter.*"))
    # receipts may reach 127.0.0.1 (any port) only: `localhost` is the same server, but denied
    events = attrs.evolve(
        events,
        extensions=tuple(
            attrs.evolve(
                e, permissions=attrs.evolve(e.permissions, allowed_domains=("127.0.0.1:*",))
            )
            if e.id == "receipts"
            else e
            for e in events.extensions
        ),
    )
    with Host(
        events,
        operations=receipts.operations(),
        cache_dir=compile_cache,
        data_dir=tmp_path_factory.mktemp("events"),
        http_timeout=1.0,
    ) as h:
        yield h


@pytest.fixture
def server() -> Iterator[Loopback]:
    with loopback_server() as srv:
        srv.files["a.txt"] = RECEIPT
        srv.files["b.txt"] = b"MEGA MART\nmilk 1.10\nTotal: 7,05\n"
        yield srv


def test_emit_in_dependency_order(host: Host, plan: Plan) -> None:
    order = plan.order
    assert order.index("text") < order.index("receipts")
    replies = host.emit("all.hello", '{"n": 1}')
    expected = [e for e in order if e in ("text", "receipts", "counter")]
    assert [r.extension for r in replies] == expected
    by_id = {r.extension: r for r in replies}
    assert not by_id["text"].ok and "does not export witlink:host/guest" in str(by_id["text"].error)
    assert by_id["receipts"].ok and by_id["receipts"].reply is None
    assert json.loads(str(by_id["counter"].reply)) == {"topic": "all.hello", "payload": '{"n": 1}'}
    assert host.emit("nobody.listens") == []


def test_failing_and_trapping_subscribers_do_not_stop_the_others(host: Host) -> None:
    for topic, error in (
        ("counter.fail", "counter refuses this event"),
        ("counter.trap", "trapped"),
    ):
        replies = {r.extension: r for r in host.emit(topic, "{}")}
        assert set(replies) == {"counter", "receipts"}
        assert error in str(replies["counter"].error)
        assert replies["receipts"].ok
    (summary,) = host.emit("receipts.summary", '{"total": 3}')
    assert json.loads(str(summary.reply)) == {"extension": "receipts", "payload": {"total": 3}}
    assert host.emit("counter.ok")[0].ok  # the trapped counter was restarted


def test_job_fetches_through_the_host(host: Host, receipts: Receipts, server: Loopback) -> None:
    receipts.sources = [server.url("/files/a.txt"), server.url("/files/b.txt")]
    receipts.stored.clear()
    progress: list[str] = []
    record = host.run_job("receipts", "scan", on_progress=lambda r: progress.append(r.message))
    assert record.state is JobState.COMPLETED, record.error
    assert receipts.stored == [
        {
            "url": receipts.sources[0],
            "merchant": "Corner Bakery",
            "total_cents": 1250,
            "date": "2026-11-02",
        },
        {"url": receipts.sources[1], "merchant": "Mega Mart", "total_cents": 705, "date": None},
    ]
    assert progress == ["Corner Bakery 12.50", "Mega Mart 7.05"]
    assert [(m, p) for m, _, p in server.seen] == [("GET", "/files/a.txt"), ("GET", "/files/b.txt")]
    assert json.loads(record.checkpoint or b"") == {"done": 2}


def test_denied_domain_is_never_contacted(host: Host, receipts: Receipts, server: Loopback) -> None:
    for source, error in (
        (server.url("/files/a.txt", "localhost"), "host 'localhost' port"),
        (f"ftp://127.0.0.1:{server.port}/files/a.txt", "scheme 'ftp' is not allowed"),
    ):
        receipts.sources = [source]
        record = host.run_job("receipts", "scan")
        assert record.state is JobState.FAILED
        assert error in str(record.error) and "denied" in str(record.error).lower()
    assert server.seen == []
    # a redirect to a denied host: the first hop is contacted, the second never
    hop = "/redirect?" + server.url("/files/a.txt", "localhost")
    receipts.sources = [server.url(hop)]
    record = host.run_job("receipts", "scan")
    assert "host 'localhost' port" in str(record.error)
    assert [p for _, _, p in server.seen] == [hop]


def test_too_large_and_timeout(host: Host, receipts: Receipts, server: Loopback) -> None:
    host.http_max_bytes = 1000
    try:
        receipts.sources = [server.url("/big?5000")]
        record = host.run_job("receipts", "scan")
        assert record.state is JobState.FAILED
        assert "toolarge" in str(record.error).lower().replace("_", "").replace("-", "")
        assert "1000" in str(record.error)
    finally:
        host.http_max_bytes = 16 * 1024 * 1024
    receipts.sources = [server.url("/slow?3")]
    record = host.run_job("receipts", "scan")
    assert record.state is JobState.FAILED
    assert "timeout" in str(record.error).lower()
    assert [p for _, _, p in server.seen] == ["/big?5000", "/slow?3"]
    receipts.sources = [server.url("/files/a.txt")]
    assert host.run_job("receipts", "scan").state is JobState.COMPLETED
