"""Resources inside a composite: a consumer creating, using and dropping a resource its lib
provider exports. Inside a composite handles never cross the host, so this runs composed
whether or not the dynamic host can forward resources."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linker
from linker.compose import composed_plan
from linker.host import Host


@pytest.fixture(scope="module")
def host(
    component: Callable[[str], Path],
    compile_cache: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Host]:
    plan = linker.link([component("compose-tally-user").parent, component("compose-tally").parent])
    plan = composed_plan(plan, ["tally-user"], tmp_path_factory.mktemp("composed"))
    with Host(plan, cache_dir=compile_cache) as h:
        yield h


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, 2**32 - 1), n=st.integers(0, 60))
def test_a_resource_of_a_member_works_inside_the_composite(host: Host, start: int, n: int) -> None:
    assert host.call("tally-user", "count", start, n) == (start + n * (n + 1) // 2) % 2**32


def test_dropped_resources_are_destroyed(host: Host) -> None:
    # each call makes and drops one tally; the lib reuses destroyed cells, so 20,000 calls
    # stay inside its one page of memory (16,000 cells) only if every drop ran its destructor
    for _ in range(20_000):
        assert host.call("tally-user", "count", 1, 1) == 2
