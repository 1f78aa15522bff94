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
                                "imports": [{"name", "provider"}]},
                  "instances": 2, "stateless": true}],
  "order": ["provider-id", "consumer-id"],
  "bindings": [{"consumer", "import", "provider", "export"}],
  "functions": [{"consumer", "import", "function", "provider", "export", "signature"}]
}
```

An import's `provider` is `"host"` (the witlink:host interfaces), `"wasi"`, or an extension id.
`composite` is present only for an extension run composed (`witlink link --compose EXT`);
`instances` (default 1) and `stateless` (default false) only when not their defaults.
Component paths are stored relative to the plan file's folder when they lie below it,
absolute otherwise.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

# `X as X`: re-exported, callers import the records, PlanError and providers from here.
from linker.errors import PlanError as PlanError
from linker.fields import Fields
from linker.ids import HOST_PROVIDER as HOST_PROVIDER
from linker.ids import WASI_PROVIDER as WASI_PROVIDER
from linker.manifest import Permissions, read_permissions
from linker.plan import collector, invariants
from linker.plan.jsontext import indented
from linker.plan.records import Binding as Binding
from linker.plan.records import Composite as Composite
from linker.plan.records import FunctionRef as FunctionRef
from linker.plan.records import PlannedExtension as PlannedExtension
from linker.plan.records import PlannedImport as PlannedImport

SCHEMA = 1
HOST_PACKAGE = "witlink:host@0.1.0"
MAX_SIZE = 2**53
"""The largest component size (bytes) a plan may give."""


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

    def verify(self, where: str = "plan") -> None:
        """Raise `PlanError` unless the plan's invariants hold (see `linker.plan.invariants`)."""
        invariants.check(self.extensions, self.order, self.bindings, self.functions, where)

    @classmethod
    def from_json(cls, text: str, base: Path | None = None, where: str = "plan") -> Plan:
        """Read and verify a plan; relative component paths are taken relative to `base`.

        Every malformed value is a `PlanError` naming `where` and the key path.
        """
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            raise PlanError(f"{where}: not valid JSON (line {err.lineno}): {err.msg}") from None
        except RecursionError:
            raise PlanError(f"{where}: not valid JSON: nested too deeply") from None
        except ValueError as err:  # an integer of more digits than Python converts
            raise PlanError(f"{where}: not valid JSON: {err}") from None
        if not isinstance(doc, dict):
            raise PlanError(
                f"{where}: must be a JSON object (schema {SCHEMA}), not {type(doc).__name__}"
            )
        plan = _read_plan(Fields(doc, where=where, error=PlanError), base)
        plan.verify(where)
        return plan

    @classmethod
    def load(cls, path: Path) -> Plan:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise PlanError(f"{path}: cannot read plan: {err.strerror}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise PlanError(f"{path}: not UTF-8 text (byte {err.start})") from None
        return cls.from_json(text, base=path.parent, where=str(path))

    def save(self, path: Path) -> None:
        """Write the plan to `path` (folders made as needed), paths relative to its folder."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.to_json(path.resolve().parent), encoding="utf-8")
        except OSError as err:
            raise PlanError(f"{path}: cannot write the plan: {err.strerror}") from None


def _path_text(path: Path, below: str | None) -> str:
    """`path` relative to the folder `below` (`os.sep`-terminated, symlinks resolved)
    when it lies under it, else absolute (a path relative to the working folder would be
    read back relative to the plan's folder); as given when there is no `below`."""
    if below is not None:
        resolved = os.path.realpath(path)
        if resolved.startswith(below):
            return Path(resolved[len(below) :]).as_posix()
        if resolved + os.sep == below:
            return "."
        return Path(resolved).as_posix()
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
                **({"instances": e.instances} if e.instances != 1 else {}),
                **({"stateless": True} if e.stateless else {}),
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


_BINDING = ("consumer", "import", "provider", "export")
_FUNCTION = ("consumer", "import", "function", "provider", "export", "signature")


def _component_path(doc: Fields, base: Path | None) -> Path:
    component = Path(doc.need_text("component"))
    return base / component if base is not None and not component.is_absolute() else component


def _size(doc: Fields) -> int:
    size = doc.count("size", minimum=0, maximum=MAX_SIZE, required=True)
    assert size is not None
    return size


def _imports(doc: Fields) -> tuple[PlannedImport, ...]:
    return tuple(PlannedImport(*row) for row in doc.records("imports", ("name", "provider")))


def _read_composite(doc: Fields, base: Path | None) -> Composite | None:
    """The extension's `composite`, if any (its members and imports are checked with the
    plan's invariants)."""
    if doc.table.get("composite") is None:
        return None
    sub = doc.sub("composite")
    sub.check_keys({"component", "sha256", "size", "members", "imports"})
    return Composite(
        component=_component_path(sub, base),
        sha256=sub.need_text("sha256"),
        size=_size(sub),
        members=sub.texts("members"),
        imports=_imports(sub),
    )


def _read_extension(doc: Fields, base: Path | None) -> PlannedExtension:
    doc.check_keys(
        {"id", "name", "version", "component", "sha256", "size", "imports", "exports"}
        | {"permissions", "subscribe", "dependencies", "composite", "instances", "stateless"}
    )
    return PlannedExtension(
        id=doc.need_text("id"),
        component=_component_path(doc, base),
        sha256=doc.need_text("sha256"),
        size=_size(doc),
        imports=_imports(doc),
        exports=doc.texts("exports"),
        permissions=read_permissions(doc.sub("permissions")),
        name=doc.text("name"),
        version=doc.text("version"),
        subscribe=doc.texts("subscribe"),
        dependencies=doc.text_map("dependencies"),
        composite=_read_composite(doc, base),
        instances=doc.count("instances") or 1,
        stateless=doc.flag("stateless"),
    )


def _read_plan(doc: Fields, base: Path | None) -> Plan:
    doc.check_keys({"schema", "host", "extensions", "order", "bindings", "functions"})
    if doc.table.get("schema") != SCHEMA or type(doc.table.get("schema")) is not int:
        doc.fail("schema", f"{SCHEMA} (this witlink reads schema {SCHEMA} plans)")
    extensions = tuple(_read_extension(e, base) for e in doc.tables("extensions"))
    bindings = [Binding(*row) for row in doc.records("bindings", _BINDING)]
    functions = [FunctionRef(*row) for row in doc.records("functions", _FUNCTION)]
    if "order" not in doc.table:
        doc.fail("order", "a list of extension ids")
    return Plan(
        extensions=extensions,
        order=doc.texts("order"),
        bindings=tuple(bindings),
        functions=tuple(functions),
        host=doc.text("host") or HOST_PACKAGE,
    )
