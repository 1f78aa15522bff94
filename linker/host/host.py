"""`Host`: runs a plan in wasmtime; the library API host applications embed.

```python
host = Host.from_plan("plan.json", operations=ops)
host.call("stats", "run", 5)
host.call("stats", "acme:stats/lib@0.3.1#sum3", 1, 2, 3)
```
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from linker.errors import ExtensionError
from linker.host import calls
from linker.host.cache import CompileCache, CompileProgress
from linker.host.engine import EpochClock, make_engine
from linker.host.operations import Operations
from linker.host.reload import check_provider
from linker.host.runtime import ExtensionRuntime, Metrics, Status
from linker.host.wiring import build_linker
from linker.plan.link import link
from linker.plan.model import Plan, PlannedExtension

DEFAULT_CALL_TIMEOUT = 5.0
DEFAULT_MAX_FAULTS = 3


@attrs.frozen
class ExtensionInfo:
    id: str
    status: Status
    metrics: Metrics


class Host:
    """Every extension of a plan, instantiated and wired; see `from_plan`."""

    def __init__(
        self,
        plan: Plan,
        *,
        operations: Operations | None = None,
        cache_dir: Path | None = None,
        lazy: bool = False,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        max_faults: int = DEFAULT_MAX_FAULTS,
        default_max_memory_mb: int | None = None,
        progress: CompileProgress | None = None,
        fast_calls: bool = calls.FAST,
    ) -> None:
        self.plan = plan
        self.operations = operations if operations is not None else Operations()
        self.engine = make_engine()
        self.cache = CompileCache(self.engine, cache_dir)
        self.clock = EpochClock(self.engine)
        self.call_timeout = call_timeout
        self.deadline_ticks = self.clock.ticks(call_timeout)
        self.max_faults = max_faults
        self.default_max_memory_mb = default_max_memory_mb
        self.progress = progress
        self.fast_calls = fast_calls
        self.lazy = lazy
        self._runtimes: dict[str, ExtensionRuntime] = {}
        self._aliases: dict[tuple[str, str], str] = {}
        self.clock.start()
        try:
            for ext_id in plan.order:
                self._load(plan.extension(ext_id))
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_plan(cls, plan: Plan | str | Path, **options: Any) -> Host:
        """A host running `plan` (a `Plan`, or the path of a plan.json)."""
        if not isinstance(plan, Plan):
            plan = Plan.load(Path(plan))
        return cls(plan, **options)

    @classmethod
    def link(cls, inputs: Sequence[str | Path], *, wasi: bool = True, **options: Any) -> Host:
        """Link extension folders or components (see `linker.link`), then run the plan."""
        return cls(link([Path(p) for p in inputs], wasi=wasi), **options)

    def close(self) -> None:
        """Stop the epoch clock and drop every instance."""
        self.clock.stop()
        for rt in self._runtimes.values():
            rt.drop_instance()

    def __enter__(self) -> Host:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls -----------------------------------------------------------------------

    def call(self, ext_id: str, function: str, *args: Any) -> Any:
        """Call `function` of extension `ext_id`: a world export (`run`) or `iface#func`."""
        rt = self.runtime(ext_id)
        if rt.status is Status.UNLOADED:
            rt.check_usable()
        export = rt.export(function)
        try:
            export.sig.check_args(args)
        except TypeError as err:
            raise ExtensionError(
                f"extension `{ext_id}` function `{function}` {err}", extension=ext_id
            ) from None
        try:
            return rt.call(export, args)
        except (TypeError, ValueError) as err:
            raise ExtensionError(
                f"extension `{ext_id}` function `{function}`: bad argument: {err}", extension=ext_id
            ) from None

    def extensions(self) -> list[str]:
        """Ids of every extension known to this host (loaded or not), in load order."""
        return list(self._runtimes)

    def status(self, ext_id: str) -> Status:
        return self.runtime(ext_id).status

    def info(self, ext_id: str) -> ExtensionInfo:
        """Status and metrics (calls, errors, total time, last error) of `ext_id`."""
        rt = self.runtime(ext_id)
        return ExtensionInfo(rt.id, rt.status, attrs.evolve(rt.metrics))

    def current_export(self, ext_id: str, iface: str) -> str:
        """Interface export `iface` as `ext_id` names it now (a reload may move its version)."""
        return self._aliases.get((ext_id, iface), iface)

    def runtime(self, ext_id: str) -> ExtensionRuntime:
        rt = self._runtimes.get(ext_id)
        if rt is None:
            known = ", ".join(self._runtimes) or "none"
            raise ExtensionError(
                f"no extension `{ext_id}`; loaded extensions: {known}", extension=ext_id
            )
        return rt

    # -- lifecycle -------------------------------------------------------------------

    def load(self, ext_id: str) -> None:
        """Load (again) extension `ext_id` of the plan; its providers must be loaded."""
        rt = self._runtimes.get(ext_id)
        if rt is not None and rt.status is not Status.UNLOADED:
            return
        planned = self._planned(ext_id)
        for provider in self._providers(planned):
            if self.runtime(provider).status is Status.UNLOADED:
                raise ExtensionError(
                    f"cannot load `{ext_id}`: its provider `{provider}` is unloaded; load it first",
                    extension=ext_id,
                )
        self._load(planned)

    def unload(self, ext_id: str, cascade: bool = False) -> list[str]:
        """Unload `ext_id` (and, with `cascade`, its loaded dependents); returns the ids."""
        rt = self.runtime(ext_id)
        dependents = [d for d in self._dependents(ext_id) if self.status(d) is not Status.UNLOADED]
        if dependents and not cascade:
            raise ExtensionError(
                f"cannot unload `{ext_id}`: loaded extensions depend on it: "
                f"{', '.join(dependents)}; unload them first or pass cascade=True",
                extension=ext_id,
            )
        done: list[str] = []
        for dependent in dependents:
            done.extend(i for i in self.unload(dependent, cascade=True) if i not in done)
        with rt.held():
            rt.drop_instance()
            rt.status = Status.UNLOADED
        done.append(ext_id)
        return done

    def reload(self, ext_id: str, component: str | Path | None = None) -> None:
        """Replace `ext_id`'s component (default: its file again) and restart it.

        The new component is checked against every loaded consumer's imports first; if the
        check fails the old one keeps running and the error says why.
        """
        rt = self.runtime(ext_id)
        path = Path(component) if component is not None else rt.planned.component
        wasm, sha = _read_component(ext_id, path)
        compiled = self.cache.load(ext_id, wasm, sha, self.progress)
        consumers = [self.runtime(c) for c in self._dependents(ext_id)]
        renamed = check_provider(
            self, ext_id, compiled, [c for c in consumers if c.status is not Status.UNLOADED]
        )
        linker, keep = build_linker(self, rt, compiled)
        with rt.held():
            rt.drop_instance()
            rt.component, rt.linker, rt.keep_alive = compiled, linker, keep
            rt.planned = attrs.evolve(rt.planned, component=path, sha256=sha, size=len(wasm))
            for old, new in renamed.items():
                self._aliases[ext_id, old] = new
            _refresh_exports(rt, renamed)
            rt.metrics.consecutive_faults = 0
            rt.status = Status.LOADED
        if not self.lazy:
            rt.instantiate()

    # -- internals -------------------------------------------------------------------

    def _load(self, planned: PlannedExtension) -> None:
        wasm, sha = _read_component(planned.id, planned.component)
        if planned.sha256 and sha != planned.sha256:
            raise ExtensionError(
                f"extension `{planned.id}`: {planned.component} changed since the plan was made "
                "(sha256 differs); run the link step again",
                extension=planned.id,
            )
        compiled = self.cache.load(planned.id, wasm, sha, self.progress)
        rt = self._runtimes.get(planned.id)
        if rt is None:
            rt = ExtensionRuntime(self, planned, compiled)
        else:
            rt.component, rt.status = compiled, Status.LOADED
        rt.linker, rt.keep_alive = build_linker(self, rt)
        self._runtimes[planned.id] = rt
        if not self.lazy:
            rt.instantiate()

    def _planned(self, ext_id: str) -> PlannedExtension:
        try:
            return self.plan.extension(ext_id)
        except KeyError:
            raise ExtensionError(
                f"the plan has no extension `{ext_id}`", extension=ext_id
            ) from None

    def _providers(self, planned: PlannedExtension) -> set[str]:
        return {i.provider for i in planned.imports if i.provider in self._runtimes}

    def _dependents(self, ext_id: str) -> list[str]:
        return [
            rt.id
            for rt in self._runtimes.values()
            if any(i.provider == ext_id for i in rt.planned.imports)
        ]


def _refresh_exports(rt: ExtensionRuntime, renamed: dict[str, str]) -> None:
    """Give the export slots the new component's names and types; drop those it lacks."""
    for name, export in list(rt.exports.items()):
        iface, hash_, func = name.rpartition("#")
        new_name = f"{renamed.get(iface, iface)}{hash_}{func}"
        del rt.exports[name]
        try:
            export.sig = rt.signature(new_name)
        except ExtensionError:
            continue
        export.name = new_name
        rt.exports[new_name] = export


def _read_component(ext_id: str, path: Path) -> tuple[bytes, str]:
    try:
        wasm = path.read_bytes()
    except OSError as err:
        raise ExtensionError(
            f"extension `{ext_id}`: cannot read {path}: {err.strerror}", extension=ext_id
        ) from None
    return wasm, hashlib.sha256(wasm).hexdigest()
