"""`Host.emit`: deliver an event to every subscribed extension's `on-event`, in load order."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from linker.errors import ExtensionError
from linker.host.bindings.exports import OnEventError
from linker.host.jobs import guest_of
from linker.services.events import subscribed

if TYPE_CHECKING:
    from linker.host.registry import Registry


@attrs.frozen
class EventReply:
    """One subscriber's answer: its reply (`on-event`'s optional string) or its error."""

    extension: str
    reply: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def emit(registry: Registry, topic: str, payload: str) -> list[EventReply]:
    """Call `on-event(topic, payload)` on each extension subscribed to `topic`, in the
    plan's order; a subscriber that fails or traps is reported and the others still run."""
    replies = []
    for ext_id in registry.plan.order:
        rt = registry.runtimes.get(ext_id)
        if rt is None and ext_id not in registry.not_loaded:
            continue  # it runs in another process (the Ray backend asks that one)
        planned = registry.plan.extension(ext_id) if rt is None else rt.planned
        if not subscribed(planned.subscribe, topic):
            continue
        try:
            rt = registry.runtime(ext_id)  # raises for one that never loaded
            rt.check_usable()
            reply = guest_of(rt).on_event(topic, payload)
        except OnEventError as err:
            replies.append(EventReply(ext_id, error=f"extension `{ext_id}`: {err.value}"))
        except ExtensionError as err:
            replies.append(EventReply(ext_id, error=str(err)))
        else:
            replies.append(EventReply(ext_id, reply=reply))
    return replies
