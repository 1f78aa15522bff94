"""The runtime host: runs a plan in wasmtime (the only room that touches wasmtime stores)."""

from linker.host.events import EventReply
from linker.host.host import ExtensionInfo, Host
from linker.host.operations import OperationContext, Operations
from linker.host.runtime import Metrics, Status

__all__ = [
    "EventReply",
    "ExtensionInfo",
    "Host",
    "Metrics",
    "OperationContext",
    "Operations",
    "Status",
]
