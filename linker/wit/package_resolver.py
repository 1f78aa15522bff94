"""Phase one of resolution: the files of one package -> an `UnresolvedPackage`.

Names are looked up within the package; references to other packages become
placeholder interfaces, worlds and types (allocated first in each arena) that
phase two (`resolver`) maps onto packages already in the `Resolve`. The order in
which items are allocated follows wit-parser, since arena order is visible in
the JSON.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from typing import TypeAlias

import attrs

from linker.wit import ast
from linker.wit import model as m
from linker.wit.source import Span, WitSyntaxError

PackageKey: TypeAlias = tuple[str, str, str | None]
AstRef: TypeAlias = tuple[str, int]
"""("interface", index) or ("world", index) into the unresolved arenas."""


@attrs.define
class WorldInclude:
    stability: m.Stability
    world: m.WorldId
    names: list[tuple[str, str]]
    span: Span


@attrs.define
class ForeignDep:
    name: m.PackageName
    span: Span
    items: dict[str, tuple[AstRef, list[m.Stability]]] = attrs.Factory(dict)


@attrs.define
class UnresolvedPackage:
    """One package with local arenas; foreign placeholders come first in each arena."""

    name: m.PackageName
    name_span: Span
    docs: m.Docs
    types: list[m.TypeDef]
    type_spans: list[Span | None]
    interfaces: list[m.Interface]
    interface_spans: list[Span | None]
    worlds: list[m.World]
    world_spans: list[Span | None]
    includes: dict[int, list[WorldInclude]]
    foreign_deps: dict[PackageKey, ForeignDep]
    required_resource_types: list[tuple[m.TypeId, Span]]
    item_spans: dict[int, Span]
    """Spans of world items and functions, keyed by `id()` of the model object."""


def package_name(name: ast.PackageName) -> m.PackageName:
    return m.PackageName(name.namespace.name, name.name.name, name.version)


def not_found(kind: str, name: ast.Id, hint: str | None = None) -> WitSyntaxError:
    message = f"{kind} `{name.name}` does not exist"
    if hint:
        message += f"\n{hint}"
    return WitSyntaxError(message, name.span)


def docs_contents(docs: ast.Docs) -> m.Docs:
    """Doc comment text as wit-parser joins it (all comments before an item count)."""
    if not docs.comments:
        return m.NO_DOCS
    lines: list[str] = []
    for comment in docs.comments:
        is_block = comment.startswith("/**")
        text = comment[3:].removesuffix("*/") if is_block else comment.lstrip("/")
        lines.append(text.rstrip())
    indents = [len(d) - len(d.lstrip()) for d in lines if d]
    indent = min(indents) if indents else 0
    if indent > 0:
        pad = " " * indent
        lines = [d.removeprefix(pad) for d in lines]
    out: list[str] = []
    for doc in lines:
        if not doc:
            out.append("\n")
        else:
            for line in doc.splitlines():
                out.append(line + "\n")
    return m.Docs("".join(out).rstrip("\n"))


def toposort(kind: str, deps: dict[str, list[ast.Id]]) -> list[str]:
    """Order `deps` keys dependencies-first, lowest declaration index first on ties."""
    if not any(deps.values()):
        return list(deps)
    names = list(deps)
    index = {name: i for i, name in enumerate(names)}
    remaining = [0] * len(names)
    reverse: list[list[int]] = [[] for _ in names]
    for i, edges in enumerate(deps.values()):
        remaining[i] = len(edges)
        for edge in edges:
            j = index.get(edge.name)
            if j is None:
                raise not_found(kind, edge)
            reverse[j].append(i)
    heap = [i for i in range(len(names)) if remaining[i] == 0]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        i = heapq.heappop(heap)
        order.append(names[i])
        for k in reverse[i]:
            remaining[k] -= 1
            if remaining[k] == 0:
                heapq.heappush(heap, k)
        reverse[i] = []
    if len(order) == len(names):
        return order
    for i, edges in enumerate(deps.values()):
        if remaining[i] == 0:
            continue
        for edge in edges:
            if remaining[index[edge.name]] != 0:
                raise WitSyntaxError(f"{kind} `{edge.name}` depends on itself", edge.span)
    raise AssertionError("cycle without a witness")


# ---------------------------------------------------------------- attributes


def stability_of(attributes: Sequence[ast.Attribute]) -> m.Stability:
    if not attributes:
        return m.UNKNOWN
    since: ast.Since | None = None
    deprecated: ast.Deprecated | None = None
    unstable: ast.Unstable | None = None
    for attr in attributes:
        if isinstance(attr, ast.Since):
            if since is not None:
                raise WitSyntaxError("cannot specify @since twice", attr.span)
            since = attr
        elif isinstance(attr, ast.Deprecated):
            if deprecated is not None:
                raise WitSyntaxError("cannot specify @deprecated twice", attr.span)
            deprecated = attr
        elif isinstance(attr, ast.Unstable):
            if unstable is not None:
                raise WitSyntaxError("cannot specify @unstable twice", attr.span)
            unstable = attr
    dep = None if deprecated is None else deprecated.version
    if since is not None and unstable is not None:
        raise WitSyntaxError("cannot specify both @since and @unstable", since.span)
    if since is not None:
        return m.Stable(since.version, dep)
    if unstable is not None:
        return m.Unstable(unstable.feature, dep)
    if deprecated is not None:
        raise WitSyntaxError(
            "cannot specify both @deprecated without @since or @unstable", deprecated.span
        )
    return m.UNKNOWN


def external_id_of(attributes: Sequence[ast.Attribute]) -> str | None:
    if not attributes:
        return None
    found: str | None = None
    for attr in attributes:
        if isinstance(attr, ast.ExternalId):
            if found is not None:
                raise WitSyntaxError("cannot specify @external-id twice", attr.span)
            found = attr.id
    return found


# ---------------------------------------------------------------- walking use paths

PathRef: TypeAlias = tuple[
    ast.Id | None, Sequence[ast.Attribute], ast.UsePath, Sequence[ast.UseName] | None, str
]
"""What a use path is visited with: owner item, attributes, path, used names, kind."""

PathVisitor: TypeAlias = Callable[
    [ast.Id | None, Sequence[ast.Attribute], ast.UsePath, Sequence[ast.UseName] | None, str],
    None,
]


def for_each_path(items: Sequence[ast.AstItem], visit: PathVisitor) -> None:
    """Visit every path an item list refers to, in wit-parser's order."""
    for item in items:
        if isinstance(item, ast.World):
            externs: list[ast.Extern] = []
            for witem in item.items:
                if isinstance(witem, ast.Use):
                    visit(None, witem.attributes, witem.path, witem.names, "interface")
                elif isinstance(witem, ast.Include):
                    visit(item.name, witem.attributes, witem.path, None, "world")
                elif isinstance(witem, ast.Extern):
                    externs.append(witem)
            ordered = [e for e in externs if e.is_import] + [e for e in externs if not e.is_import]
            for extern in ordered:
                kind = extern.kind
                if isinstance(kind, ast.ExternInterface):
                    for iitem in kind.items:
                        if isinstance(iitem, ast.Use):
                            visit(None, iitem.attributes, iitem.path, iitem.names, "interface")
                elif isinstance(kind, ast.ExternPath | ast.ExternNamed):
                    visit(None, extern.attributes, kind.path, None, "interface")
        elif isinstance(item, ast.Interface):
            for iitem in item.items:
                if isinstance(iitem, ast.Use):
                    visit(item.name, iitem.attributes, iitem.path, iitem.names, "interface")
        elif isinstance(item, ast.ToplevelUse):
            visit(None, item.attributes, item.path, None, "unknown")
        else:
            for_each_path(item.items, visit)


