"""Printing a package of a `Resolve` back to WIT text.

The layout is the one `wasm-tools component wit` prints (two-space indents,
a blank line between items), so text printed here parses back to the same
model, and the same arena order, as wasm-tools' own printing does. World
items are printed interfaces first, then types (with their resource
functions), then functions, then exports, the order wit-parser sorts them in.

Two cases print differently from wasm-tools, which loses information there:
empty docs print as a bare `///` (which reads back as empty docs), and an
`import x: path;` without docs of its own does not take the interface's docs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from linker.errors import WitError
from linker.wit import model as m

# fmt: off
KEYWORDS = frozenset({
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
    "float32", "float64", "char", "resource", "record", "flags", "variant", "enum", "bool",
    "string", "option", "result", "future", "stream", "list", "own", "borrow", "_", "as", "from",
    "static", "interface", "tuple", "world", "import", "export", "package", "with", "include",
    "constructor", "error-context", "async", "map",
})
# fmt: on
"""Identifiers that WIT reads as keywords; names spelled like them get a `%` prefix."""


def print_wit(resolve: m.Resolve, package: m.PackageId) -> str:
    """WIT text of `package`: `package ns:name@ver;` then its interfaces and worlds."""
    printer = _Printer(resolve)
    printer.package(package, nested=False)
    return printer.out.text()


def print_resolve(resolve: m.Resolve, main: m.PackageId | None = None) -> str:
    """One WIT document holding every package of `resolve`.

    `main` (by default the first of `resolve.main_packages`, else the last
    package) is printed first; the others follow, in arena order, as nested
    `package ns:name { ... }` blocks, as `wasm-tools component wit` does.
    """
    if not resolve.packages:
        raise WitError("cannot print WIT: the resolve holds no package")
    if main is None:
        main = (
            resolve.main_packages[0]
            if resolve.main_packages
            else m.PackageId(len(resolve.packages) - 1)
        )
    printer = _Printer(resolve)
    printer.package(main, nested=False)
    others = [m.PackageId(i) for i in range(len(resolve.packages)) if i != main.index]
    for position, other in enumerate(others):
        if position > 0:
            printer.out.newline()
            printer.out.newline()
        printer.package(other, nested=True)
    return printer.out.text()


def escape(name: str) -> str:
    """`name` as a WIT identifier: keywords get a `%` prefix."""
    return f"%{name}" if name in KEYWORDS else name


class _Output:
    """Text with two-space indentation, written piece by piece."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._depth = 0
        self._at_line_start = False

    def text(self) -> str:
        return "".join(self._parts)

    def write(self, piece: str) -> None:
        if self._at_line_start:
            self._parts.append("  " * self._depth)
            self._at_line_start = False
        self._parts.append(piece)

    def newline(self) -> None:
        self._parts.append("\n")
        self._at_line_start = True

    def end(self) -> None:
        """`;` and a line break."""
        self.write(";")
        self.newline()

    def open(self) -> None:
        """` {`, a line break, one level deeper."""
        self.write(" {")
        self._depth += 1
        self.newline()

    def close(self) -> None:
        """One level out, `}` and a line break."""
        self._depth = max(self._depth - 1, 0)
        self.write("}")
        self.newline()


def _doc_lines(contents: str) -> list[str]:
    """The lines of a doc comment, split as Rust's `str::lines` does."""
    lines = contents.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


_EXTERNAL_ID_PLAIN = frozenset("-_./: ")
_EXTERNAL_ID_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _external_id_literal(value: str) -> str:
    out = []
    for char in value:
        if (char.isascii() and char.isalnum()) or char in _EXTERNAL_ID_PLAIN:
            out.append(char)
        else:
            out.append(_EXTERNAL_ID_ESCAPES.get(char, f"\\u{{{ord(char):x}}}"))
    return '"' + "".join(out) + '"'


