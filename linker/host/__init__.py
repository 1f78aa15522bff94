"""The runtime host: runs a plan in wasmtime (the only room that touches wasmtime stores)."""

from linker.host.events import EventReply
from linker.host.host import ExtensionInfo, Host
from linker.host.runtime import Metrics, Status
from linker.services.opschema import OperationContext, Operations

__all__ = [
    "EventReply",
    "ExtensionInfo",
    "Host",
    "Metrics",
    "OperationContext",
    "Operations",
    "Status",
]
