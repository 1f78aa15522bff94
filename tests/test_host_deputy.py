"""The confused-deputy guard and the audit trail, through real guests.

`vault` (Python) exports `acme:vault/lib` and may list files and fetch from the loopback
server; `user` (Python) calls it and may do neither; `friend` calls it and may do both.
While `vault` runs inside a call from `user`, it gets only what both are allowed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hostkit
import pytest

from linker.host import Host, OperationContext, Operations
from linker.manifest import Permissions, RateLimits
from linker.plan.model import Plan
from tests.support.loopback import Loopback, loopback_server
from tests.support.readme import run_readme_example

VAULT = "acme:vault/lib@1.0.0"
TYPES = "witlink:host/types@0.1.0"
HTTP = "witlink:host/http@0.1.0"


def vault_plan(build: hostkit.Build, server: Loopback, fetches_per_minute: int = 600) -> Plan:
    vault = hostkit.planned(
        "vault",
        build("host-vault"),
        [(hostkit.HOST, "host"), (TYPES, "host"), (HTTP, "host")],
        exports=[VAULT],
        permissions=Permissions(
            methods=("files.",),
            allowed_domains=(server.authority,),
            rate_limits=RateLimits(requests_per_minute=fetches_per_minute),
        ),
    )
    exts, bindings, functions = [vault], [], []
    for consumer, permissions in (
        ("user", Permissions(methods=("other.",))),
        ("friend", Permissions(methods=("files.list",), allowed_domains=(server.authority,))),
    ):
        exts.append(
            hostkit.planned(
                consumer, build("host-vault-user"), [(VAULT, "vault")], permissions=permissions
            )
        )
        binding, refs = hostkit.wire(consumer, VAULT, "vault", ("op", "fetch"))
        bindings.append(binding)
        functions.extend(refs)
    return Plan(tuple(exts), tuple(e.id for e in exts), tuple(bindings), tuple(functions))


def file_ops(seen: list[OperationContext]) -> Operations:
    ops = Operations()

    @ops.operation("files.list")
    def list_files(ctx: OperationContext, payload: Any) -> Any:
        seen.append(ctx)
        return ["a.txt"]

    return ops


@pytest.fixture(scope="module")
def server() -> Iterator[Loopback]:
    with loopback_server() as s:
        s.files["note.txt"] = b"hello"
        yield s


def make_host(
    build: hostkit.Build,
    server: Loopback,
    cache: Path,
    seen: list[OperationContext],
    **options: Any,
) -> Host:
    plan = vault_plan(build, server, options.pop("fetches_per_minute", 600))
    return Host(plan, operations=file_ops(seen), cache_dir=cache, http_timeout=2.0, **options)


def test_provider_gets_only_what_its_caller_may_do(
    component: hostkit.Build, compile_cache: Path, server: Loopback
) -> None:
    seen: list[OperationContext] = []
    url = server.url("/files/note.txt")
    with make_host(component, server, compile_cache, seen) as host:
        # called by the host directly, the vault acts on its own permissions
        assert json.loads(host.call("vault", f"{VAULT}#op", "files.list")) == ["a.txt"]
        assert host.call("vault", f"{VAULT}#fetch", url) == "200 hello"
        # called by `user`, which may do neither, it may do neither
        answer = host.call("user", "op", "files.list")
        assert answer.startswith("denied: extension `user` may not call `files.list`")
        assert "`vault` is running on its behalf" in answer
        before = len(server.connections)
        answer = host.call("user", "fetch", url)
        assert answer.startswith("denied: host '127.0.0.1' port")
        assert "allowed-domains of `user`" in answer
        assert len(server.connections) == before  # never contacted
        # called by `friend`, which may do both, it may do both
        assert json.loads(host.call("friend", "op", "files.list")) == ["a.txt"]
        assert host.call("friend", "fetch", url) == "200 hello"
        # the intersection: `friend` may list files but not read secrets; neither may vault
        assert host.call("friend", "op", "files.other").startswith("denied: extension `friend`")
    assert [ctx.chain for ctx in seen] == [(), ("friend",)]


def test_delegation_is_granted_by_the_host_application(
    component: hostkit.Build, compile_cache: Path, server: Loopback
) -> None:
    seen: list[OperationContext] = []
    url = server.url("/files/note.txt")
    with make_host(component, server, compile_cache, seen, delegates={"vault"}) as host:
        assert json.loads(host.call("user", "op", "files.list")) == ["a.txt"]
        assert host.call("user", "fetch", url) == "200 hello"
    assert seen[-1] == OperationContext("vault", None, "files.list", ("user",))


def test_fetch_counts_against_the_rate_limit(
    component: hostkit.Build, compile_cache: Path, server: Loopback
) -> None:
    url = server.url("/files/note.txt")
    with make_host(component, server, compile_cache, [], fetches_per_minute=3) as host:
        assert host.call("vault", f"{VAULT}#op", "files.list") == '["a.txt"]'  # token 1
        assert host.call("vault", f"{VAULT}#fetch", url) == "200 hello"  # token 2
        assert host.call("vault", f"{VAULT}#fetch", url) == "200 hello"  # token 3
        before = len(server.connections)
        answer = host.call("vault", f"{VAULT}#fetch", url)
        assert answer.startswith("denied: rate limit reached: the next request is allowed in")
        assert host.call("vault", f"{VAULT}#op", "files.list").startswith("ratelimited")
        assert len(server.connections) == before


def test_every_decision_is_audited(
    component: hostkit.Build, compile_cache: Path, server: Loopback, tmp_path: Path
) -> None:
    log = tmp_path / "audit" / "host.jsonl"
    url = server.url("/files/note.txt")
    with make_host(component, server, compile_cache, [], audit_log=log) as host:
        host.call("vault", f"{VAULT}#op", "files.list")
        host.call("user", "op", "files.list")
        host.call("friend", "op", "files.listing")
        host.call("vault", f"{VAULT}#op", "secrets.read")
        host.call("vault", f"{VAULT}#fetch", url)
        host.call("user", "fetch", url)
        host.call("vault", f"{VAULT}#fetch", "http://127.0.0.1:1/\r\n")
        entries = host.audit()
    assert [(e.extension, e.chain, e.kind, e.subject, e.outcome) for e in entries] == [
        ("vault", (), "operation", "files.list", "allowed"),
        ("vault", ("user",), "operation", "files.list", "denied"),
        ("vault", ("friend",), "operation", "files.listing", "not-found"),
        ("vault", (), "operation", "secrets.read", "denied"),
        ("vault", (), "http", server.authority, "allowed"),
        ("vault", ("user",), "http", server.authority, "denied"),
        ("vault", (), "http", "http://127.0.0.1:1/\r\n", "failed"),
    ]
    assert "may not call `files.list`" in str(entries[1].detail)
    assert all(e.time > 0 for e in entries)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines == [e.to_json() for e in entries]


def test_readme_audit_example_runs(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    hostkit.full_plan(component).save(tmp_path / "build" / "host-plan.json")
    done = run_readme_example("readme-audit-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "py-ext () operation ext.init not-found",
        "py-ext () operation files.list allowed",
        "py-ext () operation secrets.read denied",
        "3 lines in build/audit.jsonl",
    ]
