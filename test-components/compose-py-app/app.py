"""A Python consumer of a Python lib (composed-mode tests): calls `demo:text/lib` and the host."""

import wit_world
from componentize_py_types import Err
from wit_world.imports import host, lib, types


class WitWorld(wit_world.WitWorld):
    def word_count(self, document: str) -> int:
        return lib.word_count(document)

    def total_cents(self, document: str) -> int:
        return lib.extract(document).total_cents

    def ask(self, payload: str) -> str:
        host.log(types.Level.INFO, "asked")
        try:
            return host.call("app.echo", None, payload)
        except Err as err:
            kind = type(err.value).__name__.removeprefix("CallError_").lower()
            raise Err(f"{kind}: {err.value.value}") from None
