"""witlink: a component-model linker and host for WebAssembly extension systems."""

from linker.compose import compose
from linker.errors import Diagnostic, LinkError, WitError, WitlinkError
from linker.plan import Plan, link

__all__ = ["Diagnostic", "LinkError", "Plan", "WitError", "WitlinkError", "compose", "link"]
