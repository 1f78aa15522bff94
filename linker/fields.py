"""Typed, checked access to a parsed document (a TOML table or a JSON object).

Manifests and plans are read through `Fields`, so both give the same precise errors:
which file, which key path (`extensions[2].permissions.max-memory-mb`), what was
expected and what was found. Nothing is coerced: a string where a list of strings is
expected is refused, never read character by character.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from operator import itemgetter
from typing import Any, NoReturn

from linker.errors import WitlinkError

MAX_COUNT = 2**31 - 1
"""The largest count a document may give (memory in MiB, rates, sizes in KiB...)."""

_MISSING = object()


def kind(value: object) -> str:
    """How `value` reads in an error message: `a string`, `a list`, ..."""
    names = {bool: "a boolean", str: "a string", int: "an integer", float: "a number"}
    names |= {list: "a list", dict: "a table", type(None): "null"}
    return names.get(type(value), type(value).__name__)


class Fields:
    """One table of a document; `where` (a file) and `prefix` (its key path) name it in errors."""

    def __init__(
        self,
        table: Mapping[str, Any],
        *,
        where: str,
        error: type[WitlinkError],
        prefix: str = "",
    ) -> None:
        self.table, self.where, self.error, self.prefix = table, where, error, prefix

    def fail(self, key: str, expected: str) -> NoReturn:
        value = self.table.get(key, _MISSING)
        found = "it is missing" if value is _MISSING else f"it is {kind(value)}"
        raise self.error(f"{self.where}: `{self.prefix}{key}` must be {expected}; {found}")

    def _get(self, key: str, required: bool, expected: str) -> Any:
        value = self.table.get(key)
        if value is None and required:
            self.fail(key, expected)
        return value

    def _clean(self, key: str, value: str) -> str:
        if not clean(value):
            self.fail(key, "text without NUL characters or lone surrogates")
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self._get(key, required, "a string")
        if value is not None and not isinstance(value, str):
            self.fail(key, "a string")
        return value if value is None else self._clean(key, value)

    def need_text(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        try:  # joining checks the types and the text of every item at C speed
            if isinstance(value, list) and clean("".join(value)):
                return tuple(value)
        except TypeError:
            self.fail(key, "a list of strings")
        if not isinstance(value, list):
            self.fail(key, "a list of strings")
        self.fail(key, "a list of texts without NUL characters or lone surrogates")

    def flag(self, key: str) -> bool:
        """An optional boolean, false when absent."""
        value = self._get(key, False, "true or false")
        if value is not None and not isinstance(value, bool):
            self.fail(key, "true or false")
        return bool(value)

    def text_map(self, key: str) -> dict[str, str]:
        """A table of strings (the keys are strings already)."""
        sub = self.sub(key)
        return {sub._clean(k, k): sub.need_text(k) for k in sub.table}

    def count(
        self, key: str, *, minimum: int = 1, maximum: int = MAX_COUNT, required: bool = False
    ) -> int | None:
        expected = f"an integer from {minimum} to {maximum}"
        value = self._get(key, required, expected)
        if value is not None and (
            type(value) is not int or not minimum <= value <= maximum  # bool is no count
        ):
            self.fail(key, expected)
        return value

    def sub(self, key: str, *, required: bool = False) -> Fields:
        value = self._get(key, required, "a table")
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.fail(key, "a table")
        return Fields(value, where=self.where, error=self.error, prefix=f"{self.prefix}{key}.")

    def tables(self, key: str) -> list[Fields]:
        """A required list of tables, each named `key[i]` in errors."""
        value = self._get(key, True, "a list of tables")
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, "a list of tables")
        return [self._item(key, i, v) for i, v in enumerate(value)]

    def records(self, key: str, names: tuple[str, ...]) -> list[tuple[str, ...]]:
        """A required list of tables holding exactly the string fields `names` (two or more):
        their values in that order. Checked in bulk; on a failure, entry by entry for the error."""
        value = self._get(key, True, "a list of tables")
        if not isinstance(value, list):
            self.fail(key, "a list of tables")
        try:
            rows: list[tuple[str, ...]] = list(map(itemgetter(*names), value))
            if clean("".join(chain.from_iterable(rows))) and all(
                len(row) == len(names) for row in value
            ):
                return rows
        except (KeyError, TypeError):  # a missing field, a row or a value of another type
            pass
        rows = []
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                self.fail(key, "a list of tables")
            item = self._item(key, i, row)
            item.check_keys(set(names))
            rows.append(tuple(item.need_text(name) for name in names))
        return rows

    def _item(self, key: str, index: int, table: Mapping[str, Any]) -> Fields:
        prefix = f"{self.prefix}{key}[{index}]."
        return Fields(table, where=self.where, error=self.error, prefix=prefix)

    def check_keys(self, known: set[str]) -> None:
        if known.issuperset(self.table):
            return
        unknown = sorted(set(self.table) - known)
        if unknown:
            names = ", ".join(f"`{self.prefix}{k}`" for k in unknown)
            raise self.error(
                f"{self.where}: unknown key {names}; known keys: {', '.join(sorted(known))}"
            )


def clean(text: str) -> bool:
    """Whether `text` holds no NUL character and no lone surrogate (so it is UTF-8 text)."""
    if "\0" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
