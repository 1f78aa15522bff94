"""Composed mode on componentize-py guests: a Python consumer (`py-app`) of a Python lib
(`text`, demo:text/lib) answers, calls the host and logs alike composed and linked."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linker
from linker.compose import composed_plan
from linker.host import Host, OperationContext, Operations
from linker.plan import Plan
from linker.tools import wasm_tools
from linker.wave import Ok


@pytest.fixture(scope="module")
def plan(component: Callable[[str], Path]) -> Plan:
    return linker.link([component("compose-py-app").parent, component("demo-text").parent])


@pytest.fixture(scope="module")
def composed(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return composed_plan(plan, ["py-app"], tmp_path_factory.mktemp("composed"))


@pytest.fixture(scope="module")
def callers() -> list[str]:
    return []


@pytest.fixture(scope="module")
def hosts(
    plan: Plan, composed: Plan, callers: list[str], compile_cache: Path
) -> Iterator[list[Host]]:
    def echo(ctx: OperationContext, payload: object) -> dict[str, object]:
        callers.append(ctx.extension_id)
        return {"from": ctx.extension_id, "payload": payload}

    ops = Operations()
    ops.add("app.echo", echo)
    with (
        Host(plan, operations=ops, cache_dir=compile_cache) as dynamic,
        Host(composed, operations=ops, cache_dir=compile_cache) as fused,
    ):
        yield [dynamic, fused]


def test_the_composite_validates(composed: Plan) -> None:
    composite = composed.extension("py-app").composite
    assert composite is not None and composite.members == ("py-app", "text")
    subprocess.run([wasm_tools(), "validate", str(composite.component)], check=True)


receipts = st.builds(
    lambda merchant, units, cents, noise: f"{merchant}\n{noise}\nTOTAL {units}.{cents:02d}\n",
    st.text(st.characters(min_codepoint=65, max_codepoint=122), min_size=1, max_size=12),
    st.integers(0, 10**6),
    st.integers(0, 99),
    st.text(max_size=40),
)


@settings(max_examples=40, deadline=None)
@given(document=st.one_of(receipts, st.text(max_size=80)))
def test_composed_answers_as_dynamic(hosts: list[Host], document: str) -> None:
    dynamic, fused = hosts
    assert fused.call("py-app", "word-count", document) == len(document.split())
    assert dynamic.call("py-app", "word-count", document) == len(document.split())
    # result<u64, string>: the total in cents, or the lib's error text
    assert fused.call("py-app", "total-cents", document) == dynamic.call(
        "py-app", "total-cents", document
    )


def test_host_operations_and_logs_reach_the_host(
    hosts: list[Host], callers: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="witlink.ext"):
        for host in hosts:
            reply = host.call("py-app", "ask", '{"n": 1}')
            assert reply == Ok('{"from": "py-app", "payload": {"n": 1}}')
            assert host.call("py-app", "total-cents", "Shop\nTOTAL 3.50") == Ok(350)
    assert callers[-2:] == ["py-app", "py-app"]
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    assert logged.count(("witlink.ext.py-app", "asked")) == 2
    assert ("witlink.ext.text", "extracted 'Shop'") in logged  # the lib, linked
    assert ("witlink.ext.py-app", "extracted 'Shop'") in logged  # the lib inside the composite
