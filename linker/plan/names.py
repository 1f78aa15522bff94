"""Interface names and wasmtime's semver rule for matching them.

A name `ns:pkg/iface@1.2.3` splits into a base (`ns:pkg/iface`) and a version.
Two versions share a *track* when wasmtime would let one serve the other:
`1.x.y` -> `1` (major >= 1), `0.m.x` -> `0.m` (m != 0); `0.0.x` and
pre-releases have no track (exact only); build metadata is ignored; an
unversioned name never matches a versioned one.
"""

from __future__ import annotations

import re
from functools import cache

import attrs

_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?"
)


@attrs.frozen
class InterfaceName:
    """A parsed `ns:pkg/iface[@version]`."""

    base: str
    """`ns:pkg/iface`, without the version."""
    version: str | None
    track: str | None
    """The semver track key (`1`, `0.2`), or None when only an exact match works."""
    precedence: tuple[int, int, int, int]
    """Orders versions on a track (release above pre-release)."""
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
        return InterfaceName(base, None, None, (0, 0, 0, 0))
    match = _SEMVER.fullmatch(version)
    if match is None:
        return InterfaceName(base, version, None, (0, 0, 0, 0))
    major, minor, patch = int(match[1]), int(match[2]), int(match[3])
    release = 0 if match["pre"] else 1
    track: str | None = None
    if release:
        if major >= 1:
            track = str(major)
        elif minor >= 1:
            track = f"0.{minor}"
    return InterfaceName(base, version.split("+", 1)[0], track, (major, minor, patch, release))


def same_track(a: InterfaceName, b: InterfaceName) -> bool:
    """Whether wasmtime lets one of these names serve the other."""
    if a.base != b.base:
        return False
    if a.version == b.version:
        return True
    return a.track is not None and a.track == b.track
