"""Phase two of resolution: adding unresolved packages to a `Resolve`.

`Builder.add_group` orders packages (dependencies first, cycles rejected) and
appends each one: placeholders for foreign items are mapped onto packages
already present, items excluded by feature gates are dropped, world includes
are expanded and every world is elaborated (the interfaces its items use are
imported). `Builder.merge` adds a decoded `Resolve` (a `.wasm`/`.wat` package).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import attrs

from linker.wit import model as m
from linker.wit.package_resolver import UnresolvedPackage
from linker.wit.semver import version_key
from linker.wit.source import Span, WitSyntaxError


def _name_key(name: m.PackageName) -> tuple[object, ...]:
    version = () if name.version is None else (version_key(name.version),)
    return (name.namespace, name.name, version)


def _handle_resource_chain(resolve: m.Resolve, type_id: m.TypeId) -> m.TypeDefKind:
    kind = resolve.types[type_id.index].kind
    while isinstance(kind, m.Alias) and isinstance(kind.type, m.TypeId):
        kind = resolve.types[kind.type.index].kind
    return kind


class Builder:
    """Holds a `Resolve` under construction and the features enabled for it."""

    def __init__(self, features: Sequence[str] = (), all_features: bool = False) -> None:
        self.resolve = m.Resolve()
        self.features = set(features)
        self.all_features = all_features
        self.package_names: dict[m.PackageName, m.PackageId] = {}

    # ------------------------------------------------------------ groups

    def add_groups(self, groups: Sequence[Sequence[UnresolvedPackage]]) -> list[list[m.PackageId]]:
        """Add packages of several groups in dependency order; returns each group's ids."""
        details: dict[m.PackageName, tuple[UnresolvedPackage, int]] = {}
        for index, group in enumerate(groups):
            for pkg in group:
                prev = details.get(pkg.name)
                if prev is not None:
                    raise WitSyntaxError(
                        f"package `{pkg.name}` is defined in two different locations:\n"
                        f"  * {_where(pkg.name_span)}\n  * {_where(prev[0].name_span)}",
                        None,
                    )
                details[pkg.name] = (pkg, index)
        order: list[m.PackageName] = []
        placed: set[m.PackageName] = set()
        visiting: set[m.PackageName] = set()

        def visit(pkg: UnresolvedPackage) -> None:
            if pkg.name in placed:
                return
            for dep in pkg.foreign_deps.values():
                if dep.name in visiting:
                    raise WitSyntaxError(
                        f"package `{dep.name}` creates a dependency cycle", dep.span
                    )
                visiting.add(dep.name)
                found = details.get(dep.name)
                if found is not None:
                    visit(found[0])
                visiting.discard(dep.name)
            placed.add(pkg.name)
            order.append(pkg.name)

        for name in sorted(details, key=_name_key):
            visit(details[name][0])
        ids: list[list[m.PackageId]] = [[] for _ in groups]
        for name in order:
            pkg, index = details[name]
            ids[index].append(self.append(pkg))
        return ids

    # ------------------------------------------------------------ stability

    def include_stability(
        self, stability: m.Stability, pkg: m.PackageId, span: Span | None
    ) -> bool:
        if stability is m.UNKNOWN:  # most items carry no gate
            return True
        if isinstance(stability, m.Stable):
            name = self.resolve.packages[pkg.index].name
            if name.version is None:
                raise WitSyntaxError(
                    f"package [{name}] contains a feature gate with a version specifier, "
                    "so it must have a version",
                    span,
                )
            if version_key(stability.since) > version_key(name.version):
                raise WitSyntaxError(
                    f"feature gate cannot reference unreleased version {stability.since} of "
                    f"package [{name}] (current version {name.version})",
                    span,
                )
            return True
        if isinstance(stability, m.Unstable):
            return self.all_features or stability.feature in self.features
        return True

    # ------------------------------------------------------------ append

    def append(self, unresolved: UnresolvedPackage) -> m.PackageId:
        return _Remap(self, unresolved).run()

    # ------------------------------------------------------------ elaboration

    def type_interface_dep(self, type_id: m.TypeId) -> m.InterfaceId | None:
        ty = self.resolve.types[type_id.index]
        if not isinstance(ty.kind, m.Alias) or not isinstance(ty.kind.type, m.TypeId):
            return None
        other = self.resolve.types[ty.kind.type.index]
        if ty.owner == other.owner:
            return None
        assert isinstance(other.owner, m.OwnerInterface)
        return other.owner.id

    def interface_direct_deps(self, iface: m.InterfaceId) -> list[m.InterfaceId]:
        deps = []
        for type_id in self.resolve.interfaces[iface.index].types.values():
            dep = self.type_interface_dep(type_id)
            if dep is not None:
                deps.append(dep)
        return deps

    def _sort_key(self, item: m.WorldItem) -> int:
        if isinstance(item, m.WorldInterface):
            return 0
        if isinstance(item, m.WorldType):
            ty = self.resolve.types[item.id.index]
            target = ty.kind.type if isinstance(ty.kind, m.Alias) else None
            foreign = isinstance(target, m.TypeId) and (
                self.resolve.types[target.index].owner != ty.owner
            )
            return 1 if foreign else 2
        return 3 if item.function.kind.resource is None else 4

    def elaborate_world(self, world_id: m.WorldId, span: Span | None) -> None:
        world = self.resolve.worlds[world_id.index]
        new_imports: dict[m.WorldKey, m.WorldItem] = {}
        for key, item in sorted(world.imports.items(), key=lambda kv: self._sort_key(kv[1])):
            if isinstance(item, m.WorldInterface):
                self._elaborate_import(
                    new_imports, key, item.id, item.stability, item.docs, item.external_id
                )
            elif isinstance(item, m.WorldFunction):
                new_imports[key] = item
            else:
                dep = self.type_interface_dep(item.id)
                if dep is not None:
                    stability = self.resolve.types[item.id.index].stability
                    self._elaborate_import(new_imports, dep, dep, stability, m.NO_DOCS, None)
                new_imports[key] = item
        new_exports: dict[m.WorldKey, m.WorldItem] = {}
        export_interfaces: dict[m.WorldKey, m.WorldInterface] = {}
        for key, item in world.exports.items():
            if isinstance(item, m.WorldInterface):
                export_interfaces[key] = item
            else:
                new_exports[key] = item
        self._elaborate_exports(export_interfaces, new_imports, new_exports, span)
        world.imports = dict(sorted(new_imports.items(), key=lambda kv: self._sort_key(kv[1])))
        world.exports = new_exports

    def _elaborate_import(
        self,
        imports: dict[m.WorldKey, m.WorldItem],
        key: m.WorldKey,
        iface: m.InterfaceId,
        stability: m.Stability,
        docs: m.Docs,
        external_id: str | None,
    ) -> None:
        if key in imports:
            return
        for dep in self.interface_direct_deps(iface):
            self._elaborate_import(imports, dep, dep, stability, m.NO_DOCS, None)
        imports[key] = m.WorldInterface(iface, stability, external_id, docs)

    def _elaborate_exports(
        self,
        export_interfaces: dict[m.WorldKey, m.WorldInterface],
        imports: dict[m.WorldKey, m.WorldItem],
        exports: dict[m.WorldKey, m.WorldItem],
        span: Span | None,
    ) -> None:
        required: set[m.InterfaceId] = set()

        def add(key: m.WorldKey, item: m.WorldInterface, add_export: bool) -> bool:
            if key in exports:
                return add_export
            if not add_export and item.id in required:
                return True
            for dep in self.interface_direct_deps(item.id):
                dep_item = m.WorldInterface(dep, item.stability, item.external_id)
                if not add(dep, dep_item, add_export and dep in export_interfaces):
                    return False
            if add_export:
                if item.id in required:
                    return False
                exports[key] = item
            else:
                required.add(item.id)
                if key not in imports:
                    imports[key] = item
            return True

        for key, item in export_interfaces.items():
            name = self.resolve.world_key_name(key)
            if not add(key, item, True):
                raise WitSyntaxError(
                    f"interface `{name}` transitively depends on an interface in incompatible ways",
                    span,
                )

    # ------------------------------------------------------------ merging decoded packages

    def merge(self, other: m.Resolve) -> list[m.PackageId]:
        """Add a decoded `Resolve`; packages already present are matched by name."""
        resolve = self.resolve
        type_map: dict[int, m.TypeId] = {}
        iface_map: dict[int, m.InterfaceId] = {}
        world_map: dict[int, m.WorldId] = {}
        pkg_map: dict[int, m.PackageId] = {}
        for index, pkg in enumerate(other.packages):
            existing = self.package_names.get(pkg.name)
            if existing is None:
                continue
            pkg_map[index] = existing
            into = resolve.packages[existing.index]
            for name, iface in pkg.interfaces.items():
                if name in into.interfaces:
                    into_iface = into.interfaces[name]
                    iface_map[iface.index] = into_iface
                    into_types = resolve.interfaces[into_iface.index].types
                    for tname, from_type in other.interfaces[iface.index].types.items():
                        if tname in into_types:
                            type_map[from_type.index] = into_types[tname]
            for name, world in pkg.worlds.items():
                if name in into.worlds:
                    world_map[world.index] = into.worlds[name]

        def ty(t: m.Type | None) -> m.Type | None:
            return t if not isinstance(t, m.TypeId) else type_map[t.index]

        def tid(t: m.TypeId) -> m.TypeId:
            return type_map[t.index]

        new_types: list[int] = []
        for index, typedef in enumerate(other.types):
            if index in type_map:
                continue
            type_map[index] = m.TypeId(len(resolve.types))
            resolve.types.append(copy.copy(typedef))
            new_types.append(index)
        for index in new_types:
            new = resolve.types[type_map[index].index]
            new.kind = _map_kind(new.kind, ty, tid)
        new_ifaces: list[int] = []
        for index, from_iface in enumerate(other.interfaces):
            if index in iface_map:
                matched = resolve.interfaces[iface_map[index].index]
                for tname, t in from_iface.types.items():
                    matched.types.setdefault(tname, tid(t))
                for fname, func in from_iface.functions.items():
                    if fname not in matched.functions:
                        matched.functions[fname] = _map_function(func, ty, tid)
                continue
            iface_map[index] = m.InterfaceId(len(resolve.interfaces))
            resolve.interfaces.append(attrs.evolve(from_iface))
            new_ifaces.append(index)
        for index in new_ifaces:
            new_iface = resolve.interfaces[iface_map[index].index]
            new_iface.types = {k: tid(v) for k, v in new_iface.types.items()}
            new_iface.functions = {
                k: _map_function(v, ty, tid) for k, v in new_iface.functions.items()
            }
            if new_iface.clone_of is not None:
                new_iface.clone_of = iface_map[new_iface.clone_of.index]
        new_worlds: list[int] = []
        for index, from_world in enumerate(other.worlds):
            if index in world_map:
                continue
            world_map[index] = m.WorldId(len(resolve.worlds))

            def item(i: m.WorldItem) -> m.WorldItem:
                if isinstance(i, m.WorldInterface):
                    return attrs.evolve(i, id=iface_map[i.id.index])
                if isinstance(i, m.WorldFunction):
                    return m.WorldFunction(_map_function(i.function, ty, tid))
                return m.WorldType(tid(i.id))

            def key(k: m.WorldKey) -> m.WorldKey:
                return k if isinstance(k, str) else iface_map[k.index]

            resolve.worlds.append(
                attrs.evolve(
                    from_world,
                    imports={key(k): item(v) for k, v in from_world.imports.items()},
                    exports={key(k): item(v) for k, v in from_world.exports.items()},
                )
            )
            new_worlds.append(index)
        for index, pkg in enumerate(other.packages):
            if index in pkg_map:
                into = resolve.packages[pkg_map[index].index]
                for name, iface in pkg.interfaces.items():
                    into.interfaces.setdefault(name, iface_map[iface.index])
                for name, world in pkg.worlds.items():
                    into.worlds.setdefault(name, world_map[world.index])
                continue
            pkg_map[index] = m.PackageId(len(resolve.packages))
            resolve.packages.append(
                m.Package(
                    pkg.name,
                    pkg.docs,
                    {k: iface_map[v.index] for k, v in pkg.interfaces.items()},
                    {k: world_map[v.index] for k, v in pkg.worlds.items()},
                )
            )
            self.package_names[pkg.name] = pkg_map[index]
        for index in new_worlds:
            new_world = resolve.worlds[world_map[index].index]
            if new_world.package is not None:
                new_world.package = pkg_map[new_world.package.index]
        for index in new_ifaces:
            new_iface = resolve.interfaces[iface_map[index].index]
            if new_iface.package is not None:
                new_iface.package = pkg_map[new_iface.package.index]
        for index in new_types:
            new = resolve.types[type_map[index].index]
            if isinstance(new.owner, m.OwnerInterface):
                new.owner = m.OwnerInterface(iface_map[new.owner.id.index])
            elif isinstance(new.owner, m.OwnerWorld):
                new.owner = m.OwnerWorld(world_map[new.owner.id.index])
        for world_index in range(len(resolve.worlds)):
            self.elaborate_world(m.WorldId(world_index), None)
        return [pkg_map[i] for i in range(len(other.packages))]


