"""A minimal componentize-py guest: greets, and logs through the host."""

import wit_world
from wit_world.imports import host, types


class WitWorld(wit_world.WitWorld):
    def greet(self, name: str) -> str:
        host.log(types.Level.INFO, f"greeting {name}")
        return f"hello, {name}!"
