"""Typed clients through a real Host: `witlink bindgen PLAN` packages bound with `host.bind`.

`shapes-wat` (WAT) and `shapes-py` (componentize-py) both export `acme:shapes/lib@1.0.0`
(records, flags, enums, variants, options, results, strings); every client call must take
the path of `Host.call`: metrics, deadline, faults, quarantine, lazy loading, reload and
semver resolution.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import hostkit
import pytest
import wasmtime
from wasmtime.component import Component, Linker

from linker.cli import main as cli
from linker.errors import ExtensionError, ExtensionTrap
from linker.host import Host, Status, values
from linker.host.values import HandleError
from linker.plan.model import Plan
from linker.tools import run_wasm_tools
from linker.wave import Ok
from tests.support.readme import run_readme_example

ROOT = Path(__file__).resolve().parent.parent
SHAPES_WAT = ROOT / "test-components" / "client-wat"
EXTENSIONS = ("shapes-wat", "shapes-py")


@pytest.fixture(scope="module")
def plan(component: hostkit.Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    wat = hostkit.planned("shapes-wat", component("client-wat"), exports=["acme:shapes/lib@1.0.0"])
    py = hostkit.planned("shapes-py", component("client-py"), exports=["acme:shapes/lib@1.0.0"])
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    Plan((wat, py), EXTENSIONS, (), ()).save(path)
    return path


@pytest.fixture(scope="module")
def bindings(plan: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`witlink bindgen plan.json`: one package per extension, importable."""
    out = tmp_path_factory.mktemp("bindings")
    assert cli(["bindgen", str(plan), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["shapes_py", "shapes_wat"]
    sys.path.insert(0, str(out))
    yield out
    sys.path.remove(str(out))
    for name in [m for m in sys.modules if m.split(".")[0] in ("shapes_py", "shapes_wat")]:
        del sys.modules[name]


def package(ext_id: str, module: str) -> ModuleType:
    return importlib.import_module(f"{ext_id.replace('-', '_')}.{module}")


@pytest.fixture
def host(plan: Path, bindings: Path, compile_cache: Path) -> Iterator[Host]:
    with Host.from_plan(plan, cache_dir=compile_cache, call_timeout=0.5, max_faults=2) as h:
        yield h


@pytest.mark.parametrize("ext_id", EXTENSIONS)
def test_typed_calls_convert_every_kind_of_value(host: Host, ext_id: str) -> None:
    t, exports = package(ext_id, "types"), package(ext_id, "exports")
    lib = host.bind(ext_id, exports.Exports).lib
    before = host.info(ext_id).metrics.calls
    assert lib.shift(t.Point(1, -2), 3) == t.Point(4, 1)
    assert lib.invert(t.Perms.READ) == t.Perms.WRITE | t.Perms.EXEC
    assert lib.next(t.Color.BLUE) is t.Color.RED
    assert (lib.half(8), lib.half(7)) == (4, None)
    assert lib.divide(7, 2) == 3
    with pytest.raises(exports.DivideError) as info:
        lib.divide(1, 0)
    assert info.value.value == "division by zero"
    assert lib.try_divide(1, 0) == exports._rt.Err("division by zero")
    assert [lib.area(s) for s in (t.ShapeDot(), t.ShapeSquare(3), t.ShapeRect(t.Point(2, 5)))] == [
        0,
        9,
        10,
    ]
    assert host.info(ext_id).metrics.calls == before + 11  # every call counted by the host
    with pytest.raises(TypeError, match=r"shift: parameter `p`: expected point"):
        lib.shift((1, 2), 3)
    assert host.info(ext_id).metrics.calls == before + 11  # refused before any wasm ran


def test_world_functions_of_a_python_extension(host: Host) -> None:
    exports = package("shapes-py", "exports")
    client = host.bind("shapes-py", exports.Exports)
    assert client.greet("ada", True) == "hello, ada!"
    assert client.greet("ada", None) == "hello, ada"
    with pytest.raises(exports.GreetError, match="no name"):
        client.greet("", False)
    assert client.words("to be or") == (["to", "be", "or"], 3)
    assert client.lib.version() == "py 1.0.0"


def test_a_client_survives_an_idle_period_longer_than_the_call_timeout(host: Host) -> None:
    t = package("shapes-wat", "types")
    lib = host.bind("shapes-wat", package("shapes-wat", "exports").Exports).lib
    assert lib.next(t.Color.RED) is t.Color.GREEN
    time.sleep(1.2)  # more than twice the 0.5 s call timeout: the deadline is armed per call
    assert lib.next(t.Color.GREEN) is t.Color.BLUE
    assert host.status("shapes-wat") is Status.LOADED
    assert host.info("shapes-wat").metrics.errors == 0


def test_faults_quarantine_and_reload_apply_to_clients(host: Host) -> None:
    t = package("shapes-wat", "types")
    lib = host.bind("shapes-wat", package("shapes-wat", "exports").Exports).lib
    with pytest.raises(ExtensionTrap, match=r"ran longer than the 0.5 s call timeout"):
        lib.spin()
    assert host.status("shapes-wat") is Status.FAULTED
    assert lib.half(2) == 1  # restarted on the next call
    with pytest.raises(ExtensionTrap):
        lib.spin()
    with pytest.raises(ExtensionTrap, match="quarantined after 2 consecutive faults"):
        lib.spin()
    assert host.status("shapes-wat") is Status.QUARANTINED
    with pytest.raises(ExtensionError, match=r"`shapes-wat` is quarantined"):
        lib.next(t.Color.RED)
    host.reload("shapes-wat")
    assert lib.next(t.Color.RED) is t.Color.GREEN


def shapes_wat(tmp_path: Path, version: str) -> Path:
    """`client-wat` rebuilt exporting `acme:shapes/lib@<version>` (and saying so)."""
    wit = tmp_path / f"wit-{version}"
    wit.mkdir()
    text = (SHAPES_WAT / "wit" / "shapes.wit").read_text().replace("1.0.0", version)
    (wit / "shapes.wit").write_text(text)
    wat = tmp_path / f"module-{version}.wat"
    wat.write_text((SHAPES_WAT / "module.wat").read_text().replace("1.0.0", version))
    core, out = tmp_path / f"core-{version}.wasm", tmp_path / f"shapes-{version}.wasm"
    run_wasm_tools("component", "embed", str(wit), str(wat), "-o", str(core))
    run_wasm_tools("component", "new", str(core), "-o", str(out))
    return out


def test_a_client_made_before_a_reload_calls_the_new_component(host: Host, tmp_path: Path) -> None:
    client = host.bind("shapes-wat", package("shapes-wat", "exports").Exports)
    assert client.lib.version() == "1.0.0"
    host.reload("shapes-wat", shapes_wat(tmp_path, "1.1.0"))
    # The client names acme:shapes/lib@1.0.0; the host resolves it on the semver track.
    assert client.lib.version() == "1.1.0"
    assert host.call("shapes-wat", "acme:shapes/lib@1.0.0#version") == "1.1.0"
    host.reload("shapes-wat", shapes_wat(tmp_path, "2.0.0"))  # no consumer holds it back
    with pytest.raises(ExtensionError, match=r"no function export `acme:shapes/lib@1.0.0#version`"):
        client.lib.version()
    with pytest.raises(ExtensionError, match=r"no function export `acme:shapes/lib@1.0.0#shift`"):
        host.bind("shapes-wat", package("shapes-wat", "exports").Exports)


def test_binding_a_lazy_extension_instantiates_it_on_the_first_call(
    plan: Path, bindings: Path, compile_cache: Path
) -> None:
    with Host.from_plan(plan, cache_dir=compile_cache, lazy=True) as host:
        lib = host.bind("shapes-wat", package("shapes-wat", "exports").Exports).lib
        assert host._registry.runtime("shapes-wat").instance is None
        assert lib.half(10) == 5
        assert host._registry.runtime("shapes-wat").instance is not None
        host.unload("shapes-wat")
        with pytest.raises(ExtensionError, match=r"`shapes-wat` is unloaded"):
            lib.half(10)
        host.load("shapes-wat")
        assert lib.half(10) == 5


def test_a_client_of_an_unknown_extension_is_an_error(host: Host) -> None:
    with pytest.raises(ExtensionError, match="no extension `nope`"):
        host.bind("nope", package("shapes-wat", "exports").Exports)


TYPED_PROGRAM = """
from pathlib import Path

from linker.host import Host
from shapes_wat.exports import DivideError, Exports
from shapes_wat.types import Color, Perms, Point, ShapeSquare


def main(plan: Path) -> int:
    with Host.from_plan(plan) as host:
        client = host.bind("shapes-wat", Exports)
        moved: Point = client.lib.shift(Point(1, 2), 3)
        color: Color = client.lib.next(Color.RED)
        perms: Perms = client.lib.invert(Perms.READ | Perms.WRITE)
        half: int | None = client.lib.half(4)
        try:
            quotient = client.lib.divide(4, 0)
        except DivideError as err:
            message: str = err.value
            quotient = len(message)
        print(color.name, perms, client.lib.version())
        return moved.x + (half or 0) + quotient + client.lib.area(ShapeSquare(2))
"""


def _mypy(program: Path, bindings: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(bindings)}
    config = ["--config-file", str(ROOT / "pyproject.toml")]
    cache = ["--cache-dir", str(program.parent / ".mypy_cache")]
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *config, *cache, str(program)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_generated_clients_type_check_in_a_strict_host_program(
    bindings: Path, tmp_path: Path
) -> None:
    program = tmp_path / "typed_host.py"
    program.write_text(TYPED_PROGRAM)
    done = _mypy(program, bindings)
    assert done.returncode == 0, done.stdout + done.stderr
    program.write_text(TYPED_PROGRAM.replace("moved: Point =", "moved: str ="))
    done = _mypy(program, bindings)
    assert done.returncode == 1
    assert 'Incompatible types in assignment (expression has type "Point"' in done.stdout


def test_bindgen_refuses_a_world_for_a_plan(plan: Path, tmp_path: Path, capsys: Any) -> None:
    assert cli(["bindgen", str(plan), "--world", "x", "-o", str(tmp_path)]) == 2
    assert "--world does not apply to a plan" in capsys.readouterr().err


def test_readme_bind_example_runs(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "build" / "host-plan.json"
    hostkit.calc_plan(component).save(plan)  # the WAT part of the host plan: calc and app
    assert cli(["bindgen", str(plan), "-o", str(tmp_path / "build" / "bindings")]) == 0
    done = run_readme_example("readme-bind-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3 2"


def test_bindgen_of_a_component_binds_a_raw_wasmtime_instance_too(
    component: hostkit.Build, tmp_path: Path
) -> None:
    """`witlink bindgen x.wasm`: the replacement for wasmtime-py's removed `wasmtime.bindgen`."""
    wasm = component("client-wat")
    assert cli(["bindgen", str(wasm), "-o", str(tmp_path)]) == 0
    sys.path.insert(0, str(tmp_path))
    try:
        t = importlib.import_module("client_wat.types")
        exports = importlib.import_module("client_wat.exports")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == "client_wat"]:
            del sys.modules[name]
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    instance = Linker(engine).instantiate(store, Component.from_file(engine, str(wasm)))
    lib = exports.Exports(instance, store).lib
    assert lib.shift(t.Point(1, 1), 1) == t.Point(2, 2)
    assert lib.try_divide(1, 0) == exports._rt.Err("division by zero")
    with pytest.raises(TypeError, match="an instance needs its store"):
        exports.Exports(instance)


# -- resources through clients ---------------------------------------------------------

INDEX = "acme:dp/lib@0.1.0"
COUNTED = "acme:counted/lib@0.1.0"


@pytest.fixture(scope="module")
def resource_bindings(
    component: hostkit.Build, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """`index` (componentize-py, `acme:dp/lib`: a resource moved every way) and `counted`
    (WAT, counting its live `thing`s), with their bindings importable; yields the plan."""
    folder = tmp_path_factory.mktemp("resources")
    index = hostkit.planned("index", component("dp-provider"), exports=[INDEX])
    counted = hostkit.planned("counted", component("dp-counted-provider"), exports=[COUNTED])
    plan = folder / "plan.json"
    Plan((index, counted), ("index", "counted"), (), ()).save(plan)
    out = folder / "bindings"
    assert cli(["bindgen", str(plan), "-o", str(out)]) == 0
    sys.path.insert(0, str(out))
    yield plan
    sys.path.remove(str(out))
    for name in [m for m in sys.modules if m.split(".")[0] in ("index", "counted")]:
        del sys.modules[name]


@pytest.fixture(params=["fast", "public"])
def resource_host(request: Any, resource_bindings: Path, compile_cache: Path) -> Iterator[Host]:
    fast = request.param == "fast"
    with Host.from_plan(
        resource_bindings, cache_dir=compile_cache, call_timeout=0.5, fast_calls=fast
    ) as h:
        yield h


def test_resources_through_a_client_every_way_a_handle_moves(resource_host: Host) -> None:
    t = package("index", "types")
    lib = resource_host.bind("index", package("index", "exports").Exports).lib
    before = resource_host.info("index").metrics.calls
    with lib.new_index("a") as a:  # constructor; `with` drops it
        assert isinstance(a, t.Index)
        assert (a.add("x", 2), a.add("x", 3), a.get("x"), a.get("y")) == (2, 5, 5, None)
        assert lib.peek(a) == "a:[('x', 5)]"  # borrow passed back
        with lib.copy(a) as copied, lib.index_open("b") as b:  # own returned, static
            assert (copied.name(), b.name()) == ("a", "b")
    assert resource_host.info("index").metrics.calls == before + 10  # each took the host's path
    gone = lib.make("gone")
    assert lib.consume(gone) == "consumed gone"  # own passed back: moved into the guest
    with pytest.raises(ReferenceError, match="Index handle was dropped or moved"):
        gone.name()
    first, second = lib.pair("p", "q")
    many = lib.many(["m1", "m2"])
    assert [h.name() for h in (first, second, *many)] == ["p", "q", "m1", "m2"]
    for h in (first, second, *many):
        h.drop()
    maybe = lib.maybe("o")
    assert maybe is not None and maybe.name() == "o"
    maybe.drop()
    assert lib.maybe(None) is None
    entry = lib.wrap(t.Entry("k", lib.make("rec")))  # own in a record, both ways
    with entry.idx:
        assert (entry.key, entry.idx.get("k"), entry.idx.name()) == ("k!", 1, "rec")
    with lib.try_open("res") as opened:  # result<index, string>: both cases untagged
        assert opened.name() == "res"
    assert lib.try_try_open("") == package("index", "exports")._rt.Err("empty name")
    hit = lib.find("var")  # variant { hit(index), miss(string) }
    assert isinstance(hit, t.FoundHit)
    with hit.value:
        assert hit.value.name() == "var"
    assert lib.find("") == t.FoundMiss("no name")


def test_a_clients_drop_reaches_the_destructor_under_the_deadline(resource_host: Host) -> None:
    lib = resource_host.bind("counted", package("counted", "exports").Exports).lib
    before = lib.live()
    things = [lib.new_thing() for _ in range(3)]
    assert lib.live() == before + 3
    assert len({th.id() for th in things}) == 3
    time.sleep(1.2)  # longer than twice the call timeout: a drop arms its own deadline
    things[0].drop()
    things[0].drop()  # idempotent
    with things[1], things[2]:
        pass
    assert lib.live() == before


def test_a_handle_is_stale_after_a_reload_and_bound_to_its_extension(
    resource_host: Host,
) -> None:
    exports = package("index", "exports")
    lib = resource_host.bind("index", exports.Exports).lib
    kept = lib.make("kept")
    resource_host.reload("index")
    with pytest.raises(HandleError, match=r"from extension `index` is stale: .* reloaded"):
        kept.name()
    with pytest.raises(HandleError, match="is stale"):
        lib.peek(kept)
    assert lib.make("new").name() == "new"  # the same client, the new instance
    other = resource_host.bind("counted", package("counted", "exports").Exports).lib
    with other.new_thing() as thing, pytest.raises(TypeError, match="expected Index"):
        lib.peek(thing)  # type: ignore[arg-type]


RESOURCE_PROGRAM = """
from pathlib import Path

from index.exports import Exports
from index.types import Entry, Found, FoundHit, Index
from linker.host import Host


def main(plan: Path) -> int:
    with Host.from_plan(plan) as host:
        lib = host.bind("index", Exports).lib
        with lib.new_index("a") as idx:
            count: int = idx.add("x", 1)
            entry: Entry = lib.wrap(Entry("k", lib.copy(idx)))
            found: Found = lib.find("f")
            maybe: Index | None = lib.maybe(None)
            if isinstance(found, FoundHit):
                found.value.drop()
            entry.idx.drop()
            return count + len(lib.peek(idx)) + (maybe is None)
"""


def test_a_typed_host_program_using_a_client_resource_type_checks(
    resource_bindings: Path, tmp_path: Path
) -> None:
    program = tmp_path / "typed_resources.py"
    program.write_text(RESOURCE_PROGRAM)
    bindings = resource_bindings.parent / "bindings"
    done = _mypy(program, bindings)
    assert done.returncode == 0, done.stdout + done.stderr
    program.write_text(RESOURCE_PROGRAM.replace("count: int = idx.add", "count: str = idx.add"))
    done = _mypy(program, bindings)
    assert done.returncode == 1
    assert 'Incompatible types in assignment (expression has type "int"' in done.stdout


def test_readme_bind_resource_example_runs(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "build" / "values-plan.json"
    hostkit.values_plan(component).save(plan)
    assert cli(["bindgen", str(plan), "-o", str(tmp_path / "build" / "bindings")]) == 0
    done = run_readme_example("readme-bind-resource-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["7", "3", "stale", "in", "echo"]


def test_a_clients_handle_in_an_untagged_case_converts_both_ways(resource_host: Host) -> None:
    """`result<index, string>` crosses wasmtime-py untagged: its case is told by class."""
    sig = resource_host._registry.runtime("index").export(f"{INDEX}#try-open").sig
    assert sig.result is not None and sig.result_type is not None
    with resource_host.call("index", f"{INDEX}#make", "h") as handle:
        raw = values.to_public(sig.result, sig.result_type, None)(Ok(handle))
        assert raw is handle  # as a generated client receives it
        assert values.from_public(sig.result, sig.result_type, None)(raw) == Ok(handle)
