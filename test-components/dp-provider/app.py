"""A Python provider of a resource-bearing `lib` and of echo functions."""

import gc

import acme_dp_lib as impl
from acme_dp_lib import Index
from componentize_py_types import Err
from wit_world import exports
from wit_world.exports import acme_dp_lib as lib


class AcmeDpLib(exports.AcmeDpLib):
    def make(self, name: str) -> Index:
        return Index(name)

    def consume(self, idx: Index) -> str:
        return f"consumed {idx.name()}"  # the provider owns `idx` now: it goes with this call

    def peek(self, idx: Index) -> str:
        return f"{idx.name()}:{sorted(idx._counts.items())}"

    def copy(self, idx: Index) -> Index:
        return Index(idx.name())

    def pair(self, a: str, b: str) -> tuple[Index, Index]:
        return Index(a), Index(b)

    def many(self, names: list[str]) -> list[Index]:
        return [Index(n) for n in names]

    def names(self, items: list[Index]) -> list[str]:
        return [i.name() for i in items]

    def maybe(self, name: str | None) -> Index | None:
        return None if name is None else Index(name)

    def wrap(self, e: lib.Entry) -> lib.Entry:
        e.idx.add(e.key, 1)
        return lib.Entry(e.key + "!", e.idx)

    def try_open(self, name: str) -> Index:
        if not name:
            raise Err("empty name")
        return Index(name)

    def find(self, name: str) -> lib.Found:
        return lib.Found_Hit(Index(name)) if name else lib.Found_Miss("no name")

    def count(self, key: str, by: int) -> int:
        return len(key) + by

    def live(self) -> int:
        gc.collect()  # dropped handles leave their objects to the collector
        return impl.LIVE


class AcmeDpEchoLib(exports.AcmeDpEchoLib):
    def echo_bool(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_u8(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_u16(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_u32(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_u64(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_s8(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_s16(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_s32(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_s64(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_f32(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_f64(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_char(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_string(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_bytes(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_strings(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_option(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_tuple(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_result(self, v):  # type: ignore[no-untyped-def]
        if isinstance(v, Err):
            raise v
        return v.value

    def echo_result_unit(self, v):  # type: ignore[no-untyped-def]
        if isinstance(v, Err):
            raise v
        return v.value

    def echo_color(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_perms(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_point(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_shape(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_items(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_nested(self, v):  # type: ignore[no-untyped-def]
        return v

    def echo_many(self, a, b, c):  # type: ignore[no-untyped-def]
        return (a, b, c)

    def noop(self):  # type: ignore[no-untyped-def]
        return None
