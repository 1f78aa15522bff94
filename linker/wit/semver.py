"""Semantic versions and wasmtime's semver rule for interface names: the one implementation.

A name `ns:pkg/iface@1.2.3` splits into a base (`ns:pkg/iface`) and a version.
Two versions share a *track* when wasmtime would let one serve the other:
`1.x.y` -> `1` (major >= 1), `0.m.x` -> `0.m` (m != 0); `0.0.x` and
pre-releases have no track (exact only); build metadata is ignored; an
unversioned name never matches a versioned one. The link step, hot reload and
`Host.call` all resolve names with `on_track`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import attrs

_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?"
)
_NO_VERSION: tuple[object, ...] = ()


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


@attrs.frozen
class InterfaceName:
    """A parsed `ns:pkg/iface[@version]`."""

    base: str
    """`ns:pkg/iface`, without the version."""
    version: str | None
    """The version without build metadata."""
    track: str | None
    """The semver track key (`1`, `0.2`), or None when only an exact match works."""
    precedence: tuple[object, ...]
    """Orders versions on a track (`version_key`; empty for an unversioned name)."""
    package: str = attrs.field(init=False)
    """`ns:pkg`."""
    namespace: str = attrs.field(init=False)
    interface: str = attrs.field(init=False)
    """The interface's own name, e.g. `lib`."""

    def __attrs_post_init__(self) -> None:
        package, _, interface = self.base.partition("/")
        object.__setattr__(self, "package", package)
        object.__setattr__(self, "namespace", package.partition(":")[0])
        object.__setattr__(self, "interface", interface)


@cache
def parse(name: str) -> InterfaceName | None:
    """Parse an interface name; None for a plain (kebab) name such as a function's."""
    if ":" not in name or "/" not in name:
        return None
    base, _, version = name.partition("@")
    if not version:
        return InterfaceName(base, None, None, _NO_VERSION)
    match = _SEMVER.fullmatch(version)
    if match is None:
        return InterfaceName(base, version, None, _NO_VERSION)
    major, minor = match[1], match[2]  # digits without leading zeros: no int() needed
    track: str | None = None
    if not match["pre"]:
        if major != "0":
            track = major
        elif minor != "0":
            track = f"0.{minor}"
    core = version.split("+", 1)[0]
    return InterfaceName(base, core, track, version_key(core))


def same_track(a: InterfaceName, b: InterfaceName) -> bool:
    """Whether wasmtime lets one of these names serve the other."""
    if a.base != b.base:
        return False
    if a.version == b.version:
        return True
    return a.track is not None and a.track == b.track


def on_track(name: str, available: Iterable[str]) -> str | None:
    """`name` if available, else the highest available version on its track, else None."""
    names = list(available)
    if name in names:
        return name
    wanted = parse(name)
    if wanted is None:
        return None
    fits = [(p.precedence, n) for n in names if (p := parse(n)) and same_track(wanted, p)]
    return max(fits)[1] if fits else None
