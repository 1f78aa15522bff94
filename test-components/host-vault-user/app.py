"""A consumer of the vault: it has no host permissions of its own."""

import wit_world
from wit_world.imports import lib


class WitWorld(wit_world.WitWorld):
    def op(self, method: str) -> str:
        return lib.op(method)

    def fetch(self, url: str) -> str:
        return lib.fetch(url)
