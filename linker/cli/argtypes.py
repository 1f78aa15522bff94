"""argparse types shared by the commands; a bad value is a usage error (exit 2)."""

from __future__ import annotations

import argparse
from pathlib import Path


def existing_path(text: str) -> Path:
    """A path that exists."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or directory: {text}")
    return path
