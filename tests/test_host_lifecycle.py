"""Load, unload, reload, lazy instantiation and the compile cache."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import attrs
import hostkit
import pytest
from hostkit import CALC

from linker.errors import ExtensionError, IntegrityError, ReloadRefused
from linker.host import Host, Status
from linker.host.cache import CompileCache
from linker.host.exportnames import export_target
from linker.plan.model import Plan, PlannedImport
from linker.tools import run_wasm_tools


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
    with pytest.raises(ReloadRefused, match=rf"`app` imports `{CALC}#add`"):
        host.check_reload("calc", component("wat-adder"))  # the check alone
    host.check_reload("calc", component("host-calc-provider"))


def test_reload_rewires_dependents(host: Host, component: hostkit.Build) -> None:
    assert host.call("app", "run", 1) == 2
    host.reload("calc", component("host-calc-provider"))
    assert host.call("app", "run", 5) == 10
    assert host.call("app2", "add-via-lib", 5, 6) == 11


def test_lazy_instantiates_on_first_use(component: hostkit.Build, compile_cache: Path) -> None:
    with Host.from_plan(hostkit.calc_plan(component), cache_dir=compile_cache, lazy=True) as host:
        assert host._registry.runtime("calc").instance is None
        assert host.call("app", "run", 2) == 4
        assert host._registry.runtime("calc").instance is not None


def test_plan_with_changed_component_leaves_it_and_its_consumers_unloaded(
    component: hostkit.Build, compile_cache: Path
) -> None:
    plan = hostkit.calc_plan(component)
    stale = attrs.evolve(plan.extensions[0], sha256="0" * 64)
    plan = attrs.evolve(plan, extensions=(stale, *plan.extensions[1:]))
    with Host.from_plan(plan, cache_dir=compile_cache) as host:
        assert [host.status(e) for e in host.extensions()] == [Status.UNLOADED] * 2
        assert "changed since the plan was made" in str(host.info("calc").metrics.last_error)
        with pytest.raises(IntegrityError, match="changed since the plan was made"):
            host.load("calc")
        with pytest.raises(ExtensionError, match="its provider `calc` is unloaded"):
            host.load("app")
        with pytest.raises(ExtensionError, match=r"`app` is unloaded .*provider `calc` did not"):
            host.call("app", "run", 1)


def test_corrupt_and_stale_cache_entries_are_recompiled(
    component: hostkit.Build, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plan = hostkit.calc_plan(component)
    with Host.from_plan(plan, cache_dir=tmp_path) as host:
        entry = host._cache.entry(plan.extensions[0].sha256)
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
    folders = [component("host-calc-provider").parent, component("host-calc-consumer").parent]
    with Host.link(folders, cache_dir=compile_cache) as host:
        ids = host.extensions()
        consumer = next(i for i in ids if host._registry.runtime(i).planned.imports)
        assert host.call(consumer, "run", 20) == 40


# A provider of acme:calc/lib@1.0.0 whose `add` takes u64s and which lacks the rest.
WRONG_CALC = """
(component
  (core module $m
    (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
    (func (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1))))
  (core instance $i (instantiate $m))
  (func $add (param "a" u64) (param "b" u64) (result u64) (canon lift (core func $i "add")))
  (func $div (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "div")))
  (instance $lib (export "add" (func $add)) (export "div" (func $div)))
  (export "acme:calc/lib@1.0.0" (instance $lib)))
