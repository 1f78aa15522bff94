"""The host runs only verified code and consistent plans: every instantiation compiles bytes
that hash to the plan's sha256 (read once), and a plan's invariants are checked first."""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs
import hostkit
import pytest
from hostkit import CALC

from linker.errors import ExtensionError, IntegrityError, PlanError
from linker.host import Host, Status
from linker.plan.model import Binding, FunctionRef, Plan
from linker.tools import run_wasm_tools

ADMIN = "acme:calc/admin@1.0.0"


def calc_wasm(tmp_path: Path, name: str, offset: int, exports: tuple[str, ...] = (CALC,)) -> Path:
    """A WAT provider exporting the calc functions under each name of `exports`; its `add`
    returns a + b + `offset` (so a test can tell which component runs)."""
    sigs = [
        ("add", '(param "a" u32) (param "b" u32) (result u32)'),
        ("div", '(param "a" u32) (param "b" u32) (result u32)'),
        ("spin", "(result u32)"),
        ("bomb", "(result u32)"),
        ("recurse", '(param "n" u32) (result u32)'),
    ]
    funcs = "".join(f'(func ${n} {sig} (canon lift (core func $i "{n}")))' for n, sig in sigs)
    lib = "".join(f'(export "{n}" (func ${n}))' for n, _ in sigs)
    instances = "".join(
        f'(instance $x{k} {lib}) (export "{name}" (instance $x{k}))'
        for k, name in enumerate(exports)
    )
    wat = f"""
    (component
      (core module $m
        (func (export "add") (param i32 i32) (result i32)
          (i32.add (i32.const {offset}) (i32.add (local.get 0) (local.get 1))))
        (func (export "div") (param i32 i32) (result i32) (i32.const 0))
        (func (export "spin") (result i32) (i32.const 0))
        (func (export "bomb") (result i32) unreachable)
        (func (export "recurse") (param i32) (result i32) (i32.const 0)))
      (core instance $i (instantiate $m))
      {funcs}
      {instances})
    """
    source = tmp_path / f"{name}.wat"
    source.write_text(wat)
    out = tmp_path / f"{name}.wasm"
    run_wasm_tools("parse", str(source), "-o", str(out))
    return out


def own_calc_plan(component: hostkit.Build, tmp_path: Path) -> tuple[Plan, Path]:
    """calc (a copy of the WAT provider in `tmp_path`, which tests may swap) and app."""
    plan = hostkit.calc_plan(component)
    wasm = tmp_path / "calc.wasm"
    shutil.copy(plan.extensions[0].component, wasm)
    calc = attrs.evolve(plan.extensions[0], component=wasm)
    return attrs.evolve(plan, extensions=(calc, *plan.extensions[1:])), wasm


def test_reload_without_a_component_refuses_a_swapped_file(
    component: hostkit.Build, tmp_path: Path, compile_cache: Path
) -> None:
    plan, wasm = own_calc_plan(component, tmp_path)
    original = wasm.read_bytes()
    evil = calc_wasm(tmp_path, "evil", 1000).read_bytes()
    with Host.from_plan(plan, cache_dir=compile_cache) as host:
        # quarantine it: reload is the documented way out
        for _ in range(host._settings.max_faults):
            with pytest.raises(ExtensionError):
                host.call("calc", f"{CALC}#bomb")
        assert host.status("calc") is Status.QUARANTINED
        wasm.write_bytes(evil)
        with pytest.raises(IntegrityError, match="changed since the plan was made"):
            host.reload("calc")
        assert host.status("calc") is Status.QUARANTINED
        wasm.write_bytes(original)
        host.reload("calc")
        assert host.call("app", "add-via-lib", 1, 1) == 2


def test_restart_after_a_fault_runs_the_verified_bytes(
    component: hostkit.Build, tmp_path: Path, compile_cache: Path
) -> None:
    plan, wasm = own_calc_plan(component, tmp_path)
    with Host.from_plan(plan, cache_dir=compile_cache) as host:
        wasm.write_bytes(calc_wasm(tmp_path, "evil", 1000).read_bytes())
        with pytest.raises(ExtensionError):
            host.call("calc", f"{CALC}#bomb")
        assert host.status("calc") is Status.FAULTED
        assert host.call("app", "add-via-lib", 1, 1) == 2  # restarted from what was checked


