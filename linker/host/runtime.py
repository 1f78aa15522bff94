"""One loaded extension: its Store, instance, lock, status, metrics and faults.

Each extension has its own wasmtime Store, so memory limits, traps and reloads stay its
own. Calls into one store are serialised by a lock; a call that would enter a store its
own thread is already running in is refused (re-entrance), and a wait that would close a
cycle of threads waiting on each other's stores is refused instead of deadlocking.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from wasmtime import Store, WasmtimeError
from wasmtime.component import (
    Component,
    ComponentInstanceType,
    FuncType,
    Instance,
    Linker,
    ResourceType,
)

from linker.errors import (
    CallCancelled,
    CallRefused,
    ExtensionError,
    ExtensionTimeout,
    ExtensionTrap,
    NotLoadedError,
    QuarantinedError,
    StartError,
    UnknownExportError,
)
from linker.host import calls, guestoutput, interrupt
from linker.host.bindings.exports import GuestExports, InitError
from linker.host.calls import RawCall, Signature
from linker.host.exportnames import export_target
from linker.host.guest import guest_exports
from linker.host.handles import HandleTable

if TYPE_CHECKING:
    from linker.host.settings import Settings
    from linker.plan.model import PlannedExtension

MIB = 1024 * 1024
GUEST_PREFIX = "witlink:host/guest@"
E = TypeVar("E", bound=ExtensionError)


class Status(enum.StrEnum):
    LOADED = "loaded"
    FAULTED = "faulted"
    QUARANTINED = "quarantined"
    UNLOADED = "unloaded"


@attrs.define
class Metrics:
    calls: int = 0
    errors: int = 0
    total_time: float = 0.0
    """Seconds spent in calls into this extension (including nested calls out of it)."""
    last_error: str | None = None
    consecutive_faults: int = 0


class Export:
    """A function export: its types (read once) and its callables (on Python values, and on
    the fast path on C value arrays), bound to the live instance on first use under the
    extension's lock and cleared when the instance goes."""

    __slots__ = ("call", "name", "raw", "sig")

    def __init__(self, name: str, sig: Signature) -> None:
        self.name = name
        self.sig = sig
        self.call: Callable[..., Any] | None = None
        self.raw: RawCall | Callable[..., Any] | None = None


_graph_lock = threading.Lock()
_waiting_for: dict[int, ExtensionRuntime] = {}


