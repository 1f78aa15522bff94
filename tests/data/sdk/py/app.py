"""A componentize-py guest calling typed host operations through the generated SDK."""

import json

import host_ops
import wit_world


class WitWorld(wit_world.WitWorld):
    def probe(self, case: str) -> str:
        try:
            if case == "list":
                return json.dumps(host_ops.files_list(dir="/d", pattern="*.py"))
            if case == "add":
                return json.dumps(host_ops.math_add(a=2, b=3))
            if case == "denied":
                return host_ops.secrets_read("key")
            if case == "invalid":
                return json.dumps(host_ops.files_list(dir=7))  # type: ignore[arg-type]
        except host_ops.CallError as err:
            return f"{type(err).__name__}: {err.detail}"
        return f"no case {case}"