def type_text(resolve: m.Resolve, ty: m.Type | None) -> str:
    """How a use of `ty` is spelled in WIT: its name, else its structure (`_` for no type).

    The one WIT type printer: the printer, function signatures and bindgen's messages use it.
    """
    if ty is None:
        return "_"
    if isinstance(ty, m.Primitive):
        return ty.value
    typedef = resolve.type(ty)
    if typedef.name is not None:
        return escape(typedef.name)
    return kind_text(resolve, typedef.kind)


def kind_text(resolve: m.Resolve, kind: m.TypeDefKind) -> str:
    """The structural WIT spelling of an anonymous type (`list<u8>`, `borrow<file>`)."""
    match kind:
        case m.Handle(kind=handle, resource=resource):
            name = resolve.type(resource).name
            if name is None:
                raise WitError("cannot print WIT: a handle to an unnamed resource")
            return handle_text(handle is m.HandleKind.OWN, name)
        case m.Alias(type=inner):
            return type_text(resolve, inner)
        case m.Tuple(types):
            return generic_text("tuple", *(type_text(resolve, t) for t in types))
        case m.Option(inner):
            return generic_text("option", type_text(resolve, inner))
        case m.Result(ok, err):
            return result_text(
                None if ok is None else type_text(resolve, ok),
                None if err is None else type_text(resolve, err),
            )
        case m.List(inner):
            return generic_text("list", type_text(resolve, inner))
        case m.FixedLengthList(inner, size):
            return generic_text("list", type_text(resolve, inner), str(size))
        case m.Map(key, value):
            return generic_text("map", type_text(resolve, key), type_text(resolve, value))
        case m.Future(inner) | m.Stream(inner):
            word = type(kind).__name__.lower()
            return word if inner is None else generic_text(word, type_text(resolve, inner))
    raise WitError(f"cannot print WIT: an unnamed {type(kind).__name__.lower()} type")


# The spelling rules `kind_text` applies, also used for types known only by their
# structure (`linker.wave.types`, read from a component, which carries no type names).


def generic_text(word: str, *args: str) -> str:
    """`list<u8>`, `tuple<u32, string>`, `map<string, u32>`."""
    return f"{word}<{', '.join(args)}>"


def result_text(ok: str | None, err: str | None) -> str:
    """`result`, `result<T>`, `result<_, E>` or `result<T, E>`."""
    if ok is None and err is None:
        return "result"
    if err is None:
        return f"result<{ok}>"
    return f"result<{'_' if ok is None else ok}, {err}>"


def handle_text(own: bool, resource: str) -> str:
    """An owned handle is spelled by its resource's name; a borrow as `borrow<R>`."""
    return escape(resource) if own else f"borrow<{escape(resource)}>"


def inline_text(keyword: str, items: Iterable[tuple[str, str | None]]) -> str:
    """A record, variant, enum or flags type spelled out in one line, for messages:
    `record { id: u32 }`, `variant { none, some(u8) }`, `enum { red, green }`."""
    sep, close = (": ", "") if keyword == "record" else ("(", ")")
    shown = (escape(n) if t is None else f"{escape(n)}{sep}{t}{close}" for n, t in items)
    return f"{keyword} {{ {', '.join(shown)} }}"


