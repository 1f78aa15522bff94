"""The guest side of `lib`'s resource: componentize-py looks up resource classes here."""

from wit_world.exports import lib


class Counter(lib.Counter):
    def __init__(self, start: int) -> None:
        self.value = start

    def add(self, by: int) -> int:
        self.value = (self.value + by) % 2**32
        return self.value

    def get(self) -> int:
        return self.value
