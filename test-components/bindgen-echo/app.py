"""The bindgen echo guest: every `echo` export forwards to the host's `echo` import."""

import wit_world
from componentize_py_types import Err, Ok, Some
from wit_world import exports
from wit_world.imports import blobs, echo, types


class WitWorld(wit_world.WitWorld):
    def direct_nested(self, v: types.Nested) -> types.Nested:
        if wit_world.note(v.name) != len(v.name):
            raise ValueError("the host's `note` returned the wrong length")
        return v

    def use_blobs(self, data: bytes) -> bytes:
        # `Blob.merge` (borrows in, own out) is not called: a host function of that
        # shape trips "deferred host scope has no call context" in wasmtime 50.
        with blobs.Blob(data) as blob:
            blob.append(data)
            return blob.read()

    def guest_round_trip(self) -> list[str]:
        nested = types.Nested(
            name="guest \x00 é 😀",
            shapes=[types.Shape_Circle(-0.5), types.Shape_Empty(), types.Shape_Labelled("\x00")],
            maybe_points=[None, types.Point(-(2**31), 2**31 - 1)],
            tags=None,
            data=bytes(range(256)),
            pairs=[(0, ""), (255, "é")],
            outcome=Err(types.Same_Second("s")),
            deep=Some(types.Color.BLUE),
        )
        cases = {
            "nested": (echo.echo_nested, nested),
            "wide": (echo.echo_wide, types.Wide(2**32 - 1)),
            "big-enum": (echo.echo_big_enum, types.BigEnum.CASE39),
            "option-option": (echo.echo_option_option, Some(None)),
            "u64": (echo.echo_u64, 2**64 - 1),
            "s64": (echo.echo_s64, -(2**63)),
            "char": (echo.echo_char, "😀"),
            "results": (echo.echo_results, [Ok(1), Err(types.Color.GREEN)]),
            "same": (echo.echo_same, types.Same_Neither()),
        }
        return [name for name, (call, value) in cases.items() if call(value) != value]

    def blob_size(self, b: blobs.Blob) -> int:
        return len(b.read())

    def make_blob(self, data: bytes) -> blobs.Blob:
        return blobs.Blob(data)


class Echo(exports.Echo):
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

    def echo_list(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_list(v)

    def echo_strings(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_strings(v)

    def echo_option(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_option(v)

    def echo_option_option(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_option_option(v)

    def echo_tuple(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_tuple(v)

    def echo_result(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_result(v)

    def echo_result_same(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_result_same(v)

    def echo_result_unit(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_result_unit(v)

    def echo_results(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_results(v)

    def echo_color(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_color(v)

    def echo_big_enum(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_big_enum(v)

    def echo_perms(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_perms(v)

    def echo_wide(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_wide(v)

    def echo_point(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_point(v)

    def echo_shape(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_shape(v)

    def echo_same(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_same(v)

    def echo_scalars(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_scalars(v)

    def echo_nested(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_nested(v)

    def echo_points(self, v):  # type: ignore[no-untyped-def]
        return echo.echo_points(v)

    def echo_many(self, a, b, c):  # type: ignore[no-untyped-def]
        return echo.echo_many(a, b, c)

    def check(self, value, fail, message):  # type: ignore[no-untyped-def]
        return echo.check(value, fail, message)

    def noop(self):  # type: ignore[no-untyped-def]
        return echo.noop()


class Counters(exports.Counters):
    pass
