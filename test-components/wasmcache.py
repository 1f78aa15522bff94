"""Compile a built test component once: wasmtime's compiled form is kept beside it.

Compiling an 18 MB componentize-py guest takes seconds; deserializing the
compiled artifact takes milliseconds. The artifact's name carries the wasmtime
version, and one that fails to load is simply compiled again.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import wasmtime
from wasmtime.component import Component


def compiled(engine: wasmtime.Engine, wasm: Path) -> Component:
    """`wasm` compiled for `engine` (default config), reusing a cached artifact."""
    artifact = wasm.with_name(f"{wasm.stem}.wasmtime-{version('wasmtime')}.cwasm")
    if artifact.exists():
        try:
            return Component.deserialize_file(engine, str(artifact))
        except wasmtime.WasmtimeError:
            artifact.unlink()
    component = Component.from_file(engine, str(wasm))
    partial = artifact.with_suffix(".partial")
    partial.write_bytes(component.serialize())
    partial.replace(artifact)
    return component
