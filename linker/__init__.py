"""witlink: a component-model linker and host for WebAssembly extension systems.

The public names below load on first use, so `import linker` (and the CLI's start) stays
quick: a program that only links never loads wasmtime. `compose` is imported at once: the
subpackage `linker.compose`, once imported, would take the function's name.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from linker.compose import compose

if TYPE_CHECKING:
    from linker.errors import (
        ArgumentError,
        CallCancelled,
        CallRefused,
        Diagnostic,
        ExtensionError,
        ExtensionTimeout,
        ExtensionTrap,
        HandleError,
        IntegrityError,
        LinkError,
        NotLoadedError,
        PlanError,
        QuarantinedError,
        ReloadRefused,
        StartError,
        UnknownExportError,
        UnknownExtensionError,
        WitError,
        WitlinkError,
    )
    from linker.host import Host
    from linker.plan import Plan
    from linker.plan.link import link

_HOMES = {
    "ArgumentError": "linker.errors",
    "CallCancelled": "linker.errors",
    "CallRefused": "linker.errors",
    "Diagnostic": "linker.errors",
    "ExtensionError": "linker.errors",
    "ExtensionTimeout": "linker.errors",
    "ExtensionTrap": "linker.errors",
    "HandleError": "linker.errors",
    "Host": "linker.host",
    "IntegrityError": "linker.errors",
    "LinkError": "linker.errors",
    "NotLoadedError": "linker.errors",
    "Plan": "linker.plan",
    "PlanError": "linker.errors",
    "QuarantinedError": "linker.errors",
    "ReloadRefused": "linker.errors",
    "StartError": "linker.errors",
    "UnknownExportError": "linker.errors",
    "UnknownExtensionError": "linker.errors",
    "WitError": "linker.errors",
    "WitlinkError": "linker.errors",
    "link": "linker.plan",
}

__all__ = [
    "ArgumentError",
    "CallCancelled",
    "CallRefused",
    "Diagnostic",
    "ExtensionError",
    "ExtensionTimeout",
    "ExtensionTrap",
    "HandleError",
    "Host",
    "IntegrityError",
    "LinkError",
    "NotLoadedError",
    "Plan",
    "PlanError",
    "QuarantinedError",
    "ReloadRefused",
    "StartError",
    "UnknownExportError",
    "UnknownExtensionError",
    "WitError",
    "WitlinkError",
    "compose",
    "link",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'linker' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