"""


def test_reload_with_mistyped_component_says_why(host: Host, tmp_path: Path) -> None:
    wat = tmp_path / "wrong.wat"
    wat.write_text(WRONG_CALC)
    wasm = tmp_path / "wrong.wasm"
    run_wasm_tools("parse", str(wat), "-o", str(wasm))
    with pytest.raises(ExtensionError) as info:
        host.reload("calc", wasm)
    text = str(info.value)
    assert (
        f"`app` imports `{CALC}#add`: func(a: u32, b: u32) -> u32, "
        "but the new component has func(a: u64, b: u64) -> u64"
    ) in text
    assert f"`app2` imports `{CALC}#spin`, but the new component does not export" in text
    assert f"{CALC}#div" not in text  # that one still fits
    assert host.call("app", "add-via-lib", 1, 2) == 3  # the old component keeps running


def test_unknown_import_or_host_interface_is_a_load_error(
    component: hostkit.Build, compile_cache: Path
) -> None:
    plan = attrs.evolve(hostkit.calc_plan(component), bindings=(), functions=())
    orphan = attrs.evolve(plan.extensions[1], imports=())
    with pytest.raises(ExtensionError, match=f"`app` imports `{CALC}`, which the plan does not"):
        Host.from_plan(
            attrs.evolve(plan, extensions=(plan.extensions[0], orphan)), cache_dir=compile_cache
        )
    wrong = attrs.evolve(plan.extensions[1], imports=(PlannedImport(CALC, "host"),))
    with pytest.raises(ExtensionError, match=f"imports `{CALC}`, which this host does not provide"):
        Host.from_plan(
            attrs.evolve(plan, extensions=(plan.extensions[0], wrong)), cache_dir=compile_cache
        )


def test_not_a_component_is_a_clear_error(tmp_path: Path, compile_cache: Path) -> None:
    bogus = tmp_path / "bogus.wasm"
    bogus.write_bytes(b"\0asm\x01\0\0\0garbage")
    plan = Plan((hostkit.planned("bogus", bogus),), ("bogus",), (), ())
    with pytest.raises(ExtensionError, match="extension `bogus`: not a valid component"):
        Host.from_plan(plan, cache_dir=compile_cache)
    missing = attrs.evolve(plan.extensions[0], component=tmp_path / "gone.wasm")
    with Host.from_plan(attrs.evolve(plan, extensions=(missing,)), cache_dir=compile_cache) as h:
        assert h.status("bogus") is Status.UNLOADED
        assert "extension `bogus`: cannot read" in str(h.info("bogus").metrics.last_error)


def test_public_call_path_is_the_fallback_off_the_pinned_version() -> None:
    import subprocess
    import sys

    code = (
        "from linker.host import calls; print(calls.FAST, calls.WASMTIME_VERSION in calls.PINNED)"
    )
    root = Path(__file__).resolve().parent.parent
    for env, expected in [({}, "True True"), ({"WITLINK_PUBLIC_CALLS": "1"}, "False True")]:
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, **env},
            check=True,
        )
        assert out.stdout.strip() == expected


def calc_component(tmp_path: Path, version: str) -> Path:
    """A WAT provider of acme:calc/lib@`version` (add works; the rest return 0)."""
    funcs = "".join(
        f'(func ${n} {sig} (canon lift (core func $i "{n}")))'
        for n, sig in [
            ("add", '(param "a" u32) (param "b" u32) (result u32)'),
            ("div", '(param "a" u32) (param "b" u32) (result u32)'),
            ("spin", "(result u32)"),
            ("bomb", "(result u32)"),
            ("recurse", '(param "n" u32) (result u32)'),
        ]
    )
    wat = f"""
    (component
      (core module $m
        (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
        (func (export "div") (param i32 i32) (result i32) (i32.const 0))
        (func (export "spin") (result i32) (i32.const 0))
        (func (export "bomb") (result i32) (i32.const 0))
        (func (export "recurse") (param i32) (result i32) (i32.const 0)))
      (core instance $i (instantiate $m))
      {funcs}
      (instance $lib (export "add" (func $add)) (export "div" (func $div))
        (export "spin" (func $spin)) (export "bomb" (func $bomb))
        (export "recurse" (func $recurse)))
      (export "acme:calc/lib@{version}" (instance $lib)))
    """
    source = tmp_path / f"calc-{version}.wat"
    source.write_text(wat)
    out = tmp_path / f"calc-{version}.wasm"
    run_wasm_tools("parse", str(source), "-o", str(out))
    return out


def test_reload_with_a_newer_compatible_version(host: Host, tmp_path: Path) -> None:
    host.reload("calc", calc_component(tmp_path, "1.2.0"))
    assert host.call("app", "add-via-lib", 40, 2) == 42
    assert host.call("calc", "acme:calc/lib@1.2.0#add", 1, 1) == 2
    host.unload("app")  # rewired from the plan again: the alias to @1.2.0 holds
    host.load("app")
    assert host.call("app", "run", 4) == 8
    with pytest.raises(ExtensionError) as info:
        host.reload("calc", calc_component(tmp_path, "2.0.0"))
    assert (
        "does not export `acme:calc/lib@1.2.0#add` (nor a compatible version of "
        "`acme:calc/lib@1.2.0`)"
    ) in str(info.value)
    assert host.call("app2", "add-via-lib", 1, 2) == 3


def test_host_call_resolves_interface_names_on_the_semver_track(host: Host, tmp_path: Path) -> None:
    assert host.call("calc", "acme:calc/lib#add", 1, 2) == 3  # unversioned: the one exported
    host.reload("calc", calc_component(tmp_path, "1.1.0"))
    assert host.call("calc", f"{CALC}#add", 2, 3) == 5  # the 1.0.0 name, served by 1.1.0
    assert host.call("calc", "acme:calc/lib#add", 2, 3) == 5
    assert host.call("calc", "acme:calc/lib@1.1.0#add", 2, 3) == 5
    with pytest.raises(ExtensionError, match=r"no function export `acme:calc/lib@2.0.0#add`"):
        host.call("calc", "acme:calc/lib@2.0.0#add", 1, 1)


def test_an_unversioned_name_fitting_several_versions_is_refused() -> None:
    exports = ["a:b/c@1.0.0", "a:b/c@2.0.0", "run"]
    assert export_target("e", "a:b/c@1.0.0#f", exports) == "a:b/c@1.0.0#f"
    assert export_target("e", "run", exports) == "run"
    with pytest.raises(ExtensionError, match=r"`a:b/c#f` is ambiguous, it exports a:b/c@1.0.0, "):
        export_target("e", "a:b/c#f", exports)