class ExtensionRuntime:
    def __init__(self, settings: Settings, planned: PlannedExtension, component: Component) -> None:
        self.settings = settings
        self.id = planned.id
        self.planned = planned
        self.component = component
        self.linker: Linker | None = None
        self.keep_alive: list[object] = []
        self.status = Status.LOADED
        self.metrics = Metrics()
        self.store: Store | None = None
        self.arm: Callable[[], None] = _unarmed
        self.instance: Instance | None = None
        self.exports: dict[str, Export] = {}
        self.lock = threading.Lock()
        self._exports_lock = threading.Lock()
        self.owner: int | None = None
        self.log = logging.getLogger(f"witlink.ext.{planned.id}")
        self._guest_name: tuple[Component, str | None] | None = None
        """The component last asked for its `witlink:host/guest`, and the answer."""

    # -- exports ---------------------------------------------------------------------

    def export(self, name: str) -> Export:
        """The export `name` (`run`, or `iface#func`, its version resolved on the semver
        track), resolved from the component's type."""
        found = self.exports.get(name)
        if found is None:
            interfaces = self.component.type.exports(self.settings.engine)
            target = export_target(self.id, name, interfaces)
            sig = self.signature(target)
            with self._exports_lock:
                found = self.exports.setdefault(name, Export(target, sig))
        return found

    def export_names(self) -> list[str]:
        engine = self.settings.engine
        names = []
        for name, item in self.component.type.exports(engine).items():
            ty = item.ty
            if isinstance(ty, FuncType):
                names.append(name)
            elif isinstance(ty, ComponentInstanceType):
                inner = ty.exports(engine)
                names.extend(f"{name}#{f}" for f, i in inner.items() if isinstance(i.ty, FuncType))
        return sorted(names)

    def signature(self, name: str) -> Signature:
        engine = self.settings.engine
        iface, _, func = name.rpartition("#")
        items = self.component.type.exports(engine)
        item = items.get(iface or func)
        ty = item.ty if item is not None else None
        scope = items
        if iface and isinstance(ty, ComponentInstanceType):
            scope = ty.exports(engine)
            inner = scope.get(func)
            ty = inner.ty if inner is not None else None
        if not isinstance(ty, FuncType):
            known = ", ".join(self.export_names()) or "none"
            raise UnknownExportError(
                f"extension `{self.id}` has no function export `{name}`; its exports: {known}",
                extension=self.id,
            )
        resources = [(i.ty, n) for n, i in scope.items() if isinstance(i.ty, ResourceType)]
        return Signature.of(ty, self.settings.fast_calls, resources)

    def _bind(self, export: Export) -> Callable[..., Any]:
        """Bind `export` to the live instance (called holding the extension's lock)."""
        store, instance = self.store, self.instance
        assert store is not None and instance is not None
        iface, _, func = export.name.rpartition("#")
        index = instance.get_export_index(store, iface) if iface else None
        index = instance.get_export_index(store, func, index)
        found = instance.get_func(store, index) if index is not None else None
        if found is None:
            raise UnknownExportError(
                f"extension `{self.id}`: export `{export.name}` vanished", extension=self.id
            )
        export.call = calls.bind(store, found, export.sig, self.settings.fast_calls, self)
        fast = self.settings.fast_calls
        export.raw = calls.bind_raw(store, found) if fast else calls.bind_public(store, found)
        return export.call

    # -- instantiation ---------------------------------------------------------------

    def instantiate(self) -> None:
        """A fresh store and instance; runs the guest's `init` if it exports one."""
        self._enter(None)
        try:
            self._instantiate()
        finally:
            self._leave()

    def _instantiate(self) -> None:
        assert self.linker is not None
        store = Store(self.settings.engine)
        limit = self.planned.permissions.max_memory_mb or self.settings.default_max_memory_mb
        if limit is not None:
            store.set_limits(memory_size=limit * MIB)
        store.set_wasi(guestoutput.wasi_config(self.log))
        store.set_epoch_deadline(self.settings.deadline_ticks)
        try:
            instance = self.linker.instantiate(store, self.component)
        except WasmtimeError as err:
            calls.unchained(err)
            raise StartError(
                f"extension `{self.id}` failed to instantiate: {_last_line(err)}\n{_chain(err)}",
                extension=self.id,
            ) from None
        self.drop_instance()  # exports bind to the new instance on their first call
        self.store, self.instance = store, instance
        self.arm = interrupt.arming(store, self.settings.deadline_ticks, self.settings.fast_calls)
        self.status = Status.LOADED
        guest = self.guest(held=True)
        if guest is not None:
            try:
                guest.init()
            except InitError as err:
                self.drop_instance()
                raise StartError(
                    f"extension `{self.id}` failed to start: its init returned: {err.value}",
                    extension=self.id,
                ) from None

    def guest(self, held: bool = False) -> GuestExports | None:
        """Typed calls into the component's `witlink:host/guest` (None if it exports none),
        through `call` (this extension's lock and deadline), or with `held` straight into
        the instance for a caller already holding the lock (instantiation runs `init` so)."""
        interface = self.guest_interface()
        if interface is None:
            return None

        def bind(name: str) -> tuple[Signature, Callable[..., Any]]:
            export = self.export(name)
            if held:
                return export.sig, lambda *args: self._invoke(export, args)
            return export.sig, lambda *args: self.call(export, args)

        return guest_exports(self.id, interface, bind)

    def guest_interface(self) -> str | None:
        """The name of the `witlink:host/guest` interface the component exports, if any
        (read from its type once per component: every event and job asks)."""
        known = self._guest_name
        if known is None or known[0] is not self.component:
            names = self.component.type.exports(self.settings.engine)
            found = next((n for n in names if n.startswith(GUEST_PREFIX)), None)
            known = self._guest_name = (self.component, found)
        return known[1]

    def drop_instance(self) -> None:
        """Forget the instance: its exports unbind, the handles it held in providers drop."""
        self.store = self.instance = None
        self.arm = _unarmed
        for export in list(self.exports.values()):
            export.call = export.raw = None
        for item in self.keep_alive:
            if isinstance(item, HandleTable):
                item.release()

    # -- calls -----------------------------------------------------------------------

    def check_usable(self) -> None:
        """Raise unless the extension may run (it is not quarantined or unloaded)."""
        if self.status is Status.QUARANTINED:
            raise QuarantinedError(
                f"extension `{self.id}` is quarantined after {self.metrics.consecutive_faults} "
                f"consecutive faults (last: {self.metrics.last_error}); fix it and call "
                f"host.reload({self.id!r})",
                extension=self.id,
            )
        if self.status is Status.UNLOADED:
            why = f" (last error: {self.metrics.last_error})" if self.metrics.last_error else ""
            raise NotLoadedError(
                f"extension `{self.id}` is unloaded{why}; call host.load({self.id!r}) first",
                extension=self.id,
            )

    def call(
        self, export: Export, args: tuple[Any, ...], caller: str | None = None, raw: bool = False
    ) -> Any:
        """Call `export` with `args` in this extension's store (holding its lock).

        With no live instance (after a trap, or when loaded lazily) one is made first;
        a quarantined or unloaded extension has none, and fails fast here. With `raw` (the
        forwarders' convention), `args` are a `calls.RawCall`'s C arrays on the fast path,
        wasmtime-py's value classes on the public path; otherwise the value mapping.
        """
        self._enter(caller)
        try:
            if self.instance is None:
                self.check_usable()
                self._instantiate()
            return self._invoke(export, args, raw)
        finally:
            self._leave()

    def _invoke(self, export: Export, args: tuple[Any, ...], raw: bool = False) -> Any:
        start = time.perf_counter()
        metrics = self.metrics
        try:
            call: Callable[..., Any] | None = export.call or self._bind(export)
            if raw:
                call = export.raw
            assert call is not None
            self.arm()
            result = call(*args)
            metrics.consecutive_faults = 0
            return result
        except WasmtimeError as err:
            raise self.fault(export.name, calls.unchained(err)) from None
        finally:
            metrics.calls += 1
            metrics.total_time += time.perf_counter() - start

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold this extension's store (for lifecycle changes), refusing re-entrance."""
        self._enter(None)
        try:
            yield
        finally:
            self._leave()

    def _leave(self) -> None:
        self.owner = None
        self.lock.release()

    def _enter(self, caller: str | None) -> None:
        me = threading.get_ident()
        if self.owner == me:
            via = f" (called from `{caller}`)" if caller else ""
            raise CallRefused(
                f"re-entrant call refused: extension `{self.id}` is already running on this "
                f"thread{via}; an extension cannot be called back while it is running",
                extension=self.id,
            )
        if not self.lock.acquire(blocking=False):
            self._wait(me)
        self.owner = me

    def _wait(self, me: int) -> None:
        with _graph_lock:
            owner = self.owner
            while owner is not None:
                if owner == me:
                    raise CallRefused(
                        f"call refused: waiting for extension `{self.id}` would deadlock (its "
                        "store is held by a thread that waits for one this thread holds)",
                        extension=self.id,
                    )
                blocked_on = _waiting_for.get(owner)
                owner = blocked_on.owner if blocked_on is not None else None
            _waiting_for[me] = self
        try:
            if not self.lock.acquire(timeout=self.settings.call_timeout * 4 + 1):
                raise CallRefused(
                    f"extension `{self.id}` stayed busy in another thread; try again",
                    extension=self.id,
                )
        finally:
            with _graph_lock:
                _waiting_for.pop(me, None)

    def fault(self, function: str, err: WasmtimeError) -> ExtensionError:
        """Turn a failed call into an error; drop the instance, count the fault."""
        inner = calls.take_host_error()
        self.drop_instance()
        if inner is not None and not isinstance(inner, Exception):
            raise inner  # KeyboardInterrupt, SystemExit: the host's, not the guest's fault
        if interrupt.cancelled():  # the caller gave up: no fault, a fresh instance next call
            return CallCancelled(
                f"extension `{self.id}` call `{function}` was cancelled", extension=self.id
            )
        self.metrics.errors += 1
        if isinstance(inner, ExtensionTrap) and inner.extension != self.id:
            # Another extension trapped under us: we are only restarted, not at fault.
            message = (
                f"extension `{self.id}` call `{function}` failed: its call into extension "
                f"`{inner.extension}` ({inner.function}) trapped: {_cause(inner)}"
            )
            self.metrics.last_error = message
            self.status = Status.FAULTED
            return ExtensionTrap(
                message,
                extension=self.id,
                function=function,
                backtrace=inner.backtrace,
                provider=inner.extension,
            )
        if isinstance(inner, ExtensionError):
            self.metrics.last_error = str(inner)
            self.status = Status.FAULTED
            return _restated(inner, f"extension `{self.id}` call `{function}` failed: {inner}")
        text = str(err)
        cause, timed_out = _trap_cause(text, self.settings.call_timeout)
        self.metrics.last_error = cause
        self.metrics.consecutive_faults += 1
        if self.metrics.consecutive_faults >= self.settings.max_faults:
            self.status = Status.QUARANTINED
            note = f"; quarantined after {self.metrics.consecutive_faults} consecutive faults"
        else:
            self.status = Status.FAULTED
            note = "; it will be restarted on its next call"
        trap = ExtensionTimeout if timed_out else ExtensionTrap
        return trap(
            f"extension `{self.id}` trapped in `{function}`: {cause}{note}\n{_chain(err)}",
            extension=self.id,
            function=function,
            backtrace=_backtrace(text),
        )


