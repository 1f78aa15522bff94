"""Extension ids: the one rule for what may name an extension.

`host` and `wasi` name the providers of the host's own interfaces and of WASI in a plan,
so no extension may take them.
"""

from __future__ import annotations

import re

HOST_PROVIDER = "host"
WASI_PROVIDER = "wasi"
RESERVED = frozenset({HOST_PROVIDER, WASI_PROVIDER})
_ID = re.compile(r"[a-z0-9]([a-z0-9_-]*[a-z0-9])?")


def id_problem(text: str) -> str | None:
    """Why `text` cannot be an extension id, or None when it can."""
    if text in RESERVED:
        return f"`{text}` is reserved (it names a provider of the host); choose another id"
    if not _ID.fullmatch(text):
        return (
            f"`{text}` is not a valid extension id (lowercase letters, digits, `-` and `_`, "
            "e.g. `my-ext`)"
        )
    return None
