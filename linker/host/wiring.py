"""Build one extension's Linker: forwarders to its providers, witlink:host, WASI.

Forwarders come from the plan's function-reference registry and are resolved here, once
per load: each holds the provider's `Export` slot, which every (re)instantiation of the
provider refreshes, so no lookup happens per call. On the fast path a forwarder hands
the consumer's C argument array to the provider's call and lets the provider write the
consumer's result slots: no Python value is built, only resource handles are translated
(`linker.host.handles`). Resources a consumer imports are host resources in its linker,
each with its own handle table.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
from wasmtime import StoreContext
from wasmtime.component import (
    Component,
    ComponentInstanceType,
    FuncType,
    Linker,
    LinkerInstance,
    ResourceType,
)

from bindgen.runtime import HostFunction, ResultError
from linker.errors import ExtensionError
from linker.host import callchain, calls
from linker.host.bindings.imports import host as host_import
from linker.host.bindings.imports import http as http_import
from linker.host.bindings.imports import job as job_import
from linker.host.bindings.types import Level, Request, Response
from linker.host.calls import RawHostFunc, Signature
from linker.host.capi import VAL_SIZE
from linker.host.handles import (
    HandleTable,
    PublicTranslator,
    Undo,
    Visit,
    holds_handles,
    own_tables,
    walker,
)
from linker.host.http import GatedHttp, GuestHttp
from linker.host.operations import Authority, Gate
from linker.host.registry import Registry
from linker.host.remote import Operation, Remote
from linker.host.settings import HttpLimits, Settings
from linker.plan.model import HOST_PROVIDER, WASI_PROVIDER
from linker.services.opschema import Operations

if TYPE_CHECKING:
    from linker.host.jobs import Jobs
    from linker.host.runtime import Export, ExtensionRuntime

HOST_INTERFACES = {"host", "types", "job", "http"}
LEVELS = {Level.TRACE: 5, Level.DEBUG: 10, Level.INFO: 20, Level.WARN: 30, Level.ERROR: 40}
"""The `logging` level of each WIT log level."""


@attrs.frozen
class Wiring:
    """What building a linker needs of the host: its settings, the other extensions'
    runtimes, and what serves `witlink:host` (operations, their authority, jobs, HTTP)."""

    settings: Settings
    registry: Registry
    operations: Operations
    authority: Authority
    jobs: Jobs
    http: HttpLimits
    remote: Remote | None = None
    """Set by the Ray backend: extensions `remote` does not call local run elsewhere."""


def build_linker(
    wiring: Wiring, rt: ExtensionRuntime, component: Component | None = None
) -> tuple[Linker, list[object]]:
    """A linker satisfying every import of `component` (default: `rt`'s), per the plan.

    Returns it with the native callbacks that must live as long as it does.
    """
    engine = wiring.settings.engine
    linker = Linker(engine)
    keep: list[object] = []
    imports = (component or rt.component).type.imports(engine)
    planned = {i.name: i.provider for i in rt.planned.imports}
    refs: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for ref in wiring.registry.plan.functions:
        if ref.consumer == rt.id:
            export = wiring.registry.current_export(ref.provider, ref.export)
            refs[ref.import_][ref.function] = (ref.provider, f"{export}#{ref.function}")
    gate = Gate(rt.id, rt.planned.permissions, wiring.operations, wiring.authority)
    if any(name.startswith("wasi:") for name in imports):
        linker.add_wasip2()
    with linker.root() as root:
        for name, item in imports.items():
            provider = planned.get(name)
            if name.startswith("wasi:") or provider == WASI_PROVIDER:
                continue
            if provider is None:
                raise ExtensionError(
                    f"extension `{rt.id}` imports `{name}`, which the plan does not provide; "
                    "link again with its provider",
                    extension=rt.id,
                )
            ty = item.ty
            items = ty.exports(engine) if isinstance(ty, ComponentInstanceType) else {}
            funcs = {n: i.ty for n, i in items.items() if isinstance(i.ty, FuncType)}
            with root.add_instance(name) as instance:
                if provider == HOST_PROVIDER:
                    _define_host(wiring, rt, gate, name, funcs, instance, keep)
                    continue
                resources = {n: i.ty for n, i in items.items() if isinstance(i.ty, ResourceType)}
                if wiring.remote is not None and not wiring.remote.local(provider):
                    _define_remote(
                        wiring, rt.id, provider, name, funcs, resources, refs, instance, keep
                    )
                    continue
                tables = _define_resources(wiring, rt.id, provider, resources, instance, keep)
                for fname, fty in funcs.items():
                    target = _target(refs, rt.id, name, fname)
                    bound = Binding(wiring, rt.id, target[0], target[1], fname, fty, tables)
                    keep.append(bound.define(instance))
    return linker, keep


def _target(
    refs: dict[str, dict[str, tuple[str, str]]], consumer: str, name: str, function: str
) -> tuple[str, str]:
    """The provider and export the plan's registry gives for `name#function` of `consumer`."""
    target = refs[name].get(function)
    if target is None:
        raise ExtensionError(
            f"extension `{consumer}`: the plan names no provider function for "
            f"`{name}#{function}`; link again",
            extension=consumer,
        )
    return target


def _define_remote(
    wiring: Wiring,
    consumer: str,
    provider: str,
    name: str,
    funcs: dict[str, FuncType],
    resources: dict[str, ResourceType],
    refs: dict[str, dict[str, tuple[str, str]]],
    instance: LinkerInstance,
    keep: list[object],
) -> None:
    """`name`'s functions as host functions calling `provider` in another process."""
    assert wiring.remote is not None
    fast = wiring.settings.fast_calls
    if resources:
        raise ExtensionError(
            f"extension `{consumer}` imports resources of `{name}` from `{provider}`, which "
            "runs in another process; resources cannot cross processes yet: run both in one "
            "process",
            extension=consumer,
        )
    for fname, fty in funcs.items():
        target = _target(refs, consumer, name, fname)
        sig = Signature.of(fty, fast)
        call = wiring.remote.forwarder(consumer, provider, target[1])
        keep.append(calls.define(instance, fname, sig, calls.on_public(sig, call), fast))


def _define_resources(
    wiring: Wiring,
    consumer: str,
    provider: str,
    resources: dict[str, ResourceType],
    instance: LinkerInstance,
    keep: list[object],
) -> list[tuple[ResourceType, HandleTable]]:
    """Each imported resource as a host resource with its own handle table."""
    tables = []
    for rname, rty in resources.items():
        table = HandleTable(consumer, wiring.registry.runtime(provider), rname)
        instance.add_resource(rname, table.host_type, table.destroy)
        keep.append(table)
        tables.append((rty, table))
    return tables


class Binding:
    """One imported function of a consumer, forwarded to its provider's export."""

    def __init__(
        self,
        wiring: Wiring,
        consumer: str,
        provider_id: str,
        export_name: str,
        function: str,
        ty: FuncType,
        tables: list[tuple[ResourceType, HandleTable]],
    ) -> None:
        self.fast = wiring.settings.fast_calls
        self.consumer = consumer
        self.provider = wiring.registry.runtime(provider_id)
        self.export: Export = self.provider.export(export_name)
        self.function = function
        self.sig = Signature.of(ty, self.fast)
        self.tables = tables
        self.handles = any(holds_handles(t) for t in (*self.sig.params, self.sig.result))

    def define(self, instance: LinkerInstance) -> object:
        if self.fast:
            return calls.define_raw(instance, self.function, self.raw_forwarder())
        if self.handles:
            return calls.define(
                instance, self.function, self.sig, self.translating_forwarder(), False, True
            )
        return calls.define(instance, self.function, self.sig, self.forwarder(), False)

    def table(self, ty: ResourceType) -> HandleTable:
        return next(table for rty, table in self.tables if rty == ty)

    def forwarder(self) -> Callable[..., Any]:
        """Python values in, Python values out (the public call path)."""
        call, export, consumer = self.provider.call, self.export, self.consumer

        def forward(*args: Any) -> Any:
            token = callchain.push(consumer)
            try:
                return call(export, args, consumer, True)
            finally:
                callchain.pop(token)

        return forward

    def translating_forwarder(self) -> Callable[..., Any]:
        """`forwarder`, translating resource handles (the public call path)."""
        call, export, consumer = self.provider.call, self.export, self.consumer
        translate = PublicTranslator([t for _, t in self.tables], self.function)
        out = self._result_table()

        def forward(store: StoreContext, *args: Any) -> Any:
            theirs = tuple(translate.inbound(a, store) for a in args)
            token = callchain.push(consumer)
            try:
                result = call(export, theirs, consumer, True)
            finally:
                callchain.pop(token)
            return result if out is None else translate.outbound(result, out)

        return forward

    def _result_table(self) -> HandleTable | None:
        found = {id(t): t for t in own_tables(self.sig.result, self.table)}
        if len(found) > 1:
            raise ExtensionError(
                f"extension `{self.consumer}`: `{self.function}` returns handles of several "
                "resource types, which only the fast call path can forward; unset "
                "WITLINK_PUBLIC_CALLS",
                extension=self.consumer,
            )
        return next(iter(found.values()), None)

    def raw_forwarder(self) -> RawHostFunc:
        """C arrays straight through (the fast path); handles translated in place."""
        call, export, consumer = self.provider.call, self.export, self.consumer
        if not self.handles:

            def forward(_ctx: int, args: Any, n: int, results: Any, m: int) -> None:
                token = callchain.push(consumer)
                try:
                    call(export, (args, n, results, m), consumer, True)
                finally:
                    callchain.pop(token)

            return forward
        ins = [
            (i, visit)
            for i, t in enumerate(self.sig.params)
            if (visit := walker(t, self.table, self.function, True)) is not None
        ]
        out: Visit | None = walker(self.sig.result, self.table, self.function, False)

        def forward_handles(ctx: int, args: Any, n: int, results: Any, m: int) -> None:
            undo: Undo = []
            token = callchain.push(consumer)
            try:
                for i, visit in ins:
                    visit(args + i * VAL_SIZE, ctx, undo)
                call(export, (args, n, results, m), consumer, True)
            finally:
                callchain.pop(token)
                for slot, mine, _ in undo:
                    slot.value = mine
            if out is not None:
                out(results, ctx, undo)

        return forward_handles


def _define_host(
    wiring: Wiring,
    rt: ExtensionRuntime,
    gate: Gate,
    name: str,
    funcs: dict[str, FuncType],
    instance: LinkerInstance,
    keep: list[object],
) -> None:
    """The functions of `witlink:host` interface `name` that the component imports, from
    the generated bindings (`linker.host.bindings`), on the fast call path when enabled."""
    package, _, rest = name.partition("/")
    iface = rest.partition("@")[0]
    if package != "witlink:host" or iface not in HOST_INTERFACES:
        raise ExtensionError(
            f"extension `{rt.id}` imports `{name}`, which this host does not provide "
            "(it provides witlink:host/host, job, http and types)",
            extension=rt.id,
        )
    served: dict[str, HostFunction]
    if iface == "host":
        served = host_import.functions(GuestHost(rt, _operation(wiring, rt, gate)))
    elif iface == "job":
        served = job_import.functions(wiring.jobs.guest_import(rt))
    elif iface == "http":
        served = http_import.functions(_http(wiring, rt, gate))
    else:
        return
    fast = wiring.settings.fast_calls
    for fname, fty in funcs.items():
        function = served.get(fname)
        if function is None:
            raise ExtensionError(
                f"extension `{rt.id}` imports `{name}#{fname}`, which this host does not "
                f"provide (it provides {', '.join(sorted(served))}); build it against "
                "this host's witlink:host WIT",
                extension=rt.id,
            )
        assert not function.takes_store  # witlink:host passes no resources
        keep.append(calls.define(instance, fname, Signature.of(fty, fast), function.call, fast))


class GuestHost:
    """`witlink:host/host` for extension `rt`: `call` runs `operation` (its time does not
    count against the guest), `log` writes to the extension's logger."""

    def __init__(self, rt: ExtensionRuntime, operation: Operation) -> None:
        self._rt = rt
        self._operation = operation

    def call(self, method: str, library_id: str | None, payload: str) -> str:
        try:
            result = self._operation(method, library_id, payload)
        finally:
            self._rt.arm()  # the handler's time does not count against the guest
        if isinstance(result, str):
            return result
        raise ResultError(result)

    def log(self, level: Level, message: str) -> None:
        self._rt.log.log(LEVELS[level], message)


# -- the Ray seam: witlink:host served by a host whose operations run elsewhere ---------


def _operation(wiring: Wiring, rt: ExtensionRuntime, gate: Gate) -> Operation:
    """`host.call`'s operations: this host's `gate`, or the Ray backend's relay."""
    remote = wiring.remote
    return gate.call if remote is None else functools.partial(remote.operation, rt.id)


def _http(wiring: Wiring, rt: ExtensionRuntime, gate: Gate) -> http_import.Host:
    """`witlink:host/http`: through `gate` here, or at the Ray backend's driver."""
    remote = wiring.remote
    if remote is None:
        return GuestHttp(rt, GatedHttp(wiring.http, gate, rt.log))
    return GuestHttp(rt, RemoteHttp(remote, rt.id))


class RemoteHttp:
    """`fetch` run by `remote` for extension `ext_id`, with the driver's checks and limits."""

    def __init__(self, remote: Remote, ext_id: str) -> None:
        self._remote = remote
        self._ext_id = ext_id

    def fetch(self, req: Request) -> Response:
        result = self._remote.fetch(self._ext_id, req)
        if isinstance(result, Response):
            return result
        raise ResultError(result)
