"""The WIT syntax tree: attrs nodes built as the LALR parser of the lark grammar reduces.

`parse_file(source)` turns one source file into a `PackageFile`. Every node that
can carry doc comments gets the comments written immediately before it; every
identifier keeps its `Span` so the resolver can point at it in errors.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any, TypeAlias

import attrs
import lark

from linker.wit.lalr import END, Driver, ParseFailure, Tok
from linker.wit.source import Source, Span, WitSyntaxError

# ---------------------------------------------------------------- nodes
# Plain (not frozen) attrs classes: a load builds thousands of them, and a frozen
# class's `__init__` costs about three times as much. Only their builder mutates them.


@attrs.define
class Id:
    name: str
    span: Span


@attrs.define
class Docs:
    """The raw comments written before an item, in order."""

    comments: tuple[str, ...] = ()
    span: Span | None = None


NO_DOCS = Docs()


@attrs.define
class Since:
    version: str
    span: Span
    start: int = 0


@attrs.define
class Unstable:
    feature: str
    span: Span
    start: int = 0


@attrs.define
class Deprecated:
    version: str
    span: Span
    start: int = 0


@attrs.define
class ExternalId:
    id: str
    span: Span
    start: int = 0


Attribute: TypeAlias = Since | Unstable | Deprecated | ExternalId
_ATTRIBUTES = (Since, Unstable, Deprecated, ExternalId)


@attrs.define
class PackageName:
    namespace: Id
    name: Id
    version: str | None
    span: Span
    docs: Docs = NO_DOCS

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.namespace.name, self.name.name, self.version)


@attrs.define
class LocalPath:
    name: Id


@attrs.define
class PackagePath:
    package: PackageName
    name: Id


UsePath: TypeAlias = LocalPath | PackagePath


# types -------------------------------------------------------------


@attrs.define
class Primitive:
    name: str
    span: Span


@attrs.define
class Named:
    id: Id

    @property
    def span(self) -> Span:
        return self.id.span


@attrs.define
class ListType:
    element: Type
    span: Span


@attrs.define
class FixedListType:
    element: Type
    size: int
    span: Span


@attrs.define
class MapType:
    key: Type
    value: Type
    span: Span


@attrs.define
class OptionType:
    element: Type
    span: Span


@attrs.define
class ResultType:
    ok: Type | None
    err: Type | None
    span: Span


@attrs.define
class TupleType:
    types: tuple[Type, ...]
    span: Span


@attrs.define
class FutureType:
    element: Type | None
    span: Span


@attrs.define
class StreamType:
    element: Type | None
    span: Span


@attrs.define
class HandleType:
    borrow: bool
    resource: Id

    @property
    def span(self) -> Span:
        return self.resource.span


Type: TypeAlias = (
    Primitive
    | Named
    | ListType
    | FixedListType
    | MapType
    | OptionType
    | ResultType
    | TupleType
    | FutureType
    | StreamType
    | HandleType
)


@attrs.define
class Field:
    docs: Docs
    name: Id
    type: Type


@attrs.define
class Record:
    fields: tuple[Field, ...]
    span: Span


@attrs.define
class Flag:
    docs: Docs
    name: Id


@attrs.define
class Flags:
    flags: tuple[Flag, ...]
    span: Span


@attrs.define
class Case:
    docs: Docs
    name: Id
    type: Type | None


@attrs.define
class Variant:
    cases: tuple[Case, ...]
    span: Span


@attrs.define
class EnumCase:
    docs: Docs
    name: Id


@attrs.define
class Enum:
    cases: tuple[EnumCase, ...]
    span: Span


@attrs.define
class Func:
    is_async: bool
    params: tuple[tuple[Id, Type], ...]
    result: Type | None


@attrs.define
class NamedFunc:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    func: Func


@attrs.define
class ResourceFunc:
    kind: str  # "method", "static" or "constructor"
    func: NamedFunc


@attrs.define
class Resource:
    funcs: tuple[ResourceFunc, ...]
    span: Span


DefType: TypeAlias = Type | Record | Flags | Variant | Enum | Resource


@attrs.define
class TypeDef:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    type: DefType


@attrs.define
class UseName:
    name: Id
    as_: Id | None


@attrs.define
class Use:
    attributes: tuple[Attribute, ...]
    path: UsePath
    names: tuple[UseName, ...]


InterfaceItem: TypeAlias = TypeDef | NamedFunc | Use


@attrs.define
class Interface:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    items: tuple[InterfaceItem, ...]


# world items -------------------------------------------------------


@attrs.define
class ExternInterface:
    name: Id
    items: tuple[InterfaceItem, ...]

    @property
    def span(self) -> Span:
        return self.name.span


@attrs.define
class ExternPath:
    path: UsePath

    @property
    def span(self) -> Span:
        path = self.path
        return path.name.span if isinstance(path, LocalPath) else path.package.span


@attrs.define
class ExternFunc:
    name: Id
    func: Func

    @property
    def span(self) -> Span:
        return self.name.span


@attrs.define
class ExternNamed:
    name: Id
    path: UsePath

    @property
    def span(self) -> Span:
        return self.name.span


ExternKind: TypeAlias = ExternInterface | ExternPath | ExternFunc | ExternNamed


@attrs.define
class Extern:
    """`import ...` (`is_import`) or `export ...` in a world."""

    is_import: bool
    docs: Docs
    attributes: tuple[Attribute, ...]
    kind: ExternKind


@attrs.define
class Include:
    attributes: tuple[Attribute, ...]
    path: UsePath
    names: tuple[tuple[Id, Id], ...]


WorldItem: TypeAlias = Extern | Use | TypeDef | Include


@attrs.define
class World:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    items: tuple[WorldItem, ...]


@attrs.define
class ToplevelUse:
    span: Span
    attributes: tuple[Attribute, ...]
    path: UsePath
    as_: Id | None


@attrs.define
class PackageFile:
    """One file, or one nested `package a:b { ... }` block."""

    package: PackageName | None
    items: tuple[AstItem, ...]


AstItem: TypeAlias = Interface | World | ToplevelUse | PackageFile


# ---------------------------------------------------------------- identifiers

_ID_PART = re.compile(r"[a-z][a-z0-9]*|[A-Z][A-Z0-9]*")
_ID_LATER_PART = re.compile(r"[a-z0-9]+|[A-Z0-9]+")


_VALID_IDS: set[str] = set()


def id_error(name: str) -> str | None:
    """Why `name` is not a valid kebab-case identifier (None when it is)."""
    if name in _VALID_IDS:
        return None
    problem = _id_problem(name)
    if problem is None and len(_VALID_IDS) < 100_000:
        _VALID_IDS.add(name)
    return problem


def _id_problem(name: str) -> str | None:
    if not name:
        return "identifiers must have characters between '-'s"
    for index, part in enumerate(name.split("-")):
        if not part:
            return "identifiers must have characters between '-'s"
        pattern = _ID_PART if index == 0 else _ID_LATER_PART
        if pattern.fullmatch(part) is None:
            bad = _first_bad_char(part, index == 0)
            return f"invalid character in identifier {bad!r}"
    return None


def _first_bad_char(part: str, first: bool) -> str:
    if first and not (part[0].isascii() and part[0].isalpha()):
        return part[0]
    upper: bool | None = None
    for ch in part:
        if ch.isascii() and ch.isdigit():
            continue
        if not (ch.isascii() and ch.isalpha()):
            return ch
        if upper is None:
            upper = ch.isupper()
        elif upper != ch.isupper():
            return ch
    return part[0]


# ---------------------------------------------------------------- semver

_NUM = r"0|[1-9][0-9]*"
_IDENT = r"[0-9A-Za-z-]+"
_SEMVER = re.compile(
    rf"(?:{_NUM})\.(?:{_NUM})\.(?:{_NUM})"
    rf"(?:-{_IDENT}(?:\.{_IDENT})*)?(?:\+{_IDENT}(?:\.{_IDENT})*)?"
)


def check_version(text: str) -> str | None:
    """Why `text` is not a valid semver version (None when it is)."""
    if _SEMVER.fullmatch(text) is None:
        return f"invalid semver version `{text}`"
    core = text.split("+", 1)[0].split("-", 1)[0]
    for label, number in zip(("major", "minor", "patch"), core.split("."), strict=True):
        if len(number) > 20 or int(number) >= 2**64:
            return f"value of {label} version number exceeds u64::MAX"
    pre = text.split("+", 1)[0].partition("-")[2]
    for part in pre.split(".") if pre else ():
        if part.isdigit() and len(part) > 1 and part[0] == "0":
            return "invalid leading zero in pre-release identifier"
    return None


# ---------------------------------------------------------------- parsing

MAX_TYPE_DEPTH = 100
"""wit-parser's limit on nested types such as `list<list<...>>`."""


