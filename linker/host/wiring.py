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

from linker.errors import ExtensionError
from linker.host import callchain, calls, values
from linker.host.calls import HostFunc, RawHostFunc, Signature
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
from linker.host.http import fetch_function
from linker.host.operations import Authority, Gate
from linker.host.registry import Registry
from linker.host.remote import Remote
from linker.host.settings import HttpLimits, Settings
from linker.plan.model import HOST_PROVIDER, WASI_PROVIDER
from linker.services.opschema import Operations

if TYPE_CHECKING:
    from linker.host.jobs import Jobs
    from linker.host.runtime import Export, ExtensionRuntime

HOST_INTERFACES = {"host", "types", "job", "http"}
LEVELS = {"trace": 5, "debug": 10, "info": 20, "warn": 30, "error": 40}


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
                    target = refs[name].get(fname)
                    if target is None:
                        raise ExtensionError(
                            f"extension `{rt.id}`: the plan names no provider function for "
                            f"`{name}#{fname}`; link again",
                            extension=rt.id,
                        )
                    bound = Binding(wiring, rt.id, target[0], target[1], fname, fty, tables)
                    keep.append(bound.define(instance))
    return linker, keep


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
        target = refs[name].get(fname)
        if target is None:
            raise ExtensionError(
                f"extension `{consumer}`: the plan names no provider function for "
                f"`{name}#{fname}`; link again",
                extension=consumer,
            )
        sig = Signature.of(fty, fast)
        call = wiring.remote.forwarder(consumer, provider, target[1])
        keep.append(calls.define(instance, fname, sig, _mapped(sig, call), fast))


def _mapped(sig: Signature, target: HostFunc) -> HostFunc:
    """`target` (on the value mapping) as a host function on wasmtime-py's value classes."""
    ins = [values.from_public(v, t, None) for v, t in zip(sig.params, sig.types, strict=True)]
    out = (
        values.to_public(sig.result, sig.result_type, None)
        if sig.result is not None and sig.result_type is not None
        else None
    )

    def call(*args: Any) -> Any:
        result = target(*[f(a) for f, a in zip(ins, args, strict=True)])
        return None if out is None else out(result)

    return call


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
    package, _, rest = name.partition("/")
    iface = rest.partition("@")[0]
    if package != "witlink:host" or iface not in HOST_INTERFACES:
        raise ExtensionError(
            f"extension `{rt.id}` imports `{name}`, which this host does not provide "
            "(it provides witlink:host/host, job, http and types)",
            extension=rt.id,
        )
    targets: dict[str, Callable[..., Any]]
    if iface == "host":
        remote = wiring.remote
        operation = gate.call if remote is None else functools.partial(remote.operation, rt.id)
        targets = _host_functions(rt, operation)
    elif iface == "job":
        targets = wiring.jobs.guest_functions(rt)
    elif iface == "http":
        elsewhere = None if wiring.remote is None else functools.partial(wiring.remote.fetch, rt.id)
        targets = {"fetch": fetch_function(wiring.http, rt, gate, elsewhere)}
    else:
        return
    for fname, fty in funcs.items():
        if fname not in targets:
            raise ExtensionError(
                f"extension `{rt.id}` imports `{name}#{fname}`, which this host does not "
                f"provide (it provides {', '.join(sorted(targets))}); build it against "
                "this host's witlink:host WIT",
                extension=rt.id,
            )
        keep.append(
            calls.define(
                instance,
                fname,
                Signature.of(fty, wiring.settings.fast_calls),
                targets[fname],
                wiring.settings.fast_calls,
            )
        )


def _host_functions(
    rt: ExtensionRuntime, operation: Callable[[str, str | None, str], Any]
) -> dict[str, Callable[..., Any]]:
    log = rt.log

    def call(method: str, library_id: str | None, payload: str) -> Any:
        try:
            return operation(method, library_id, payload)
        finally:
            rt.arm()  # the handler's time does not count against the guest

    def write_log(level: str, message: str) -> None:
        log.log(LEVELS.get(level, 20), message)

    return {"call": call, "log": write_log}
