"""`extension.toml`: an extension's identity, permissions and dependency pins.

```toml
[extension]
id = "stats"                  # defaults to the component file's stem
name = "Stats"
version = "0.1.0"
component = "stats.wasm"

[permissions]
methods = ["files.", "ai.ocr"]
libraries = ["*"]
allowed-domains = []
max-memory-mb = 64
[permissions.rate-limits]
requests-per-minute = 1000
concurrent-jobs = 4

[events]
subscribe = ["files.created", "plan.*"]

[dependencies]
"acme:math/lib" = "mathlib"
```
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from linker.errors import WitlinkError

MANIFEST_NAME = "extension.toml"
_ID = re.compile(r"[a-z0-9]([a-z0-9_-]*[a-z0-9])?")


class ManifestError(WitlinkError):
    """A malformed `extension.toml`; the message names the file and the key."""


@attrs.frozen
class RateLimits:
    requests_per_minute: int | None = None
    concurrent_jobs: int | None = None


@attrs.frozen
class Permissions:
    """What an extension may do at run time; everything is denied by default."""

    methods: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    max_memory_mb: int | None = None
    rate_limits: RateLimits = RateLimits()


@attrs.frozen
class Manifest:
    id: str
    component: Path
    name: str | None = None
    version: str | None = None
    permissions: Permissions = Permissions()
    subscribe: tuple[str, ...] = ()
    dependencies: Mapping[str, str] = attrs.field(factory=dict)
    path: Path | None = None
    """The manifest file itself; `None` for a bare component."""


def for_component(component: Path) -> Manifest:
    """The manifest of a bare component file: its id is the file's stem, no permissions."""
    ext_id = component.stem
    if not _ID.fullmatch(ext_id):
        raise ManifestError(
            f"{component}: `{ext_id}` is not a valid extension id (lowercase letters, digits, "
            "`-` and `_`); rename the file or add an extension.toml with [extension] id"
        )
    return Manifest(id=ext_id, component=component)


def load(path: Path) -> Manifest:
    """Read and validate `extension.toml` at `path`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ManifestError(f"{path}: cannot read: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{path}: not valid TOML: {err}") from None
    return _parse(path, data)


class _Reader:
    """Typed access to one TOML table, with errors naming the file and key."""

    def __init__(self, path: Path, table: Mapping[str, Any], prefix: str) -> None:
        self.path, self.table, self.prefix = path, table, prefix

    def fail(self, key: str, expected: str) -> ManifestError:
        return ManifestError(f"{self.path}: `{self.prefix}{key}` must be {expected}")

    def text(self, key: str) -> str | None:
        value = self.table.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, "a string")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "a list of strings")
        return tuple(value)

    def count(self, key: str) -> int | None:
        value = self.table.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise self.fail(key, "a positive integer")
        return value

    def sub(self, key: str) -> _Reader:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "a table")
        return _Reader(self.path, value, f"{self.prefix}{key}.")

    def check_keys(self, known: set[str]) -> None:
        unknown = sorted(set(self.table) - known)
        if unknown:
            names = ", ".join(f"`{self.prefix}{k}`" for k in unknown)
            raise ManifestError(
                f"{self.path}: unknown key {names}; known keys: {', '.join(sorted(known))}"
            )


def _parse(path: Path, data: Mapping[str, Any]) -> Manifest:
    root = _Reader(path, data, "")
    root.check_keys({"extension", "permissions", "events", "dependencies"})
    ext = root.sub("extension")
    ext.check_keys({"id", "name", "version", "component", "description"})
    component_name = ext.text("component")
    if component_name is None:
        wasm = sorted(path.parent.glob("*.wasm"))
        if len(wasm) != 1:
            raise ManifestError(
                f"{path}: `extension.component` is missing and the folder holds "
                f"{len(wasm)} .wasm files; name the component file"
            )
        component = wasm[0]
    else:
        component = path.parent / component_name
    ext_id = ext.text("id") or component.stem
    if not _ID.fullmatch(ext_id):
        raise ext.fail("id", "lowercase letters, digits, `-` and `_` (e.g. `my-ext`)")

    perms = root.sub("permissions")
    perms.check_keys({"methods", "libraries", "allowed-domains", "max-memory-mb", "rate-limits"})
    limits = perms.sub("rate-limits")
    limits.check_keys({"requests-per-minute", "concurrent-jobs"})
    events = root.sub("events")
    events.check_keys({"subscribe"})
    deps = root.sub("dependencies")
    pins = {key: deps.text(key) or "" for key in deps.table}
    return Manifest(
        id=ext_id,
        component=component,
        name=ext.text("name"),
        version=ext.text("version"),
        permissions=Permissions(
            methods=perms.texts("methods"),
            libraries=perms.texts("libraries"),
            allowed_domains=perms.texts("allowed-domains"),
            max_memory_mb=perms.count("max-memory-mb"),
            rate_limits=RateLimits(
                requests_per_minute=limits.count("requests-per-minute"),
                concurrent_jobs=limits.count("concurrent-jobs"),
            ),
        ),
        subscribe=events.texts("subscribe"),
        dependencies=pins,
        path=path,
    )
