"""The counter job's host side, shared by the job tests and the child process they kill."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

import linker
from linker.host import OperationContext, Operations
from linker.plan import Plan


@attrs.define
class Counter:
    """What `counter.plan` answers, and every step `counter.step` saw."""

    steps: int = 5
    trap_at: int | None = None
    steps_seen: list[int] = attrs.Factory(list)
    on_step: Callable[[int], None] | None = None
    lock: threading.Lock = attrs.Factory(threading.Lock)

    def operations(self) -> Operations:
        ops = Operations()

        @ops.operation("counter.plan")
        def plan(ctx: OperationContext, payload: Any) -> Any:
            # a trap is asked for once, so the resumed job can finish
            trap, self.trap_at = self.trap_at, None
            return {"steps": self.steps, "trap_at": trap}

        @ops.operation("counter.step")
        def step(ctx: OperationContext, payload: Any) -> Any:
            with self.lock:
                self.steps_seen.append(payload["step"])
            if self.on_step is not None:
                self.on_step(payload["step"])
            return None

        return ops


def counter_plan(wasm: Path) -> Plan:
    return linker.link([wasm.parent])
