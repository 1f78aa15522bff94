"""Which extensions may run as a pool of instances (`instances = N` in `extension.toml`).

Calls into a pool go to whichever instance is free, so only an extension whose author
declares it `stateless` may be pooled, and only if its exports carry no resources: a
resource lives in one instance's store, and its next method call could reach another.
"""

from __future__ import annotations

from collections.abc import Sequence

from linker.errors import Diagnostic
from linker.plan.inputs import Extension
from linker.wit.model import Resource

CODE = "W017-not-poolable"


def problems(extensions: Sequence[Extension]) -> list[Diagnostic]:
    """A diagnostic for each extension asking for a pool it may not have."""
    found = []
    for ext in extensions:
        count = ext.manifest.instances
        if count == 1:
            continue
        if not ext.manifest.stateless:
            why = "it does not declare itself stateless"
            hint = (
                "add `stateless = true` under [extension] if no call depends on an earlier "
                "one, or remove `instances`"
            )
        else:
            resource = _exported_resource(ext)
            if resource is None:
                continue
            why = f"its export `{resource[0]}` defines resource `{resource[1]}`"
            hint = "remove `instances`: an extension exporting resources runs as one instance"
        found.append(Diagnostic(CODE, ext.id, f"asks for {count} instances, but {why}", hint=hint))
    return found


def _exported_resource(ext: Extension) -> tuple[str, str] | None:
    """(export, resource name) of the first resource an exported interface defines."""
    info = ext.component
    for item in info.exports:
        if item.interface is None:
            continue
        for name, type_id in info.resolve.interface(item.interface).types.items():
            if isinstance(info.resolve.type(type_id).kind, Resource):
                return item.name, name
    return None
