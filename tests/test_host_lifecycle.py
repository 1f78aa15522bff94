"""Load, unload, reload, lazy instantiation and the compile cache."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path

import hostkit
import pytest
from hostkit import CALC

from linker.errors import ExtensionError
from linker.host import Host, Status
from linker.host.cache import CompileCache


@pytest.fixture
def host(component: hostkit.Build, compile_cache: Path) -> Iterator[Host]:
    plan = hostkit.calc_plan(component, consumers=("app", "app2"))
    with Host.from_plan(plan, cache_dir=compile_cache) as h:
        yield h


def test_unload_refused_with_dependents_then_cascade_and_load(host: Host) -> None:
    with pytest.raises(
        ExtensionError, match="cannot unload `calc`: loaded extensions depend on it: app, app2"
    ):
        host.unload("calc")
    assert host.call("app", "run", 1) == 2
    assert host.unload("app") == ["app"]
    with pytest.raises(ExtensionError, match=r"`app` is unloaded; call host.load\('app'\)"):
        host.call("app", "run", 1)
    assert host.unload("calc", cascade=True) == ["app2", "calc"]
    assert [host.status(e) for e in host.extensions()] == [Status.UNLOADED] * 3
    with pytest.raises(ExtensionError, match="its provider `calc` is unloaded"):
        host.load("app")
    host.load("calc")
    host.load("app")
    assert host.call("app", "run", 3) == 6


def test_reload_with_incompatible_component_keeps_the_old(
    host: Host, component: hostkit.Build
) -> None:
    with pytest.raises(ExtensionError) as info:
        host.reload("calc", component("wat-adder"))
    text = str(info.value)
    assert text.startswith("reload of `calc` refused, the old component keeps running")
    assert f"`app` imports `{CALC}#add`, but the new component does not export `{CALC}#add`" in text
    assert host.call("app", "add-via-lib", 2, 2) == 4
    assert host.call("calc", f"{CALC}#add", 2, 2) == 4


def test_reload_rewires_dependents(host: Host, component: hostkit.Build) -> None:
    assert host.call("app", "run", 1) == 2
    host.reload("calc", component("host-calc-provider"))
    assert host.call("app", "run", 5) == 10
    assert host.call("app2", "add-via-lib", 5, 6) == 11


def test_lazy_instantiates_on_first_use(component: hostkit.Build, compile_cache: Path) -> None:
    with Host.from_plan(hostkit.calc_plan(component), cache_dir=compile_cache, lazy=True) as host:
        assert host.runtime("calc").instance is None
        assert host.call("app", "run", 2) == 4
        assert host.runtime("calc").instance is not None


def test_plan_with_changed_component_is_refused(
    component: hostkit.Build, compile_cache: Path
) -> None:
    import attrs

    plan = hostkit.calc_plan(component)
    stale = attrs.evolve(plan.extensions[0], sha256="0" * 64)
    plan = attrs.evolve(plan, extensions=(stale, *plan.extensions[1:]))
    with pytest.raises(ExtensionError, match="changed since the plan was made"):
        Host.from_plan(plan, cache_dir=compile_cache)


def test_corrupt_and_stale_cache_entries_are_recompiled(
    component: hostkit.Build, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plan = hostkit.calc_plan(component)
    with Host.from_plan(plan, cache_dir=tmp_path) as host:
        entry = host.cache.entry(plan.extensions[0].sha256)
    assert entry.exists()
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped bit in the compiled code
    entry.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING), Host.from_plan(plan, cache_dir=tmp_path) as host:
        assert host.call("app", "run", 4) == 8
    assert "is corrupt; compiling again" in caplog.text
    assert entry.read_bytes() != bytes(data)  # rewritten
    body = b"not a compiled component"
    entry.write_bytes(body)  # intact (its digest matches), but not wasmtime's
    entry.with_suffix(".cwasm.sha256").write_text(hashlib.sha256(body).hexdigest())
    caplog.clear()
    with caplog.at_level(logging.WARNING), Host.from_plan(plan, cache_dir=tmp_path) as host:
        assert host.call("calc", f"{CALC}#add", 1, 2) == 3
    assert "is stale" in caplog.text


def test_cache_hit_skips_compilation(component: hostkit.Build, tmp_path: Path) -> None:
    events: list[str] = []
    plan = hostkit.calc_plan(component)
    for _ in range(2):
        with Host.from_plan(
            plan, cache_dir=tmp_path, progress=lambda e, phase, n: events.append(f"{e}:{phase}")
        ):
            pass
    assert events == ["calc:start", "calc:done", "app:start", "app:done"]


def test_cache_key_covers_engine_fingerprint(tmp_path: Path) -> None:
    from linker.host.engine import fingerprint, make_engine

    cache = CompileCache(make_engine(), tmp_path)
    assert cache.entry("ab").name == f"ab-{fingerprint()}.cwasm"


def test_host_link_runs_what_the_link_step_plans(
    component: hostkit.Build, compile_cache: Path
) -> None:
    import linker

    if not hasattr(linker, "link"):
        pytest.skip("linker.link (the link step) is not merged yet")
    folders = [component("host-calc-provider").parent, component("host-calc-consumer").parent]
    with Host.link(folders, cache_dir=compile_cache) as host:
        ids = host.extensions()
        consumer = next(i for i in ids if host.runtime(i).planned.imports)
        assert host.call(consumer, "run", 20) == 40
