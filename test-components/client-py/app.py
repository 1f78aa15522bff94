"""A Python extension serving `acme:shapes/lib`, for typed clients through the host."""

import wit_world
from componentize_py_types import Err
from wit_world import exports
from wit_world.exports import lib


class Lib(exports.Lib):
    def shift(self, p: lib.Point, d: int) -> lib.Point:
        return lib.Point(p.x + d, p.y + d)

    def invert(self, p: lib.Perms) -> lib.Perms:
        return ~p & (lib.Perms.READ | lib.Perms.WRITE | lib.Perms.EXEC)

    def next(self, c: lib.Color) -> lib.Color:
        return lib.Color((c.value + 1) % 3)

    def half(self, n: int) -> int | None:
        return n // 2 if n % 2 == 0 else None

    def divide(self, a: int, b: int) -> int:
        if b == 0:
            raise Err("division by zero")
        return a // b

    def area(self, s: lib.Shape) -> int:
        if isinstance(s, lib.Shape_Square):
            return s.value * s.value
        if isinstance(s, lib.Shape_Rect):
            return s.value.x * s.value.y
        return 0

    def version(self) -> str:
        return "py 1.0.0"

    def spin(self) -> int:
        while True:
            pass


class WitWorld(wit_world.WitWorld):
    def greet(self, name: str, excited: bool | None) -> str:
        if not name:
            raise Err("no name")
        return f"hello, {name}" + ("!" if excited else "")

    def words(self, text: str) -> tuple[list[str], int]:
        found = text.split()
        return found, len(found)
