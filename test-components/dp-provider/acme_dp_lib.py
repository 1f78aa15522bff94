"""The provider's `index` resource: componentize-py looks up resource classes here."""

from wit_world.exports import acme_dp_lib as lib

LIVE = 0


class Index(lib.Index):
    def __init__(self, name: str) -> None:
        global LIVE
        LIVE += 1
        self._name = name
        self._counts: dict[str, int] = {}

    def __del__(self) -> None:
        global LIVE
        LIVE -= 1

    def add(self, key: str, by: int) -> int:
        self._counts[key] = self._counts.get(key, 0) + by
        return self._counts[key]

    def get(self, key: str) -> int | None:
        return self._counts.get(key)

    def name(self) -> str:
        return self._name

    @staticmethod
    def open(name: str) -> "Index":
        return Index(name)

    @staticmethod
    def merge(a: "Index", b: "Index") -> "Index":
        merged = Index(f"{a._name}+{b._name}")
        for source in (a, b):
            for key, count in source._counts.items():
                merged.add(key, count)
        return merged
