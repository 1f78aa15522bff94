"""The plan: the contract between `witlink link` (build time) and the host (run time).

`plan.json` (schema 1) holds everything the host needs, deterministically ordered:

```json
{
  "schema": 1,
  "host": "witlink:host@0.1.0",
  "extensions": [{"id", "name", "version", "component", "sha256", "size",
                  "imports": [{"name", "provider"}], "exports": [...],
                  "permissions": {...}, "subscribe": [...], "dependencies": {...},
                  "composite": {"component", "sha256", "size", "members": [...],
                                "imports": [{"name", "provider"}]}}],
  "order": ["provider-id", "consumer-id"],
  "bindings": [{"consumer", "import", "provider", "export"}],
  "functions": [{"consumer", "import", "function", "provider", "export", "signature"}]
}
```

An import's `provider` is `"host"` (the witlink:host interfaces), `"wasi"`, or an extension id.
`composite` is present only for an extension run composed (`witlink link --compose EXT`).
Component paths are stored relative to the plan file's folder when they lie below it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from linker.errors import WitlinkError
from linker.manifest import Permissions, RateLimits
from linker.plan import collector
from linker.plan.jsontext import indented

SCHEMA = 1
HOST_PACKAGE = "witlink:host@0.1.0"
HOST_PROVIDER = "host"
WASI_PROVIDER = "wasi"


class PlanError(WitlinkError):
    """A plan file that cannot be read or does not match schema 1."""


@attrs.frozen
class PlannedImport:
    name: str
    """The import as written in the component (`acme:math/lib@1.0.0`, or a function name)."""
    provider: str
    """`host`, `wasi`, or the id of the providing extension."""


@attrs.frozen
class Composite:
    """An extension fused with its `*/lib` providers into one component (`linker.compose`);
    the host runs it in place of the extension's own component."""

    component: Path
    sha256: str
    size: int
    members: tuple[str, ...]
    """The extension's id first, then the providers inside, in instantiation search order."""
    imports: tuple[PlannedImport, ...]
    """What the composite still imports: host and WASI interfaces only."""


@attrs.frozen
class PlannedExtension:
    id: str
    component: Path
    sha256: str
    size: int
    imports: tuple[PlannedImport, ...]
    exports: tuple[str, ...]
    permissions: Permissions = attrs.field(factory=Permissions)
    name: str | None = None
    version: str | None = None
    subscribe: tuple[str, ...] = ()
    dependencies: Mapping[str, str] = attrs.field(factory=dict)
    composite: Composite | None = None


@attrs.frozen
class Binding:
    """One consumer import wired to one provider export (both full interface names)."""

    consumer: str
    import_: str
    provider: str
    export: str


@attrs.frozen
class FunctionRef:
    """An entry of the function-reference registry: who answers one imported function."""

    consumer: str
    import_: str
    function: str
    provider: str
    export: str
    signature: str
    """The function's WIT signature, e.g. `func(a: u32, b: u32) -> u32`."""


