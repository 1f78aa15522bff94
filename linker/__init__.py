"""witlink: a component-model linker and host for WebAssembly extension systems."""

from linker.errors import WitError, WitlinkError

__all__ = ["WitError", "WitlinkError"]
