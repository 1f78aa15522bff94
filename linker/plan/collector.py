"""`paused()`: run a block with Python's cyclic garbage collector switched off.

Planning and writing a plan allocate many small acyclic objects; with thousands
of decoded Resolves alive, the full collections this would trigger cost more than
the work itself. Objects made inside the block are collected normally afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block (if it was enabled)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