def _unarmed() -> None:
    raise AssertionError("no instance")


def _last_line(err: Exception) -> str:
    lines = [line for line in str(err).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(err).__name__


def _chain(err: Exception) -> str:
    """wasmtime's whole error: every line of its chain, in order, indented under ours."""
    return "\n".join(f"  {line}" for line in str(err).splitlines() if line.strip())


def _backtrace(text: str) -> str:
    head, _, _ = text.partition("Caused by:")
    return head.strip()


def _restated(err: E, message: str) -> E:
    """`err` with `message`: the same type, `code` and fields (its `extension` stays the one
    that failed), for a failure met deeper in a call chain."""
    out = type(err).__new__(type(err), message)
    out.__dict__.update(err.__dict__)
    return out


def _trap_cause(text: str, timeout: float) -> tuple[str, bool]:
    """The trap's cause for people, and whether it was the call timeout's interrupt."""
    _, _, cause = text.partition("Caused by:")
    cause = " ".join(line.strip() for line in (cause or text).splitlines() if line.strip())
    if "interrupt" in cause:
        return f"ran longer than the {timeout:g} s call timeout ({cause})", True
    return cause, False


def _cause(trap: ExtensionTrap) -> str:
    message = str(trap)
    _, _, rest = message.partition(": ")
    return rest or message