@attrs.frozen
class Plan:
    extensions: tuple[PlannedExtension, ...]
    order: tuple[str, ...]
    bindings: tuple[Binding, ...]
    functions: tuple[FunctionRef, ...]
    host: str = HOST_PACKAGE

    def extension(self, ext_id: str) -> PlannedExtension:
        for ext in self.extensions:
            if ext.id == ext_id:
                return ext
        raise KeyError(ext_id)

    def to_json(self, base: Path | None = None) -> str:
        """The plan as JSON; component paths under `base` are written relative to it."""
        with collector.paused():
            return indented(_plan_doc(self, base)) + "\n"

    @classmethod
    def from_json(cls, text: str, base: Path | None = None) -> Plan:
        """Read a plan; relative component paths are taken relative to `base`."""
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            raise PlanError(f"plan is not valid JSON (line {err.lineno}): {err.msg}") from None
        try:
            return _read_plan(doc, base)
        except KeyError as err:
            raise PlanError(f"plan does not match schema {SCHEMA}: missing key {err}") from None
        except (TypeError, ValueError, AttributeError) as err:
            raise PlanError(f"plan does not match schema {SCHEMA}: {err}") from None

    @classmethod
    def load(cls, path: Path) -> Plan:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise PlanError(f"{path}: cannot read plan: {err.strerror}") from None
        return cls.from_json(text, base=path.parent)

    def save(self, path: Path) -> None:
        """Write the plan to `path` (folders made as needed), paths relative to its folder."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.to_json(path.resolve().parent), encoding="utf-8")
        except OSError as err:
            raise PlanError(f"{path}: cannot write the plan: {err.strerror}") from None


def _path_text(path: Path, below: str | None) -> str:
    """`path` relative to the folder `below` (`os.sep`-terminated, symlinks resolved)
    when it lies under it, else as given."""
    if below is not None:
        resolved = os.path.realpath(path)
        if resolved.startswith(below):
            return Path(resolved[len(below) :]).as_posix()
        if resolved + os.sep == below:
            return "."
    return path.as_posix()


def _permissions_doc(p: Permissions) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    if p.rate_limits.requests_per_minute is not None:
        limits["requests-per-minute"] = p.rate_limits.requests_per_minute
    if p.rate_limits.concurrent_jobs is not None:
        limits["concurrent-jobs"] = p.rate_limits.concurrent_jobs
    return {
        "methods": list(p.methods),
        "libraries": list(p.libraries),
        "allowed-domains": list(p.allowed_domains),
        "max-memory-mb": p.max_memory_mb,
        "rate-limits": limits,
    }


def _composite_doc(c: Composite | None, below: str | None) -> dict[str, Any]:
    """`{"composite": ...}` for an extension run composed, else nothing."""
    if c is None:
        return {}
    return {
        "composite": {
            "component": _path_text(c.component, below),
            "sha256": c.sha256,
            "size": c.size,
            "members": list(c.members),
            "imports": [{"name": i.name, "provider": i.provider} for i in c.imports],
        }
    }


def _plan_doc(plan: Plan, base: Path | None) -> dict[str, Any]:
    below = None if base is None else os.path.join(os.path.realpath(base), "")
    return {
        "schema": SCHEMA,
        "host": plan.host,
        "extensions": [
            {
                "id": e.id,
                "name": e.name,
                "version": e.version,
                "component": _path_text(e.component, below),
                "sha256": e.sha256,
                "size": e.size,
                "imports": [{"name": i.name, "provider": i.provider} for i in e.imports],
                "exports": list(e.exports),
                "permissions": _permissions_doc(e.permissions),
                "subscribe": list(e.subscribe),
                "dependencies": dict(sorted(e.dependencies.items())),
                **_composite_doc(e.composite, below),
            }
            for e in plan.extensions
        ],
        "order": list(plan.order),
        "bindings": [
            {
                "consumer": b.consumer,
                "import": b.import_,
                "provider": b.provider,
                "export": b.export,
            }
            for b in plan.bindings
        ],
        "functions": [
            {
                "consumer": f.consumer,
                "import": f.import_,
                "function": f.function,
                "provider": f.provider,
                "export": f.export,
                "signature": f.signature,
            }
            for f in plan.functions
        ],
    }


def _read_permissions(doc: Mapping[str, Any]) -> Permissions:
    limits = doc.get("rate-limits", {})
    return Permissions(
        methods=tuple(doc.get("methods", ())),
        libraries=tuple(doc.get("libraries", ())),
        allowed_domains=tuple(doc.get("allowed-domains", ())),
        max_memory_mb=doc.get("max-memory-mb"),
        rate_limits=RateLimits(
            requests_per_minute=limits.get("requests-per-minute"),
            concurrent_jobs=limits.get("concurrent-jobs"),
        ),
    )


def _relative_to(base: Path | None, path: Path) -> Path:
    return base / path if base is not None and not path.is_absolute() else path


def _read_composite(e: Mapping[str, Any], ids: set[str], base: Path | None) -> Composite | None:
    """The `composite` of extension doc `e`, checked: it starts with `e` itself, names only
    extensions of the plan, each once, and imports only from the host and WASI."""
    doc = e.get("composite")
    if doc is None:
        return None
    where = f"extension `{e['id']}`: composite"
    members = tuple(doc["members"])
    if not members or members[0] != e["id"]:
        raise ValueError(f"{where}: members must start with `{e['id']}`, not {list(members)}")
    if not set(members) <= ids or len(set(members)) != len(members):
        raise ValueError(f"{where}: members repeat or are not in the plan: {list(members)}")
    imports = tuple(PlannedImport(i["name"], i["provider"]) for i in doc["imports"])
    for i in imports:
        if i.provider not in (HOST_PROVIDER, WASI_PROVIDER):
            raise ValueError(f"{where}: imports `{i.name}` from `{i.provider}`, not host or wasi")
    sha256, size = doc["sha256"], doc["size"]
    if not isinstance(sha256, str) or not re.fullmatch("[0-9a-f]{64}", sha256):
        raise ValueError(f"{where}: sha256 must be 64 lowercase hex digits, not {sha256!r}")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"{where}: size must be a byte count, not {size!r}")
    return Composite(
        component=_relative_to(base, Path(doc["component"])),
        sha256=sha256,
        size=size,
        members=members,
        imports=imports,
    )


def _read_plan(doc: Mapping[str, Any], base: Path | None) -> Plan:
    if doc.get("schema") != SCHEMA:
        raise ValueError(f"schema is {doc.get('schema')!r}, this witlink reads {SCHEMA}")
    extensions = []
    ids = {e["id"] for e in doc["extensions"]}
    for e in doc["extensions"]:
        component = _relative_to(base, Path(e["component"]))
        extensions.append(
            PlannedExtension(
                id=e["id"],
                component=component,
                sha256=e["sha256"],
                size=e["size"],
                imports=tuple(PlannedImport(i["name"], i["provider"]) for i in e["imports"]),
                exports=tuple(e["exports"]),
                permissions=_read_permissions(e.get("permissions", {})),
                name=e.get("name"),
                version=e.get("version"),
                subscribe=tuple(e.get("subscribe", ())),
                dependencies=dict(e.get("dependencies", {})),
                composite=_read_composite(e, ids, base),
            )
        )
    return Plan(
        extensions=tuple(extensions),
        order=tuple(doc["order"]),
        bindings=tuple(
            Binding(b["consumer"], b["import"], b["provider"], b["export"]) for b in doc["bindings"]
        ),
        functions=tuple(
            FunctionRef(
                f["consumer"],
                f["import"],
                f["function"],
                f["provider"],
                f["export"],
                f["signature"],
            )
            for f in doc["functions"]
        ),
        host=doc.get("host", HOST_PACKAGE),
    )
