"""Run the `witlink` command line in a subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def witlink(*args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m linker ARGS...` from the repository root; output decoded leniently."""
    return subprocess.run(
        [sys.executable, "-m", "linker", *args],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        cwd=ROOT,
        check=False,
        timeout=timeout,
    )
