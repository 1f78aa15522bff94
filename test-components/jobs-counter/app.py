"""Test extension `counter`: a job that counts to N, checkpointing after every step.

The host operation `counter.plan` says how far to count and, for fault tests, at
which step to trap; `counter.step` records each step the host sees done. Traps are
real: an uncaught exception that is not `Err` makes componentize-py's runtime panic,
which executes `unreachable`.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import host, job


def _trap() -> None:
    # An uncaught non-Err exception in an export makes componentize-py trap.
    raise RuntimeError("counter: trap requested by the host")


class Guest(exports.Guest):  # type: ignore[misc]
    def init(self) -> None:
        pass

    def run_job(self, name: str, state: bytes | None) -> None:
        if name != "count":
            raise Err(f"unknown job {name!r}")
        start = int(state.decode()) if state else 0
        plan = json.loads(host.call("counter.plan", None, json.dumps({"start": start})))
        for step in range(start, plan["steps"]):
            if job.is_interrupted():
                return
            if step == plan.get("trap_at"):
                _trap()
            host.call("counter.step", None, json.dumps({"step": step}))
            job.checkpoint(str(step + 1).encode())
            job.report_progress(step + 1, plan["steps"], f"step {step + 1}")

    def on_event(self, topic: str, payload: str) -> str | None:
        if topic == "counter.fail":
            raise Err("counter refuses this event")
        if topic == "counter.trap":
            _trap()
        return json.dumps({"topic": topic, "payload": payload})