def _collect_deps(ty: ast.DefType, out: list[ast.Id]) -> None:
    if isinstance(ty, ast.Primitive):  # the most common type, and it names nothing
        return
    if isinstance(ty, ast.Named):
        out.append(ty.id)
    elif isinstance(ty, ast.HandleType):
        out.append(ty.resource)
    elif isinstance(ty, ast.Record):
        for field in ty.fields:
            _collect_deps(field.type, out)
    elif isinstance(ty, ast.TupleType):
        for t in ty.types:
            _collect_deps(t, out)
    elif isinstance(ty, ast.Variant):
        for case in ty.cases:
            if case.type is not None:
                _collect_deps(case.type, out)
    elif isinstance(ty, ast.OptionType | ast.ListType | ast.FixedListType):
        _collect_deps(ty.element, out)
    elif isinstance(ty, ast.MapType):
        _collect_deps(ty.key, out)
        _collect_deps(ty.value, out)
    elif isinstance(ty, ast.ResultType):
        if ty.ok is not None:
            _collect_deps(ty.ok, out)
        if ty.err is not None:
            _collect_deps(ty.err, out)
    elif isinstance(ty, ast.FutureType | ast.StreamType) and ty.element is not None:
        _collect_deps(ty.element, out)


_PRIMITIVES = {p.value: p for p in m.Primitive}
_MAP_KEYS = {
    m.Primitive.BOOL,
    m.Primitive.U8,
    m.Primitive.U16,
    m.Primitive.U32,
    m.Primitive.U64,
    m.Primitive.S8,
    m.Primitive.S16,
    m.Primitive.S32,
    m.Primitive.S64,
    m.Primitive.CHAR,
    m.Primitive.STRING,
}

TypeOrItem: TypeAlias = m.TypeId | str
"""A name in an interface or world scope: a type, or the kind of a non-type item."""