def _where(span: Span) -> str:
    text = span.source.text
    line = text.count("\n", 0, span.start) + 1
    column = span.start - (text.rfind("\n", 0, span.start) + 1) + 1
    return f"{span.source.path}:{line}:{column}"


TypeMapper = Callable[[m.Type | None], m.Type | None]
IdMapper = Callable[[m.TypeId], m.TypeId]


def _map_kind(kind: m.TypeDefKind, ty: TypeMapper, tid: IdMapper) -> m.TypeDefKind:
    """`kind` with every type reference passed through `ty` (ids through `tid`)."""

    def req(t: m.Type) -> m.Type:
        out = ty(t)
        assert out is not None
        return out

    match kind:
        case m.Record(fields):
            return m.Record(tuple(attrs.evolve(f, type=req(f.type)) for f in fields))
        case m.Handle(handle_kind, resource):
            return m.Handle(handle_kind, tid(resource))
        case m.Tuple(types):
            return m.Tuple(tuple(req(t) for t in types))
        case m.Variant(cases):
            return m.Variant(tuple(attrs.evolve(c, type=ty(c.type)) for c in cases))
        case m.Option(t):
            return m.Option(req(t))
        case m.Result(ok, err):
            return m.Result(ty(ok), ty(err))
        case m.List(t):
            return m.List(req(t))
        case m.Map(k, v):
            return m.Map(req(k), req(v))
        case m.FixedLengthList(t, size):
            return m.FixedLengthList(req(t), size)
        case m.Future(t):
            return m.Future(ty(t))
        case m.Stream(t):
            return m.Stream(ty(t))
        case m.Alias(t):
            return m.Alias(req(t))
    return kind


