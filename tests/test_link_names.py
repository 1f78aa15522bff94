"""wasmtime's semver rule for interface names, structural type shapes, WIT signatures."""

from __future__ import annotations

import pytest

from linker.plan import synthetic
from linker.plan.hostworld import host_world
from linker.plan.inputs import Extension
from linker.plan.matching import match
from linker.plan.shapes import Shapes
from linker.wit.model import Primitive
from linker.wit.semver import on_track, parse, same_track
from linker.wit.signature import signature


@pytest.mark.parametrize(
    ("a", "b", "fits"),
    [
        ("a:b/lib@1.0.0", "a:b/lib@1.0.0", True),
        ("a:b/lib@1.0.0", "a:b/lib@1.2.0", True),  # both directions on a track
        ("a:b/lib@1.2.0", "a:b/lib@1.0.0", True),
        ("a:b/lib@1.0.0", "a:b/lib@2.0.0", False),  # another major
        ("a:b/lib@0.2.0", "a:b/lib@0.2.5", True),  # 0.m track for m != 0
        ("a:b/lib@0.2.0", "a:b/lib@0.3.0", False),
        ("a:b/lib@0.0.1", "a:b/lib@0.0.2", False),  # 0.0.x: exact only
        ("a:b/lib@0.0.1", "a:b/lib@0.0.1", True),
        ("a:b/lib@1.0.0-rc1", "a:b/lib@1.0.0", False),  # pre-releases: exact only
        ("a:b/lib@1.0.0-rc1", "a:b/lib@1.0.0-rc1", True),
        ("a:b/lib@1.0.0+build5", "a:b/lib@1.0.0", True),  # build metadata ignored
        ("a:b/lib", "a:b/lib@1.0.0", False),  # unversioned never matches versioned
        ("a:b/lib", "a:b/lib", True),
        ("a:b/lib@1.0.0", "a:c/lib@1.0.0", False),
    ],
)
def test_semver_tracks_follow_wasmtime(a: str, b: str, fits: bool) -> None:
    pa, pb = parse(a), parse(b)
    assert pa is not None and pb is not None
    assert same_track(pa, pb) is fits
    assert same_track(pb, pa) is fits


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a:b/c@1.0.0", "a:b/c@1.10.0"),  # the highest on the track, compared as versions
        ("a:b/c@1.0.0+build", "a:b/c@1.10.0"),
        ("a:b/c@0.3.1", "a:b/c@0.3.9"),
        ("a:b/c@0.3.9", "a:b/c@0.3.9"),  # an exact name wins
        ("a:b/c@0.0.4", None),  # 0.0.x and pre-releases: exact only
        ("a:b/c@1.0.0-rc.1", None),
        ("a:b/c@2.0.0", None),
        ("a:b/c", None),  # an unversioned name never matches a versioned one
        ("run", None),
    ],
)
def test_on_track_picks_the_highest_compatible_version(name: str, expected: str | None) -> None:
    available = ["a:b/c@1.2.3", "a:b/c@1.10.0", "a:b/c@0.3.9", "a:b/c@1.11.0-rc.1", "x:y/c@1.9.0"]
    assert on_track(name, available) == expected


def test_parse_parts() -> None:
    name = parse("acme:math/lib@1.2.3")
    assert name is not None
    assert (name.base, name.package, name.namespace, name.interface) == (
        "acme:math/lib",
        "acme:math",
        "acme",
        "lib",
    )
    assert parse("add") is None


