"""The lean LALR driver parses exactly as lark's own LALR parser does on the same grammar.

Every corpus `.wit` file (passing and failing cases, and truncations of each) is
parsed twice: by `lark.Lark.parse` into a tree, and by `linker.wit.lalr.Driver`
with actions that build the same tree. Trees, comment positions and the place and
kind of the first syntax error must agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lark
import pytest

from linker.wit import ast
from linker.wit.lalr import END, Driver, ParseFailure


class _TreeActions:
    """Actions that make `(rule, children)` nodes, like lark's trees."""

    def __getattr__(self, rule: str) -> Any:
        return lambda children: (rule, [_plain(c) for c in children])


def _plain(node: Any) -> Any:
    if isinstance(node, lark.Token):
        return (node.type, str(node), node.start_pos, node.end_pos)
    if isinstance(node, lark.Tree):
        return (node.data, [_plain(c) for c in node.children])
    return node


def _lark_result(parser: lark.Lark, text: str) -> tuple[str, Any]:
    try:
        return "tree", _plain(parser.parse(text))
    except lark.exceptions.UnexpectedCharacters as err:
        return "error", (err.pos_in_stream, None)
    except lark.exceptions.UnexpectedToken as err:
        token = err.token
        start = len(text) if token.type == END else token.start_pos
        return "error", (start, token.type)


def _driver_result(driver: Driver, text: str) -> tuple[str, Any]:
    try:
        return "tree", driver.parse(text, 0, lambda start, end: None)
    except ParseFailure as err:
        return "error", (err.start, err.found)


def _comments(parser: lark.Lark, text: str) -> list[tuple[int, int]]:
    found = []
    for token in parser.lex(text, dont_ignore=True):
        if token.type == "COMMENT":
            assert token.start_pos is not None and token.end_pos is not None
            found.append((token.start_pos, token.end_pos))
    return found


def _driver_comments(driver: Driver, text: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    driver.parse(text, 0, lambda start, end: found.append((start, end)))
    return found


def _texts(corpus: Path) -> Sequence[tuple[str, str]]:
    texts = []
    for path in sorted(corpus.rglob("*.wit")):
        text = path.read_text(encoding="utf-8", errors="replace").removeprefix("\ufeff")
        name = str(path.relative_to(corpus))
        texts.append((name, text))
        for cut in range(7, len(text), max(len(text) // 5, 1)):  # a few truncations each
            texts.append((f"{name}[:{cut}]", text[:cut]))
    return texts


@pytest.fixture(scope="module")
def parsers() -> tuple[lark.Lark, Driver]:
    parser = ast._parser()
    return parser, Driver(parser, _TreeActions(), "COMMENT")


def test_driver_agrees_with_lark(corpus: Path, parsers: tuple[lark.Lark, Driver]) -> None:
    parser, driver = parsers
    texts = _texts(corpus)
    assert len(texts) > 1000
    errors = 0
    for name, text in texts:
        expected = _lark_result(parser, text)
        assert _driver_result(driver, text) == expected, name
        errors += expected[0] == "error"
    assert 300 < errors < len(texts)  # both outcomes are well exercised


def test_comments_agree_with_lark(corpus: Path, parsers: tuple[lark.Lark, Driver]) -> None:
    parser, driver = parsers
    for name, text in _texts(corpus):
        if _lark_result(parser, text)[0] == "tree":
            assert _driver_comments(driver, text) == _comments(parser, text), name