def _map_function(func: m.Function, ty: TypeMapper, tid: IdMapper) -> m.Function:
    kind = func.kind
    if kind.resource is not None:
        kind = m.FunctionKind(kind.tag, tid(kind.resource))
    params = []
    for p in func.params:
        mapped = ty(p.type)
        assert mapped is not None
        params.append(m.Param(p.name, mapped))
    return attrs.evolve(func, kind=kind, params=tuple(params), result=ty(func.result))


class _Remap:
    """Appends one unresolved package: its local ids mapped to `Resolve` ids."""

    def __init__(self, builder: Builder, unresolved: UnresolvedPackage) -> None:
        self.b = builder
        self.resolve = builder.resolve
        self.u = unresolved
        self.types: list[m.TypeId | None] = []
        self.interfaces: list[m.InterfaceId | None] = []
        self.worlds: list[m.WorldId | None] = []
        self.own_handles: dict[m.TypeId, m.TypeId] = {}
        self.has_borrow: dict[m.TypeId, bool] = {}
        self.pkg = m.PackageId(len(self.resolve.packages))
        self.world_spans: dict[int, Span | None] = {}

    def span_of(self, obj: object) -> Span | None:
        return self.u.item_spans.get(id(obj))

    # ------------------------------------------------------------ id maps

    @staticmethod
    def _excluded(desc: str, span: Span | None) -> WitSyntaxError:
        return WitSyntaxError(
            f"found a reference to a {desc} which is excluded due to its feature not "
            "being activated",
            span,
        )

    def map_type(self, type_id: m.TypeId, span: Span | None) -> m.TypeId:
        found = self.types[type_id.index]
        if found is None:
            raise self._excluded("type", span)
        return found

    def map_interface(self, iface: m.InterfaceId, span: Span | None) -> m.InterfaceId:
        found = self.interfaces[iface.index]
        if found is None:
            raise self._excluded("interface", span)
        return found

    def map_world(self, world: m.WorldId, span: Span | None) -> m.WorldId:
        found = self.worlds[world.index]
        if found is None:
            raise self._excluded("world", span)
        return found

    # ------------------------------------------------------------ the steps

    def run(self) -> m.PackageId:
        resolve, u, b = self.resolve, self.u, self.b
        resolve.packages.append(m.Package(u.name, u.docs))
        b.package_names[u.name] = self.pkg
        self._foreign_deps()

        first_type = len(self.types)
        first_iface = len(self.interfaces)
        first_world = len(self.worlds)

        for index in range(first_type, len(u.types)):
            ty = u.types[index]
            span = u.type_spans[index]
            if not b.include_stability(ty.stability, self.pkg, span):
                self.types.append(None)
                continue
            # the unresolved package is consumed by this append: update its items in place
            new = ty
            new.kind = self._update_kind(ty.kind, span)
            new_id = m.TypeId(len(resolve.types))
            resolve.types.append(new)
            if (
                new.name is None
                and new.owner is None
                and isinstance(new.kind, m.Handle)
                and new.kind.kind == m.HandleKind.OWN
            ):
                new_id = self.own_handles.setdefault(new.kind.resource, new_id)
            self.types.append(new_id)

        for index in range(first_iface, len(u.interfaces)):
            iface = u.interfaces[index]
            span = u.interface_spans[index]
            if not b.include_stability(iface.stability, self.pkg, span):
                self.interfaces.append(None)
                continue
            new_iface = self._update_interface(iface)
            self.interfaces.append(m.InterfaceId(len(resolve.interfaces)))
            resolve.interfaces.append(new_iface)

        owners: dict[m.InterfaceId, m.OwnerInterface] = {}
        for offset, maybe_type in enumerate(self.types[first_type:]):
            if maybe_type is None:
                continue
            ty = resolve.types[maybe_type.index]
            if isinstance(ty.owner, m.OwnerInterface):
                span = u.type_spans[first_type + offset]
                try:
                    owner = owners.get(ty.owner.id)
                    if owner is None:
                        mapped = self.map_interface(ty.owner.id, span)
                        owner = owners[ty.owner.id] = m.OwnerInterface(mapped)
                    ty.owner = owner
                except WitSyntaxError as err:
                    raise WitSyntaxError(
                        f"{err.message}; this type is not gated by a feature but its interface is",
                        err.span,
                    ) from None

        for index in range(first_world, len(u.worlds)):
            world = u.worlds[index]
            span = u.world_spans[index]
            if not b.include_stability(world.stability, self.pkg, span):
                self.worlds.append(None)
                continue
            new_world = self._update_world(world)
            new_world_id = m.WorldId(len(resolve.worlds))
            self.worlds.append(new_world_id)
            self.world_spans[new_world_id.index] = span
            resolve.worlds.append(new_world)

        for offset, maybe_type in enumerate(self.types[first_type:]):
            if maybe_type is None:
                continue
            ty = resolve.types[maybe_type.index]
            if isinstance(ty.owner, m.OwnerWorld):
                span = u.type_spans[first_type + offset]
                try:
                    ty.owner = m.OwnerWorld(self.map_world(ty.owner.id, span))
                except WitSyntaxError as err:
                    raise WitSyntaxError(
                        f"{err.message}; this type is not gated by a feature but its world is",
                        err.span,
                    ) from None

        for unresolved_index in range(first_world, len(u.worlds)):
            world_id = self.worlds[unresolved_index]
            if world_id is None:
                continue
            self._process_includes(unresolved_index, world_id)
            b.elaborate_world(world_id, self.world_spans.get(world_id.index))

        package = resolve.packages[self.pkg.index]
        for maybe_iface in self.interfaces[first_iface:]:
            if maybe_iface is None:
                continue
            iface = resolve.interfaces[maybe_iface.index]
            iface.package = self.pkg
            if iface.name is not None:
                package.interfaces[iface.name] = maybe_iface
        for maybe_world in self.worlds[first_world:]:
            if maybe_world is None:
                continue
            world = resolve.worlds[maybe_world.index]
            world.package = self.pkg
            package.worlds[world.name] = maybe_world
        return self.pkg

    # ------------------------------------------------------------ foreign items

    def _foreign_deps(self) -> None:
        u, b, resolve = self.u, self.b, self.resolve
        iface_to_pkg: dict[int, tuple[m.PackageName, str, Span, list[m.Stability]]] = {}
        world_to_pkg: dict[int, tuple[m.PackageName, str, Span, list[m.Stability]]] = {}
        for dep in u.foreign_deps.values():
            for name, (ref, stabilities) in dep.items.items():
                target = iface_to_pkg if ref[0] == "interface" else world_to_pkg
                target[ref[1]] = (dep.name, name, dep.span, stabilities)

        for index in range(len(u.interfaces)):
            if index not in iface_to_pkg:
                break
            pkg_name, name, span, stabilities = iface_to_pkg[index]
            pkg_id = self._find_package(pkg_name, span)
            iface_span = u.interface_spans[index]
            if not any(b.include_stability(s, self.pkg, iface_span) for s in stabilities):
                self.interfaces.append(None)
                continue
            pkg = resolve.packages[pkg_id.index]
            found = pkg.interfaces.get(name)
            if found is None:
                raise WitSyntaxError(
                    f"interface '{name}' not found in package '{pkg.name}'", iface_span
                )
            self.interfaces.append(found)

        for index in range(len(u.worlds)):
            if index not in world_to_pkg:
                break
            pkg_name, name, span, stabilities = world_to_pkg[index]
            pkg_id = self._find_package(pkg_name, span)
            world_span = u.world_spans[index]
            if not any(b.include_stability(s, self.pkg, world_span) for s in stabilities):
                self.worlds.append(None)
                continue
            pkg = resolve.packages[pkg_id.index]
            found_world = pkg.worlds.get(name)
            if found_world is None:
                raise WitSyntaxError(
                    f"world '{name}' not found in package '{pkg.name}'", world_span
                )
            self.worlds.append(found_world)

        for index, ty in enumerate(u.types):
            if not isinstance(ty.kind, m.UnknownKind):
                break
            type_span = u.type_spans[index]
            if not b.include_stability(ty.stability, self.pkg, type_span):
                self.types.append(None)
                continue
            assert isinstance(ty.owner, m.OwnerInterface)
            iface_id = self.map_interface(ty.owner.id, None)
            assert ty.name is not None
            found_type = resolve.interfaces[iface_id.index].types.get(ty.name)
            if found_type is None:
                raise WitSyntaxError(f"type `{ty.name}` not defined in interface", type_span)
            self.types.append(found_type)

        for type_id, span in u.required_resource_types:
            mapped = self.types[type_id.index]
            if mapped is None:
                continue
            if not isinstance(_handle_resource_chain(resolve, mapped), m.Resource):
                raise WitSyntaxError("type used in a handle must be a resource", span)

    def _find_package(self, name: m.PackageName, span: Span) -> m.PackageId:
        found = self.b.package_names.get(name)
        if found is not None:
            return found
        known = sorted(self.b.package_names, key=_name_key)
        if not known:
            raise WitSyntaxError(f"package '{name}' not found", span)
        listing = "".join(f"\n    {k}" for k in known)
        raise WitSyntaxError(f"package '{name}' not found. known packages:{listing}", span)

    # ------------------------------------------------------------ updating items

    def _update_kind(self, kind: m.TypeDefKind, span: Span | None) -> m.TypeDefKind:
        if isinstance(kind, m.Alias):
            if isinstance(kind.type, m.TypeId):
                return m.Alias(self.map_type(kind.type, span))
            return kind
        if isinstance(kind, m.Handle):
            return m.Handle(kind.kind, self.map_type(kind.resource, span))
        if isinstance(kind, m.Record):
            fields = []
            for field in kind.fields:
                field_span = self.span_of(field) or span
                mapped = self._update_ty(field.type, field_span)
                assert mapped is not None
                fields.append(attrs.evolve(field, type=mapped))
            return m.Record(tuple(fields))
        return _map_kind(kind, lambda t: self._update_ty(t, span), lambda t: self.map_type(t, span))

    def _update_ty(self, ty: m.Type | None, span: Span | None) -> m.Type | None:
        if not isinstance(ty, m.TypeId):
            return ty
        mapped = self.map_type(ty, span)
        if isinstance(_handle_resource_chain(self.resolve, mapped), m.Resource):
            handle = self.own_handles.get(mapped)
            if handle is None:
                handle = m.TypeId(len(self.resolve.types))
                self.resolve.types.append(m.TypeDef(None, m.Handle(m.HandleKind.OWN, mapped), None))
                self.own_handles[mapped] = handle
            return handle
        return mapped

    def _update_function(self, func: m.Function, span: Span | None) -> m.Function:
        kind = func.kind
        if kind.resource is not None:
            kind = m.FunctionKind(kind.tag, self.map_type(kind.resource, span))
        params = []
        for p in func.params:
            mapped = self._update_ty(p.type, span)
            assert mapped is not None
            params.append(m.Param(p.name, mapped))
        result = self._update_ty(func.result, span)
        if result is not None and self._has_borrow(result):
            raise WitSyntaxError(
                f"function `{func.name}` returns a type which contains a `borrow<T>` which "
                "is not supported",
                span,
            )
        func.kind, func.params, func.result = kind, tuple(params), result
        return func

    def _has_borrow(self, ty: m.Type | None) -> bool:
        if not isinstance(ty, m.TypeId):
            return False
        cached = self.has_borrow.get(ty)
        if cached is not None:
            return cached
        kind = self.resolve.types[ty.index].kind
        if isinstance(kind, m.Handle):
            result = kind.kind == m.HandleKind.BORROW
        elif isinstance(kind, m.Record):
            result = any(self._has_borrow(f.type) for f in kind.fields)
        elif isinstance(kind, m.Variant):
            result = any(self._has_borrow(c.type) for c in kind.cases)
        elif isinstance(kind, m.Tuple):
            result = any(self._has_borrow(t) for t in kind.types)
        elif isinstance(kind, m.Result):
            result = self._has_borrow(kind.ok) or self._has_borrow(kind.err)
        elif isinstance(kind, m.Map):
            result = self._has_borrow(kind.key) or self._has_borrow(kind.value)
        elif isinstance(
            kind, m.Alias | m.List | m.FixedLengthList | m.Option | m.Future | m.Stream
        ):
            result = self._has_borrow(kind.type)
        else:
            result = False
        self.has_borrow[ty] = result
        return result

    def _update_interface(self, iface: m.Interface) -> m.Interface:
        b = self.b
        types = {
            name: self.map_type(t, None)
            for name, t in iface.types.items()
            if self.types[t.index] is not None
        }
        functions = {}
        for name, func in iface.functions.items():
            span = self.span_of(func)
            if b.include_stability(func.stability, self.pkg, span):
                functions[name] = self._update_function(func, span)
        iface.types, iface.functions, iface.package = types, functions, self.pkg
        return iface

    def _item_stability(self, item: m.WorldItem) -> m.Stability:
        if isinstance(item, m.WorldInterface):
            return item.stability
        if isinstance(item, m.WorldFunction):
            return item.function.stability
        return self.resolve.types[item.id.index].stability

    def _update_world(self, world: m.World) -> m.World:
        new_imports: dict[m.WorldKey, m.WorldItem] = {}
        new_exports: dict[m.WorldKey, m.WorldItem] = {}
        for items, target in ((world.imports, new_imports), (world.exports, new_exports)):
            for key, item in items.items():
                span = self.span_of(item)
                if isinstance(item, m.WorldType):
                    item = m.WorldType(self.map_type(item.id, span))
                if not self.b.include_stability(self._item_stability(item), self.pkg, span):
                    continue
                if isinstance(key, m.InterfaceId):
                    key = self.map_interface(key, span)
                if isinstance(item, m.WorldInterface):
                    mapped = self.map_interface(item.id, span)
                    item = m.WorldInterface(mapped, item.stability, item.external_id, item.docs)
                elif isinstance(item, m.WorldFunction):
                    item = m.WorldFunction(self._update_function(item.function, span))
                target[key] = item
        world.imports, world.exports = new_imports, new_exports
        return world

    # ------------------------------------------------------------ includes

    def _process_includes(self, unresolved_index: int, world_id: m.WorldId) -> None:
        for include in self.u.includes.get(unresolved_index, []):
            if not self.b.include_stability(include.stability, self.pkg, include.span):
                continue
            self._resolve_include(world_id, include.world, include.names, include.span)
        world = self.resolve.worlds[world_id.index]
        for items, what in ((world.imports, "import"), (world.exports, "export")):
            seen: dict[str, str] = {}
            for key in items:
                if not isinstance(key, str):
                    continue
                lower = key.lower()
                existing = seen.get(lower)
                if existing is not None and existing != key:
                    raise WitSyntaxError(
                        f"{what} `{key}` in world `{world.name}` conflicts with {what} "
                        f"`{existing}` (kebab-case identifiers are case-insensitive)",
                        None,
                    )
                seen[lower] = key

    def _resolve_include(
        self,
        world_id: m.WorldId,
        include_orig: m.WorldId,
        names: list[tuple[str, str]],
        span: Span,
    ) -> None:
        resolve = self.resolve
        world = resolve.worlds[world_id.index]
        include_id = self.map_world(include_orig, span)
        included = resolve.worlds[include_id.index]
        external = world.package != included.package
        unmatched = list(names)
        for key in [*included.imports, *included.exports]:
            if isinstance(key, str):
                unmatched = [n for n in unmatched if _rename(key, n) is None]
        if unmatched:
            raise WitSyntaxError(
                f"no import or export kebab-name `{unmatched[0][0]}`. Note that an ID does not "
                "support renaming",
                span,
            )
        cloner = _Cloner(self, m.OwnerWorld(include_id), m.OwnerWorld(world_id))
        for source, target, what in (
            (dict(included.imports), world.imports, "import"),
            (dict(included.exports), world.exports, "export"),
        ):
            for key, item in source.items():
                if isinstance(key, str):
                    new_name = next(
                        (r for r in (_rename(key, n) for n in names) if r is not None), key
                    )
                    new_item = cloner.world_item(item)
                    if isinstance(new_item, m.WorldFunction):
                        new_item = m.WorldFunction(attrs.evolve(new_item.function, name=new_name))
                    elif isinstance(new_item, m.WorldType):
                        resolve.types[new_item.id.index].name = new_name
                    if new_name in target:
                        raise WitSyntaxError(
                            f"{what} of `{new_name}` shadows previously {what}ed items", span
                        )
                    target[new_name] = new_item
                else:
                    assert isinstance(item, m.WorldInterface)
                    prev = target.setdefault(key, item)
                    assert isinstance(prev, m.WorldInterface)
                    stability = _merge_include_stability(
                        item.stability, prev.stability, external, span
                    )
                    target[key] = m.WorldInterface(prev.id, stability, prev.external_id, prev.docs)


