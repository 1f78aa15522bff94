"""`link(inputs) -> Plan`: the link step as a library call.

Loads the extensions, matches every import, orders instantiation, and returns
the plan; any problem raises `LinkError` carrying every diagnostic found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from linker.errors import LinkError
from linker.plan import collector, inputs, pooling
from linker.plan.hostworld import host_world
from linker.plan.inputs import Extension
from linker.plan.matching import Linkage, match
from linker.plan.model import Plan, PlannedExtension


def analyze(paths: Iterable[Path | str], *, wasi: bool = True) -> Linkage:
    """Load and match the extensions the paths name; problems are in the diagnostics."""
    extensions, problems = inputs.load(Path(p) for p in paths)
    with collector.paused():
        linkage = match(extensions, host_world(), wasi=wasi)
    linkage.diagnostics[:0] = problems + pooling.problems(extensions)
    return linkage


def plan_of(linkage: Linkage) -> Plan:
    """The plan of a linkage without diagnostics."""
    if linkage.diagnostics:
        raise LinkError(linkage.diagnostics)
    by_id = {e.id: e for e in linkage.extensions}
    return Plan(
        extensions=tuple(_planned(by_id[i], linkage) for i in linkage.order),
        order=tuple(linkage.order),
        bindings=tuple(linkage.bindings),
        functions=tuple(linkage.functions),
    )


def _planned(ext: Extension, linkage: Linkage) -> PlannedExtension:
    man = ext.manifest
    return PlannedExtension(
        id=ext.id,
        component=man.component,
        sha256=ext.component.sha256,
        size=ext.component.size,
        imports=tuple(linkage.imports.get(ext.id, ())),
        exports=tuple(item.name for item in ext.component.exports),
        permissions=man.permissions,
        name=man.name,
        version=man.version,
        subscribe=man.subscribe,
        dependencies=dict(man.dependencies),
        instances=man.instances,
        stateless=man.stateless,
    )


def plan_extensions(extensions: Sequence[Extension], *, wasi: bool = True) -> Plan:
    """Plan already-loaded extensions (the timed core of the benchmark)."""
    host = host_world()
    with collector.paused():
        return plan_of(match(extensions, host, wasi=wasi))


def link(paths: Iterable[Path | str], *, wasi: bool = True) -> Plan:
    """Link the extensions named by `paths` (directories, manifests, component files).

    Raises `LinkError` with every diagnostic when anything does not link, and
    `InputError` when a path does not exist.
    """
    return plan_of(analyze(paths, wasi=wasi))
