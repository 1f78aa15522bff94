"""The registry of a host's extension runtimes: by id, with the export names reloads moved."""

from __future__ import annotations

from linker.errors import NotLoadedError, UnknownExtensionError
from linker.host.runtime import ExtensionRuntime
from linker.plan.model import Plan


class Registry:
    """The extensions of `plan` this host knows: loaded runtimes and those that never loaded."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.runtimes: dict[str, ExtensionRuntime] = {}
        self.not_loaded: dict[str, str] = {}
        """Extensions that never loaded (no runtime yet), with why; `Host.load` tries again."""
        self.aliases: dict[tuple[str, str], str] = {}
        """(extension, interface export as planned) -> its name now, after reloads."""

    def runtime(self, ext_id: str) -> ExtensionRuntime:
        """`ext_id`'s runtime, or an `ExtensionError` saying why there is none."""
        rt = self.runtimes.get(ext_id)
        if rt is None and ext_id in self.not_loaded:
            raise NotLoadedError(
                f"extension `{ext_id}` is unloaded (it did not load: {self.not_loaded[ext_id]}); "
                f"fix it and call host.load({ext_id!r})",
                extension=ext_id,
            )
        if rt is None:
            known = ", ".join(self.runtimes) or "none"
            raise UnknownExtensionError(
                f"no extension `{ext_id}`; loaded extensions: {known}", extension=ext_id
            )
        return rt

    def current_export(self, ext_id: str, iface: str) -> str:
        """Interface export `iface` as `ext_id` names it now (a reload may move its version)."""
        return self.aliases.get((ext_id, iface), iface)

    def dependents(self, ext_id: str) -> list[str]:
        """Ids of the runtimes that import from `ext_id`."""
        return [
            rt.id
            for rt in self.runtimes.values()
            if any(i.provider == ext_id for i in rt.planned.imports)
        ]