def test_shapes_compare_across_resolves_structurally() -> None:
    one = synthetic.component([synthetic.lib_name("x")], [])
    two = synthetic.component([], [synthetic.lib_name("x")])
    three = synthetic.component([synthetic.lib_name("x")], [], {"synth:x/lib@1.0.0": Primitive.U64})
    shapes = [Shapes(c.resolve) for c in (one, two, three)]
    ifaces = [
        c.exports[0].interface if c.exports else c.imports[0].interface for c in (one, two, three)
    ]
    funcs = [s.interface(i) for s, i in zip(shapes, ifaces, strict=True)]  # type: ignore[arg-type]
    assert funcs[0] == funcs[1]  # same WIT in two Resolves (other type ids): equal shapes
    assert funcs[0]["sum"] == funcs[2]["sum"] and funcs[0]["value"] != funcs[2]["value"]
    assert funcs[0]["sum"] == (
        "freestanding",
        (("p", ("record", (("a", "u32"), ("b", "u32")))),),
        "u32",
    )


def test_signature_text() -> None:
    info = synthetic.component([synthetic.lib_name("x")], [])
    iface = info.resolve.interface(info.exports[0].interface)  # type: ignore[arg-type]
    assert signature(info.resolve, iface.functions["sum"]) == "func(p: pair) -> u32"
    assert signature(info.resolve, iface.functions["value"]) == "func() -> u32"


def _codes(*exts: Extension) -> list[tuple[str, str, str | None]]:
    linkage = match(list(exts), host_world())
    return [(d.code, d.extension, d.import_) for d in linkage.diagnostics]


def test_pins_must_name_a_compatible_provider() -> None:
    lib = synthetic.lib_name("m")
    providers = [synthetic.extension("m1", [lib], []), synthetic.extension("m2", [lib], [])]
    pinned = synthetic.extension("user", [], [lib], pins={"synth:m/lib": "m2"})
    linkage = match([*providers, pinned], host_world())
    assert linkage.diagnostics == [] and linkage.bindings[0].provider == "m2"
    typo = synthetic.extension("user", [], [lib], pins={"synth:m/lib": "m3"})
    diag = match([*providers, typo], host_world()).diagnostics[0]
    assert diag.code == "W008-bad-pin" and "not among the extensions" in diag.message
    assert "extensions that provide it: m1, m2" in diag.hint
    unrelated = synthetic.extension("other", [synthetic.lib_name("o")], [])
    wrong = synthetic.extension("user", [], [lib], pins={"synth:m/lib": "other"})
    assert _codes(*providers, unrelated, wrong) == [("W008-bad-pin", "user", lib)]


def test_host_imports_are_checked_against_the_host_world() -> None:
    newer = synthetic.extension("a", [], ["witlink:host/host@0.2.0"])
    unknown = synthetic.extension("b", [], ["witlink:host/files@0.1.0"])
    misfit = synthetic.extension("c", [], ["witlink:host/job@0.1.0"])
    found = match([newer, unknown, misfit], host_world()).diagnostics
    assert [d.code for d in found] == [
        "W013-host-mismatch",
        "W013-host-mismatch",
        "W005-type-mismatch",
    ]
    assert "compatible version" in found[0].message
    assert "`value` is missing" in found[2].message


def test_type_mismatch_is_not_an_ambiguity() -> None:
    lib = synthetic.lib_name("m")
    good = synthetic.extension("good", [lib], [])
    bad = synthetic.extension("bad", [lib], [], results={lib: Primitive.S32})
    user = synthetic.extension("user", [], [lib])
    linkage = match([good, bad, user], host_world())
    assert linkage.diagnostics == [] and linkage.bindings[0].provider == "good"


def test_signatures_of_the_host_world() -> None:
    host = host_world()
    resolve = host.resolve

    def sig(interface: str, function: str) -> str:
        functions = resolve.interface(host.interfaces[interface]).functions
        return signature(resolve, functions[function])

    assert sig("witlink:host/host@0.1.0", "call") == (
        "func(method: string, library-id: option<string>, payload: string) "
        "-> result<string, call-error>"
    )
    assert sig("witlink:host/http@0.1.0", "fetch") == (
        "func(req: request) -> result<response, http-error>"
    )
    assert sig("witlink:host/job@0.1.0", "checkpoint") == "func(state: list<u8>)"
    assert "witlink:host/guest@0.1.0" not in host.interfaces
