"""Parse WAVE text against a WIT type into the Python mapping (`linker.wave.mapping`).

Follows the wasm-wave crate's grammar: `//` comments, `nan`/`inf`/`-inf`, `'c'` chars and
`"..."` / `\"\"\"` multiline strings with `\\t \\n \\r \\' \\" \\\\ \\u{...}` escapes, `[..]`
lists, `(..)` tuples, `{a: 1}` records (`{:}` when empty; option fields may be left
out), `{a, b}` flags, `case(payload)` variants, `%`-escaped labels, and "flat" options and
results (`5` for `some(5)` or `ok(5)`). Errors are `WaveError`s naming line, column and the
expected type.
"""

from __future__ import annotations

import re
import struct
from typing import Any

import attrs

from linker.errors import WitlinkError
from linker.wave import mapping
from linker.wave import types as t
from linker.wave.writer import KEYWORDS

MAX_DEPTH = 100
_TOKEN = re.compile(
    r"""
    (?P<space>(?:[ \t\n\r]+|//[^\n]*)+)
  | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|-inf)
  | (?P<multiline>\"\"\"(?:[^\\]|\\.)*?\"\"\")
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\.)*')
  | (?P<label>%?(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*))*)
  | (?P<punct>[()\[\]{},:])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(u\{([0-9a-fA-F]{1,6})\}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "'": "'", '"': '"', "\\": "\\"}
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_F32 = struct.Struct("=f")


class WaveError(WitlinkError):
    """WAVE text that does not parse, or does not fit the expected type.

    `offset` (0-based), `line` and `column` (1-based) locate the problem."""

    def __init__(self, message: str, text: str, offset: int) -> None:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        super().__init__(f"WAVE line {line}, column {column}: {message}")
        self.offset = offset
        self.line = line
        self.column = column


@attrs.frozen
class Token:
    kind: str
    text: str
    offset: int


def _tokens(text: str, start: int = 0) -> list[Token]:
    found: list[Token] = []
    at = start
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise WaveError(f"unexpected character {text[at]!r}", text, at)
        kind = match.lastgroup or ""
        if kind != "space":
            found.append(Token(kind, match.group(), at))
        at = match.end()
    found.append(Token("end", "", len(text)))
    return found


def parse(ty: t.ValueType, text: str) -> Any:
    """The value of type `ty` that WAVE `text` encodes."""
    reader = _Reader(text, _tokens(text))
    value = reader.value(ty)
    reader.expect_end()
    return value


def split_call(text: str) -> tuple[str, str]:
    """A call such as `acme:math/lib#add(1, 2)` as its function name and `(1, 2)`."""
    name, paren, rest = text.partition("(")
    if not paren:
        raise WaveError("expected `(` after the function name", text, len(text))
    return name.strip(), paren + rest


def parse_args(types: list[t.ValueType], names: list[str], text: str) -> list[Any]:
    """The arguments `(a, b, ...)` of a call whose parameters have `names` and `types`."""
    reader = _Reader(text, _tokens(text))
    values = reader.arguments(types, names)
    reader.expect_end()
    return values


class _Reader:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    # -- tokens ---------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        if token.kind != "end":
            self.at += 1
        return token

    def fail(self, message: str, token: Token | None = None) -> WaveError:
        token = token or self.peek()
        found = "the end of the text" if token.kind == "end" else f"`{token.text}`"
        return WaveError(f"{message}, found {found}", self.text, token.offset)

    def punct(self, mark: str) -> bool:
        token = self.peek()
        if token.kind == "punct" and token.text == mark:
            self.at += 1
            return True
        return False

    def expect(self, mark: str, what: str) -> None:
        if not self.punct(mark):
            raise self.fail(f"expected `{mark}` {what}")

    def expect_end(self) -> None:
        if self.peek().kind != "end":
            raise self.fail("expected the end of the value")

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token.kind == "label" and token.text == word:
            self.at += 1
            return True
        return False

    # -- values ---------------------------------------------------------------------

    def value(self, ty: t.ValueType) -> Any:
        if self.depth >= MAX_DEPTH:
            raise self.fail(f"values nest more than {MAX_DEPTH} deep")
        self.depth += 1
        try:
            return self._value(ty)
        finally:
            self.depth -= 1

    def _value(self, ty: t.ValueType) -> Any:
        if isinstance(ty, t.Scalar):
            return self.scalar(ty)
        if isinstance(ty, t.ListType):
            self.expect("[", f"to start a {ty}")
            items = self.items("]", lambda i: ty.element)
            if ty.element == t.Scalar("u8"):
                return bytes(items)
            return items
        if isinstance(ty, t.TupleType):
            self.expect("(", f"to start a {ty}")
            start = self.tokens[self.at - 1]
            items = self.items(")", lambda i: ty.elements[min(i, len(ty.elements) - 1)])
            if len(items) != len(ty.elements):
                raise self.fail(f"expected {len(ty.elements)} values in {ty}", start)
            return tuple(items)
        if isinstance(ty, t.RecordType):
            return self.record(ty)
        if isinstance(ty, t.FlagsType):
            return self.flags(ty)
        if isinstance(ty, t.VariantType | t.EnumType):
            return self.case(ty)
        if isinstance(ty, t.OptionType):
            return self.option(ty)
        if isinstance(ty, t.ResultType):
            return self.result(ty)
        raise self.fail(f"a {ty} cannot be written in WAVE")

    def items(self, end: str, type_at: Any) -> list[Any]:
        items: list[Any] = []
        while not self.punct(end):
            items.append(self.value(type_at(len(items))))
            if not self.punct(","):
                self.expect(end, "or `,`")
                break
        return items

    def scalar(self, ty: t.Scalar) -> Any:
        token = self.peek()
        name = ty.name
        if name == "bool":
            if token.kind == "label" and token.text in ("true", "false"):
                self.take()
                return token.text == "true"
        elif name in t.INT_RANGES:
            if token.kind == "number" and _INTEGER.fullmatch(token.text):
                number = int(token.text)
                low, high = t.INT_RANGES[name]
                if not low <= number <= high:
                    raise self.fail(f"expected {name} ({low}..{high})")
                self.take()
                return number
        elif name in ("f32", "f64"):
            if token.kind == "number" or (token.kind == "label" and token.text in ("nan", "inf")):
                real = float(token.text)
                if name == "f32":
                    if not mapping.fits_f32(real):
                        raise self.fail("expected f32 (the number is too large)")
                    real = _F32.unpack(_F32.pack(real))[0]
                self.take()
                return real
        elif name == "char":
            if token.kind == "char":
                text = self.unescape(token, token.text[1:-1])
                if len(text) != 1:
                    raise self.fail("expected exactly one character in a char")
                self.take()
                return text
        elif token.kind == "string":
            self.take()
            return self.unescape(token, token.text[1:-1])
        elif token.kind == "multiline":
            self.take()
            return self.multiline(token)
        raise self.fail(f"expected {name}")

    def unescape(self, token: Token, body: str) -> str:
        def replace(match: re.Match[str]) -> str:
            code = match.group(2)
            if code is not None:
                number = int(code, 16)
                if number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
                    raise self.fail("invalid unicode escape (not a scalar value)", token)
                return chr(number)
            simple = _SIMPLE_ESCAPES.get(match.group(1))
            if simple is None:
                raise self.fail(f"invalid escape `{match.group()}`", token)
            return simple

        return _ESCAPE.sub(replace, body)

    def multiline(self, token: Token) -> str:
        body = token.text[3:-3]
        if not body.startswith(("\n", "\r\n")):
            raise self.fail('expected a line break after `"""`', token)
        lines = body.split("\n")[1:]
        indent = lines[-1]
        if indent.strip(" "):
            raise self.fail('expected only spaces before the closing `"""`', token)
        kept = []
        for line in lines[:-1]:
            line = line.removesuffix("\r")
            if not line.startswith(indent) and line.strip(" "):
                raise self.fail("a line is indented less than the closing quotes", token)
            kept.append(line[len(indent) :])
        return self.unescape(token, "\n".join(kept))

    def label(self, what: str) -> str:
        token = self.peek()
        if token.kind != "label":
            raise self.fail(f"expected {what}")
        self.take()
        return token.text.removeprefix("%")

    def record(self, ty: t.RecordType) -> dict[str, Any]:
        self.expect("{", f"to start a {ty}")
        start = self.tokens[self.at - 1]
        types = dict(ty.fields)
        found: dict[str, Any] = {}
        if self.punct(":"):
            self.expect("}", "after `{:`")
        else:
            while not self.punct("}"):
                token = self.peek()
                name = self.label("a field name")
                if name not in types:
                    raise self.fail(f"no field `{name}` in {ty}", token)
                if name in found:
                    raise self.fail(f"field `{name}` given twice", token)
                self.expect(":", "after a field name")
                found[name] = self.value(types[name])
                if not self.punct(","):
                    self.expect("}", "or `,`")
                    break
        for name, fty in ty.fields:
            if name not in found:
                if not isinstance(fty, t.OptionType):
                    raise self.fail(f"missing field `{name}` of {ty}", start)
                found[name] = None
        return {name: found[name] for name, _ in ty.fields}

    def flags(self, ty: t.FlagsType) -> frozenset[str]:
        self.expect("{", f"to start a {ty}")
        chosen: set[str] = set()
        while not self.punct("}"):
            token = self.peek()
            name = self.label("a flag name")
            if name not in ty.names:
                raise self.fail(f"no flag `{name}` in {ty}", token)
            if name in chosen:
                raise self.fail(f"flag `{name}` given twice", token)
            chosen.add(name)
            if not self.punct(","):
                self.expect("}", "or `,`")
                break
        return frozenset(chosen)

    def case(self, ty: t.VariantType | t.EnumType) -> Any:
        token = self.peek()
        if token.kind == "label" and token.text in KEYWORDS:
            raise self.fail(f"expected a case of {ty} (write `%{token.text}` for a case so named)")
        name = self.label(f"a case of {ty}")
        cases: dict[str, t.ValueType | None] = (
            dict(ty.cases) if isinstance(ty, t.VariantType) else dict.fromkeys(ty.names)
        )
        if name not in cases:
            raise self.fail(f"expected a case of {ty}", token)
        if isinstance(ty, t.EnumType):
            return name
        return mapping.Variant(name, self.payload(cases[name], name))

    def payload(self, ty: t.ValueType | None, case: str) -> Any:
        if ty is None:
            if self.peek().text == "(":
                raise self.fail(f"case `{case}` has no payload")
            return None
        self.expect("(", f"after `{case}` (its payload)")
        value = self.value(ty)
        self.expect(")", f"to close `{case}(`")
        return value

    def option(self, ty: t.OptionType) -> Any:
        if self.keyword("none"):
            return None
        explicit = self.keyword("some")
        value = self.payload(ty.payload, "some") if explicit else self.value(ty.payload)
        return mapping.Some(value) if mapping.nested_option(ty.payload) else value

    def result(self, ty: t.ResultType) -> Any:
        if self.keyword("ok"):
            return mapping.Ok(self.optional_payload(ty.ok, "ok"))
        if self.keyword("err"):
            return mapping.Err(self.optional_payload(ty.err, "err"))
        if ty.ok is None:
            raise self.fail(f"expected `ok` or `err` for {ty}")
        return mapping.Ok(self.value(ty.ok))

    def optional_payload(self, ty: t.ValueType | None, case: str) -> Any:
        if ty is not None and self.peek().text != "(":
            raise self.fail(f"expected `(` after `{case}` (its payload)")
        return self.payload(ty, case)

    # -- calls ----------------------------------------------------------------------

    def arguments(self, types: list[t.ValueType], names: list[str]) -> list[Any]:
        self.expect("(", "to start the arguments")
        values: list[Any] = []
        while not self.punct(")"):
            if len(values) == len(types):
                raise self.fail(f"expected {len(types)} argument(s) ({', '.join(names)})")
            values.append(self.value(types[len(values)]))
            if not self.punct(","):
                self.expect(")", "or `,`")
                break
        if len(values) != len(types):
            raise self.fail(
                f"expected {len(types)} argument(s) ({', '.join(names)}), got {len(values)}",
                self.tokens[self.at - 1],
            )
        return values
