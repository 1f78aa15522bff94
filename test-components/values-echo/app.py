"""Echo guest for the host's value layer: every `echo-*` returns its argument."""

import wit_world
from componentize_py_types import Err, Ok
from lib import Counter
from wit_world import exports


class WitWorld(wit_world.WitWorld):
    def add(self, a: int, b: int) -> int:
        return (a + b) % 2**32


def _echo(v: object) -> object:
    return v


class Lib(exports.Lib):
    echo_u32 = echo_s64 = echo_f32 = echo_char = echo_string = echo_bytes = staticmethod(_echo)
    echo_list = echo_floats = echo_strings = echo_option = echo_tuple = staticmethod(_echo)
    echo_option_option = echo_color = echo_perms = echo_point = staticmethod(_echo)
    echo_points = echo_shape = echo_scalars = echo_nested = staticmethod(_echo)

    def echo_result(self, v: object) -> object:
        return _unwrap(v)

    def echo_result_same(self, v: object) -> object:
        return _unwrap(v)

    def echo_result_unit(self, v: object) -> object:
        return _unwrap(v)

    def echo_many(self, a: int, b: str, c: object) -> tuple[int, str, object]:
        return (a, b, c)

    def check(self, value: int, fail: bool, message: str) -> int:
        if fail:
            raise Err(message)
        return value

    def make_counter(self, start: int) -> Counter:
        return Counter(start)

    def peek(self, c: Counter) -> int:
        return c.get()

    def finish(self, c: Counter) -> int:
        return c.get()


def _unwrap(v: object) -> object:
    """componentize-py returns a `result` by returning its ok value or raising `Err`."""
    if isinstance(v, Err):
        raise v
    assert isinstance(v, Ok)
    return v.value
