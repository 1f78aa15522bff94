"""The link step on real components (WAT cores + WIT, built with wasm-tools)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import componentbuild
import pytest
import wasmtime
from wasmtime import component as wc

from linker import LinkError, Plan, component, link
from linker.cli import main
from linker.plan import analyze
from linker.wit import to_json

LINK_COMPONENTS = [n for n in componentbuild.names() if n.startswith("link-")]


def ext(name: str) -> Path:
    """The built folder of test extension `name` (component plus extension.toml if any)."""
    return componentbuild.build(name)


def codes(*names: str, wasi: bool = True) -> list[str]:
    return [d.code for d in analyze([ext(n) for n in names], wasi=wasi).diagnostics]


def test_chain() -> None:
    plan = link([ext("link-leaf"), ext("link-left"), ext("link-base")])
    assert plan.order == ("link-base", "link-left", "link-leaf")
    assert [(b.consumer, b.import_, b.provider, b.export) for b in plan.bindings] == [
        ("link-leaf", "link:left/lib@1.0.0", "link-left", "link:left/lib@1.0.0"),
        ("link-left", "link:base/lib@1.0.0", "link-base", "link:base/lib@1.0.0"),
    ]
    refs = {(f.consumer, f.function): (f.provider, f.signature) for f in plan.functions}
    assert refs[("link-left", "sum")] == ("link-base", "func(p: pair) -> u32")
    assert refs[("link-leaf", "value")] == ("link-left", "func() -> u32")


def test_diamond_orders_providers_first_ties_by_id() -> None:
    plan = link([ext(n) for n in ("link-top", "link-right", "link-left", "link-base")])
    assert plan.order == ("link-base", "link-left", "link-right", "link-top")
    assert [e.id for e in plan.extensions] == list(plan.order)
    top = plan.extension("link-top")
    assert [(i.name, i.provider) for i in top.imports] == [
        ("link:left/lib@1.0.0", "link-left"),
        ("link:right/lib@1.0.0", "link-right"),
    ]


def test_cycle_reports_the_full_path() -> None:
    with pytest.raises(LinkError) as info:
        link([ext("link-cyc-a"), ext("link-cyc-b")])
    (diag,) = info.value.diagnostics
    assert diag.code == "W006-cycle"
    assert "link-cyc-a -> link-cyc-b -> link-cyc-a" in diag.message


def test_missing_provider_names_the_closest_candidates() -> None:
    linkage = analyze([ext("link-top"), ext("link-left"), ext("link-base")])
    (diag,) = linkage.diagnostics
    assert (diag.code, diag.extension, diag.import_) == (
        "W001-missing-provider",
        "link-top",
        "link:right/lib@1.0.0",
    )
    assert "link:left/lib@1.0.0" in diag.hint


def test_major_version_mismatch_and_minor_versions_on_a_track() -> None:
    assert codes("link-left", "link-base-v2") == ["W002-version-mismatch"]
    plan = link([ext("link-left"), ext("link-base-v12")])  # @1.0.0 served by @1.2.0
    assert plan.bindings[0].export == "link:base/lib@1.2.0"


def test_non_lib_interfaces_do_not_cross_extensions() -> None:
    linkage = analyze([ext("link-api-user"), ext("link-api-provider")])
    (diag,) = linkage.diagnostics
    assert diag.code == "W003-not-a-lib" and "link-api-provider" in diag.message


def test_ambiguity_without_a_pin_and_resolved_by_a_pin() -> None:
    linkage = analyze([ext("link-left"), ext("link-base"), ext("link-base-v12")])
    (diag,) = linkage.diagnostics
    assert diag.code == "W004-ambiguous-provider"
    assert "link-base (" in diag.message and "link-base-v12 (" in diag.message
    assert '[dependencies] "link:base/lib"' in diag.hint
    plan = link([ext("link-left-pinned"), ext("link-base"), ext("link-base-v12")])
    (binding,) = plan.bindings
    assert (binding.consumer, binding.provider) == ("left-pinned", "link-base-v12")
    assert plan.extension("left-pinned").dependencies == {"link:base/lib": "link-base-v12"}


def test_type_mismatch_shows_both_signatures() -> None:
    linkage = analyze([ext("link-left"), ext("link-base-bad")])
    (diag,) = linkage.diagnostics
    assert diag.code == "W005-type-mismatch"
    assert "func() -> u32" in diag.message and "func() -> u64" in diag.message


def test_host_imports_are_provided_by_the_host() -> None:
    plan = link([ext("link-host-user")])
    (planned,) = plan.extensions
    assert {i.provider for i in planned.imports} == {"host"}
    assert planned.permissions.methods == ("files.",)
    assert planned.permissions.rate_limits.requests_per_minute == 60
    refs = {f.function: f.signature for f in plan.functions}
    assert refs == {
        "log": "func(level: level, message: string)",
        "is-interrupted": "func() -> bool",
    }


def test_wasi_imports_allowed_by_default_refused_with_no_wasi() -> None:
    plan = link([ext("link-wasi-user")])
    assert plan.extensions[0].imports[0].provider == "wasi"
    assert codes("link-wasi-user", wasi=False) == ["W007-wasi-refused"]


def test_every_problem_is_reported_not_just_the_first() -> None:
    found = codes("link-left", "link-api-user", "link-cyc-a", "link-cyc-b", "link-top")
    assert sorted(found) == [
        "W001-missing-provider",
        "W001-missing-provider",
        "W001-missing-provider",
        "W006-cycle",
    ]


@pytest.mark.parametrize("name", LINK_COMPONENTS)
def test_decoded_imports_and_exports_agree_with_wasmtime(name: str) -> None:
    path = ext(name) / f"{name}.wasm"
    info = component.decode(path)
    engine = wasmtime.Engine()
    ty = wc.Component.from_file(engine, str(path)).type
    for ours, theirs in ((info.imports, ty.imports(engine)), (info.exports, ty.exports(engine))):
        assert [i.name for i in ours] == list(theirs)
        for item in ours:
            extern = theirs[item.name]
            if isinstance(extern, wc.ComponentInstanceType):
                functions = {f.name for f in info.functions(item)}
                assert set(extern.exports(engine)) == functions


def test_plan_json_is_byte_identical_and_round_trips(tmp_path: Path) -> None:
    for folder in ("link-base", "link-left", "link-host-user"):
        shutil.copytree(ext(folder), tmp_path / "exts" / folder)
    out1, out2 = tmp_path / "exts" / "plan.json", tmp_path / "plan2.json"
    assert main(["link", str(tmp_path / "exts"), "-o", str(out1)]) == 0
    assert main(["link", str(tmp_path / "exts"), "-o", str(out2)]) == 0
    text = out1.read_text()
    doc = json.loads(text)
    assert doc["schema"] == 1 and doc["order"] == ["host-user", "link-base", "link-left"]
    assert doc["extensions"][1]["component"] == "link-base/link-base.wasm"
    assert doc["functions"][0].keys() == {
        "consumer",
        "import",
        "function",
        "provider",
        "export",
        "signature",
    }
    plan = Plan.load(out1)
    assert plan.extension("link-base").component == tmp_path / "exts" / "link-base/link-base.wasm"
    assert plan.to_json(out1.parent) == text
    assert Plan.load(out2).to_json() == plan.to_json()


def test_a_python_guest_links_with_real_wasi_and_host_imports() -> None:
    plan = link([componentbuild.build("py-hello")])
    providers = {i.provider for i in plan.extensions[0].imports}
    assert providers == {"host", "wasi"}
    assert codes("py-hello", wasi=False)[0] == "W007-wasi-refused"


def test_decoding_is_cached_on_disk_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WITLINK_DECODE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(component, "_cache", {})
    component._disk_cache.cache_clear()
    try:
        path = ext("link-left") / "link-left.wasm"
        first = component.decode(path)
        (entry,) = (tmp_path / "cache").glob("*/*.json")
        assert entry.name == f"{first.sha256}.json"
        component._cache.clear()
        again = component.decode(path)
        assert again is not first and to_json(again.resolve) == to_json(first.resolve)
    finally:
        component._disk_cache.cache_clear()


def test_wasi_the_host_does_not_serve_is_refused_at_link_time() -> None:
    linkage = analyze([ext("link-wasi-http-user")])
    by_import = {d.import_: d for d in linkage.diagnostics}
    http = by_import["wasi:http/outgoing-handler@0.2.0"]
    assert http.code == "W016-wasi-unavailable"
    assert "the host's WASI does not include it" in http.message
    assert "-d http" in http.hint and "witlink:host/http" in http.hint
    newer = by_import["wasi:random/random@0.3.0"]
    assert newer.code == "W016-wasi-unavailable" and "WASI 0.2.x only" in newer.message


def test_resource_members_are_type_checked_and_named() -> None:
    linkage = analyze([ext("dp-provider"), ext("dp-wat-res-bad")])
    (diag,) = linkage.diagnostics
    assert diag.code == "W005-type-mismatch"
    assert "resource `index` method `add` is imported as" in diag.message
    assert "by: u64" in diag.message and "by: u32" in diag.message
