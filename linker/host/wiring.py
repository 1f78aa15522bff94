"""Build one extension's Linker: forwarders to its providers, witlink:host, WASI.

Forwarders come from the plan's function-reference registry and are resolved here, once
per load: each holds the provider's `Export` slot, which every (re)instantiation of the
provider refreshes, so no lookup happens per call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wasmtime.component import Component, ComponentInstanceType, FuncType, Linker, LinkerInstance

from linker.errors import ExtensionError
from linker.host import callchain, calls, values
from linker.host.calls import Signature
from linker.host.http import fetch_function
from linker.host.operations import Gate
from linker.plan.model import HOST_PROVIDER, WASI_PROVIDER
from linker.wave import types as wt

if TYPE_CHECKING:
    from linker.host.host import Host
    from linker.host.runtime import Export, ExtensionRuntime

HOST_INTERFACES = {"host", "types", "job", "http"}
LEVELS = {"trace": 5, "debug": 10, "info": 20, "warn": 30, "error": 40}


def build_linker(
    host: Host, rt: ExtensionRuntime, component: Component | None = None
) -> tuple[Linker, list[object]]:
    """A linker satisfying every import of `component` (default: `rt`'s), per the plan.

    Returns it with the native callbacks that must live as long as it does.
    """
    engine = host.engine
    linker = Linker(engine)
    keep: list[object] = []
    imports = (component or rt.component).type.imports(engine)
    planned = {i.name: i.provider for i in rt.planned.imports}
    refs: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for ref in host.plan.functions:
        if ref.consumer == rt.id:
            export = host.current_export(ref.provider, ref.export)
            refs[ref.import_][ref.function] = (ref.provider, f"{export}#{ref.function}")
    gate = Gate(rt.id, rt.planned.permissions, host.operations, host.authority)
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
                    _define_host(host, rt, gate, name, funcs, instance, keep)
                    continue
                for fname, fty in funcs.items():
                    target = refs[name].get(fname)
                    if target is None:
                        raise ExtensionError(
                            f"extension `{rt.id}`: the plan names no provider function for "
                            f"`{name}#{fname}`; link again",
                            extension=rt.id,
                        )
                    forward = forwarder(host, rt.id, target[0], target[1])
                    keep.append(
                        calls.define(
                            instance,
                            fname,
                            Signature.of(fty, host.fast_calls),
                            forward,
                            host.fast_calls,
                        )
                    )
    return linker, keep


def forwarder(host: Host, consumer: str, provider_id: str, export_name: str) -> Callable[..., Any]:
    """A host function that calls `provider_id`'s `export_name`, resolved now.

    `calls.define` hands it wasmtime-py's values and takes them back; the provider's call
    takes the value mapping of `linker.wave.mapping`, so values other than scalars are
    converted on the way (the data-plane work replaces this with canonical values).
    """
    provider = host.runtime(provider_id)
    export: Export = provider.export(export_name)
    call = provider.call
    sig = export.sig
    plain = (wt.Scalar, wt.EnumType)
    if all(isinstance(t, plain) for t in (*sig.types, sig.result_type) if t is not None):

        def forward(*args: Any) -> Any:
            token = callchain.push(consumer)
            try:
                return call(export, args, consumer)
            finally:
                callchain.pop(token)

        return forward
    ins = [values.from_public(v, t, None) for v, t in zip(sig.params, sig.types, strict=True)]
    out = (
        values.to_public(sig.result, sig.result_type, None)
        if sig.result is not None and sig.result_type is not None
        else None
    )

    def convert_and_forward(*args: Any) -> Any:
        token = callchain.push(consumer)
        try:
            result = call(export, tuple(f(a) for f, a in zip(ins, args, strict=True)), consumer)
        finally:
            callchain.pop(token)
        return result if out is None else out(result)

    return convert_and_forward


def _define_host(
    host: Host,
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
        targets = _host_functions(rt, gate)
    elif iface == "job":
        targets = host.job_runner.guest_functions(rt)
    elif iface == "http":
        targets = {"fetch": fetch_function(host, rt, gate)}
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
                Signature.of(fty, host.fast_calls),
                targets[fname],
                host.fast_calls,
            )
        )


def _host_functions(rt: ExtensionRuntime, gate: Gate) -> dict[str, Callable[..., Any]]:
    log = rt.log

    def call(method: str, library_id: str | None, payload: str) -> Any:
        try:
            return gate.call(method, library_id, payload)
        finally:
            rt.arm()  # the handler's time does not count against the guest

    def write_log(level: str, message: str) -> None:
        log.log(LEVELS.get(level, 20), message)

    return {"call": call, "log": write_log}
