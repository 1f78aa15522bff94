"""Memory caps: the manifest's `max-memory-mb`, else the host's default (256 MiB)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hostkit
import pytest

from linker.host import Host
from linker.manifest import Permissions
from linker.plan.model import Plan

PAGE = 64 * 1024
MIB_PAGES = 1024 * 1024 // PAGE


def hog_plan(build: hostkit.Build, max_memory_mb: int | None = None) -> Plan:
    """`hog` starts with one page of memory and grows it on request."""
    hog = hostkit.planned(
        "hog", build("host-memory-hog"), permissions=Permissions(max_memory_mb=max_memory_mb)
    )
    return Plan((hog,), ("hog",), (), ())


@pytest.mark.parametrize(
    ("manifest_mb", "options", "cap_mb"),
    [
        (None, {}, 256),  # a manifest without max-memory-mb gets the host's default
        (None, {"default_max_memory_mb": 16}, 16),
        (8, {}, 8),  # the manifest's own cap wins
    ],
)
def test_a_guest_cannot_grow_past_its_cap(
    component: hostkit.Build,
    compile_cache: Path,
    manifest_mb: int | None,
    options: dict[str, Any],
    cap_mb: int,
) -> None:
    plan = hog_plan(component, manifest_mb)
    with Host(plan, cache_dir=compile_cache, **options) as host:
        assert host.call("hog", "grow", cap_mb * MIB_PAGES) == -1  # one page over the cap
        assert host.call("hog", "grow", cap_mb * MIB_PAGES - 1) == 1  # exactly the cap
        assert host.call("hog", "grow", 1) == -1


def test_no_cap_when_the_host_sets_none(component: hostkit.Build, compile_cache: Path) -> None:
    with Host(hog_plan(component), cache_dir=compile_cache, default_max_memory_mb=None) as host:
        assert host.call("hog", "grow", 512 * MIB_PAGES) == 1
