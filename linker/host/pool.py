"""Instance pools: a stateless extension run as N instances, each call to a free one.

`instances = N` under `[extension]` (with `stateless = true`) asks for a pool; the host
caps it (`Host(max_instances=...)`). Each instance is a full `ExtensionRuntime`: its own
store, memory limit, linker and fault count, so a trap restarts only that instance and
calls routed to the others go on. The pool stands where the extension's runtime stands
(the host's registry, the providers' forwarders), so host calls, typed clients, events, jobs
and consumers' cross-extension calls all take a free instance. Its metrics count every
call into the extension; `Host.instances` gives each instance's. An instance quarantined
after `max_faults` consecutive faults quarantines the extension: its code is at fault.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable, Iterator
from typing import Any

from wasmtime.component import Component, Linker

from linker.errors import CallCancelled, ExtensionError
from linker.host.runtime import Export, ExtensionRuntime, Status

_STOPPED = (Status.QUARANTINED, Status.UNLOADED)

Wire = Callable[[ExtensionRuntime, Component], tuple[Linker, list[object]]]
"""Builds one instance's linker (`linker.host.wiring.build_linker` with the host bound)."""


def make_runtime(
    asked: int, ceiling: int | None, new: Callable[[], ExtensionRuntime], wire: Wire
) -> ExtensionRuntime:
    """An extension's runtime (`new()` makes one instance's): a pool if the plan `asked`
    for more than one instance and the host's `ceiling` (None: no ceiling) allows it."""
    count = asked if ceiling is None else min(asked, ceiling)
    if count <= 1:
        return new()
    return PooledRuntime(new, count, wire)


def instances(rt: ExtensionRuntime) -> list[ExtensionRuntime]:
    """The instances running `rt`'s extension (itself, unless it is a pool)."""
    return list(rt.members) if isinstance(rt, PooledRuntime) else [rt]


class PooledRuntime(ExtensionRuntime):
    """An extension's runtime that holds no store itself and hands each call to a free
    instance of `members`."""

    def __init__(self, new: Callable[[], ExtensionRuntime], count: int, wire: Wire) -> None:
        self.members = tuple(new() for _ in range(count))
        first = self.members[0]
        super().__init__(first.settings, first.planned, first.component)
        self._wire = wire
        self._free: queue.LifoQueue[ExtensionRuntime] = queue.LifoQueue()
        for member in self.members:
            self._free.put(member)

    def call(
        self, export: Export, args: tuple[Any, ...], caller: str | None = None, raw: bool = False
    ) -> Any:
        """Call `export` in a free instance (waiting for one if all are busy)."""
        self.check_usable()
        member = self._take()
        start = time.perf_counter()
        metrics = self.metrics
        try:
            self._ready(member)
            return member.call(member.export(export.name), args, caller, raw)
        except CallCancelled:
            raise  # the caller gave up: no error of the extension's
        except ExtensionError as err:
            metrics.errors += 1
            metrics.last_error = member.metrics.last_error or str(err)
            if member.status is Status.QUARANTINED:
                self.status = Status.QUARANTINED
                metrics.consecutive_faults = member.metrics.consecutive_faults
            raise
        finally:
            metrics.calls += 1
            metrics.total_time += time.perf_counter() - start
            self._free.put(member)

    def busy(self) -> int:
        """How many instances are running a call now."""
        return len(self.members) - self._free.qsize()

    def instantiate(self) -> None:
        """A fresh instance in every member (each runs the guest's `init`)."""
        with self._all_members() as members:
            for member in members:
                self._ready(member)
                member.instantiate()

    def drop_instance(self) -> None:
        for member in self.members:
            member.drop_instance()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold every instance (for lifecycle changes): waits for running calls."""
        with super().held(), self._all_members():
            yield

    @contextlib.contextmanager
    def _all_members(self) -> Iterator[list[ExtensionRuntime]]:
        """Every member, taken from the free ones so that no call runs in them meanwhile."""
        taken: list[ExtensionRuntime] = []
        try:
            for _ in self.members:
                taken.append(self._take())
            yield taken
        finally:
            for member in taken:
                self._free.put(member)

    def _ready(self, member: ExtensionRuntime) -> None:
        """Give `member` the pool's current component, plan entry and status (a reload or
        load changes the pool's), with a linker of its own."""
        if member.linker is None or member.component is not self.component:
            member.drop_instance()
            member.exports.clear()  # their names and types were the old component's
            member.component, member.planned = self.component, self.planned
            member.linker, member.keep_alive = self._wire(member, self.component)
        if self.status is Status.LOADED and member.status in _STOPPED:
            member.status = Status.LOADED  # the pool was reloaded or loaded again
            member.metrics.consecutive_faults = 0

    def _take(self) -> ExtensionRuntime:
        try:
            return self._free.get(timeout=self.settings.call_timeout * 4 + 1)
        except queue.Empty:
            raise ExtensionError(
                f"all {len(self.members)} instances of extension `{self.id}` stayed busy; "
                "try again",
                extension=self.id,
            ) from None