def test_a_swapped_component_stays_unloaded_and_the_others_run(
    component: hostkit.Build, tmp_path: Path, compile_cache: Path
) -> None:
    plan, wasm = own_calc_plan(component, tmp_path)
    adder = hostkit.planned("adder", component("wat-adder"))
    plan = attrs.evolve(plan, extensions=(*plan.extensions, adder), order=(*plan.order, "adder"))
    original = wasm.read_bytes()
    wasm.write_bytes(calc_wasm(tmp_path, "evil", 1000).read_bytes())
    for lazy in (False, True):
        with Host.from_plan(plan, cache_dir=compile_cache, lazy=lazy) as host:
            assert host.status("calc") is host.status("app") is Status.UNLOADED
            assert host.call("adder", "add", 2, 3) == 5
            with pytest.raises(ExtensionError, match=r"`calc` is unloaded .*changed since"):
                host.call("calc", f"{CALC}#add", 1, 1)
            wasm.write_bytes(original)
            host.load("calc")
            host.load("app")
            assert host.call("app", "add-via-lib", 1, 1) == 2
            wasm.write_bytes(calc_wasm(tmp_path, "evil", 1000).read_bytes())
            host.unload("calc", cascade=True)
            with pytest.raises(IntegrityError):
                host.load("calc")


def test_reload_with_a_component_records_its_hash(
    component: hostkit.Build, tmp_path: Path, compile_cache: Path
) -> None:
    plan, _ = own_calc_plan(component, tmp_path)
    newer = calc_wasm(tmp_path, "newer", 100, exports=("acme:calc/lib@1.2.0",))
    with Host.from_plan(plan, cache_dir=compile_cache) as host:
        host.reload("calc", newer)
        assert host.call("app", "add-via-lib", 1, 1) == 102
        host.unload("calc", cascade=True)
        host.load("calc")  # from the reloaded component, checked against its recorded hash
        host.load("app")
        assert host.call("app", "add-via-lib", 1, 1) == 102
        newer.write_bytes(calc_wasm(tmp_path, "evil", 1000).read_bytes())
        host.unload("calc", cascade=True)
        with pytest.raises(IntegrityError, match="changed since the plan was made"):
            host.load("calc")


def admin_plan(component: hostkit.Build, tmp_path: Path) -> Plan:
    """A hand-edited plan: app's `acme:calc/lib` import bound to calc's non-lib `admin`."""
    plan = hostkit.calc_plan(component)
    both = calc_wasm(tmp_path, "both", 1000, exports=(CALC, ADMIN))
    calc = attrs.evolve(hostkit.planned("calc", both), exports=(CALC, ADMIN))
    return attrs.evolve(
        plan,
        extensions=(calc, plan.extensions[1]),
        bindings=(Binding("app", CALC, "calc", ADMIN),),
        functions=tuple(attrs.evolve(f, export=ADMIN) for f in plan.functions),
    )


def test_a_binding_to_a_non_lib_interface_is_refused(
    component: hostkit.Build, tmp_path: Path, compile_cache: Path
) -> None:
    plan = admin_plan(component, tmp_path)
    with pytest.raises(PlanError, match=r"`bindings\[0\]` .*only `\*/lib` interfaces may cross"):
        Host.from_plan(plan, cache_dir=compile_cache)
    path = tmp_path / "plan.json"
    plan.save(path)
    with pytest.raises(PlanError, match="only `\\*/lib` interfaces"):
        Host.from_plan(path, cache_dir=compile_cache)


def test_a_registry_off_its_bindings_is_refused(
    component: hostkit.Build, tmp_path: Path, compile_cache: Path
) -> None:
    plan = admin_plan(component, tmp_path)
    plan = attrs.evolve(plan, bindings=(Binding("app", CALC, "calc", CALC),))
    with pytest.raises(
        PlanError, match=r"`functions\[0\]` sends `app`'s .* which no import or binding"
    ):
        Host.from_plan(plan, cache_dir=compile_cache)
    reversed_order = attrs.evolve(hostkit.calc_plan(component), order=("app", "calc"))
    with pytest.raises(PlanError, match="puts `app` before its provider `calc`"):
        Host.from_plan(reversed_order, cache_dir=compile_cache)
    unknown = attrs.evolve(
        hostkit.calc_plan(component),
        functions=(FunctionRef("app", CALC, "add", "ghost", CALC, ""),),
    )
    with pytest.raises(PlanError, match="which no import or binding does"):
        Host.from_plan(unknown, cache_dir=compile_cache)
