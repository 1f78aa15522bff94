"""Semantic-version precedence, for package ordering and `@since` checks."""

from __future__ import annotations


def version_key(version: str) -> tuple[object, ...]:
    """A sort key giving semver precedence (build metadata breaks ties textually)."""
    core, _, build = version.partition("+")
    release, dash, pre = core.partition("-")
    numbers = tuple(_number(part) for part in release.split("."))
    if dash:
        pre_key: tuple[object, ...] = (
            0,
            tuple((0, _number(p), "") if p.isdigit() else (1, (0, ""), p) for p in pre.split(".")),
        )
    else:
        pre_key = (1, ())
    return (numbers, pre_key, build)


def _number(digits: str) -> tuple[int, str]:
    """A numeric identifier's order without `int()` (which refuses over 4300 digits)."""
    digits = digits.lstrip("0") or "0"
    return (len(digits), digits)
