"""The one place bindgen turns a WIT path into a `Resolve`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from linker.errors import WitError
from linker.tools import ToolError, run_wasm_tools
from linker.wit import Resolve
from linker.wit.model import PackageId


def load_wit(path: Path, *, features: Sequence[str] = (), all_features: bool = False) -> Resolve:
    """Parse and resolve the WIT file, directory or component at `path`.

    The resolve includes dependency packages (from `deps/`); the package at
    `path` itself (wasm-tools prints it last) is the main package. Invalid WIT
    raises `WitError` with wasm-tools' message, which names file, line and column.
    """
    if not path.exists():
        raise WitError(f"{path}: no such file or directory (expected a .wit file or folder)")
    args = ["component", "wit", "--json"]
    if all_features:
        args.append("--all-features")
    elif features:
        args += ["--features", ",".join(features)]
    try:
        text = run_wasm_tools(*args, str(path)).decode()
    except ToolError as err:
        raise WitError(f"{path}: {err}", path=str(path)) from None
    resolve = Resolve.from_json(text)
    if resolve.packages:
        resolve.main_packages = [PackageId(len(resolve.packages) - 1)]
    return resolve
