"""In-memory extensions with `lib` imports and exports, for property tests and benchmarks.

They are what decoding real components yields (a Resolve per extension), built
directly, so planning can be exercised on thousands of extensions without wasm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from linker.component import ComponentInfo, from_resolve
from linker.manifest import Manifest
from linker.plan.inputs import Extension
from linker.wit import model as m


def lib_name(provider: str, version: str = "1.0.0") -> str:
    """The `lib` interface extension `provider` exports: `synth:<provider>/lib@<version>`."""
    return f"synth:{provider}/lib@{version}"


def _add_lib(resolve: m.Resolve, name: str, result: m.Primitive) -> m.InterfaceId:
    base, _, version = name.partition("@")
    package_name, _, iface_name = base.partition("/")
    namespace, _, package = package_name.partition(":")
    package_id = m.PackageId(len(resolve.packages))
    iface_id = m.InterfaceId(len(resolve.interfaces))
    pair = m.TypeId(len(resolve.types))
    resolve.types.append(
        m.TypeDef(
            name="pair",
            kind=m.Record((m.Field("a", m.Primitive.U32), m.Field("b", m.Primitive.U32))),
            owner=m.OwnerInterface(iface_id),
        )
    )
    free = m.FunctionKind(m.FunctionKindTag.FREESTANDING)
    functions = {
        "value": m.Function("value", free, (), result),
        "sum": m.Function("sum", free, (m.Param("p", pair),), m.Primitive.U32),
    }
    resolve.interfaces.append(
        m.Interface(iface_name, {"pair": pair}, functions, package=package_id)
    )
    resolve.packages.append(
        m.Package(
            m.PackageName(namespace, package, version or None), interfaces={iface_name: iface_id}
        )
    )
    return iface_id


def component(
    exports: Sequence[str],
    imports: Sequence[str],
    results: Mapping[str, m.Primitive] | None = None,
) -> ComponentInfo:
    """A component exporting and importing these interfaces (each: `value`, `sum`).

    `results` overrides the result type of `value` per interface, to make type mismatches.
    """
    results = results or {}
    resolve = m.Resolve()
    world = m.World("root")
    for name in imports:
        iface = _add_lib(resolve, name, results.get(name, m.Primitive.U32))
        world.imports[iface] = m.WorldInterface(iface)
    for name in exports:
        iface = _add_lib(resolve, name, results.get(name, m.Primitive.U32))
        world.exports[iface] = m.WorldInterface(iface)
    world.package = m.PackageId(len(resolve.packages))
    resolve.packages.append(
        m.Package(m.PackageName("root", "component"), worlds={"root": m.WorldId(0)})
    )
    resolve.worlds.append(world)
    return from_resolve(resolve, sha256="0" * 64, size=0)


def extension(
    ext_id: str,
    exports: Sequence[str],
    imports: Sequence[str],
    *,
    pins: Mapping[str, str] | None = None,
    results: Mapping[str, m.Primitive] | None = None,
) -> Extension:
    """An extension `ext_id` with no manifest file of its own."""
    manifest = Manifest(id=ext_id, component=Path(f"{ext_id}.wasm"), dependencies=dict(pins or {}))
    return Extension(manifest, component(exports, imports, results))


def graph(edges: Mapping[str, Sequence[str]]) -> list[Extension]:
    """One extension per key, exporting its own lib and importing the libs of its values."""
    return [extension(i, [lib_name(i)], [lib_name(p) for p in deps]) for i, deps in edges.items()]
