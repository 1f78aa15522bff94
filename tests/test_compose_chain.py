"""Composed mode on the WAT chain app -> stats@0.3.1 -> mathlib@1.2.0 (imports of @0.3.0 and
@1.0.0): the composite answers as the dynamically linked extension does, stays valid and
deterministic, and refuses what cannot be composed with the link diagnostics."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linker
from linker.compose import ComposeError, composed_plan
from linker.errors import IntegrityError, LinkError
from linker.host import Host, OperationContext, Operations, Status
from linker.plan import Binding, Plan, PlanError, PlannedImport
from linker.tools import wasm_tools
from tests.support.readme import run_readme_example

CHAIN = ("compose-app", "compose-stats", "compose-mathlib")
U32 = st.integers(0, 2**32 - 1)
MASK = 2**32 - 1


@pytest.fixture(scope="module")
def chain(component: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An extensions folder holding the three extensions."""
    folder = tmp_path_factory.mktemp("chain")
    for name in CHAIN:
        shutil.copytree(component(name).parent, folder / name.removeprefix("compose-"))
    return folder


@pytest.fixture(scope="module")
def plan(chain: Path) -> Plan:
    return linker.link([chain])


@pytest.fixture(scope="module")
def composed(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return composed_plan(plan, ["app"], tmp_path_factory.mktemp("composed"))


class Pings:
    """The host operation `app.ping`: records who called it."""

    def __init__(self) -> None:
        self.callers: list[str] = []
        self.operations = Operations()
        self.operations.add("app.ping", self.ping)
        self.operations.add("stats.audit", lambda ctx, payload: {"by": ctx.extension_id})

    def ping(self, ctx: OperationContext, payload: object) -> dict[str, str]:
        self.callers.append(ctx.extension_id)
        return {"pong": ctx.extension_id}


@pytest.fixture(scope="module")
def pings() -> Pings:
    return Pings()


@pytest.fixture(scope="module")
def hosts(plan: Plan, composed: Plan, pings: Pings, compile_cache: Path) -> Iterator[list[Host]]:
    with (
        Host(plan, operations=pings.operations, cache_dir=compile_cache) as dynamic,
        Host(composed, operations=pings.operations, cache_dir=compile_cache) as fused,
    ):
        yield [dynamic, fused]


def test_composite_is_valid_and_has_the_extensions_exports_and_host_imports(
    plan: Plan, tmp_path: Path
) -> None:
    out = tmp_path / "app.wasm"
    out.write_bytes(linker.compose(plan, "app"))
    subprocess.run([wasm_tools(), "validate", str(out)], check=True)
    wit = subprocess.run(
        [wasm_tools(), "component", "wit", str(out)], check=True, capture_output=True, text=True
    ).stdout
    world = wit.split("package witlink:host")[0]
    assert "export sum3: func(a: u32, b: u32, c: u32) -> u32;" in world
    assert "import witlink:host/host@0.1.0;" in world
    assert "acme:" not in world  # the lib imports are satisfied inside


def test_composite_is_byte_identical_for_identical_inputs(
    plan: Plan, chain: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "copy"
    shutil.copytree(chain, elsewhere)
    first = linker.compose(plan, "app")
    assert linker.compose(plan, "app") == first
    assert linker.compose(linker.link([elsewhere]), "app") == first


def test_composite_members_and_imports_are_recorded(composed: Plan) -> None:
    composite = composed.extension("app").composite
    assert composite is not None
    assert composite.members == ("app", "stats", "mathlib")
    assert {i.name for i in composite.imports} == {
        "witlink:host/host@0.1.0",
        "witlink:host/types@0.1.0",
    }
    assert composed.extension("stats").composite is None


@settings(max_examples=60, deadline=None)
@given(a=U32, b=U32, c=U32, d=U32)
def test_composed_answers_as_dynamic(hosts: list[Host], a: int, b: int, c: int, d: int) -> None:
    dynamic, fused = hosts
    for function, args, expected in [
        ("sum3", (a, b, c), (a + b + c) & MASK),
        ("dot2", (a, b, c, d), (a * b + c * d) & MASK),
    ]:
        assert dynamic.call("app", function, *args) == expected
        assert fused.call("app", function, *args) == expected


def test_host_operations_and_logs_reach_the_host(
    hosts: list[Host], pings: Pings, caplog: pytest.LogCaptureFixture
) -> None:
    dynamic, fused = hosts
    reply_length = len('{"pong": "app"}')
    with caplog.at_level(logging.INFO, logger="witlink.ext"):
        assert dynamic.call("app", "ping") == reply_length
        assert fused.call("app", "ping") == reply_length
        dynamic.call("app", "sum3", 1, 2, 3)
        fused.call("app", "sum3", 1, 2, 3)
    assert pings.callers[-2:] == ["app", "app"]
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    # stats logs inside the composite as the composite, i.e. as `app`
    assert ("witlink.ext.stats", "stats: sum3") in logged
    assert ("witlink.ext.app", "stats: sum3") in logged


def test_members_host_calls_are_checked_against_the_extensions_permissions(
    hosts: list[Host],
) -> None:
    dynamic, fused = hosts
    # stats' manifest allows `stats.` operations, app's only `app.` ones: linked, stats runs
    # on app's behalf (the confused-deputy guard); composed, stats asks as app
    assert dynamic.call("app", "audit") == 1000  # denied
    assert fused.call("app", "audit") == 1000  # denied


def test_provider_state_inside_a_composite_is_private(hosts: list[Host]) -> None:
    _, fused = hosts
    standalone = fused.call("mathlib", "acme:mathlib/lib@1.2.0#counter")
    inside = fused.call("app", "tick")
    assert fused.call("app", "tick") == inside + 1
    assert fused.call("mathlib", "acme:mathlib/lib@1.2.0#counter") == standalone + 1


def test_composed_extension_does_not_depend_on_its_standalone_providers(
    composed: Plan, compile_cache: Path
) -> None:
    with Host(composed, cache_dir=compile_cache) as host:
        assert host.unload("stats") == ["stats"]  # no loaded extension depends on it
        assert host.call("app", "sum3", 4, 5, 6) == 15


def with_composite_at(plan: Plan, path: Path) -> Plan:
    """`plan` with app's composite read from `path`."""
    return attrs.evolve(
        plan,
        extensions=tuple(
            attrs.evolve(e, composite=attrs.evolve(e.composite, component=path))
            if e.composite is not None
            else e
            for e in plan.extensions
        ),
    )


def test_plan_with_composite_round_trips_through_json(composed: Plan, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    composed.save(path)
    assert Plan.load(path) == composed
    composite = composed.extension("app").composite
    assert composite is not None
    shutil.copy(composite.component, tmp_path / "app.wasm")
    beside = with_composite_at(composed, tmp_path / "app.wasm")
    beside.save(path)
    assert '"component": "app.wasm"' in path.read_text()  # relative to the plan's folder
    assert Plan.load(path) == beside


def test_a_changed_composite_is_refused_at_load(
    composed: Plan, compile_cache: Path, tmp_path: Path
) -> None:
    composite = composed.extension("app").composite
    assert composite is not None
    changed = tmp_path / "app.wasm"
    changed.write_bytes(composite.component.read_bytes() + b"\0")
    with Host(with_composite_at(composed, changed), cache_dir=compile_cache) as host:
        assert host.status("app") is Status.UNLOADED  # the others still run
        assert host.call("stats", "acme:stats/lib@0.3.1#sum3", 1, 2, 3) == 6
        with pytest.raises(IntegrityError, match="changed since the plan was made"):
            host.load("app")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("members", ["stats", "app"], "members` must start with `app`"),
        ("members", ["app", "gone"], "must name extensions of the plan, each once"),
        ("members", ["app", "app"], "must name extensions of the plan, each once"),
        ("imports", [{"name": "acme:x/lib", "provider": "stats"}], "only `host` and `wasi`"),
        ("sha256", "xyz", "64 hex digits"),
        ("size", -1, "composite.size` must be"),
    ],
)
def test_bad_composite_in_plan_json(composed: Plan, key: str, value: object, message: str) -> None:
    doc = json.loads(composed.to_json())
    (app,) = (e for e in doc["extensions"] if e["id"] == "app")
    app["composite"][key] = value
    with pytest.raises(PlanError, match=message):
        Plan.from_json(json.dumps(doc))


def test_a_cycle_is_refused_with_the_link_diagnostic(plan: Plan) -> None:
    stats_lib = "acme:stats/lib@0.3.0"
    looped = attrs.evolve(
        plan,
        extensions=tuple(
            attrs.evolve(e, imports=(*e.imports, PlannedImport(stats_lib, "stats")))
            if e.id == "mathlib"
            else e
            for e in plan.extensions
        ),
        bindings=(*plan.bindings, Binding("mathlib", stats_lib, "stats", "acme:stats/lib@0.3.1")),
    )
    with pytest.raises(LinkError) as caught:
        linker.compose(looped, "app")
    assert [d.code for d in caught.value.diagnostics] == ["W006-cycle"]
    assert "mathlib -> stats -> mathlib" in str(caught.value)


def test_an_import_without_provider_is_refused_with_the_link_diagnostic(plan: Plan) -> None:
    orphaned = attrs.evolve(plan, bindings=tuple(b for b in plan.bindings if b.consumer != "stats"))
    with pytest.raises(LinkError) as caught:
        linker.compose(orphaned, "app")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.extension, diagnostic.import_) == (
        "W001-missing-provider",
        "stats",
        "acme:mathlib/lib@1.0.0",
    )


