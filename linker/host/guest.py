"""The host's calls into an extension's `witlink:host/guest` (init, run-job, on-event).

They go through the generated `GuestExports` (`linker.host.bindings`), bound to a
`GuestCaller`: a `bindgen.runtime.Caller` whose functions are the interface the component
exports (any `witlink:host/guest@` version, as the host always accepted) called through
the extension runtime's own path: its lock, call deadline, metrics and faults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linker.errors import ExtensionError
from linker.host import calls
from linker.host.bindings.exports import GuestExports
from linker.host.calls import Signature

Bind = Callable[[str], tuple[Signature, Callable[..., Any]]]
"""`iface#func` -> its signature and a callable on the value mapping that runs it."""


class GuestCaller:
    """Routes `GuestExports`' calls to `interface` of extension `ext_id` through `bind`."""

    def __init__(self, ext_id: str, interface: str, bind: Bind) -> None:
        self._ext_id = ext_id
        self._interface = interface
        self._bind = bind

    @property
    def store(self) -> Any:
        """witlink:host/guest passes no resources, so its calls never need the store."""
        raise ExtensionError(
            f"extension `{self._ext_id}`: witlink:host/guest has no resources",
            extension=self._ext_id,
        )

    def function(self, interface: str | None, name: str) -> Callable[..., Any]:
        """Export `name` of the guest interface the component exports (the version the
        bindings name in `interface` is not required)."""
        sig, call = self._bind(f"{self._interface}#{name}")
        return calls.on_public(sig, call)


def guest_exports(ext_id: str, interface: str, bind: Bind) -> GuestExports:
    """Typed calls into `interface` (a `witlink:host/guest` export) of `ext_id`."""
    return GuestExports(GuestCaller(ext_id, interface, bind))
