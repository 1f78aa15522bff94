"""A Python extension: uses the WAT calc library and the host's operations."""

import json
import os

import wit_world
from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import host, lib, types


def _error_text(error: types.CallError) -> str:
    kind = type(error).__name__.removeprefix("CallError_").lower()
    return f"{kind}: {error.value}"


class Guest(exports.Guest):
    def init(self) -> None:
        print("py-ext starting")
        try:
            answer = json.loads(host.call("ext.init", None, "{}"))
        except Err as err:
            host.log(types.Level.DEBUG, f"no init settings: {_error_text(err.value)}")
            return
        if answer.get("fail"):
            raise Err(answer["fail"])
        host.log(types.Level.INFO, "initialised")

    def run_job(self, name: str, state: bytes | None) -> None:
        raise Err(f"no job named {name}")

    def on_event(self, topic: str, payload: str) -> str | None:
        return None


class WitWorld(wit_world.WitWorld):
    def run(self, n: int) -> int:
        return lib.add(n, n)

    def op(self, method: str, library: str | None, payload: str) -> str:
        try:
            return host.call(method, library, payload)
        except Err as err:
            return _error_text(err.value)

    def probe(self) -> str:
        try:
            files = os.listdir("/")
        except OSError as err:
            files = f"error: {err.strerror}"
        return json.dumps({"env": dict(os.environ), "files": files})
