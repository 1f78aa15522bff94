"""Python spellings of WIT names, and unique-name allocation within a module."""

from __future__ import annotations

import builtins
import keyword
import re
import textwrap

_RESERVED = (
    frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"self", "cls", "l", "O", "I"}
)
"""Keywords, names methods need, and names ruff rejects as ambiguous (E741)."""


def kebab(name: str) -> str:
    """Any WIT name as kebab words: `acme:tags/lib@0.2.0` -> `acme-tags-lib-0-2-0`."""
    return re.sub(r"[^0-9A-Za-z]+", "-", name).strip("-")


def snake(name: str) -> str:
    """`get-HTTP-body` -> `get_http_body`; Python keywords get a trailing `_`."""
    result = name.replace("-", "_").lower()
    return result + "_" if result in _RESERVED else result


def pascal(name: str) -> str:
    """`http-error` -> `HttpError`."""
    return "".join(part[:1].upper() + part[1:].lower() for part in name.split("-") if part)


def upper(name: str) -> str:
    """`not-found` -> `NOT_FOUND` (enum members and flags)."""
    return name.replace("-", "_").upper()


def docstring(text: str | None, indent: str) -> list[str]:
    """Lines of a docstring for WIT doc comments `text` (none when there are no docs)."""
    if not text or not text.strip():
        return []
    body = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = wrap(body, 94 - len(indent))
    if body.endswith('"'):
        lines[-1] += " "
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out += [f"{indent}{line}".rstrip() for line in lines[1:]]
    out.append(f'{indent}"""')
    return out


def lit(text: str) -> str:
    """`text` as a Python string literal, double-quoted as ruff formats it."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return repr(text)


def wrap(text: str, width: int) -> list[str]:
    """The lines of `text`, long ones wrapped at `width` (keeping their indentation)."""
    out: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        out += textwrap.wrap(line, width, initial_indent="", subsequent_indent=lead) or [line]
    return out


def bracketed(head: str, items: list[str], tail: str, indent: str) -> list[str]:
    """`head(items)tail` as ruff formats it: one line, items on one line, or one per line."""
    joined = ", ".join(items)
    if len(indent) + len(head) + len(joined) + len(tail) <= 100:
        return [f"{indent}{head}{joined}{tail}"]
    inner = indent + "    "
    if len(inner) + len(joined) <= 100:
        return [f"{indent}{head}", f"{inner}{joined}", f"{indent}{tail.lstrip()}"]
    return [f"{indent}{head}", *(f"{inner}{item}," for item in items), f"{indent}{tail.lstrip()}"]


class Namespace:
    """Hands out names unique within one Python scope, deterministically."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._taken = set(taken or ()) | set(dir(builtins))

    def claim(self, *candidates: str) -> str:
        """The first free candidate, else the last one with a numeric suffix."""
        for candidate in candidates:
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate
        base = candidates[-1]
        n = 2
        while f"{base}{n}" in self._taken:
            n += 1
        self._taken.add(f"{base}{n}")
        return f"{base}{n}"