def test_a_tool_failure_shows_its_whole_message(plan: Plan) -> None:
    wrong = attrs.evolve(
        plan,
        bindings=tuple(
            attrs.evolve(b, export="acme:mathlib/lib@9.0.0") if b.consumer == "stats" else b
            for b in plan.bindings
        ),
    )
    with pytest.raises(ComposeError) as caught:
        linker.compose(wrong, "app")
    message = str(caught.value)
    assert "composing `app` (members: app, stats, mathlib) failed" in message
    assert "`mathlib.wasm` does not export an instance named `acme:mathlib/lib@9.0.0`" in message
    assert "deprecated" not in message


def test_unknown_extension_and_one_with_nothing_to_compose(plan: Plan) -> None:
    with pytest.raises(ComposeError, match="the plan has no extension `nope`; its extensions: "):
        linker.compose(plan, "nope")
    with pytest.raises(ComposeError, match="`mathlib` imports no `lib` of another extension"):
        linker.compose(plan, "mathlib")


def witlink(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "-c", "import sys; from linker.cli import main; sys.exit(main())", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        check=False,
    )


def test_cli_compose_link_and_run(plan: Plan, chain: Path, tmp_path: Path) -> None:
    done = witlink("compose", chain, "app", "-o", tmp_path / "app.wasm", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "app.wasm").read_bytes() == linker.compose(plan, "app")
    assert "deprecated" not in done.stderr + done.stdout
    done = witlink("link", chain, "--compose", "app", "-o", tmp_path / "p/plan.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "composed: app" in done.stderr
    assert (tmp_path / "p/composed/app.wasm").is_file()
    done = witlink("run", tmp_path / "p/plan.json", "app", "sum3", "1", "2", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "6"
    done = witlink("compose", tmp_path / "p/plan.json", "nope", "-o", "x.wasm", cwd=tmp_path)
    assert (done.returncode, done.stderr.strip()) == (
        1,
        "error: the plan has no extension `nope`; its extensions: mathlib, stats, app",
    )
    done = witlink("link", chain, "--compose", "app", cwd=tmp_path)
    assert done.returncode == 2
    assert "--compose needs -o PLAN" in done.stderr


def test_readme_compose_example_runs(compile_cache: Path, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    (tmp_path / "test-components").symlink_to(root / "test-components")
    done = run_readme_example("readme-compose-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["6", "15"]
    assert (tmp_path / "build" / "app.wasm").read_bytes()[:4] == b"\0asm"
    assert (tmp_path / "build" / "composed" / "app.wasm").is_file()


def test_a_provider_shared_by_members_is_instantiated_once(
    component: Callable[[str], Path], tmp_path: Path
) -> None:
    names = ("link-top", "link-left", "link-right", "link-base")  # top -> left, right -> base
    plan = linker.link([component(name) for name in names])
    out = tmp_path / "top.wasm"
    out.write_bytes(linker.compose(plan, "link-top"))
    text = subprocess.run(
        [wasm_tools(), "print", str(out)], check=True, capture_output=True, text=True
    ).stdout
    assert len(re.findall(r"^  \(component ", text, re.MULTILINE)) == 4
    assert len(re.findall(r"^  \(instance \(;\d+;\) \(instantiate ", text, re.MULTILINE)) == 4
