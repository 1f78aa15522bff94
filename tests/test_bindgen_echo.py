"""Generated bindings against a real guest: values round-trip unchanged.

The `bindgen-echo` guest (componentize-py) exports `echo`, forwarding every call
to the `echo` it imports, which the host implements through the generated
`Host` protocol. One call of an export therefore carries a value host -> guest
(export argument), guest -> host (import argument), host -> guest (import
result) and guest -> host (export result); the host also checks what it
received on the way.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
import wasmtime
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wasmcache import compiled
from wasmtime.component import Linker

from bindgen import generate, runtime
from bindgen.strategies import Strategies
from linker.wit import load as load_wit
from linker.wit import model as m

ROOT = Path(__file__).resolve().parent.parent
ECHO_WIT = ROOT / "test-components" / "bindgen-echo" / "wit"
RESOLVE = load_wit(ECHO_WIT)
WORLD = RESOLVE.world(m.WorldId(len(RESOLVE.worlds) - 1))
ECHO = next(iface for iface in RESOLVE.interfaces if iface.name == "echo")
ECHOES = sorted(name for name in ECHO.functions if name.startswith("echo-"))


def _raises(func: m.Function) -> bool:
    return isinstance(func.result, m.TypeId) and isinstance(
        RESOLVE.type(func.result).kind, m.Result
    )


class RecordingHost:
    """The host side of `echo`: returns what it gets and remembers every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        wit = name.replace("_", "-")
        func = ECHO.functions[wit]
        raises = _raises(func)

        def echo(*args: Any) -> Any:
            self.calls.append((wit, args))
            if wit == "check":
                value, fail, message = args
                if fail:
                    raise runtime.ResultError(message)
                return value
            if not args:
                return None
            value = args[0] if len(args) == 1 else args
            if raises:
                if isinstance(value, runtime.Err):
                    raise runtime.ResultError(value.value)
                return value.value
            return value

        return echo


class HostBlob:
    """The host's `blob`: bytes the guest reaches through a handle."""

    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)

    def read(self) -> bytes:
        return bytes(self.data)

    def append(self, more: bytes) -> None:
        self.data += more


