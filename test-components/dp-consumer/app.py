"""A Python consumer of the resource-bearing `lib`: exercises every way a handle moves."""

import wit_world
from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import acme_dp_echo_lib as echo
from wit_world.imports import acme_dp_lib as lib

KEPT: lib.Index | None = None


def _expect(wrong: list[str], what: str, got: object, want: object) -> None:
    if got != want:
        wrong.append(f"{what}: got {got!r}, want {want!r}")


def _members(wrong: list[str]) -> None:
    with lib.Index("a") as a, lib.Index.open("b") as b:  # constructor, static
        _expect(wrong, "method", a.add("x", 2), 2)
        _expect(wrong, "method again", a.add("x", 3), 5)
        _expect(wrong, "option result", a.get("x"), 5)
        _expect(wrong, "option none", a.get("y"), None)
        _expect(wrong, "static", (b.name(), b.add("x", 1)), ("b", 1))


def _borrow_back(wrong: list[str]) -> None:
    with lib.Index("a") as a:
        a.add("x", 5)
        _expect(wrong, "borrow passed back", lib.peek(a), "a:[('x', 5)]")


def _list_of_borrows(wrong: list[str]) -> None:
    with lib.Index("a") as a, lib.Index("b") as b:
        _expect(wrong, "list of borrows", lib.names([a, b, a]), ["a", "b", "a"])


def _merge(wrong: list[str]) -> None:
    with lib.Index("a") as a, lib.Index("b") as b:
        a.add("x", 5)
        b.add("x", 1)
        with lib.Index.merge(a, b) as merged:  # two borrows in, an own out
            _expect(wrong, "merge", (merged.name(), merged.get("x")), ("a+b", 6))


def _copy(wrong: list[str]) -> None:
    with lib.Index("a") as a, lib.copy(a) as copied:  # a borrow in, an own out
        _expect(wrong, "copy", copied.name(), "a")


def _own_returned(wrong: list[str]) -> None:
    with lib.make("made") as made:
        _expect(wrong, "own returned", made.name(), "made")


def _own_back(wrong: list[str]) -> None:
    _expect(wrong, "own passed back", lib.consume(lib.make("gone")), "consumed gone")


def _tuple(wrong: list[str]) -> None:
    first, second = lib.pair("p", "q")
    with first, second:
        _expect(wrong, "tuple", (first.name(), second.name()), ("p", "q"))


def _list(wrong: list[str]) -> None:
    handles = lib.many(["m1", "m2", "m3"])
    _expect(wrong, "list", [h.name() for h in handles], ["m1", "m2", "m3"])
    for h in handles:
        h.__exit__(None, None, None)


def _option(wrong: list[str]) -> None:
    some = lib.maybe("opt")
    _expect(wrong, "option some", some.name() if some is not None else None, "opt")
    if some is not None:
        some.__exit__(None, None, None)
    _expect(wrong, "option none", lib.maybe(None), None)


def _record(wrong: list[str]) -> None:
    entry = lib.wrap(lib.Entry("k", lib.Index("rec")))  # own in a record, both ways
    with entry.idx:
        got = (entry.key, entry.idx.get("k"), entry.idx.name())
        _expect(wrong, "record", got, ("k!", 1, "rec"))


def _result(wrong: list[str]) -> None:
    with lib.try_open("res") as opened:
        _expect(wrong, "result ok", opened.name(), "res")
    try:
        lib.try_open("")
        wrong.append("result err: no error")
    except Err as err:
        _expect(wrong, "result err", err.value, "empty name")


def _variant(wrong: list[str]) -> None:
    hit = lib.find("var")
    if isinstance(hit, lib.Found_Hit):
        with hit.value:
            _expect(wrong, "variant", hit.value.name(), "var")
    else:
        wrong.append(f"variant: got {hit!r}")
    _expect(wrong, "variant miss", lib.find(""), lib.Found_Miss("no name"))


STEPS = {
    "members": _members,
    "borrow-back": _borrow_back,
    "list-of-borrows": _list_of_borrows,
    "merge": _merge,
    "copy": _copy,
    "own-returned": _own_returned,
    "own-back": _own_back,
    "tuple": _tuple,
    "list": _list,
    "option": _option,
    "record": _record,
    "result": _result,
    "variant": _variant,
}


class WitWorld(wit_world.WitWorld):
    def steps(self) -> list[str]:
        return list(STEPS)

    def run(self, step: str) -> list[str]:
        wrong: list[str] = []
        STEPS[step](wrong)
        return wrong

    def keep(self, name: str) -> None:
        global KEPT
        KEPT = lib.Index(name)
        KEPT.add(name, 1)

    def kept_add(self, key: str) -> int:
        if KEPT is None:
            raise ValueError("nothing kept")
        return KEPT.add(key, 1)

    def kept_name(self) -> str:
        if KEPT is None:
            raise ValueError("nothing kept")
        return KEPT.name()

    def drop_kept(self) -> None:
        global KEPT
        if KEPT is not None:
            KEPT.__exit__(None, None, None)
            KEPT = None

    def cycle(self, n: int) -> None:
        for _ in range(n):
            with lib.Index("c"):
                pass


class Lib(exports.Lib):
    def echo_bool(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_bool(v)

    def echo_u8(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_u8(v)

    def echo_u16(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_u16(v)

    def echo_u32(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_u32(v)

    def echo_u64(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_u64(v)

    def echo_s8(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_s8(v)

    def echo_s16(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_s16(v)

    def echo_s32(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_s32(v)

    def echo_s64(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_s64(v)

    def echo_f32(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_f32(v)

    def echo_f64(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_f64(v)

    def echo_char(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_char(v)

    def echo_string(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_string(v)

    def echo_bytes(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_bytes(v)

    def echo_strings(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_strings(v)

    def echo_option(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_option(v)

    def echo_tuple(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_tuple(v)

    def echo_result(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_result(v)

    def echo_result_unit(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_result_unit(v)

    def echo_color(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_color(v)

    def echo_perms(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_perms(v)

    def echo_point(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_point(v)

    def echo_shape(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_shape(v)

    def echo_items(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_items(v)

    def echo_nested(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_nested(v)

    def echo_many(self, a, b, c):  # type: ignore[no-untyped-def]
        return echo.echo_many(a, b, c)

    def noop(self):  # type: ignore[no-untyped-def]
        return echo.noop()