_PARSE_LOCK = threading.Lock()


@cache
def _parser() -> lark.Lark:
    """lark's LALR tables for `grammar.lark` (the driver below runs them)."""
    grammar = resources.files("linker.wit").joinpath("grammar.lark").read_text()
    return lark.Lark(
        grammar,
        parser="lalr",
        lexer="basic",
        start="file",
        maybe_placeholders=True,
        cache=True,  # the parse table is kept in the temp dir: the CLI starts ~0.2 s faster
    )


@cache
def _driver() -> tuple[Driver, _Builder]:
    builder = _Builder()
    return Driver(_parser(), builder, "COMMENT"), builder


class _Comments:
    """Comment tokens of one file, to find the doc comments before an item."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)


def parse_file(source: Source) -> PackageFile:
    """Parse one WIT source file (raises `WitSyntaxError` on bad syntax)."""
    text = source.text
    offset = 1 if text.startswith("\ufeff") else 0
    _check_codepoints(source, text)
    driver, builder = _driver()
    with _PARSE_LOCK:  # the cached driver's builder holds per-file state
        builder.reset(source)
        try:
            result = driver.parse(text, offset, builder.comments.add)
        except ParseFailure as err:
            raise _syntax_error(source, err) from None
        finally:
            builder.reset(_NO_SOURCE)
    assert isinstance(result, PackageFile)
    return result


_NO_SOURCE = Source("", "")


def _check_codepoints(source: Source, text: str) -> None:
    for match in _BAD_CODEPOINT.finditer(text):
        ch = match.group()
        code = f"\\u{{{ord(ch):x}}}"
        if ch in _BIDI:
            msg = f'Input contains bidirectional override codepoint "{code}"'
        elif ch in _DEPRECATED:
            msg = f'Codepoint "{code}" is discouraged by Unicode'
        else:
            msg = f"Control code '{code}'"
        start = match.start()
        raise WitSyntaxError(msg, Span(source, start, start + len(ch)))


_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DEPRECATED = "\u0149\u0673\u0f77\u0f79\u17a3\u17a4\u17b4\u17b5"
_BAD_CODEPOINT = re.compile(f"[{_BIDI}{_DEPRECATED}\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]")


_PUNCT = {
    "=": "'='",
    ",": "','",
    ":": "':'",
    ".": "'.'",
    ";": "';'",
    "(": "'('",
    ")": "')'",
    "{": "'{'",
    "}": "'}'",
    "<": "'<'",
    ">": "'>'",
    "->": "`->`",
    "@": "`@`",
    "/": "`/`",
}
_NAMED = {
    "ID": "an identifier",
    "EXPLICIT_ID": "an '%' identifier",
    "INTEGER": "an integer",
    "VERSION": "a version",
    "STRING_LITERAL": "a string literal",
    "$END": "eof",
}


def _describe_terminal(name: str) -> str:
    if name in _NAMED:
        return _NAMED[name]
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:
        return name.lower()
    value = pattern.value
    if isinstance(pattern, lark.lexer.PatternStr):
        return _PUNCT.get(value, f"keyword `{value}`")
    return name.lower()


_TYPE_KEYWORDS = {
    "BOOL",
    "U8",
    "U16",
    "U32",
    "U64",
    "S8",
    "S16",
    "S32",
    "S64",
    "F32",
    "F64",
    "CHAR",
    "STRING",
    "ERROR_CONTEXT",
    "LIST",
    "MAP",
    "OPTION",
    "RESULT",
    "TUPLE",
    "FUTURE",
    "STREAM",
    "OWN",
    "BORROW",
}


def _describe_expected(names: set[str]) -> str:
    names = {n for n in names if n != "$END"}
    head: list[str] = []
    if names >= _TYPE_KEYWORDS:
        names -= _TYPE_KEYWORDS | {"ID", "EXPLICIT_ID"}
        head.append("a type")
    if names & {"ID", "EXPLICIT_ID"}:
        names -= {"ID", "EXPLICIT_ID", "STRING_LITERAL"}
        head.append("an identifier or string")
    described = head + sorted({_describe_terminal(n) for n in names})
    if not described:
        return "eof"
    if len(described) == 1:
        return described[0]
    if len(described) > 6:
        return ", ".join(described[:6]) + ", or another item"
    return ", ".join(described[:-1]) + f" or {described[-1]}"


def _syntax_error(source: Source, err: ParseFailure) -> WitSyntaxError:
    start = err.start
    comment = source.text.startswith("/*", start)
    if err.found is None:
        if comment:
            return WitSyntaxError("unterminated block comment", Span(source, start, start + 2))
        ch = source.text[start] if start < len(source.text) else ""
        return WitSyntaxError(f"unexpected character {ch!r}", Span(source, start, start + 1))
    expected = _describe_expected(err.expected)
    if err.found == END:
        end = len(source.text)
        return WitSyntaxError(f"expected {expected}, found eof", Span(source, end, end))
    if comment:
        return WitSyntaxError(
            "unterminated block comment (or nested more than 8 deep)",
            Span(source, start, start + 2),
        )
    found = _describe_terminal(err.found)
    end = err.end
    if " " not in expected or expected.startswith("keyword"):
        # a single punctuation or keyword was required: point at the token's start only
        end = start
    return WitSyntaxError(f"expected {expected}, found {found}", Span(source, start, end))


# ---------------------------------------------------------------- tree -> nodes

_STRING_ESCAPES = {'"': '"', "'": "'", "t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


class _Builder:
    """The parser's actions: builds the attrs nodes as the LALR parser reduces (no tree).

    Each method is named after a grammar rule (or alias) and gets that rule's
    children. One builder serves the cached driver; `reset` points it at the next file.
    """

    def __init__(self) -> None:
        self.reset(_NO_SOURCE)

    def reset(self, source: Source) -> None:
        self.source = source
        self.comments = _Comments()
        self.depths: dict[int, int] = {}

    # helpers ----------------------------------------------------------

    def span(self, token: Tok) -> Span:
        return Span(self.source, token[2], token[3])

    def start(self, children: Sequence[Any]) -> int:
        """Where the item made of `children` starts (its first attribute, keyword or name)."""
        first = children[0]
        if isinstance(first, tuple):
            keyword: Tok = first
            return keyword[2]
        if isinstance(first, Id):
            return first.span.start
        start: int = first.start  # an attribute
        return start

    def docs(self, start: int) -> Docs:
        """The comments written immediately before `start` (only whitespace between)."""
        c = self.comments
        index = bisect.bisect_right(c.ends, start) - 1
        if index < 0:
            return NO_DOCS
        found: list[int] = []
        text = self.source.text
        boundary = start
        while index >= 0:
            end = c.ends[index]
            if text[end:boundary].strip(" \t\n\r"):
                break
            found.append(index)
            boundary = c.starts[index]
            index -= 1
        if not found:
            return NO_DOCS
        found.reverse()
        span = Span(self.source, c.starts[found[0]], c.ends[found[-1]])
        return Docs(tuple(text[c.starts[i] : c.ends[i]] for i in found), span)

    @staticmethod
    def split_attrs(children: Sequence[Any]) -> tuple[tuple[Attribute, ...], Sequence[Any]]:
        if not children or not isinstance(children[0], _ATTRIBUTES):
            return (), children
        index = 1
        while index < len(children) and isinstance(children[index], _ATTRIBUTES):
            index += 1
        return tuple(children[:index]), children[index:]

    # identifiers, versions, attributes ---------------------------------

    def id(self, children: Sequence[Tok]) -> Id:
        kind, name, start, end = children[0]
        span = Span(self.source, start, end)
        if kind == "EXPLICIT_ID":
            name = name[1:]
        if name not in _VALID_IDS:
            problem = id_error(name)
            if problem is not None:
                raise WitSyntaxError(problem, span)
        return Id(name, span)

    def version(self, children: Sequence[Tok]) -> tuple[str, Span]:
        (token,) = children
        return self._version(token)

    def _version(self, token: Tok) -> tuple[str, Span]:
        span = self.span(token)
        problem = check_version(token[1])
        if problem is not None:
            raise WitSyntaxError(problem, span)
        return token[1], span

    def attr_version(self, children: Sequence[Any]) -> Attribute:
        at, name, key, token = children
        start = at[2]
        version, _ = self._version(token)
        if name.name == "since":
            self._expect_key(key, "version")
            return Since(version, name.span, start)
        if name.name == "deprecated":
            self._expect_key(key, "version")
            return Deprecated(version, name.span, start)
        raise self._bad_attribute(name)

    def attr_id(self, children: Sequence[Any]) -> Attribute:
        at, name, key, value = children
        start = at[2]
        if name.name == "unstable":
            self._expect_key(key, "feature")
            return Unstable(value.name, name.span, start)
        if name.name in ("since", "deprecated"):
            raise WitSyntaxError(f"expected a version, found {value.name!r}", value.span)
        raise self._bad_attribute(name)

    def attr_string(self, children: Sequence[Any]) -> Attribute:
        at, name, token = children
        start = at[2]
        if name.name != "external-id":
            raise self._bad_attribute(name)
        return ExternalId(self._string(token), name.span, start)

    def _string(self, token: Tok) -> str:
        body = token[1][1:-1]
        out: list[str] = []
        index = 0
        while index < len(body):
            ch = body[index]
            if ch != "\\":
                out.append(ch)
                index += 1
                continue
            esc = body[index + 1]
            if esc in _STRING_ESCAPES:
                out.append(_STRING_ESCAPES[esc])
                index += 2
            elif esc == "u" and body[index + 2 : index + 3] == "{":
                close = body.index("}", index)
                out.append(chr(int(body[index + 3 : close].replace("_", ""), 16)))
                index = close + 1
            else:
                raise WitSyntaxError(f"invalid string escape {esc!r}", self.span(token))
        return "".join(out)

    @staticmethod
    def _expect_key(key: Id, expected: str) -> None:
        if key.name != expected:
            raise WitSyntaxError(f"expected `{expected}`, found `{key.name}`", key.span)

    @staticmethod
    def _bad_attribute(name: Id) -> WitSyntaxError:
        return WitSyntaxError(f"unknown attribute `{name.name}`", name.span)

    # packages and paths ------------------------------------------------

    def package_name(self, children: Sequence[Any]) -> PackageName:
        namespace, name, version = (*children, None)[:3]
        end = version[1].end if version is not None else name.span.end
        span = Span(self.source, namespace.span.start, end)
        return PackageName(namespace, name, None if version is None else version[0], span)

    def package_header(self, children: Sequence[Any]) -> PackageName:
        name: PackageName = children[1]
        name.docs = self.docs(self.start(children))  # the name is this header's own node
        return name

    def local_path(self, children: Sequence[Any]) -> LocalPath:
        return LocalPath(children[0])

    def package_path(self, children: Sequence[Any]) -> PackagePath:
        namespace, pkg, name, version = (*children, None)[:4]
        span = Span(self.source, namespace.span.start, pkg.span.end)
        version_text = None if version is None else version[0]
        return PackagePath(PackageName(namespace, pkg, version_text, span), name)

    def file(self, children: Sequence[Any]) -> PackageFile:
        if children and isinstance(children[0], PackageName):
            return PackageFile(children[0], tuple(children[1:]))
        return PackageFile(None, tuple(children))

    def nested_package(self, children: Sequence[Any]) -> PackageFile:
        _, name, *items = children
        name.docs = self.docs(self.start(children))  # the name is this block's own node
        return PackageFile(name, tuple(items))

    def nested_package_attrs(self, children: Sequence[Any]) -> PackageFile:
        _, rest = self.split_attrs(children)
        raise WitSyntaxError("cannot place attributes on nested packages", self.span(rest[0]))

    def toplevel_use(self, children: Sequence[Any]) -> ToplevelUse:
        attributes, (keyword, path, as_) = self.split_attrs(children)
        return ToplevelUse(self.span(keyword), attributes, path, as_)

    # interfaces and worlds ---------------------------------------------

    def interface(self, children: Sequence[Any]) -> Interface:
        attributes, (_, name, *items) = self.split_attrs(children)
        return Interface(self.docs(self.start(children)), attributes, name, tuple(items))

    def world(self, children: Sequence[Any]) -> World:
        attributes, (_, name, *items) = self.split_attrs(children)
        return World(self.docs(self.start(children)), attributes, name, tuple(items))

    def use(self, children: Sequence[Any]) -> Use:
        attributes, (_, path, names) = self.split_attrs(children)
        return Use(attributes, path, names)

    def use_names(self, children: Sequence[Any]) -> tuple[UseName, ...]:
        return tuple(c for c in children if c is not None)

    def use_name(self, children: Sequence[Any]) -> UseName:
        return UseName(children[0], children[1])

    def import_(self, children: Sequence[Any]) -> Extern:
        attributes, (_, kind) = self.split_attrs(children)
        return Extern(True, self.docs(self.start(children)), attributes, kind)

    def export_(self, children: Sequence[Any]) -> Extern:
        attributes, (_, kind) = self.split_attrs(children)
        return Extern(False, self.docs(self.start(children)), attributes, kind)

    def extern_func(self, children: Sequence[Any]) -> ExternFunc:
        name, func = children
        return ExternFunc(name, func)

    def extern_interface(self, children: Sequence[Any]) -> ExternInterface:
        return ExternInterface(children[0], tuple(children[1:]))

    def extern_path(self, children: Sequence[Any]) -> ExternPath:
        return ExternPath(children[0])

    def extern_named(self, children: Sequence[Any]) -> ExternNamed:
        return ExternNamed(children[0], children[1])

    def include(self, children: Sequence[Any]) -> Include:
        attributes, (_, path, *rest) = self.split_attrs(children)
        return Include(attributes, path, rest[0] if rest else ())

    def include_names(self, children: Sequence[Any]) -> tuple[tuple[Id, Id], ...]:
        return tuple(c for c in children if c is not None)

    def include_name(self, children: Sequence[Any]) -> tuple[Id, Id]:
        return (children[0], children[1])

    # functions ---------------------------------------------------------

    def named_func(self, children: Sequence[Any]) -> NamedFunc:
        attributes, (name, func) = self.split_attrs(children)
        docs = self.docs(self.start(children))
        return NamedFunc(docs, attributes, name, func)

    def func_type(self, children: Sequence[Any]) -> Func:
        is_async = len(children) == 3  # an ASYNC token before the params
        if is_async:
            children = children[1:]
        params, result = children
        return Func(is_async, params, result)

    def params(self, children: Sequence[Any]) -> tuple[tuple[Id, Type], ...]:
        return tuple(c for c in children if c is not None)

    def param(self, children: Sequence[Any]) -> tuple[Id, Type]:
        return (children[0], children[1])

    def constructor(self, children: Sequence[Any]) -> ResourceFunc:
        attributes, (token, params, result) = self.split_attrs(children)
        span = self.span(token)
        func = Func(False, params, result)
        docs = self.docs(self.start(children))
        named = NamedFunc(docs, attributes, Id("constructor", span), func)
        return ResourceFunc("constructor", named)

    def resource_method(self, children: Sequence[Any]) -> ResourceFunc:
        attributes, rest = self.split_attrs(children)
        name, *mid, func = rest
        kind = "static" if mid else "method"
        docs = self.docs(self.start(children))
        named = NamedFunc(docs, attributes, name, func)
        return ResourceFunc(kind, named)

    # type definitions --------------------------------------------------

    def _typedef(self, children: Sequence[Any], build: Any) -> TypeDef:
        attributes, (_, name, *rest) = self.split_attrs(children)
        return TypeDef(self.docs(self.start(children)), attributes, name, build(name, rest))

    def type_alias(self, children: Sequence[Any]) -> TypeDef:
        return self._typedef(children, lambda name, rest: rest[0])

    def record(self, children: Sequence[Any]) -> TypeDef:
        return self._typedef(children, lambda name, rest: Record(rest[0], name.span))

    def flags(self, children: Sequence[Any]) -> TypeDef:
        return self._typedef(children, lambda name, rest: Flags(rest[0], name.span))

    def variant(self, children: Sequence[Any]) -> TypeDef:
        return self._typedef(children, lambda name, rest: Variant(rest[0], name.span))

    def enum(self, children: Sequence[Any]) -> TypeDef:
        return self._typedef(children, lambda name, rest: Enum(rest[0], name.span))

    def resource(self, children: Sequence[Any]) -> TypeDef:
        return self._typedef(children, lambda name, rest: Resource(tuple(rest), name.span))

    def fields(self, children: Sequence[Any]) -> tuple[Field, ...]:
        return tuple(c for c in children if c is not None)

    def field(self, children: Sequence[Any]) -> Field:
        return Field(self.docs(self.start(children)), children[0], children[1])

    def flag_names(self, children: Sequence[Any]) -> tuple[Flag, ...]:
        return tuple(c for c in children if c is not None)

    def flag_name(self, children: Sequence[Any]) -> Flag:
        return Flag(self.docs(self.start(children)), children[0])

    def cases(self, children: Sequence[Any]) -> tuple[Case, ...]:
        return tuple(c for c in children if c is not None)

    def case(self, children: Sequence[Any]) -> Case:
        return Case(self.docs(self.start(children)), children[0], children[1])

    def enum_cases(self, children: Sequence[Any]) -> tuple[EnumCase, ...]:
        return tuple(c for c in children if c is not None)

    def enum_case(self, children: Sequence[Any]) -> EnumCase:
        return EnumCase(self.docs(self.start(children)), children[0])

    # types ---------------------------------------------------------------

    def _nested(self, node: Type, *inner: Type | None) -> Type:
        """Record how deeply `node` nests types; wit-parser rejects 100 levels."""
        depth = 1 + max((self.depths.get(id(t), 0) for t in inner if t is not None), default=0)
        if depth >= MAX_TYPE_DEPTH:
            raise WitSyntaxError("type nesting too deep", node.span)
        self.depths[id(node)] = depth
        return node

    def primitive(self, children: Sequence[Tok]) -> Primitive:
        (token,) = children
        return Primitive(token[1], self.span(token))

    def named(self, children: Sequence[Any]) -> Named:
        return Named(children[0])

    def list_type(self, children: Sequence[Any]) -> Type:
        return self._nested(ListType(children[1], self.span(children[0])), children[1])

    def fixed_list(self, children: Sequence[Any]) -> Type:
        token, element, size = children
        digits = size[1].lstrip("0") or "0"
        if len(digits) > 10 or int(digits) >= 2**32:  # int() of thousands of digits fails
            raise WitSyntaxError(
                "invalid list size: number too large to fit in target type", self.span(size)
            )
        value = int(digits)
        return self._nested(FixedListType(element, value, self.span(token)), element)

    def map_type(self, children: Sequence[Any]) -> Type:
        return self._nested(
            MapType(children[1], children[2], self.span(children[0])), children[1], children[2]
        )

    def option(self, children: Sequence[Any]) -> Type:
        return self._nested(OptionType(children[1], self.span(children[0])), children[1])

    def result_bare(self, children: Sequence[Any]) -> ResultType:
        return ResultType(None, None, self.span(children[0]))

    def result_ok(self, children: Sequence[Any]) -> Type:
        return self._nested(ResultType(children[1], None, self.span(children[0])), children[1])

    def result_ok_err(self, children: Sequence[Any]) -> Type:
        return self._nested(
            ResultType(children[1], children[2], self.span(children[0])), children[1], children[2]
        )

    def result_err(self, children: Sequence[Any]) -> Type:
        return self._nested(ResultType(None, children[1], self.span(children[0])), children[1])

    def tuple_type(self, children: Sequence[Any]) -> Type:
        token, *types = children
        inner = tuple(t for t in types if t is not None)
        return self._nested(TupleType(inner, self.span(token)), *inner)

    def future(self, children: Sequence[Any]) -> Type:
        return self._nested(FutureType(children[1], self.span(children[0])), children[1])

    def stream(self, children: Sequence[Any]) -> Type:
        return self._nested(StreamType(children[1], self.span(children[0])), children[1])

    def own(self, children: Sequence[Any]) -> HandleType:
        return HandleType(False, children[1])

    def borrow(self, children: Sequence[Any]) -> HandleType:
        return HandleType(True, children[1])
