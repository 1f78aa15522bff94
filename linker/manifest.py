"""`extension.toml`: an extension's identity, permissions and dependency pins.

```toml
[extension]
id = "stats"                  # defaults to the component file's stem
name = "Stats"
version = "0.1.0"
component = "stats.wasm"
stateless = true              # keeps nothing between calls: may run as a pool
instances = 4                 # a pool of 4 instances (needs stateless; default 1)

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

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from linker import paths
from linker.errors import WitlinkError
from linker.fields import Fields
from linker.ids import id_problem

MANIFEST_NAME = "extension.toml"


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
    instances: int = 1
    """How many instances of it the host runs (a pool, when more than one)."""
    stateless: bool = False
    """Declared by the author: no call depends on an earlier one, so calls may go to any
    instance of a pool."""
    path: Path | None = None
    """The manifest file itself; `None` for a bare component."""


def for_component(component: Path) -> Manifest:
    """The manifest of a bare component file: its id is the file's stem, no permissions."""
    problem = id_problem(component.stem)
    if problem is not None:
        raise ManifestError(
            f"{component}: {problem}; rename the file or add an extension.toml with [extension] id"
        )
    return Manifest(id=component.stem, component=component)


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
    except RecursionError:
        raise ManifestError(f"{path}: not valid TOML: nested too deeply") from None
    except ValueError as err:  # an integer of more digits than Python converts
        raise ManifestError(f"{path}: not valid TOML: {err}") from None
    return _parse(path, data)


def read_permissions(doc: Fields) -> Permissions:
    """`[permissions]` of a manifest, or an extension's `permissions` in a plan."""
    doc.check_keys({"methods", "libraries", "allowed-domains", "max-memory-mb", "rate-limits"})
    limits = doc.sub("rate-limits")
    limits.check_keys({"requests-per-minute", "concurrent-jobs"})
    return Permissions(
        methods=doc.texts("methods"),
        libraries=doc.texts("libraries"),
        allowed_domains=doc.texts("allowed-domains"),
        max_memory_mb=doc.count("max-memory-mb"),
        rate_limits=RateLimits(
            requests_per_minute=limits.count("requests-per-minute"),
            concurrent_jobs=limits.count("concurrent-jobs"),
        ),
    )


def _component(path: Path, ext: Fields) -> Path:
    """The component file the manifest names (or the folder's only one); it must lie in the
    manifest's folder, symlinks followed."""
    folder = path.parent
    name = ext.text("component")
    if name is None:
        wasm = sorted(folder.glob("*.wasm"))
        if len(wasm) != 1:
            raise ManifestError(
                f"{path}: `extension.component` is missing and the folder holds "
                f"{len(wasm)} .wasm files; name the component file"
            )
        component = wasm[0]
    else:
        component = folder / name
    try:
        paths.inside(component, folder)
    except paths.OutsideFolder as err:
        raise ManifestError(
            f"{path}: `extension.component` must name a file inside the extension's folder: "
            f"{err}; put the component beside the manifest"
        ) from None
    return component


def _parse(path: Path, data: Mapping[str, Any]) -> Manifest:
    root = Fields(data, where=str(path), error=ManifestError)
    root.check_keys({"extension", "permissions", "events", "dependencies"})
    ext = root.sub("extension")
    ext.check_keys({"id", "name", "version", "component", "description", "instances", "stateless"})
    ext.text("description")
    component = _component(path, ext)
    ext_id = ext.text("id") or component.stem
    problem = id_problem(ext_id)
    if problem is not None:
        raise ManifestError(f"{path}: `extension.id`: {problem}")
    events = root.sub("events")
    events.check_keys({"subscribe"})
    return Manifest(
        id=ext_id,
        component=component,
        name=ext.text("name"),
        version=ext.text("version"),
        permissions=read_permissions(root.sub("permissions")),
        subscribe=events.texts("subscribe"),
        dependencies=root.text_map("dependencies"),
        instances=ext.count("instances") or 1,
        stateless=ext.flag("stateless"),
        path=path,
    )
