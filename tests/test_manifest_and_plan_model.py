"""extension.toml parsing and the plan's JSON form."""

from __future__ import annotations

from pathlib import Path

import pytest

from linker import manifest
from linker.manifest import ManifestError
from linker.plan import Binding, FunctionRef, Plan, PlanError, PlannedExtension, PlannedImport

FULL = """
[extension]
id = "stats"
name = "Stats"
version = "0.1.0"
component = "stats.wasm"

[permissions]
methods = ["files.", "ai.ocr"]
libraries = ["*"]
allowed-domains = []
max-memory-mb = 64
[permissions.rate-limits]
requests-per-minute = 1000

[dependencies]
"acme:math/lib" = "mathlib"
"""


def test_full_manifest(tmp_path: Path) -> None:
    (tmp_path / "extension.toml").write_text(FULL)
    m = manifest.load(tmp_path / "extension.toml")
    assert m.id == "stats" and m.component == tmp_path / "stats.wasm"
    assert m.permissions.methods == ("files.", "ai.ocr")
    assert m.permissions.max_memory_mb == 64
    assert m.permissions.rate_limits.requests_per_minute == 1000
    assert m.dependencies == {"acme:math/lib": "mathlib"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[extension\n", "not valid TOML"),
        ('[extension]\nid = "Bad Id"\ncomponent = "x.wasm"', "extension.id"),
        (
            '[extension]\ncomponent = "x.wasm"\n[permissions]\nmethods = "files."',
            "permissions.methods",
        ),
        ('[extension]\ncomponent = "x.wasm"\n[permissions]\nmax-memory-mb = -1', "max-memory-mb"),
        ('[extension]\ncomponent = "x.wasm"\n[permisions]\n', "unknown key `permisions`"),
        ("[extension]\n", "extension.component"),
    ],
)
def test_bad_manifests_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "extension.toml").write_text(text)
    with pytest.raises(ManifestError, match=r"extension\.toml") as info:
        manifest.load(tmp_path / "extension.toml")
    assert needle in str(info.value)


def test_plan_json_round_trip(tmp_path: Path) -> None:
    lib = "acme:math/lib@1.2.0"
    plan = Plan(
        extensions=(
            PlannedExtension(
                id="mathlib",
                component=tmp_path / "mathlib" / "mathlib.wasm",
                sha256="ab" * 32,
                size=3,
                imports=(PlannedImport("witlink:host/host@0.1.0", "host"),),
                exports=(lib,),
            ),
            PlannedExtension(
                id="stats",
                component=tmp_path / "stats.wasm",
                sha256="cd" * 32,
                size=4,
                imports=(PlannedImport("acme:math/lib@1.0.0", "mathlib"),),
                exports=(),
            ),
        ),
        order=("mathlib", "stats"),
        bindings=(Binding("stats", "acme:math/lib@1.0.0", "mathlib", lib),),
        functions=(
            FunctionRef(
                "stats", "acme:math/lib@1.0.0", "add", "mathlib", lib, "func(a: u32, b: u32) -> u32"
            ),
        ),
    )
    text = plan.to_json(base=tmp_path)
    assert '"component": "mathlib/mathlib.wasm"' in text
    again = Plan.from_json(text, base=tmp_path)
    assert again == plan
    assert again.to_json(base=tmp_path) == text


@pytest.mark.parametrize("text", ["{", '{"schema": 2}', '{"schema": 1}', "[]"])
def test_bad_plans(text: str) -> None:
    with pytest.raises(PlanError):
        Plan.from_json(text)


def test_plan_save_writes_relative_paths_and_reports_failures(tmp_path: Path) -> None:
    plan = Plan(
        extensions=(
            PlannedExtension(
                id="a",
                component=tmp_path / "out" / "a" / "a.wasm",
                sha256="00" * 32,
                size=1,
                imports=(),
                exports=(),
            ),
        ),
        order=("a",),
        bindings=(),
        functions=(),
    )
    plan.save(tmp_path / "out" / "plan.json")
    assert '"component": "a/a.wasm"' in (tmp_path / "out" / "plan.json").read_text()
    assert Plan.load(tmp_path / "out" / "plan.json") == plan
    (tmp_path / "file").write_text("")
    with pytest.raises(PlanError, match="cannot write the plan"):
        plan.save(tmp_path / "file" / "plan.json")


def test_plan_saved_away_from_relative_inputs_loads_them_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The inputs are named relative to the working folder; the plan goes elsewhere.
    (tmp_path / "exts").mkdir()
    monkeypatch.chdir(tmp_path)
    plan = Plan(
        extensions=(
            PlannedExtension(
                id="a",
                component=Path("exts") / "a.wasm",
                sha256="00" * 32,
                size=1,
                imports=(),
                exports=(),
            ),
        ),
        order=("a",),
        bindings=(),
        functions=(),
    )
    plan.save(tmp_path / "plans" / "plan.json")
    loaded = Plan.load(Path("plans") / "plan.json")
    assert loaded.extensions[0].component.resolve() == (tmp_path / "exts" / "a.wasm").resolve()