class _Printer:
    def __init__(self, resolve: m.Resolve) -> None:
        self.resolve = resolve
        self.out = _Output()
        self._pending_blank = False
        """Whether the next item of the current block is preceded by a blank line."""

    # ------------------------------------------------------------ packages

    def package(self, id: m.PackageId, *, nested: bool) -> None:
        if not 0 <= id.index < len(self.resolve.packages):
            raise WitError(f"cannot print WIT: no package with id {id.index}")
        pkg = self.resolve.package(id)
        self.docs(pkg.docs)
        name = pkg.name
        self.out.write(f"package {escape(name.namespace)}:{escape(name.name)}")
        if name.version is not None:
            self.out.write(f"@{name.version}")
        if nested:
            self.out.open()
        else:
            self.out.end()
            self.out.newline()
        for iface_name, iface_id in pkg.interfaces.items():
            iface = self.resolve.interface(iface_id)
            self.docs(iface.docs)
            self.stability(iface.stability)
            self.out.write(f"interface {escape(iface_name)}")
            self.interface_body(iface_id)
            if not nested:
                self.out.newline()
        for world_name, world_id in pkg.worlds.items():
            world = self.resolve.world(world_id)
            self.docs(world.docs)
            self.stability(world.stability)
            self.out.write(f"world {escape(world_name)}")
            self.world_body(world_id, id)
        if nested:
            self.out.close()

    # ------------------------------------------------------------ blocks

    def new_item(self) -> None:
        if self._pending_blank:
            self.out.newline()
        self._pending_blank = True

    def interface_body(self, id: m.InterfaceId) -> None:
        outer, self._pending_blank = self._pending_blank, False
        iface = self.resolve.interface(id)
        self.out.open()
        by_resource: dict[m.TypeId, list[m.Function]] = {}
        freestanding = []
        for func in iface.functions.values():
            if func.kind.resource is None:
                freestanding.append(func)
            else:
                by_resource.setdefault(func.kind.resource, []).append(func)
        self.types(m.OwnerInterface(id), iface.types.items(), by_resource, self._package_of(id))
        for func in freestanding:
            self.new_item()
            self.docs(func.docs)
            self.stability(func.stability)
            self.external_id(func.external_id)
            self.out.write(f"{escape(func.name)}: ")
            self.function(func)
            self.out.end()
        self.out.close()
        self._pending_blank = outer

    def world_body(self, id: m.WorldId, package: m.PackageId) -> None:
        outer, self._pending_blank = self._pending_blank, False
        world = self.resolve.world(id)
        self.out.open()
        types: list[tuple[str, m.TypeId]] = []
        by_resource: dict[m.TypeId, list[m.Function]] = {}
        functions: list[tuple[m.WorldKey, m.WorldItem]] = []
        for key, item in world.imports.items():
            if isinstance(item, m.WorldType):
                if not isinstance(key, str):
                    raise WitError(f"cannot print world `{world.name}`: a type keyed by interface")
                types.append((key, item.id))
            elif isinstance(item, m.WorldFunction):
                resource = item.function.kind.resource
                if resource is None:
                    functions.append((key, item))
                else:
                    by_resource.setdefault(resource, []).append(item.function)
            else:
                self.world_item(key, item, package, "import")
                self._pending_blank = True
        self.types(m.OwnerWorld(id), types, by_resource, package)
        for key, item in functions:
            self.world_item(key, item, package, "import")
            self._pending_blank = True
        if world.exports:
            self.new_item()
        for key, item in world.exports.items():
            self.world_item(key, item, package, "export")
        self.out.close()
        self._pending_blank = outer

    def world_item(
        self, key: m.WorldKey, item: m.WorldItem, package: m.PackageId, verb: str
    ) -> None:
        if isinstance(item, m.WorldType):
            raise WitError(f"cannot print WIT: a type cannot be {verb}ed as `{key}`")
        if isinstance(item, m.WorldInterface):
            docs = item.docs
            if docs.contents is None and self.resolve.interface(item.id).name is None:
                # an inline `import x: interface { ... }`: its docs are the interface's
                # (wasm-tools also copies a named interface's docs onto `import x: path;`)
                docs = self.resolve.interface(item.id).docs
            self.docs(docs)
            self.stability(item.stability)
            self.external_id(item.external_id)
        else:
            self.docs(item.function.docs)
            self.stability(item.function.stability)
            self.external_id(item.function.external_id)
        self.out.write(f"{verb} ")
        if not isinstance(key, str):
            self.out.write(self.interface_path(key, package))
            self.out.end()
        elif isinstance(item, m.WorldFunction):
            self.out.write(f"{escape(key)}: ")
            self.function(item.function)
            self.out.end()
        elif self.resolve.interface(item.id).name is None:
            self.out.write(f"{escape(key)}: interface")
            self.interface_body(item.id)
        else:
            self.out.write(f"{escape(key)}: {self.interface_path(item.id, package)}")
            self.out.end()

    # ------------------------------------------------------------ types

    def types(
        self,
        owner: m.TypeOwner,
        entries: Iterable[tuple[str, m.TypeId]],
        by_resource: dict[m.TypeId, list[m.Function]],
        package: m.PackageId,
    ) -> None:
        """`use` statements for types of other interfaces, then declarations."""
        uses: list[tuple[m.InterfaceId, m.TypeDef, list[tuple[str, str]]]] = []
        declared: list[m.TypeId] = []
        for name, id in entries:
            ty = self.resolve.type(id)
            if isinstance(ty.kind, m.Alias) and isinstance(ty.kind.type, m.TypeId):
                target = self.resolve.type(ty.kind.type)
                if target.owner is not None and target.owner != owner:
                    if not isinstance(target.owner, m.OwnerInterface) or target.name is None:
                        raise WitError(
                            f"cannot print WIT: type `{name}` refers to a type that no "
                            "interface names, so no `use` can bring it in"
                        )
                    if uses and uses[-1][0] == target.owner.id and self._same_gate(uses[-1][1], ty):
                        uses[-1][2].append((name, target.name))
                    else:
                        uses.append((target.owner.id, ty, [(name, target.name)]))
                    continue
            declared.append(id)
        for iface, first, names in uses:
            self._pending_blank = True
            self.stability(first.stability)
            self.external_id(first.external_id)
            listed = ", ".join(
                escape(own) if own == theirs else f"{escape(theirs)} as {escape(own)}"
                for own, theirs in names
            )
            self.out.write(f"use {self.interface_path(iface, package)}.{{{listed}}}")
            self.out.end()
        for id in declared:
            self.new_item()
            ty = self.resolve.type(id)
            self.docs(ty.docs)
            self.stability(ty.stability)
            self.external_id(ty.external_id)
            if isinstance(ty.kind, m.Resource):
                self.resource(ty, by_resource.get(id, []))
            else:
                self.declaration(ty)

    @staticmethod
    def _same_gate(a: m.TypeDef, b: m.TypeDef) -> bool:
        return a.stability == b.stability and a.external_id == b.external_id

    def resource(self, ty: m.TypeDef, functions: Sequence[m.Function]) -> None:
        self.out.write(f"resource {escape(self._name(ty))}")
        if not functions:
            self.out.end()
            return
        self.out.open()
        for func in functions:
            self.docs(func.docs)
            self.stability(func.stability)
            self.external_id(func.external_id)
            tag = func.kind.tag
            if tag is not m.FunctionKindTag.CONSTRUCTOR:
                short = func.name[func.name.find(".") + 1 :]
                static = tag in (m.FunctionKindTag.STATIC, m.FunctionKindTag.ASYNC_STATIC)
                self.out.write(f"{escape(short)}: {'static ' if static else ''}")
            self.function(func)
            self.out.end()
        self.out.close()

    def declaration(self, ty: m.TypeDef) -> None:
        name = escape(self._name(ty))
        kind = ty.kind
        match kind:
            case m.Record(fields):
                self.out.write(f"record {name}")
                self.out.open()
                for field in fields:
                    self.docs(field.docs)
                    self.out.write(f"{escape(field.name)}: {self.type_name(field.type)},")
                    self.out.newline()
                self.out.close()
            case m.Flags(flags):
                self._cases("flags", name, [(f.name, None, f.docs) for f in flags])
            case m.Enum(cases):
                self._cases("enum", name, [(c.name, None, c.docs) for c in cases])
            case m.Variant(cases):
                self._cases("variant", name, [(c.name, c.type, c.docs) for c in cases])
            case m.Handle(handle_kind, resource):
                target = escape(self._name(self.resolve.type(resource)))
                self.out.write(f"type {name} = {handle_kind.value}<{target}>")
                self.out.end()
            case m.Alias(inner):
                self.out.write(f"type {name} = {self.type_name(inner)}")
                self.out.end()
            case m.Resource() | m.UnknownKind():
                raise WitError(f"cannot print WIT: type `{name}` is not a declarable type")
            case _:
                self.out.write(f"type {name} = {kind_text(self.resolve, kind)}")
                self.out.end()

    def _cases(
        self, keyword: str, name: str, cases: Sequence[tuple[str, m.Type | None, m.Docs]]
    ) -> None:
        self.out.write(f"{keyword} {name}")
        self.out.open()
        for case_name, payload, docs in cases:
            self.docs(docs)
            payload_text = "" if payload is None else f"({self.type_name(payload)})"
            self.out.write(f"{escape(case_name)}{payload_text},")
            self.out.newline()
        self.out.close()

    def type_name(self, ty: m.Type) -> str:
        return type_text(self.resolve, ty)

    def _name(self, ty: m.TypeDef) -> str:
        if ty.name is None:
            raise WitError(f"cannot print WIT: an unnamed {type(ty.kind).__name__.lower()} type")
        return ty.name

    # ------------------------------------------------------------ functions

    def function(self, func: m.Function) -> None:
        tag = func.kind.tag
        prefix = "async " if func.kind.is_async else ""
        keyword = "constructor" if tag is m.FunctionKindTag.CONSTRUCTOR else "func"
        skip = 1 if tag in (m.FunctionKindTag.METHOD, m.FunctionKindTag.ASYNC_METHOD) else 0
        params = ", ".join(
            f"{escape(p.name)}: {self.type_name(p.type)}" for p in func.params[skip:]
        )
        self.out.write(f"{prefix}{keyword}({params})")
        if func.result is not None and not self._is_constructor_shorthand(func):
            self.out.write(f" -> {self.type_name(func.result)}")

    def _is_constructor_shorthand(self, func: m.Function) -> bool:
        """A constructor returning `own<its resource>`, written without `->`."""
        if func.kind.tag is not m.FunctionKindTag.CONSTRUCTOR:
            return False
        if not isinstance(func.result, m.TypeId):
            return False
        kind = self.resolve.type(func.result).kind
        return (
            isinstance(kind, m.Handle)
            and kind.kind is m.HandleKind.OWN
            and kind.resource == func.kind.resource
        )

    # ------------------------------------------------------------ names, docs, gates

    def interface_path(self, id: m.InterfaceId, package: m.PackageId) -> str:
        """`iface` within `package`, else `ns:pkg/iface@ver`."""
        iface = self.resolve.interface(id)
        if iface.name is None or iface.package is None:
            raise WitError("cannot print WIT: an unnamed interface cannot be referred to by path")
        if iface.package == package:
            return escape(iface.name)
        name = self.resolve.package(iface.package).name
        path = f"{escape(name.namespace)}:{escape(name.name)}/{escape(iface.name)}"
        return path if name.version is None else f"{path}@{name.version}"

    def _package_of(self, id: m.InterfaceId) -> m.PackageId:
        package = self.resolve.interface(id).package
        if package is None:
            raise WitError("cannot print WIT: an interface belongs to no package")
        return package

    def docs(self, docs: m.Docs) -> None:
        if docs.contents is None:
            return
        if docs.contents == "":
            # empty docs (from a bare `///`): wasm-tools prints nothing and loses them
            self.out.write("///")
            self.out.newline()
            return
        for line in _doc_lines(docs.contents):
            self.out.write(f"/// {line}" if line else "///")
            self.out.newline()

    def stability(self, stability: m.Stability) -> None:
        if isinstance(stability, m.Unknown):
            return
        if isinstance(stability, m.Stable):
            self.out.write(f"@since(version = {stability.since})")
        else:
            self.out.write(f"@unstable(feature = {stability.feature})")
        self.out.newline()
        if stability.deprecated is not None:
            self.out.write(f"@deprecated(version = {stability.deprecated})")
            self.out.newline()

    def external_id(self, value: str | None) -> None:
        if value is not None:
            self.out.write(f"@external-id({_external_id_literal(value)})")
            self.out.newline()
