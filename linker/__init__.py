"""witlink: a component-model linker and host for WebAssembly extension systems.

The public names below load on first use, so `import linker` (and the CLI's start) stays
quick: a program that only links never loads wasmtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from linker.compose import compose
    from linker.errors import Diagnostic, LinkError, WitError, WitlinkError
    from linker.plan import Plan
    from linker.plan.link import link

_HOMES = {
    "compose": "linker.compose",
    "Diagnostic": "linker.errors",
    "LinkError": "linker.errors",
    "WitError": "linker.errors",
    "WitlinkError": "linker.errors",
    "Plan": "linker.plan",
    "link": "linker.plan",
}

__all__ = ["Diagnostic", "LinkError", "Plan", "WitError", "WitlinkError", "compose", "link"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'linker' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
