"""Source files, spans inside them, and rendering located errors.

Errors are rendered as wit-parser does: the message, then `--> path:line:col`,
the offending line and a caret under the column.
"""

from __future__ import annotations

import attrs

from linker.errors import WitError


@attrs.frozen(eq=False)
class Source:
    """One WIT file: its path as shown in messages, and its text."""

    path: str
    text: str = attrs.field(repr=False)


@attrs.define  # not frozen: a frozen attrs `__init__` is slow and spans are made by the thousand
class Span:
    """Character offsets `start..end` in `source`."""

    source: Source
    start: int
    end: int


class WitSyntaxError(Exception):
    """Raised inside the front end with a span; turned into `WitError` by `located`."""

    def __init__(self, message: str, span: Span | None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


def located(message: str, span: Span | None) -> WitError:
    """A `WitError` whose message shows where `span` is, wit-parser style."""
    if span is None:
        return WitError(message)
    text = span.source.text
    start = min(span.start, len(text))
    line_start = text.rfind("\n", 0, start) + 1
    line_no = text.count("\n", 0, start) + 1
    column = start - line_start + 1
    line_end = text.find("\n", start)
    snippet = text[line_start : len(text) if line_end < 0 else line_end].rstrip("\r")
    path = span.source.path
    if len(snippet) > 500:
        return WitError(
            f"{path}:{line_no}:{column}: {message}", path=path, line=line_no, column=column
        )
    width = max(span.end - start, 1)
    marker = " " * (column - 1) + "^" + "-" * (min(width, len(snippet) - column + 1) - 1)
    rendered = (
        f"{message}\n     --> {path}:{line_no}:{column}\n      |\n"
        f" {line_no:4} | {snippet}\n      | {marker}"
    )
    return WitError(rendered, path=path, line=line_no, column=column)
