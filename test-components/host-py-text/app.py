"""A Python `lib` provider: string helpers used by a WAT consumer."""

from wit_world import exports


class Lib(exports.Lib):
    def shout(self, s: str) -> str:
        return s.upper() + "!"

    def count(self, s: str) -> int:
        return len(s)
