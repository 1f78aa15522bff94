"""`Host.call`'s value mapping on real components, on the fast (pinned) and public call
paths: every kind of WIT type, wrong values, results, and resource handles."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import hostkit
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from value_strategies import same, values

from linker.errors import ArgumentError, HandleError
from linker.host import Host
from linker.host.values import Handle
from linker.wave import Err, Ok, Some, Variant
from tests.support.readme import run_readme_example

LIB = hostkit.VALUES_LIB
POINT = {"x": 1, "y": -2}
NESTED = {
    "name": "n \x00 é 😀",
    "shapes": [Variant("circle", -0.5), Variant("empty"), Variant("labelled", "l")],
    "maybe-points": [None, {"x": -(2**31), "y": 2**31 - 1}],
    "tags": ["a", ""],
    "data": bytes(range(256)),
    "pairs": [(0, ""), (255, "é")],
    "outcome": Err(Variant("rect", POINT)),
    "deep": Some(None),
}
SCALARS = {
    "a": True, "b": 255, "c": 65535, "d": 2**32 - 1, "e": 2**64 - 1, "f": -128, "g": -(2**15),
    "h": -(2**31), "i": -(2**63), "j": 0.5, "k": -1e300, "l": "x", "m": "str",
}  # fmt: skip
CASES: list[tuple[str, Any]] = [
    ("echo-u32", 7),
    ("echo-s64", -(2**63)),
    ("echo-f32", -1.5),
    ("echo-char", "😀"),
    ("echo-string", "héllo\x00"),
    ("echo-bytes", bytes(range(10))),
    ("echo-list", [1, -2, 3]),
    ("echo-floats", [1.5, math.inf, -0.0]),
    ("echo-strings", ["a", "", "c"]),
    ("echo-option", None),
    ("echo-option", 5),
    ("echo-option-option", None),
    ("echo-option-option", Some(None)),
    ("echo-option-option", Some("x")),
    ("echo-tuple", (1, "a", 2.5)),
    ("echo-result", Ok(3)),
    ("echo-result", Err("bad")),
    ("echo-result-same", Err("e")),
    ("echo-result-same", Ok("o")),
    ("echo-result-unit", Ok()),
    ("echo-result-unit", Err()),
    ("echo-color", "green"),
    ("echo-color", "none"),
    ("echo-perms", frozenset({"read", "exec"})),
    ("echo-point", POINT),
    ("echo-points", [POINT] * 3),
    ("echo-points", []),
    ("echo-shape", Variant("rect", POINT)),
    ("echo-shape", Variant("empty")),
    ("echo-scalars", SCALARS),
    ("echo-nested", NESTED),
]


@pytest.fixture(scope="module")
def fast(component: hostkit.Build, compile_cache: Path) -> Iterator[Host]:
    with Host.from_plan(hostkit.values_plan(component), cache_dir=compile_cache) as h:
        yield h


@pytest.fixture(scope="module")
def public(component: hostkit.Build, compile_cache: Path) -> Iterator[Host]:
    plan = hostkit.values_plan(component)
    with Host.from_plan(plan, cache_dir=compile_cache, fast_calls=False) as h:
        yield h


@pytest.fixture(params=["fast", "public"])
def host(request: pytest.FixtureRequest) -> Host:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("func", "value"), CASES)
def test_every_kind_of_value_comes_back_unchanged(host: Host, func: str, value: Any) -> None:
    assert same(host.call("echo", f"{LIB}#{func}", value), value)


def test_several_parameters_world_exports_and_results(host: Host) -> None:
    assert host.call("echo", f"{LIB}#echo-many", 1, "b", POINT) == (1, "b", POINT)
    assert host.call("echo", "add", 2**32 - 1, 2) == 1
    assert host.call("echo", f"{LIB}#check", 4, False, "") == Ok(4)
    assert host.call("echo", f"{LIB}#check", 4, True, "boom") == Err("boom")


@attrs.frozen
class Point:
    """A record class such as bindgen generates: attributes named after the fields."""

    x: int
    y: int


def test_records_may_be_objects_with_the_field_names(host: Host) -> None:
    assert host.call("echo", f"{LIB}#echo-point", Point(3, 4)) == {"x": 3, "y": 4}
    assert host.call("echo", f"{LIB}#echo-points", [Point(3, 4)]) == [{"x": 3, "y": 4}]


ITEMS = [{"id": i, "score": 2 * i, "tag": 3} for i in range(1000)]


def test_a_thousand_records(host: Host) -> None:
    assert host.call("bench", "count", ITEMS) == 1000
    assert host.call("bench", "echo-items", ITEMS) == ITEMS


@pytest.mark.parametrize(
    ("ext", "func", "args", "message"),
    [
        ("echo", "echo-u32", (-1,), "argument `v`: expected u32, got int -1"),
        ("echo", "echo-u32", (True,), "argument `v`: expected u32, got bool True"),
        ("echo", "echo-f32", (1e39,), "argument `v`: expected f32"),
        ("echo", "echo-char", ("ab",), "argument `v`: expected char, got str 'ab'"),
        ("echo", "echo-string", ("\ud800",), "argument `v`: expected string"),
        ("echo", "echo-bytes", ([1, 2],), "argument `v`: expected list<u8>, got list"),
        ("echo", "echo-points", ([POINT, {"x": 1}],), "`v[1].y`: expected s32, got nothing"),
        ("echo", "echo-point", ({"x": 1, "y": 2, "z": 3},), "`v.z`: expected no such field"),
        ("echo", "echo-nested", ({**NESTED, "name": 1},), "`v.name`: expected string, got int"),
        ("echo", "echo-shape", (Variant("nope"),), "`v`: expected variant { circle(f64), "),
        ("echo", "echo-shape", (Variant("empty", 1),), "`v.empty`: expected no payload"),
        ("echo", "echo-option-option", ("x",), "`v`: expected option<option<string>>"),
        ("echo", "echo-perms", ({"rw"},), "`v`: expected flags { read, write, exec }"),
        ("echo", "echo-color", ("pink",), "`v`: expected enum { red, green, blue, none }"),
        ("echo", "echo-result", (3,), "`v`: expected result<u32, string>, got int 3"),
        ("echo", "echo-tuple", ((1, "a"),), "`v`: expected tuple<u8, string, f64>"),
        ("echo", "echo-many", (1, "b", {"x": 1, "y": "2"}), "argument `c.y`: expected s32"),
        ("bench", "count", ([*ITEMS[:3], {"id": 1, "score": -1, "tag": 0}],), "`items[3].score`"),
        ("bench", "count", ([*ITEMS[:3], {"id": 1, "tag": 0}],), "`items[3].score`: expected u32"),
    ],
)
def test_a_wrong_value_names_the_function_the_path_and_the_type(
    fast: Host, public: Host, ext: str, func: str, args: tuple[Any, ...], message: str
) -> None:
    name = func if ext == "bench" else f"{LIB}#{func}"
    errors = []
    for host in (fast, public):
        calls_before = host.info(ext).metrics.calls
        with pytest.raises(ArgumentError) as info:
            host.call(ext, name, *args)
        assert f"extension `{ext}` function `{name}` argument " in str(info.value)
        assert message in str(info.value)
        assert host.info(ext).metrics.consecutive_faults == 0
        assert host.info(ext).metrics.calls == calls_before + 1
        errors.append(str(info.value))
    assert errors[0] == errors[1]


ECHOED = sorted({f for f, _ in CASES})


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_values_agree_on_both_paths(
    fast: Host, public: Host, data: st.DataObject
) -> None:
    func = data.draw(st.sampled_from(ECHOED), label="function")
    name = f"{LIB}#{func}"
    (ty,) = fast._registry.runtime("echo").export(name).sig.types
    value = data.draw(values(ty), label="value")
    assert same(fast.call("echo", name, value), value)
    assert same(public.call("echo", name, value), value)


def test_resource_handles(host: Host) -> None:
    counter = host.call("echo", f"{LIB}#make-counter", 5)
    assert isinstance(counter, Handle) and counter.extension == "echo"
    assert host.call("echo", f"{LIB}#[method]counter.add", counter, 3) == 8
    assert host.call("echo", f"{LIB}#peek", counter) == 8
    with pytest.raises(HandleError, match="belongs to extension `echo`"):
        host.call("echo2", f"{LIB}#peek", counter)
    assert host.call("echo", f"{LIB}#finish", counter) == 8  # own: the guest takes it
    with pytest.raises(HandleError, match="was moved into a call"):
        host.call("echo", f"{LIB}#peek", counter)
    with host.call("echo", f"{LIB}#[constructor]counter", 9) as other:
        assert host.call("echo", f"{LIB}#[method]counter.get", other) == 9
    with pytest.raises(HandleError, match="was dropped"):
        host.call("echo", f"{LIB}#[method]counter.get", other)
    with pytest.raises(HandleError, match="was dropped"):
        other.drop()


def test_a_handle_does_not_survive_a_reload(host: Host) -> None:
    counter = host.call("echo2", f"{LIB}#make-counter", 1)
    host.reload("echo2")
    with pytest.raises(HandleError, match="is stale: the extension was reloaded"):
        host.call("echo2", f"{LIB}#peek", counter)
    assert host.call("echo2", f"{LIB}#peek", host.call("echo2", f"{LIB}#make-counter", 2)) == 2


def test_readme_values_example_runs(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    hostkit.values_plan(component).save(tmp_path / "build" / "values-plan.json")
    done = run_readme_example("readme-values-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert "argument `v[1].y`: expected s32, got str '2'" in done.stdout