class PackageResolver:
    """Resolves the files (decl lists) of one package; call `push` then `resolve`."""

    def __init__(self) -> None:
        self.name: ast.PackageName | None = None
        self.docs = m.NO_DOCS
        self.decl_lists: list[tuple[ast.AstItem, ...]] = []
        self.types: list[m.TypeDef] = []
        self.type_spans: list[Span | None] = []
        self.interfaces: list[m.Interface] = []
        self.interface_spans: list[Span | None] = []
        self.worlds: list[m.World] = []
        self.world_spans: list[Span | None] = []
        self.includes: dict[int, list[WorldInclude]] = {}
        self.anon_types: dict[object, m.TypeId] = {}
        self.cur = 0
        self.ast_items: list[dict[str, AstRef]] = []
        self.package_items: dict[str, AstRef] = {}
        self.interface_types: list[dict[str, tuple[TypeOrItem, Span]]] = []
        self.foreign_deps: dict[PackageKey, ForeignDep] = {}
        self.foreign_interfaces: set[int] = set()
        self.type_lookup: dict[str, tuple[TypeOrItem, Span]] = {}
        self.required_resource_types: list[tuple[m.TypeId, Span]] = []
        self.item_spans: dict[int, Span] = {}
        self.paths: dict[int, list[PathRef]] = {}

    # ------------------------------------------------------------ input

    def push(self, file: ast.PackageFile) -> None:
        if file.package is not None:
            cur = file.package
            if self.name is not None and self.name.key != cur.key:
                raise WitSyntaxError(
                    f"package identifier `{package_name(cur)}` does not match previous "
                    f"package name of `{package_name(self.name)}`",
                    cur.span,
                )
            self.name = cur
            docs = docs_contents(cur.docs)
            if docs.contents is not None:
                if self.docs.contents is not None:
                    raise WitSyntaxError(
                        "found doc comments on multiple 'package' items", cur.docs.span
                    )
                self.docs = docs
        for item in file.items:
            if isinstance(item, ast.PackageFile):
                assert item.package is not None
                raise WitSyntaxError(
                    "nested packages must be placed at the top-level", item.package.span
                )
        self.decl_lists.append(file.items)

    def resolve(self) -> UnresolvedPackage:
        if self.name is None:
            raise WitSyntaxError(
                "no `package` header was found in any WIT file for this package", None
            )
        decl_lists = self.decl_lists
        self._populate_foreign_deps(decl_lists)
        iface_order, world_order = self._populate_ast_items(decl_lists)
        self._populate_foreign_types(decl_lists)

        iface_ast: dict[int, tuple[ast.Interface, int]] = {}
        world_ast: dict[int, tuple[ast.World, int]] = {}
        for i, decl_list in enumerate(decl_lists):
            for item in decl_list:
                if isinstance(item, ast.Interface):
                    iface_ast[self.ast_items[i][item.name.name][1]] = (item, i)
                elif isinstance(item, ast.World):
                    world_ast[self.ast_items[i][item.name.name][1]] = (item, i)
        for index in iface_order:
            iface, i = iface_ast[index]
            self.cur = i
            self._resolve_interface(index, iface.items, iface.docs, iface.attributes)
        for index in world_order:
            world, i = world_ast[index]
            self.cur = i
            self._resolve_world(index, world)

        return UnresolvedPackage(
            name=package_name(self.name),
            name_span=self.name.span,
            docs=self.docs,
            types=self.types,
            type_spans=self.type_spans,
            interfaces=self.interfaces,
            interface_spans=self.interface_spans,
            worlds=self.worlds,
            world_spans=self.world_spans,
            includes=self.includes,
            foreign_deps=self.foreign_deps,
            required_resource_types=self.required_resource_types,
            item_spans=self.item_spans,
        )

    # ------------------------------------------------------------ arenas

    def _alloc_interface(self, span: Span | None, name: str | None = None) -> int:
        self.interface_types.append({})
        self.interfaces.append(m.Interface(name))
        self.interface_spans.append(span)
        return len(self.interfaces) - 1

    def _alloc_world(self, span: Span | None, name: str = "") -> int:
        self.worlds.append(m.World(name))
        self.world_spans.append(span)
        return len(self.worlds) - 1

    def _alloc_type(self, ty: m.TypeDef, span: Span | None) -> m.TypeId:
        self.types.append(ty)
        self.type_spans.append(span)
        return m.TypeId(len(self.types) - 1)

    # ------------------------------------------------------------ package scope

    def _populate_foreign_deps(self, decl_lists: list[tuple[ast.AstItem, ...]]) -> None:
        def visit(
            _owner: ast.Id | None,
            attributes: Sequence[ast.Attribute],
            path: ast.UsePath,
            _names: Sequence[ast.UseName] | None,
            kind: str,
        ) -> None:
            if not isinstance(path, ast.PackagePath):
                return
            try:
                stability = stability_of(attributes)
            except WitSyntaxError:
                stability = m.UNKNOWN
            key = path.package.key
            dep = self.foreign_deps.get(key)
            if dep is None:
                dep = ForeignDep(package_name(path.package), path.package.span)
                self.foreign_deps[key] = dep
            entry = dep.items.get(path.name.name)
            if entry is None:
                if kind == "world":
                    ref: AstRef = ("world", self._alloc_world(path.name.span))
                else:
                    ref = ("interface", self._alloc_interface(path.name.span))
                    self.foreign_interfaces.add(ref[1])
                entry = (ref, [])
                dep.items[path.name.name] = entry
            entry[1].append(stability)

        for decl_list in decl_lists:
            for path_ref in self._paths_of(decl_list):
                visit(*path_ref)

    def _populate_ast_items(
        self, decl_lists: list[tuple[ast.AstItem, ...]]
    ) -> tuple[list[int], list[int]]:
        package_items: dict[str, Span] = {}
        kinds: dict[str, str] = {}
        order: dict[str, list[ast.Id]] = {}
        for decl_list in decl_lists:
            for item in decl_list:
                if isinstance(item, ast.Interface | ast.World):
                    if item.name.name in package_items:
                        raise WitSyntaxError(
                            f"duplicate item named `{item.name.name}`", item.name.span
                        )
                    package_items[item.name.name] = item.name.span
                    order[item.name.name] = []
                    kinds[item.name.name] = (
                        "interface" if isinstance(item, ast.Interface) else "world"
                    )

        for decl_list in decl_lists:
            namespace: dict[str, ast.Id | None] = {}
            for item in decl_list:
                if isinstance(item, ast.ToplevelUse):
                    name = item.as_ if item.as_ is not None else item.path.name
                    source = item.path.name if isinstance(item.path, ast.LocalPath) else None
                elif isinstance(item, ast.Interface | ast.World):
                    name = item.name
                    source = item.name
                else:
                    continue
                if name.name in namespace:
                    raise WitSyntaxError(f"duplicate name `{name.name}` in this file", name.span)
                namespace[name.name] = source

            def visit(
                owner: ast.Id | None,
                _attributes: Sequence[ast.Attribute],
                path: ast.UsePath,
                _names: Sequence[ast.UseName] | None,
                _kind: str,
                namespace: dict[str, ast.Id | None] = namespace,
            ) -> None:
                if owner is None or not isinstance(path, ast.LocalPath):
                    return
                used = path.name
                if used.name in namespace:
                    local = namespace[used.name]
                    if local is not None:
                        order[owner.name].append(local)
                elif used.name in package_items:
                    order[owner.name].append(used)
                else:
                    raise not_found("interface or world", used)

            for path_ref in self._paths_of(decl_list):
                visit(*path_ref)

        ids: dict[str, AstRef] = {}
        iface_order: list[int] = []
        world_order: list[int] = []
        for item_name in toposort("interface or world", order):
            if kinds[item_name] == "interface":
                index = self._alloc_interface(package_items[item_name], item_name)
                ids[item_name] = ("interface", index)
                iface_order.append(index)
            else:
                index = self._alloc_world(package_items[item_name], item_name)
                ids[item_name] = ("world", index)
                world_order.append(index)

        for decl_list in decl_lists:
            items: dict[str, AstRef] = {}
            for item in decl_list:
                if isinstance(item, ast.ToplevelUse):
                    if item.attributes:
                        raise WitSyntaxError("attributes not allowed on top-level use", item.span)
                    name = item.as_ if item.as_ is not None else item.path.name
                    if isinstance(item.path, ast.LocalPath):
                        ref = ids.get(item.path.name.name)
                        if ref is None:
                            raise not_found("interface or world", item.path.name)
                    else:
                        dep = self.foreign_deps[item.path.package.key]
                        ref = dep.items[item.path.name.name][0]
                    items[name.name] = ref
                elif isinstance(item, ast.Interface | ast.World):
                    items[item.name.name] = ids[item.name.name]
                    self.package_items[item.name.name] = ids[item.name.name]
            self.ast_items.append(items)
        return iface_order, world_order

    def _populate_foreign_types(self, decl_lists: list[tuple[ast.AstItem, ...]]) -> None:
        def visit(
            _owner: ast.Id | None,
            attributes: Sequence[ast.Attribute],
            path: ast.UsePath,
            names: Sequence[ast.UseName] | None,
            _kind: str,
        ) -> None:
            if names is None:
                return
            stability = stability_of(attributes)
            external_id = external_id_of(attributes)
            ref, name, span = self._resolve_path(path)
            iface = self._expect_interface(ref, name, span)
            if iface not in self.foreign_interfaces:
                return
            lookup = self.interface_types[iface]
            for use_name in names:
                if use_name.name.name in lookup:
                    continue
                type_id = self._alloc_type(
                    m.TypeDef(
                        name=use_name.name.name,
                        kind=m.UnknownKind(),
                        owner=m.OwnerInterface(m.InterfaceId(iface)),
                        stability=stability,
                        external_id=external_id,
                    ),
                    use_name.name.span,
                )
                lookup[use_name.name.name] = (type_id, use_name.name.span)
                self.interfaces[iface].types[use_name.name.name] = type_id

        for i, decl_list in enumerate(decl_lists):
            self.cur = i
            for path_ref in self._paths_of(decl_list):
                visit(*path_ref)

    def _paths_of(self, decl_list: tuple[ast.AstItem, ...]) -> list[PathRef]:
        """The paths `decl_list` refers to, in wit-parser's order (walked once per file)."""
        found = self.paths.get(id(decl_list))
        if found is None:
            refs: list[PathRef] = []

            def collect(
                owner: ast.Id | None,
                attributes: Sequence[ast.Attribute],
                path: ast.UsePath,
                names: Sequence[ast.UseName] | None,
                kind: str,
            ) -> None:
                refs.append((owner, attributes, path, names, kind))

            for_each_path(decl_list, collect)
            found = self.paths[id(decl_list)] = refs
        return found

    def _resolve_path(self, path: ast.UsePath) -> tuple[AstRef, str, Span]:
        if isinstance(path, ast.LocalPath):
            ref = self.ast_items[self.cur].get(path.name.name) or self.package_items.get(
                path.name.name
            )
            if ref is None:
                raise not_found("interface or world", path.name)
            return ref, path.name.name, path.name.span
        dep = self.foreign_deps[path.package.key]
        return dep.items[path.name.name][0], path.name.name, path.name.span

    @staticmethod
    def _expect_interface(ref: AstRef, name: str, span: Span) -> int:
        if ref[0] != "interface":
            raise WitSyntaxError(f"name `{name}` is defined as a world, not an interface", span)
        return ref[1]

    @staticmethod
    def _expect_world(ref: AstRef, name: str, span: Span) -> int:
        if ref[0] != "world":
            raise WitSyntaxError(f"name `{name}` is defined as an interface, not a world", span)
        return ref[1]

    # ------------------------------------------------------------ worlds

    def _resolve_world(self, index: int, world: ast.World) -> None:
        target = self.worlds[index]
        target.docs = docs_contents(world.docs)
        target.stability = stability_of(world.attributes)
        owner = m.OwnerWorld(m.WorldId(index))
        self._resolve_types(owner, [i for i in world.items if isinstance(i, ast.Use | ast.TypeDef)])
        for item in world.items:
            if isinstance(item, ast.Include):
                self._resolve_include(index, item)
        for name, (entry, span) in self.type_lookup.items():
            assert isinstance(entry, m.TypeId)
            if name in target.imports:
                raise WitSyntaxError(
                    f"import `{name}` conflicts with prior import of same name", span
                )
            target.imports[name] = witem = m.WorldType(entry)
            self.item_spans[id(witem)] = span

        imported: set[m.InterfaceId] = set()
        exported: set[m.InterfaceId] = set()
        for item in world.items:
            if isinstance(item, ast.TypeDef) and isinstance(item.type, ast.Resource):
                for func in item.type.funcs:
                    resolved = self._resolve_resource_func(func, item.name)
                    func_item = m.WorldFunction(resolved)
                    self.item_spans[id(func_item)] = func.func.name.span
                    target.imports[resolved.name] = func_item
                continue
            if not isinstance(item, ast.Extern):
                continue
            desc = "import" if item.is_import else "export"
            seen = imported if item.is_import else exported
            world_item = self._resolve_world_item(item.docs, item.attributes, item.kind)
            kind = item.kind
            key: m.WorldKey
            if isinstance(kind, ast.ExternInterface | ast.ExternNamed):
                key = kind.name.name
            elif isinstance(kind, ast.ExternFunc):
                assert isinstance(world_item, m.WorldFunction)
                key = world_item.function.name
            else:
                ref, name, span = self._resolve_path(kind.path)
                key = m.InterfaceId(self._expect_interface(ref, name, span))
                if key in seen:
                    raise WitSyntaxError(f"interface cannot be {desc}ed more than once", kind.span)
                seen.add(key)
            items = target.imports if item.is_import else target.exports
            prev = items.get(key)
            if prev is not None:
                what = (
                    "interface"
                    if isinstance(prev, m.WorldInterface)
                    else "func"
                    if isinstance(prev, m.WorldFunction)
                    else "type"
                )
                raise WitSyntaxError(
                    f"{desc} `{key}` conflicts with prior {what} of same name", kind.span
                )
            items[key] = world_item
            self.item_spans[id(world_item)] = kind.span
        self.type_lookup = {}

    def _resolve_world_item(
        self, docs: ast.Docs, attributes: Sequence[ast.Attribute], kind: ast.ExternKind
    ) -> m.WorldItem:
        if isinstance(kind, ast.ExternInterface):
            saved = self.type_lookup
            self.type_lookup = {}
            index = self._alloc_interface(kind.name.span)
            self._resolve_interface(index, kind.items, docs, attributes)
            self.type_lookup = saved
            return m.WorldInterface(
                m.InterfaceId(index),
                self.interfaces[index].stability,
                external_id_of(attributes),
            )
        if isinstance(kind, ast.ExternFunc):
            func = self._resolve_function(
                docs,
                attributes,
                kind.name.name,
                kind.func,
                m.FunctionKind(
                    m.FunctionKindTag.ASYNC_FREESTANDING
                    if kind.func.is_async
                    else m.FunctionKindTag.FREESTANDING
                ),
            )
            return m.WorldFunction(func)
        stability = stability_of(attributes)
        external_id = external_id_of(attributes)
        contents = docs_contents(docs)
        ref, name, span = self._resolve_path(kind.path)
        iface = self._expect_interface(ref, name, span)
        return m.WorldInterface(m.InterfaceId(iface), stability, external_id, contents)

    def _resolve_include(self, world: int, include: ast.Include) -> None:
        stability = stability_of(include.attributes)
        ref, name, span = self._resolve_path(include.path)
        target = self._expect_world(ref, name, span)
        self.includes.setdefault(world, []).append(
            WorldInclude(
                stability,
                m.WorldId(target),
                [(a.name, b.name) for a, b in include.names],
                span,
            )
        )

    # ------------------------------------------------------------ interfaces

    def _resolve_interface(
        self,
        index: int,
        items: Sequence[ast.InterfaceItem],
        docs: ast.Docs,
        attributes: Sequence[ast.Attribute],
    ) -> None:
        iface = self.interfaces[index]
        iface.docs = docs_contents(docs)
        iface.stability = stability_of(attributes)
        owner = m.OwnerInterface(m.InterfaceId(index))
        self._resolve_types(owner, [i for i in items if isinstance(i, ast.Use | ast.TypeDef)])
        for name, (entry, _) in self.type_lookup.items():
            assert isinstance(entry, m.TypeId)
            iface.types[name] = entry
        funcs: list[m.Function] = []
        for item in items:
            if isinstance(item, ast.NamedFunc):
                self._define_name(item.name, "function")
                tag = (
                    m.FunctionKindTag.ASYNC_FREESTANDING
                    if item.func.is_async
                    else m.FunctionKindTag.FREESTANDING
                )
                funcs.append(
                    self._resolve_function(
                        item.docs, item.attributes, item.name.name, item.func, m.FunctionKind(tag)
                    )
                )
                self.item_spans[id(funcs[-1])] = item.name.span
            elif isinstance(item, ast.TypeDef) and isinstance(item.type, ast.Resource):
                for resource_func in item.type.funcs:
                    funcs.append(self._resolve_resource_func(resource_func, item.name))
                    self.item_spans[id(funcs[-1])] = resource_func.func.name.span
        for func in funcs:
            iface.functions[func.name] = func
        self.interface_types[index] = self.type_lookup
        self.type_lookup = {}

    def _resolve_types(self, owner: m.TypeOwner, items: Sequence[ast.Use | ast.TypeDef]) -> None:
        assert not self.type_lookup
        for item in items:
            if isinstance(item, ast.Use):
                self._resolve_use(owner, item)
        type_deps: dict[str, list[ast.Id]] = {}
        type_defs: dict[str, ast.TypeDef | None] = {}
        for item in items:
            if isinstance(item, ast.TypeDef):
                if item.name.name in type_defs:
                    raise WitSyntaxError(
                        f"name `{item.name.name}` is defined more than once", item.name.span
                    )
                type_defs[item.name.name] = item
                deps: list[ast.Id] = []
                _collect_deps(item.type, deps)
                type_deps[item.name.name] = deps
            else:
                for use_name in item.names:
                    name = use_name.as_ if use_name.as_ is not None else use_name.name
                    type_deps[name.name] = []
                    type_defs[name.name] = None
        try:
            order = toposort("type", type_deps)
        except WitSyntaxError as err:
            raise _float_hint(err) from None
        for type_name in order:
            definition = type_defs.pop(type_name)
            if definition is None:
                continue
            stability = stability_of(definition.attributes)
            external_id = external_id_of(definition.attributes)
            contents = docs_contents(definition.docs)
            kind = self._resolve_type_def(definition.type, stability)
            type_id = self._alloc_type(
                m.TypeDef(
                    name=definition.name.name,
                    kind=kind,
                    owner=owner,
                    docs=contents,
                    stability=stability,
                    external_id=external_id,
                ),
                definition.name.span,
            )
            self._define_name(definition.name, type_id)

    def _resolve_use(self, owner: m.TypeOwner, use: ast.Use) -> None:
        ref, name, span = self._resolve_path(use.path)
        source = self._expect_interface(ref, name, span)
        stability = stability_of(use.attributes)
        external_id = external_id_of(use.attributes)
        for use_name in use.names:
            found = self.interface_types[source].get(use_name.name.name)
            if found is None:
                raise not_found("name", use_name.name)
            if isinstance(found[0], str):
                raise WitSyntaxError(
                    f"cannot import {found[0]} `{use_name.name.name}`", use_name.name.span
                )
            local = use_name.as_ if use_name.as_ is not None else use_name.name
            type_id = self._alloc_type(
                m.TypeDef(
                    name=local.name,
                    kind=m.Alias(found[0]),
                    owner=owner,
                    stability=stability,
                    external_id=external_id,
                ),
                use_name.name.span,
            )
            self._define_name(local, type_id)

    def _define_name(self, name: ast.Id, item: TypeOrItem) -> None:
        if name.name in self.type_lookup:
            raise WitSyntaxError(f"name `{name.name}` is defined more than once", name.span)
        self.type_lookup[name.name] = (item, name.span)

    # ------------------------------------------------------------ functions

    def _resolve_resource_func(self, func: ast.ResourceFunc, resource: ast.Id) -> m.Function:
        entry = self.type_lookup[resource.name][0]
        assert isinstance(entry, m.TypeId)
        named = func.func
        is_async = named.func.is_async
        if func.kind == "method":
            name = f"[method]{resource.name}.{named.name.name}"
            tag = m.FunctionKindTag.ASYNC_METHOD if is_async else m.FunctionKindTag.METHOD
        elif func.kind == "static":
            name = f"[static]{resource.name}.{named.name.name}"
            tag = m.FunctionKindTag.ASYNC_STATIC if is_async else m.FunctionKindTag.STATIC
        else:
            name = f"[constructor]{resource.name}"
            tag = m.FunctionKindTag.CONSTRUCTOR
        return self._resolve_function(
            named.docs, named.attributes, name, named.func, m.FunctionKind(tag, entry)
        )

    def _resolve_function(
        self,
        docs: ast.Docs,
        attributes: Sequence[ast.Attribute],
        name: str,
        func: ast.Func,
        kind: m.FunctionKind,
    ) -> m.Function:
        contents = docs_contents(docs)
        stability = stability_of(attributes)
        external_id = external_id_of(attributes)
        params: list[m.Param] = []
        if kind.tag in (m.FunctionKindTag.METHOD, m.FunctionKindTag.ASYNC_METHOD):
            assert kind.resource is not None
            handle = m.Handle(m.HandleKind.BORROW, kind.resource)
            shared = self._anon_type(handle, self._find_stability(handle, m.UNKNOWN))
            params.append(m.Param("self", shared))
        seen = {p.name for p in params}  # a set: a function may have thousands of params
        for param_name, param_type in func.params:
            if param_name.name in seen:
                raise WitSyntaxError(
                    f"param `{param_name.name}` is defined more than once", param_name.span
                )
            seen.add(param_name.name)
            params.append(m.Param(param_name.name, self._resolve_type(param_type, m.UNKNOWN)))
        result: m.Type | None
        if kind.tag == m.FunctionKindTag.CONSTRUCTOR:
            assert kind.resource is not None
            if func.result is None:
                result = kind.resource
            else:
                result = self._constructor_result(kind.resource, func.result)
        else:
            result = None if func.result is None else self._resolve_type(func.result, m.UNKNOWN)
        return m.Function(
            name=name,
            kind=kind,
            params=tuple(params),
            result=result,
            docs=contents,
            stability=stability,
            external_id=external_id,
        )

    def _constructor_result(self, resource: m.TypeId, result_ast: ast.Type) -> m.Type:
        result = self._resolve_type(result_ast, m.UNKNOWN)
        kind = self.types[result.index].kind if isinstance(result, m.TypeId) else None
        if not isinstance(kind, m.Result):
            raise WitSyntaxError(
                "if a constructor return type is declared it must be a `result`",
                result_ast.span,
            )
        if kind.ok != resource:
            span = result_ast.span
            if isinstance(result_ast, ast.ResultType) and result_ast.ok is not None:
                span = result_ast.ok.span
            raise WitSyntaxError("the `ok` type must be the resource being constructed", span)
        return result

    # ------------------------------------------------------------ types

    def _resolve_type_name(self, name: ast.Id) -> m.TypeId:
        found = self.type_lookup.get(name.name)
        if found is None:
            raise not_found("name", name)
        if isinstance(found[0], str):
            raise WitSyntaxError(f"cannot use {found[0]} `{name.name}` as a type", name.span)
        return found[0]

    def _validate_resource(self, name: ast.Id) -> m.TypeId:
        type_id = self._resolve_type_name(name)
        cur = type_id
        while True:
            kind = self.types[cur.index].kind
            if isinstance(kind, m.Resource):
                return type_id
            if isinstance(kind, m.Alias) and isinstance(kind.type, m.TypeId):
                cur = kind.type
                continue
            if isinstance(kind, m.UnknownKind):
                self.required_resource_types.append((cur, name.span))
                return type_id
            raise WitSyntaxError(
                f"type `{name.name}` used in a handle must be a resource", name.span
            )

    def _resolve_type_def(self, ty: ast.DefType, stability: m.Stability) -> m.TypeDefKind:
        if isinstance(ty, ast.Primitive):
            return m.Alias(_PRIMITIVES[ty.name])
        if isinstance(ty, ast.Named):
            return m.Alias(self._resolve_type_name(ty.id))
        if isinstance(ty, ast.ListType):
            return m.List(self._resolve_type(ty.element, stability))
        if isinstance(ty, ast.MapType):
            key = self._resolve_type(ty.key, stability)
            value = self._resolve_type(ty.value, stability)
            if key not in _MAP_KEYS:
                raise WitSyntaxError(
                    "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, "
                    "s32, s64, char, or string",
                    ty.span,
                )
            return m.Map(key, value)
        if isinstance(ty, ast.FixedListType):
            return m.FixedLengthList(self._resolve_type(ty.element, stability), ty.size)
        if isinstance(ty, ast.HandleType):
            handle_kind = m.HandleKind.BORROW if ty.borrow else m.HandleKind.OWN
            return m.Handle(handle_kind, self._validate_resource(ty.resource))
        if isinstance(ty, ast.Resource):
            names: set[str] = set()
            constructors = 0
            for func in ty.funcs:
                if func.kind == "constructor":
                    constructors += 1
                    if constructors > 1:
                        raise WitSyntaxError("duplicate constructors", func.func.name.span)
                elif func.func.name.name in names:
                    raise WitSyntaxError(
                        f"duplicate function name `{func.func.name.name}`", func.func.name.span
                    )
                else:
                    names.add(func.func.name.name)
            return m.Resource()
        if isinstance(ty, ast.Record):
            fields = []
            for f in ty.fields:
                field = m.Field(
                    f.name.name, self._resolve_type(f.type, stability), docs_contents(f.docs)
                )
                self.item_spans[id(field)] = f.name.span
                fields.append(field)
            return m.Record(tuple(fields))
        if isinstance(ty, ast.Flags):
            return m.Flags(tuple(m.Flag(f.name.name, docs_contents(f.docs)) for f in ty.flags))
        if isinstance(ty, ast.TupleType):
            return m.Tuple(tuple(self._resolve_type(t, stability) for t in ty.types))
        if isinstance(ty, ast.Variant):
            if not ty.cases:
                raise WitSyntaxError("empty variant", ty.span)
            return m.Variant(
                tuple(
                    m.Case(
                        c.name.name,
                        None if c.type is None else self._resolve_type(c.type, stability),
                        docs_contents(c.docs),
                    )
                    for c in ty.cases
                )
            )
        if isinstance(ty, ast.Enum):
            if not ty.cases:
                raise WitSyntaxError("empty enum", ty.span)
            return m.Enum(tuple(m.EnumCase(c.name.name, docs_contents(c.docs)) for c in ty.cases))
        if isinstance(ty, ast.OptionType):
            return m.Option(self._resolve_type(ty.element, stability))
        if isinstance(ty, ast.ResultType):
            return m.Result(
                None if ty.ok is None else self._resolve_type(ty.ok, stability),
                None if ty.err is None else self._resolve_type(ty.err, stability),
            )
        if isinstance(ty, ast.FutureType):
            return m.Future(
                None if ty.element is None else self._resolve_type(ty.element, stability)
            )
        assert isinstance(ty, ast.StreamType)
        return m.Stream(None if ty.element is None else self._resolve_type(ty.element, stability))

    def _find_stability(self, kind: m.TypeDefKind, stability: m.Stability) -> m.Stability:
        if not isinstance(stability, m.Unknown):
            return stability
        for ty in _kind_refs(kind):
            if isinstance(ty, m.TypeId):
                found = self.types[ty.index].stability
                if not isinstance(found, m.Unknown):
                    return found
        return m.UNKNOWN

    def _resolve_type(self, ty: ast.Type, stability: m.Stability) -> m.Type:
        kind = self._resolve_type_def(ty, stability)
        return self._anon_type(kind, self._find_stability(kind, stability), ty.span)

    def _anon_type(
        self, kind: m.TypeDefKind, stability: m.Stability, span: Span | None = None
    ) -> m.Type:
        if isinstance(kind, m.Alias):
            return kind.type
        if isinstance(kind, m.Handle) and kind.kind == m.HandleKind.OWN:
            return kind.resource
        key = _anon_key(kind)
        found = self.anon_types.get(key)
        if found is None:
            found = self._alloc_type(m.TypeDef(None, kind, None, stability=stability), span)
            self.anon_types[key] = found
        return found