class NoteHost:
    """The world-level `note` import: remembers messages, returns their length."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, message: str) -> int:
        self.notes.append(message)
        return len(message)


class BlobsHost:
    def new_blob(self, init: bytes) -> HostBlob:
        return HostBlob(init)

    def blob_merge(self, a: HostBlob, b: HostBlob) -> HostBlob:
        return HostBlob(a.read() + b.read())


@attrs.define
class Echo:
    types: ModuleType
    exports: Any
    host: RecordingHost
    notes: NoteHost
    strategies: Strategies
    instantiate: Callable[..., Any]
    """A fresh instance whose `echo` import calls the given host; returns its `Exports`.
    Optional: the `define` hook and the name `echo` is defined under."""


@pytest.fixture(scope="session")
def echo(
    component: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Echo]:
    out = tmp_path_factory.mktemp("bindings")
    for relative, text in generate(RESOLVE, "bindgen-echo").items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text)
    sys.path.insert(0, str(out))
    try:
        types = importlib.import_module("bindgen_echo.types")
        imports = importlib.import_module("bindgen_echo.imports.echo")
        blobs = importlib.import_module("bindgen_echo.imports.blobs")
        world_functions = importlib.import_module("bindgen_echo.imports.world_functions")
        exports_module = importlib.import_module("bindgen_echo.exports")
        engine = wasmtime.Engine()
        guest = compiled(engine, component("bindgen-echo"))
        notes = NoteHost()

        def instantiate(
            host: Any, define: runtime.Define = runtime.define, name: str = imports.NAME
        ) -> Any:
            linker = Linker(engine)
            linker.add_wasip2()
            imports.add_to_linker(linker, host, name=name, define=define)
            blobs.add_to_linker(linker, BlobsHost(), define=define)
            world_functions.add_to_linker(linker, notes, define=define)
            store = wasmtime.Store(engine)
            store.set_wasi(wasmtime.WasiConfig())
            return exports_module.Exports(linker.instantiate(store, guest), store)

        host = RecordingHost()
        strategies = Strategies(RESOLVE, WORLD, types)
        yield Echo(types, instantiate(host), host, notes, strategies, instantiate)
    finally:
        sys.path.remove(str(out))


@pytest.mark.parametrize("name", ECHOES)
def test_every_value_round_trips_through_guest_and_host(echo: Echo, name: str) -> None:
    func = ECHO.functions[name]
    method_name = ("try_" if _raises(func) else "") + name.replace("-", "_")
    method = getattr(echo.exports.echo, method_name)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(args=echo.strategies.for_params(func))
    def round_trip(args: tuple[Any, ...]) -> None:
        echo.host.calls.clear()
        result = method(*args)
        assert echo.host.calls == [(name, args)], "the host received a different value"
        expected = args[0] if len(args) == 1 else args
        assert result == expected

    round_trip()


def test_nested_value_with_nul_and_non_ascii(echo: Echo) -> None:
    t = echo.types
    value = t.Nested(
        "nul\x00 and é and 😀",
        [t.ShapeCircle(1.5), t.ShapeRect(t.Point(-1, 2)), t.ShapeEmpty(), t.ShapeLabelled("")],
        [None, t.Point(3, 4)],
        ["a", "\x00"],
        b"\x00\xff",
        [(255, "x")],
        runtime.Err(t.SameNeither()),
        runtime.Some(None),
    )
    assert echo.exports.echo.echo_nested(value) == value
    assert echo.exports.direct_nested(value) == value
    assert echo.notes.notes[-1] == value.name, "the world-level import got the name"
    everything = t.Wide(2**32 - 1)
    assert echo.exports.echo.echo_wide(everything) == everything
    assert echo.exports.echo.echo_big_enum(t.BigEnum.CASE39) is t.BigEnum.CASE39


def test_values_the_guest_makes_round_trip_through_the_host(echo: Echo) -> None:
    echo.host.calls.clear()
    assert echo.exports.guest_round_trip() == []
    assert len(echo.host.calls) == 9, "every value went through the host"

    class LossyHost(RecordingHost):
        def echo_wide(self, v: Any) -> Any:
            return type(v)(0)

    assert echo.instantiate(LossyHost()).guest_round_trip() == ["wide"], "the check can fail"


def test_result_error_is_raised_with_its_typed_value(echo: Echo) -> None:
    assert echo.exports.echo.check(7, False, "unused") == 7
    with pytest.raises(runtime.ResultError) as raised:
        echo.exports.echo.check(7, True, "it failed")
    assert raised.value.value == "it failed"
    assert type(raised.value).__name__ == "CheckError", "a generated exception per function"
    assert echo.exports.echo.try_check(7, True, "no") == runtime.Err("no")
    assert echo.exports.echo.echo_result_unit(runtime.Ok(None)) is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e, t: e.echo_u8(256), "echo-u8: parameter `v`: expected u8 (an int in 0..255)"),
        (lambda e, t: e.echo_s8(True), "echo-s8: parameter `v`: expected s8"),
        (lambda e, t: e.echo_char("ab"), "echo-char: parameter `v`: expected char"),
        (lambda e, t: e.echo_string(b"x"), "echo-string: parameter `v`: expected string"),
        (lambda e, t: e.echo_color("red"), "echo-color: parameter `v`: expected color (Color)"),
        (
            lambda e, t: e.echo_many(1, "b", t.Point(1, 2**31)),
            "echo-many: parameter `c` at `.y`: expected s32",
        ),
        (
            lambda e, t: e.echo_points([t.Point(0, 0), t.Point(0, "0")]),
            "echo-points: parameter `v` at `[1].y`: expected s32",
        ),
        (
            lambda e, t: e.echo_option_option("x"),
            "echo-option-option: parameter `v`: expected option<option<string>> (Some(",
        ),
        (
            lambda e, t: e.echo_result((1, "a")),
            "echo-result: parameter `v`: expected result<tuple<u32, string>, string>",
        ),
    ],
)
def test_wrong_values_raise_type_error_naming_the_parameter(
    echo: Echo, call: Callable[[Any, Any], Any], message: str
) -> None:
    echo.host.calls.clear()
    with pytest.raises(TypeError, match="^" + re.escape(message)):
        call(echo.exports.echo, echo.types)
    assert echo.host.calls == [], "wasm ran although the argument was wrong"


def test_wrong_value_from_the_host_is_a_type_error(echo: Echo) -> None:
    class BadHost(RecordingHost):
        def echo_u32(self, v: int) -> object:
            return "not a number"

    exports = echo.instantiate(BadHost())
    with pytest.raises(TypeError, match=r"^echo-u32: the host's return value: expected u32"):
        exports.echo.echo_u32(1)


def test_exported_resource_handles_call_methods_and_drop(echo: Echo) -> None:
    counters = echo.exports.counters
    first = counters.new_counter(5)
    assert first.add(3) == 8
    with counters.counter_merge(first, first) as merged:
        assert merged.get() == 16
    with pytest.raises(ReferenceError, match="Counter handle was dropped"):
        merged.get()
    first.drop()
    first.drop()
    assert counters.new_counter(1).get() == 1, "the instance still works"


@given(st.integers(2**32, 2**70) | st.integers(-(2**70), -1))
@settings(max_examples=10, deadline=None)
def test_out_of_range_integers_are_rejected(value: int) -> None:
    with pytest.raises(runtime.Mismatch):
        runtime.check_u32(value)


def test_host_resources_are_host_objects_behind_handles(echo: Echo) -> None:
    table = echo.types._BLOB_HANDLES
    assert echo.exports.use_blobs(b"ab") == b"abab"
    assert len(table) == 0, "the guest dropped every blob it made"
    mine = HostBlob(b"xyz")
    assert echo.exports.blob_size(mine) == 3
    made = echo.exports.make_blob(b"q")
    assert isinstance(made, HostBlob)
    assert made.read() == b"q"


def test_a_define_hook_decides_how_every_import_is_defined(echo: Echo) -> None:
    defined: dict[str, bool] = {}
    counts: dict[str, int] = {}

    def define(instance: Any, name: str, function: runtime.HostFunction) -> str:
        defined[name] = function.takes_store
        call = function.call
        if function.takes_store:
            instance.add_func(name, call)
            return name

        def counted(_store: Any, *args: Any) -> Any:
            counts[name] = counts.get(name, 0) + 1
            return call(*args)

        instance.add_func(name, counted)
        return name

    exports = echo.instantiate(echo.host, define)
    t = echo.types
    assert exports.echo.echo_point(t.Point(1, 2)) == t.Point(1, 2)
    assert counts == {"echo-point": 1}, "the call went through the hook's function"
    assert exports.use_blobs(b"ab") == b"abab"
    assert set(ECHO.functions) | {"note"} <= set(defined)
    assert not any(defined[name] for name in ECHO.functions), "no echo function needs a store"
    assert defined["[method]blob.read"], "a method lifts its handle through the store"


def test_add_to_linker_returns_what_the_hook_returned_and_defines_under_name(
    echo: Echo,
) -> None:
    linker = Linker(wasmtime.Engine())
    imports = sys.modules["bindgen_echo.imports.echo"]
    names = imports.add_to_linker(linker, echo.host, define=lambda _i, name, _f: name)
    assert names == list(ECHO.functions)
    # wasmtime matches a semver-compatible name: echo defined as @0.1.5 serves @0.1.0
    t = echo.types
    exports = echo.instantiate(echo.host, name="witlink:bindgen-echo/echo@0.1.5")
    assert exports.echo.echo_point(t.Point(3, 4)) == t.Point(3, 4)
