"""Semantic-version precedence, for package ordering and `@since` checks."""

from __future__ import annotations


def version_key(version: str) -> tuple[object, ...]:
    """A sort key giving semver precedence (build metadata breaks ties textually)."""
    core, _, build = version.partition("+")
    release, dash, pre = core.partition("-")
    numbers = tuple(int(part) for part in release.split("."))
    if dash:
        pre_key: tuple[object, ...] = (
            0,
            tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")),
        )
    else:
        pre_key = (1, ())
    return (numbers, pre_key, build)