def _anon_key(kind: m.TypeDefKind) -> object:
    if isinstance(kind, m.Variant):
        return ("variant", tuple((c.name, c.type) for c in kind.cases))
    if isinstance(kind, m.Record):
        return ("record", tuple((f.name, f.type) for f in kind.fields))
    if isinstance(kind, m.Flags):
        return ("flags", tuple(f.name for f in kind.flags))
    if isinstance(kind, m.Enum):
        return ("enum", tuple(c.name for c in kind.cases))
    # the remaining kinds are frozen attrs classes whose equality is structural
    return kind


def _kind_refs(kind: m.TypeDefKind) -> Iterable[m.Type | None]:
    """The types a kind refers to, in wit-parser's `find_stability` order."""
    if isinstance(kind, m.Alias):
        return (kind.type,)
    if isinstance(kind, m.Handle):
        return (kind.resource,)
    if isinstance(kind, m.Tuple):
        return kind.types
    if isinstance(kind, m.List | m.FixedLengthList | m.Option):
        return (kind.type,)
    if isinstance(kind, m.Map):
        return (kind.key, kind.value)
    if isinstance(kind, m.Future | m.Stream):
        return (kind.type,)
    if isinstance(kind, m.Result):
        return (kind.ok, kind.err)
    return ()


def _float_hint(err: WitSyntaxError) -> WitSyntaxError:
    for old, new in (("float32", "f32"), ("float64", "f64")):
        if err.message == f"type `{old}` does not exist":
            return WitSyntaxError(
                f"{err.message}\nthe `{old}` type has been renamed to `{new}` and is no longer "
                "accepted, but the `WIT_REQUIRE_F32_F64=0` environment variable can be used to "
                "temporarily disable this error",
                err.span,
            )
    return err


def resolve_files(files: Sequence[ast.PackageFile]) -> list[UnresolvedPackage]:
    """The packages of one group of files: nested packages first, then the main one."""
    nested: list[UnresolvedPackage] = []
    main = PackageResolver()
    for file in files:
        items: list[ast.AstItem] = []
        for item in file.items:
            if isinstance(item, ast.PackageFile):
                inner = PackageResolver()
                inner.push(item)
                nested.append(inner.resolve())
            else:
                items.append(item)
        main.push(ast.PackageFile(file.package, tuple(items)))
    return [*nested, main.resolve()]
