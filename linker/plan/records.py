"""The records a plan is made of: planned extensions, their imports, bindings, registry."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from linker.manifest import Permissions


@attrs.frozen
class PlannedImport:
    name: str
    """The import as written in the component (`acme:math/lib@1.0.0`, or a function name)."""
    provider: str
    """`host`, `wasi`, or the id of the providing extension."""


@attrs.frozen
class Composite:
    """An extension fused with its `*/lib` providers into one component (`linker.compose`);
    the host runs it in place of the extension's own component."""

    component: Path
    sha256: str
    size: int
    members: tuple[str, ...]
    """The extension's id first, then the providers inside, in instantiation search order."""
    imports: tuple[PlannedImport, ...]
    """What the composite still imports: host and WASI interfaces only."""


@attrs.frozen
class PlannedExtension:
    id: str
    component: Path
    sha256: str
    size: int
    imports: tuple[PlannedImport, ...]
    exports: tuple[str, ...]
    permissions: Permissions = attrs.field(factory=Permissions)
    name: str | None = None
    version: str | None = None
    subscribe: tuple[str, ...] = ()
    dependencies: Mapping[str, str] = attrs.field(factory=dict)
    composite: Composite | None = None
    instances: int = 1
    """The size of its instance pool (more than one only if it is `stateless`)."""
    stateless: bool = False


@attrs.frozen
class Binding:
    """One consumer import wired to one provider export (both full interface names)."""

    consumer: str
    import_: str
    provider: str
    export: str


@attrs.frozen
class FunctionRef:
    """An entry of the function-reference registry: who answers one imported function."""

    consumer: str
    import_: str
    function: str
    provider: str
    export: str
    signature: str
    """The function's WIT signature, e.g. `func(a: u32, b: u32) -> u32`."""