def _rename(original: str, include: tuple[str, str]) -> str | None:
    name, as_ = include
    if original == name:
        return as_
    kind, sep, rest = original.partition("]")
    if not sep:
        return None
    head, dot, tail = rest.partition(".")
    if dot and head == name:
        return f"{kind}]{as_}.{tail}"
    if rest == name:
        return f"{kind}]{as_}"
    return None


def _merge_include_stability(
    source: m.Stability, into: m.Stability, external: bool, span: Span
) -> m.Stability:
    if external and isinstance(source, m.Stable):
        return m.UNKNOWN
    if source == into or isinstance(source, m.Unknown):
        return into
    if isinstance(into, m.Unknown):
        return source
    raise WitSyntaxError(
        f"mismatch in stability from '{_debug_stability(source)}' to '{_debug_stability(into)}'",
        span,
    )


def _debug_stability(stability: m.Stability) -> str:
    if isinstance(stability, m.Stable):
        dep = "None" if stability.deprecated is None else f"Some({stability.deprecated})"
        return f"Stable {{ since: Version {{ {stability.since} }}, deprecated: {dep} }}"
    if isinstance(stability, m.Unstable):
        return f'Unstable {{ feature: "{stability.feature}" }}'
    return "Unknown"


class _Cloner:
    """Copies world-owned types and anonymous interfaces into an including world."""

    def __init__(self, remap: _Remap, prev: m.TypeOwner, new: m.TypeOwner) -> None:
        self.remap = remap
        self.resolve = remap.resolve
        self.prev = prev
        self.new = new
        self.types: dict[m.TypeId, m.TypeId] = {}
        self.interfaces: dict[m.InterfaceId, m.InterfaceId] = {}

    def world_item(self, item: m.WorldItem) -> m.WorldItem:
        if isinstance(item, m.WorldType):
            return m.WorldType(self.type_id(item.id))
        if isinstance(item, m.WorldFunction):
            return m.WorldFunction(self.function(item.function))
        if self.resolve.interfaces[item.id.index].name is not None:
            return item
        return attrs.evolve(item, id=self.interface(item.id))

    def type_id(self, type_id: m.TypeId) -> m.TypeId:
        found = self.types.get(type_id)
        if found is None:
            new = copy.copy(self.resolve.types[type_id.index])
            self.type_def(new)
            found = m.TypeId(len(self.resolve.types))
            self.resolve.types.append(new)
            self.types[type_id] = found
        return found

    def ty(self, ty: m.Type | None) -> m.Type | None:
        return self.type_id(ty) if isinstance(ty, m.TypeId) else ty

    def type_def(self, new: m.TypeDef) -> None:
        if new.owner is not None:
            new.owner = self.new
        kind = new.kind
        if isinstance(kind, m.Alias) and isinstance(kind.type, m.TypeId):
            target = kind.type
            if self.resolve.types[target.index].owner == self.prev:
                new.kind = m.Alias(self.type_id(target))
            elif target in self.types:
                new.kind = m.Alias(self.types[target])
            return
        if isinstance(kind, m.Alias | m.Resource | m.Flags | m.Enum | m.UnknownKind):
            return
        new.kind = _map_kind(kind, self.ty, self.type_id)

    def function(self, func: m.Function) -> m.Function:
        return _map_function(func, self.ty, self.type_id)

    def interface(self, old: m.InterfaceId) -> m.InterfaceId:
        resolve = self.resolve
        new_id = m.InterfaceId(len(resolve.interfaces))
        source = resolve.interfaces[old.index]
        inner = _Cloner(self.remap, m.OwnerInterface(old), m.OwnerInterface(new_id))
        inner.types = self.types
        inner.interfaces = self.interfaces
        types = {k: inner.type_id(v) for k, v in source.types.items()}
        functions = {k: inner.function(v) for k, v in source.functions.items()}
        resolve.interfaces.append(
            attrs.evolve(
                source,
                types=types,
                functions=functions,
                package=self.remap.pkg,
                clone_of=old,
            )
        )
        self.interfaces[old] = new_id
        return new_id
