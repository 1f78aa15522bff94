"""componentize-js (0.23.0) on either side of the resource-bearing `acme:dp/lib`, linked with
componentize-py and WAT counterparts and run in a real Host.

`dp-js-provider` implements the `index` resource as a JavaScript class (its
`[Symbol.dispose]` is the destructor, counted by `live`); `dp-js-consumer` makes, calls,
passes back and drops handles of an imported `index` (`[Symbol.dispose]()` drops one).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import componentbuild
import pytest

from linker import link
from linker.errors import ExtensionTrap
from linker.host import Host
from tests.support.authoring import CACHE, need_componentize_js

LIB = "acme:dp/lib@0.1.0"
COMPILED = CACHE / "xdg" / "witlink" / "compiled"
"""The authoring tests' persistent compile cache: a JS guest takes ~40 s to compile."""


@pytest.fixture(scope="module")
def js() -> dict[str, Path]:
    need_componentize_js()
    return {name: componentbuild.build(name) for name in ("dp-js-provider", "dp-js-consumer")}


@pytest.fixture
def js_provider_host(js: dict[str, Path]) -> Iterator[Host]:
    plan = link([js["dp-js-provider"], componentbuild.build("dp-wat-res-consumer")])
    with Host(plan, cache_dir=COMPILED) as host:
        yield host


def live(host: Host) -> int:
    count = host.call("dp-js-provider", f"{LIB}#live")
    assert isinstance(count, int)
    return count


def test_a_js_provider_serves_a_wat_consumer_across_the_link(js_provider_host: Host) -> None:
    host, consumer = js_provider_host, "dp-wat-res-consumer"
    host.call(consumer, "make")  # [constructor]index across the link
    assert live(host) == 1
    assert host.call(consumer, "method-call") == 1  # [method]index.add on the kept handle
    assert host.call(consumer, "method-call") == 2
    assert host.call(consumer, "plain-call") == 2
    host.call(consumer, "make")  # drops the kept index first: the JS destructor runs
    assert live(host) == 1
    assert host.call(consumer, "method-call") == 1
    host.unload(consumer)  # every handle the consumer held is dropped in the provider
    assert live(host) == 0


def test_a_js_providers_handles_through_host_call(js_provider_host: Host) -> None:
    call = js_provider_host.call
    with call("dp-js-provider", f"{LIB}#make", "made") as made:
        assert call("dp-js-provider", f"{LIB}#[method]index.add", made, "k", 4) == 4
        assert call("dp-js-provider", f"{LIB}#peek", made) == "made:[('k', 4)]"
        assert live(js_provider_host) == 1
    assert live(js_provider_host) == 0


@pytest.mark.parametrize("provider", ["dp-provider", "dp-js-provider"])
def test_a_js_consumer_moves_handles_every_way(js: dict[str, Path], provider: str) -> None:
    """Against the componentize-py provider and against the JS one."""
    folder = js[provider] if provider in js else componentbuild.build(provider)
    plan = link([folder, js["dp-js-consumer"]])
    consumer = "dp-js-consumer"
    with Host(plan, cache_dir=COMPILED) as host:
        steps = host.call(consumer, "steps")
        assert {"members", "borrow-back", "own-back", "record", "variant"} <= set(steps)
        for step in steps:
            assert host.call(consumer, "run", step) == [], step
        host.call(consumer, "keep", "kept")
        assert host.call(consumer, "kept-add", "kept") == 2
        assert host.call(consumer, "kept-add", "kept") == 3
        if provider == "dp-js-provider":  # its `live` counts destructor runs exactly
            assert host.call(consumer, "live") == 1
        host.call(consumer, "drop-kept")
        if provider == "dp-js-provider":
            assert host.call(consumer, "live") == 0


def test_reloading_a_js_provider_makes_a_js_consumers_handle_stale(js: dict[str, Path]) -> None:
    plan = link([js["dp-js-provider"], js["dp-js-consumer"]])
    with Host(plan, cache_dir=COMPILED) as host:
        host.call("dp-js-consumer", "keep", "kept")
        host.reload("dp-js-provider")
        with pytest.raises(ExtensionTrap) as info:
            host.call("dp-js-consumer", "kept-add", "kept")
        text = str(info.value)
        assert "of extension `dp-js-provider` (held by `dp-js-consumer`) is stale" in text
        assert info.value.provider == "dp-js-provider"
