"""The guest side of `counters`: componentize-py looks up resource classes here."""

from wit_world.exports import counters


class Counter(counters.Counter):
    def __init__(self, start: int) -> None:
        self.value = start

    def add(self, by: int) -> int:
        self.value = (self.value + by) & 0xFFFFFFFF
        return self.value

    def get(self) -> int:
        return self.value

    @classmethod
    def merge(cls, a: "Counter", b: "Counter") -> "Counter":
        return cls(a.value + b.value)
