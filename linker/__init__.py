"""witlink: a component-model linker and host for WebAssembly extension systems."""

from linker.compose import compose
from linker.errors import (
    ArgumentError,
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
from linker.plan import Plan, link

__all__ = [
    "ArgumentError",
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
