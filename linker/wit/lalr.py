"""A lean driver for the LALR(1) tables lark builds from `grammar.lark`.

lark's own `parse` spends most of a WIT load on per-token bookkeeping (Token
objects, line counters, generic child filters, trees for inlined rules). This
driver runs the same grammar's tables in one loop instead:

- scanning uses lark's terminals in lark's order as one master regex; a string
  terminal that an identifier pattern also matches (a keyword) is found by a dict
  lookup on the identifier, as lark's basic lexer does;
- parsing follows lark's parse table, shift for shift and reduce for reduce;
- each rule's children are shaped as lark's tree builder shapes them with
  `maybe_placeholders=True` (anonymous tokens dropped, `_rules` spliced into their
  parent, `None` for an absent `[optional]` part) and handed to the method of the
  actions object named after the rule (or its alias).

Tokens reach the actions as `(type, text, start, end)` tuples, offsets into the
scanned text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, TypeAlias

import lark
from lark.grammar import Rule
from lark.lexer import PatternStr
from lark.parsers.lalr_analysis import Shift

Tok: TypeAlias = tuple[str, str, int, int]
"""A kept token: terminal name, text, start and end offsets."""

Reducer: TypeAlias = Callable[[list[Any]], Any]
"""From the values a reduction pops to the value it pushes."""
Action: TypeAlias = Callable[[Sequence[Any]], Any]
"""From a rule's shaped children (a list, or a tuple of picked values) to its value."""

END = "$END"
_CHARS = "ONE_CHARACTER"
"""The scanner's group for all one-character literal terminals."""


class ParseFailure(Exception):
    """Bad input at `start..end`: an unexpected token `found`, or (None) an unknown character."""

    def __init__(self, start: int, end: int, found: str | None, expected: set[str]) -> None:
        super().__init__(found)
        self.start = start
        self.end = end
        self.found = found
        self.expected = expected


