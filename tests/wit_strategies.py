"""Hypothesis strategies for valid WIT documents, as text.

`wit_documents()` draws one WIT file: a main package (`package ns:name[@ver];`)
with interfaces and worlds, optionally followed by nested dependency packages
(`package dep:x { ... }`) that the main package uses. It covers every type
kind (records, variants, enums, flags, resources with constructors, methods
and static functions, own/borrow handles, options, results in all forms,
tuples, lists, fixed-size lists, maps, futures, streams, error-context,
aliases), async functions, `use` with renames (local and cross-package),
world imports/exports (by path, by name, inline interfaces), world types and
functions, `include`, doc comments (`///`, `/** */`), plain comments,
`%`-escaped names, and feature gates (`@since`, `@unstable`, `@deprecated`).

The generator only writes what wit-parser accepts: names are unique per scope
(case-insensitively), types refer to earlier types only, `borrow<..>` appears
only as a parameter of a synchronous function, and an interface exported by a
world is never used by another interface or by that world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[Any]], Any]

PLAIN_WORDS = (
    "a", "b", "x", "foo", "bar", "thing", "value", "point", "item", "data", "name", "size",
    "count", "get", "set", "run", "make", "input", "output", "HTTP", "io-error", "read-all",
    "v2", "my-type",
)  # fmt: skip
KEYWORD_WORDS = (
    "type", "list", "record", "async", "interface", "result", "stream", "own", "borrow",
    "static", "constructor", "func", "package", "world", "import", "export", "use", "with",
    "include", "enum", "flags", "variant", "map", "future", "as", "from", "tuple", "option",
    "resource", "bool", "string", "char", "u32", "s64", "f32",
)  # fmt: skip
PRIMITIVES = (
    "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char",
    "string", "error-context",
)  # fmt: skip
MAP_KEYS = ("bool", "u8", "u32", "s64", "char", "string")
DOC_TEXTS = ("does a thing", "", "two  spaces", "ünïcode ✓", "x * y", "trailing ")
PACKAGE_VERSIONS = (None, "1.0.0", "0.2.1", "2.0.0-rc.1")
FEATURES = ("fancy", "experimental", "next-gen")


@dataclass
class Scope:
    """Names taken in one scope (compared case-insensitively)."""

    taken: set[str] = field(default_factory=set)

    def add(self, name: str) -> bool:
        if name.lower() in self.taken:
            return False
        self.taken.add(name.lower())
        return True


@dataclass(eq=False)
class Iface:
    """A generated named interface: where it lives and the types it offers to `use`."""

    package: str
    name: str
    version: str | None
    types: list[str] = field(default_factory=list)
    resources: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)
    """Keys (`pkg/name`) of the interfaces this one uses."""

    @property
    def key(self) -> str:
        return f"{self.package}/{self.name}"


@dataclass
class TypeScope:
    """Types usable at a point: value types and resources (by written name)."""

    values: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)


class Generator:
    """Draws the pieces of one WIT document."""

    def __init__(self, draw: Draw, *, canonical: bool) -> None:
        self.draw = draw
        self.canonical = canonical
        self.interfaces: list[Iface] = []
        self.package_version: str | None = None

    # ------------------------------------------------------------ small draws

    def pick(self, options: tuple[T, ...] | list[T]) -> T:
        return self.draw(st.sampled_from(options))  # type: ignore[no-any-return]

    def chance(self, p: float) -> bool:
        return bool(self.draw(st.integers(0, 99)) < p * 100)

    def count(self, low: int, high: int) -> int:
        return int(self.draw(st.integers(low, high)))

    def name(self, scope: Scope) -> str:
        """A fresh name in `scope`, as the raw identifier (no `%`)."""
        base = self.pick(KEYWORD_WORDS if self.chance(0.25) else PLAIN_WORDS)
        candidate, suffix = base, 2
        while not scope.add(candidate):
            candidate, suffix = f"{base}{suffix}", suffix + 1
        return candidate

    def ident(self, name: str) -> str:
        """How `name` is written: keywords need `%`, other names may have it."""
        if name in KEYWORD_WORDS or self.chance(0.05):
            return f"%{name}"
        return name

    def docs(self, indent: str) -> str:
        choice = self.count(0, 5)
        if choice == 0:
            lines = [self.pick(DOC_TEXTS) for _ in range(self.count(1, 3))]
            return "".join(f"{indent}/// {line}\n".replace(" \n", "\n") for line in lines)
        if choice == 1:
            return f"{indent}/** {self.pick(DOC_TEXTS)} */\n"
        if choice == 2:
            # wit-parser keeps plain comments before an item as its docs, too
            return f"{indent}// a line comment\n{indent}/* a block comment */\n"
        return ""

    def gate(self, indent: str) -> str:
        """An optional `@since`/`@unstable` gate, maybe with `@deprecated`."""
        choice = self.count(0, 7)
        if choice == 0 and self.package_version is not None:
            since = self.pick((self.package_version, "0.1.0"))
            text = f"{indent}@since(version = {since})\n"
        elif choice == 1:
            text = f"{indent}@unstable(feature = {self.pick(FEATURES)})\n"
        else:
            return ""
        if self.chance(0.3) and self.package_version is not None:
            text += f"{indent}@deprecated(version = {self.package_version})\n"
        return text

    # ------------------------------------------------------------ types

    def type_expr(self, scope: TypeScope, depth: int = 0) -> str:
        """A type expression built from primitives and the types in `scope`."""
        kinds = ["primitive", "primitive"]
        if scope.values:
            kinds += ["named", "named"]
        if scope.resources:
            kinds += ["own"]
        if depth < 2:
            kinds += ["list", "fixed", "option", "result", "tuple", "map", "future", "stream"]
        kind = self.pick(kinds)
        inner = lambda: self.type_expr(scope, depth + 1)  # noqa: E731
        match kind:
            case "primitive":
                return self.pick(PRIMITIVES)
            case "named":
                return self.pick(scope.values)
            case "own":
                resource = self.pick(scope.resources)
                return f"own<{resource}>" if self.chance(0.5) else resource
            case "list":
                return f"list<{inner()}>"
            case "fixed":
                return f"list<{inner()}, {self.count(1, 8)}>"
            case "option":
                return f"option<{inner()}>"
            case "result":
                form = self.count(0, 3)
                if form == 0:
                    return "result"
                if form == 1:
                    return f"result<{inner()}>"
                if form == 2:
                    return f"result<_, {inner()}>"
                return f"result<{inner()}, {inner()}>"
            case "tuple":
                return f"tuple<{', '.join(inner() for _ in range(self.count(1, 3)))}>"
            case "map":
                return f"map<{self.pick(MAP_KEYS)}, {inner()}>"
            case "future" | "stream":
                return kind if self.chance(0.3) else f"{kind}<{inner()}>"
        raise AssertionError(kind)

    def param_type(self, scope: TypeScope, *, allow_borrow: bool) -> str:
        if allow_borrow and scope.resources and self.chance(0.25):
            return f"borrow<{self.pick(scope.resources)}>"
        return self.type_expr(scope)

    def signature(self, scope: TypeScope, *, is_async: bool, results: bool = True) -> str:
        names = Scope()
        params = ", ".join(
            f"{self.ident(self.name(names))}: {self.param_type(scope, allow_borrow=not is_async)}"
            for _ in range(self.count(0, 3))
        )
        result = f" -> {self.type_expr(scope)}" if results and self.chance(0.6) else ""
        return f"{'async ' if is_async else ''}func({params}){result}"

    def type_definition(self, scope: TypeScope, items: Scope, indent: str) -> str:
        """One named type (record, variant, enum, flags, alias or resource)."""
        name = self.name(items)
        written = self.ident(name)
        head = self.docs(indent) + self.gate(indent)
        kind = self.pick(("record", "variant", "enum", "flags", "alias", "resource"))
        inner = indent + "  "
        if kind == "resource":
            body = self.resource_body(scope, written, inner)
            scope.resources.append(written)
            return f"{head}{indent}resource {written}{body}"
        members = Scope()
        if kind == "alias":
            text = f"{indent}type {written} = {self.type_expr(scope)};\n"
        elif kind == "record":
            fields = "".join(
                f"{self.docs(inner)}{inner}{self.ident(self.name(members))}: "
                f"{self.type_expr(scope)},\n"
                for _ in range(self.count(1, 4))
            )
            text = f"{indent}record {written} {{\n{fields}{indent}}}\n"
        elif kind == "variant":
            cases = ""
            for _ in range(self.count(1, 4)):
                payload = f"({self.type_expr(scope)})" if self.chance(0.6) else ""
                cases += f"{self.docs(inner)}{inner}{self.ident(self.name(members))}{payload},\n"
            text = f"{indent}variant {written} {{\n{cases}{indent}}}\n"
        else:
            cases = "".join(
                f"{self.docs(inner)}{inner}{self.ident(self.name(members))},\n"
                for _ in range(self.count(1, 5))
            )
            text = f"{indent}{kind} {written} {{\n{cases}{indent}}}\n"
        scope.values.append(written)
        return head + text

    def resource_body(self, scope: TypeScope, written: str, indent: str) -> str:
        if self.chance(0.3):
            return ";\n"
        inner = TypeScope(scope.values, [*scope.resources, written])
        members = Scope({written.lstrip("%").lower()})  # `[method]r.r` is rejected
        lines = []
        if self.chance(0.5):
            ctor = self.signature(inner, is_async=False, results=False).replace("func", "", 1)
            if self.chance(0.2):
                ctor += f" -> result<{written}>"
            lines.append(f"{self.docs(indent)}{self.gate(indent)}{indent}constructor{ctor};\n")
        for _ in range(self.count(0, 3)):
            static = "static " if self.chance(0.3) else ""
            sig = self.signature(inner, is_async=self.chance(0.2))
            head = self.docs(indent) + self.gate(indent)
            lines.append(f"{head}{indent}{self.ident(self.name(members))}: {static}{sig};\n")
        closing = indent.removesuffix("  ")
        return " {\n" + "".join(lines) + closing + "}\n"

    # ------------------------------------------------------------ interfaces

    def uses(
        self,
        scope: TypeScope,
        items: Scope,
        indent: str,
        package: str,
        allowed: list[Iface],
        *,
        gated: bool = True,
    ) -> tuple[str, set[str]]:
        """`use` statements importing types of `allowed` interfaces; returns (text, used keys).

        In worlds a `use` imports the interface, and two imports of one interface
        must carry the same gate, so world `use`s (`gated=False`) get none."""
        text, used = "", set()
        candidates = [iface for iface in allowed if iface.types]
        for _ in range(self.count(0, 2) if candidates else 0):
            source = self.pick(candidates)
            picked = self.draw(st.lists(st.sampled_from(source.types), min_size=1, unique=True))
            names = []
            for type_name in picked:
                local = type_name
                if not items.add(type_name.lstrip("%")) or self.chance(0.2):
                    local = self.ident(self.name(items))
                names.append(type_name if local == type_name else f"{type_name} as {local}")
                (scope.resources if type_name in source.resources else scope.values).append(local)
            head = self.gate(indent) if gated else ""
            text += f"{head}{indent}use {self.path(source, package)}.{{{', '.join(names)}}};\n"
            used.add(source.key)
        return text, used

    def path(self, iface: Iface, package: str) -> str:
        if iface.package == package:
            return iface.name
        version = f"@{iface.version}" if iface.version else ""
        return f"{iface.package}/{iface.name}{version}"

    def arrange(self, parts: list[tuple[int, str]]) -> str:
        """Items in the order drawn, or (canonical documents) grouped by their rank."""
        if self.canonical:
            parts = sorted(parts, key=lambda part: part[0])
        return "".join(text for _, text in parts)

    def interface_body(self, indent: str, package: str, allowed: list[Iface]) -> tuple[str, Iface]:
        """The items of an interface (without braces) and what it offers to others."""
        scope, items = TypeScope(), Scope()
        text, used = self.uses(scope, items, indent, package, allowed)
        offered = Iface(package, "", None, uses=used)
        parts: list[tuple[int, str]] = []
        for _ in range(self.count(0, 5)):
            if self.chance(0.65):
                parts.append((0, self.type_definition(scope, items, indent)))
            else:
                name = self.ident(self.name(items))
                sig = self.signature(scope, is_async=self.chance(0.2))
                parts.append((1, f"{self.docs(indent)}{self.gate(indent)}{indent}{name}: {sig};\n"))
        offered.types = [*scope.values, *scope.resources]
        offered.resources = set(scope.resources)
        return text + self.arrange(parts), offered

    # ------------------------------------------------------------ worlds

    def world_body(
        self, indent: str, package: str, visible: list[Iface], earlier: list[WorldInfo]
    ) -> tuple[str, WorldInfo]:
        """The items of a world (without braces) and what it imports and exports."""
        used_anywhere = {key for iface in self.interfaces for key in iface.uses}
        exportable = [i for i in visible if i.key not in used_anywhere]
        exports = (
            self.draw(st.lists(st.sampled_from(exportable), max_size=2, unique=True))
            if exportable
            else []
        )
        importable = [i for i in visible if i not in exports]
        imports = (
            self.draw(st.lists(st.sampled_from(importable), max_size=3, unique=True))
            if importable
            else []
        )
        interface_names = {i.name.lstrip("%").lower() for i in visible}
        items = Scope(set(interface_names))
        info = WorldInfo(exports={i.key for i in exports})
        scope = TypeScope()
        # ranks (canonical order): interface imports, uses, types, function imports,
        # function exports, interface exports
        parts: list[tuple[int, str]] = []
        for iface in imports:  # not gated: see `uses`
            parts.append((0, f"{self.docs(indent)}{indent}import {self.path(iface, package)};\n"))
        used_text, used = self.uses(scope, items, indent, package, importable, gated=False)
        parts.append((1, used_text))
        imported = {i.key for i in imports} | used
        for _ in range(self.count(0, 4)):
            choice = self.count(0, 4)
            verb = self.pick(("import", "export"))
            if choice == 0:
                parts.append((2, self.type_definition(scope, items, indent)))
                continue
            label = self.name(items)
            head = f"{self.docs(indent)}{self.gate(indent)}{indent}{verb} {self.ident(label)}: "
            if choice in (1, 2):
                rank = 3 if verb == "import" else 4
                parts.append((rank, f"{head}{self.signature(scope, is_async=self.chance(0.2))};\n"))
            elif choice == 3 and importable and verb == "import":
                target = self.pick(importable)
                imported.add(target.key)
                parts.append((0, f"{head}{self.path(target, package)};\n"))
            else:
                body, offered = self.interface_body(indent + "  ", package, importable)
                imported |= offered.uses
                rank = 0 if verb == "import" else 5
                parts.append((rank, f"{head}interface {{\n{body}{indent}}}\n"))
        info.names = items.taken - interface_names
        info.imports = self.closure(imported | {u for i in exports for u in i.uses})
        for world_name, other in [(w.name, w) for w in earlier]:
            compatible = (
                not other.exports & info.imports
                and not other.imports & info.exports
                and not other.names & info.names
            )
            if compatible and not self.canonical and self.chance(0.3):
                parts.append((5, f"{indent}include {world_name};\n"))
                info.imports |= other.imports
                info.exports |= other.exports
                info.names |= other.names
        for iface in exports:
            parts.append((5, f"{self.docs(indent)}{indent}export {self.path(iface, package)};\n"))
        return self.arrange(parts), info

    def closure(self, keys: set[str]) -> set[str]:
        """`keys` with every interface they use, transitively."""
        by_key = {iface.key: iface for iface in self.interfaces}
        todo, seen = list(keys), set(keys)
        while todo:
            for used in by_key[todo.pop()].uses:
                if used not in seen:
                    seen.add(used)
                    todo.append(used)
        return seen

    # ------------------------------------------------------------ packages

    def package(self, names: Scope, *, nested: bool) -> str:
        """One package: its header and its interfaces and worlds."""
        while True:
            namespace, name = self.name(Scope()), self.name(Scope())
            if names.add(f"{namespace}:{name}"):
                break
        self.package_version = self.pick(PACKAGE_VERSIONS)
        version = f"@{self.package_version}" if self.package_version else ""
        written = f"{self.ident(namespace)}:{self.ident(name)}"
        indent = "  " if nested else ""
        items = Scope()
        body = ""
        own: list[Iface] = []
        foreign = [i for i in self.interfaces]
        for _ in range(self.count(1, 3)):
            iface_name = self.name(items)
            head = self.docs(indent) + self.gate(indent)
            inner, offered = self.interface_body(indent + "  ", written, own + foreign)
            offered.package, offered.name, offered.version = (
                written,
                self.ident(iface_name),
                self.package_version,
            )
            own.append(offered)
            self.interfaces.append(offered)
            body += f"{head}{indent}interface {offered.name} {{\n{inner}{indent}}}\n\n"
        worlds: list[WorldInfo] = []
        for _ in range(self.count(0 if nested else 1, 2)):
            world_name = self.ident(self.name(items))
            head = self.docs(indent) + self.gate(indent)
            inner, info = self.world_body(indent + "  ", written, own + foreign, worlds)
            info.name = world_name
            worlds.append(info)
            body += f"{head}{indent}world {world_name} {{\n{inner}{indent}}}\n\n"
        if nested:
            return f"package {written}{version} {{\n{body}}}\n\n"
        return f"{self.docs('')}package {written}{version};\n\n{body}"


@dataclass
class WorldInfo:
    """What a generated world brings: interface keys imported and exported, item names."""

    name: str = ""
    imports: set[str] = field(default_factory=set)
    exports: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


@st.composite
def wit_documents(draw: Draw, *, canonical: bool = False) -> str:
    """A valid WIT document: a main package, then 0-2 nested dependency packages.

    `canonical` documents list items in the order the printer writes them
    (interfaces: uses, types, functions; worlds: interface imports, uses, types,
    function imports, function exports, interface exports) and have no `include`,
    so that printing what they parse to gives back the same arenas; others mix
    items freely."""
    gen = Generator(draw, canonical=canonical)
    names = Scope()
    deps = [gen.package(names, nested=True) for _ in range(gen.count(0, 2))]
    main = gen.package(names, nested=False)
    return main + "".join(deps)