class Driver:
    """Parses with `parser`'s tables, reducing through the methods of `actions`."""

    def __init__(self, parser: lark.Lark, actions: object, comment: str) -> None:
        lexer = parser.parser.lexer
        terminals = list(lexer.terminals)  # lark's match order
        literals = [t for t in terminals if isinstance(t.pattern, PatternStr)]
        patterns = [t for t in terminals if not isinstance(t.pattern, PatternStr)]
        self.keywords: dict[str, dict[str, str]] = {}
        hidden: set[str] = set()
        for term in patterns:
            regex = re.compile(term.pattern.to_regexp())
            matched = {
                t.pattern.value: t.name
                for t in literals
                if t.priority == term.priority and regex.fullmatch(t.pattern.value)
            }
            if matched:
                self.keywords[term.name] = matched
                hidden.update(matched.values())
        # ignored terminals other than comments (whitespace) are skipped as a prefix of
        # every token, so the loop below sees one match per token or comment
        ignore = set(lexer.ignore_types)
        skipped = "|".join(t.pattern.to_regexp() for t in terminals if t.name in ignore - {comment})
        self.skip = re.compile(f"(?:{skipped})*+")
        scanned = [t for t in terminals if t.name not in hidden | (ignore - {comment})]
        # lark sorts by width, so the one-character literals come last, one after another;
        # they cannot overlap, so one character class matches them all in their place
        # (the text then names the terminal, as for keywords)
        single = [isinstance(t.pattern, PatternStr) and len(t.pattern.value) == 1 for t in scanned]
        first = single.index(True) if True in single else len(scanned)
        assert all(single[first:]), "one-character literals must come last"
        chars = {t.pattern.value: t.name for t in scanned[first:]}
        alternatives = [f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in scanned[:first]]
        if chars:
            self.keywords[_CHARS] = chars
            alternatives.append(f"(?P<{_CHARS}>[{''.join(map(re.escape, chars))}])")
        self.scanner = re.compile(f"(?:{skipped})*+(?:{'|'.join(alternatives)})")
        self.comment = comment

        table = parser.parser.parser._parse_table
        self.start_state: int = table.start_states["file"]
        self.end_state: int = table.end_states["file"]
        self.kept: set[str] = set()
        reducers: dict[Rule, tuple[int, str, Reducer]] = {}
        self.states: dict[int, dict[str, int | tuple[int, str, Reducer]]] = {}
        for state, row in table.states.items():
            out: dict[str, int | tuple[int, str, Reducer]] = {}
            for symbol, (action, arg) in row.items():
                if action is Shift:
                    out[symbol] = arg
                    continue
                if arg not in reducers:
                    reducers[arg] = (
                        len(arg.expansion),
                        arg.origin.name,
                        self._reducer(arg, actions),
                    )
                out[symbol] = reducers[arg]
            self.states[state] = out

    def _reducer(self, rule: Rule, actions: object) -> Reducer:
        """Shape a reduced rule's children as lark's tree builder does, then build its value."""
        size = len(rule.expansion)
        flags = rule.options.empty_indices or [False] * size
        nones = [len(run) for run in "".join("1" if f else "0" for f in flags).split("0")]
        plan: list[tuple[int, bool, int]] = []  # (child index, splice it, Nones before it)
        pending = 0
        for index, symbol in enumerate(rule.expansion):
            pending += nones[index]
            dropped = getattr(symbol, "filter_out", False) and not rule.options.keep_all_tokens
            if dropped:
                continue
            if symbol.is_term:
                self.kept.add(symbol.name)
            plan.append((index, not symbol.is_term and symbol.name.startswith("_"), pending))
            pending = 0
        trailing = pending + nones[size]
        name = rule.origin.name
        if name.startswith("_"):
            assert not rule.alias, f"inlined rule {rule} cannot have an alias"
            build: Action = _same
        else:
            build = getattr(actions, rule.alias or name)
        return _shaper(plan, trailing, size, build)

    def parse(self, text: str, pos: int, on_comment: Callable[[int, int], None]) -> Any:
        """The value of the `file` rule for `text[pos:]`; raises `ParseFailure`."""
        states = self.states
        keywords = self.keywords
        comment = self.comment
        kept = self.kept
        scan = self.scanner.match
        state = self.start_state
        stack = [state]
        push = stack.append
        values: list[Any] = []
        push_value = values.append
        while (match := scan(text, pos)) is not None:
            kind: str = match.lastgroup  # type: ignore[assignment]  # one group always matches
            token = match.group(kind)
            pos = match.end()
            start = pos - len(token)
            if kind == comment:
                on_comment(start, pos)
                continue
            if kind in keywords:
                kind = keywords[kind].get(token, kind)
            while True:
                action = states[state].get(kind)
                if action is None:
                    raise ParseFailure(start, pos, kind, self.accepts(stack))
                if action.__class__ is int:
                    state = action
                    push(state)
                    push_value((kind, token, start, pos) if kind in kept else None)
                    break
                size, origin, reduce = action  # type: ignore[misc]
                if size == 1:  # the commonest case: the value replaces its only child
                    if reduce is _same:  # an inlined rule
                        values[-1] = [values[-1]]
                    else:
                        values[-1] = reduce(values[-1:])
                    del stack[-1]
                elif size:
                    children = values[-size:]
                    del values[-size:]
                    del stack[-size:]
                    push_value(reduce(children))
                else:
                    push_value(reduce([]))
                state = states[stack[-1]][origin]  # type: ignore[assignment]
                push(state)
        pos = self.skip.match(text, pos).end()  # type: ignore[union-attr]  # it matches ""
        if pos != len(text):
            raise ParseFailure(pos, pos + 1, None, set())
        while state != self.end_state:
            action = states[state].get(END)
            if action is None or action.__class__ is int:
                raise ParseFailure(pos, pos, END, self.accepts(stack))
            size, origin, reduce = action  # type: ignore[misc]
            children = values[-size:] if size else []
            if size:
                del values[-size:]
                del stack[-size:]
            push_value(reduce(children))
            state = states[stack[-1]][origin]  # type: ignore[assignment]
            push(state)
        return values[-1]

    def accepts(self, stack: list[int]) -> set[str]:
        """The terminals that could really be shifted on `stack` (not LALR's merged lookaheads).

        Falls back to the lookaheads when none can.
        """
        lookaheads = {symbol for symbol in self.states[stack[-1]] if symbol.isupper()}
        return {s for s in lookaheads if self._shifts(list(stack), s)} or lookaheads

    def _shifts(self, stack: list[int], symbol: str) -> bool:
        while True:
            action = self.states[stack[-1]].get(symbol)
            if action is None:
                return False
            if action.__class__ is int:
                return True
            size, origin, _ = action  # type: ignore[misc]
            if size:
                del stack[-size:]
            stack.append(self.states[stack[-1]][origin])  # type: ignore[arg-type]


def _same(children: Sequence[Any]) -> Sequence[Any]:
    return children


def _shaper(plan: list[tuple[int, bool, int]], trailing: int, size: int, build: Action) -> Reducer:
    """The function from a reduced rule's popped values to its value (common shapes first)."""
    plain = trailing == 0 and not any(nones for _, _, nones in plan)
    splices = [index for index, splice, _ in plan if splice]
    if plain and not splices:
        if len(plan) == size:
            return build  # every child is kept as it is
        picks = tuple(index for index, _, _ in plan)
        if len(picks) == 1:
            (only,) = picks
            return lambda children: build([children[only]])
        if build is not _same:  # an action takes any sequence (an inlined rule needs a list)
            pick = itemgetter(*picks)
            return lambda children: build(pick(children))
        return lambda children: [children[i] for i in picks]
    if plain:  # lists of `_rule` children spliced in, no placeholders
        (first, first_splices, _), *others = plan
        rest = tuple((index, splice) for index, splice, _ in others)

        def splice(children: list[Any]) -> list[Any]:
            # a left-recursive list: extend the first child's own list in place
            out: list[Any] = children[first] if first_splices else [children[first]]
            for index, spliced in rest:
                if spliced:
                    out.extend(children[index])
                else:
                    out.append(children[index])
            return out

        if build is _same:
            return splice
        return lambda children: build(splice(children))

    def shape(children: list[Any]) -> Any:
        out: list[Any] = []
        for index, splice, nones in plan:
            if nones:
                out.extend([None] * nones)
            if not splice:
                out.append(children[index])
            elif out:
                out.extend(children[index])
            else:  # a left-recursive list: extend the child's own list in place
                out = children[index]
        if trailing:
            out.extend([None] * trailing)
        return build(out)

    return shape
