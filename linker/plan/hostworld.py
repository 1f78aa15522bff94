"""The host world (`witlink:host`): the interfaces the host itself provides to extensions.

Read from `wit/host.wit` (decoded with wasm-tools into the Resolve model) so that
imports of the host interfaces are type-checked like any other import.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import attrs

from linker.errors import WitlinkError
from linker.tools import ToolError, run_wasm_tools
from linker.wit.json_io import resolve_from_json
from linker.wit.model import InterfaceId, Resolve

HOST_PACKAGE_NAME = "witlink:host"
EXPORTED_BY_GUESTS = frozenset({"guest"})
"""Interfaces of the host package that extensions export rather than import."""

WASI_TRACK = "0.2"
"""The WASI release the host serves (wasmtime's `add_to_linker_sync`, through wasmtime-py's
`Linker.add_wasip2`): any `0.2.x` import of the interfaces below."""
WASI_SERVED = frozenset(
    {
        *(f"wasi:io/{i}" for i in ("error", "poll", "streams")),
        *(f"wasi:clocks/{i}" for i in ("wall-clock", "monotonic-clock")),
        *(f"wasi:filesystem/{i}" for i in ("types", "preopens")),
        *(f"wasi:random/{i}" for i in ("random", "insecure", "insecure-seed")),
        *(
            f"wasi:cli/{i}"
            for i in (
                *("exit", "environment", "stdin", "stdout", "stderr", "terminal-input"),
                *("terminal-output", "terminal-stdin", "terminal-stdout", "terminal-stderr"),
            )
        ),
        *(
            f"wasi:sockets/{i}"
            for i in (
                *("tcp", "tcp-create-socket", "udp", "udp-create-socket", "network"),
                *("instance-network", "ip-name-lookup"),
            )
        ),
    }
)
"""Every WASI interface the host's linker defines (`wasmtime_wasi::p2::add_to_linker_sync`)."""
WASI_HINTS = {
    "wasi:http": "the host serves no wasi:http: reach the network through witlink:host/http "
    "(a componentize-js guest imports wasi:http unless built with `-d http`)",
}
"""Advice for WASI packages the host does not serve, by package."""


@attrs.frozen
class HostWorld:
    resolve: Resolve
    interfaces: dict[str, InterfaceId]
    """Full interface name (`witlink:host/host@0.1.0`) -> its interface."""


def _host_wit() -> Path:
    # `linker/data/host.wit` links to the repository's `wit/host.wit`; wheels carry a copy.
    path = Path(__file__).resolve().parent.parent / "data" / "host.wit"
    if not path.is_file():
        raise WitlinkError(f"the host world is missing from this witlink installation: {path}")
    return path


@cache
def host_world() -> HostWorld:
    """The host's interfaces, decoded once per process."""
    try:
        text = run_wasm_tools("component", "wit", "--json", str(_host_wit()))
    except ToolError as err:
        raise WitlinkError(f"cannot read the host world: {err}") from None
    resolve = resolve_from_json(text.decode("utf-8"))
    interfaces = {}
    for index, iface in enumerate(resolve.interfaces):
        name = resolve.interface_name(InterfaceId(index))
        if name is not None and iface.name not in EXPORTED_BY_GUESTS:
            interfaces[name] = InterfaceId(index)
    return HostWorld(resolve, interfaces)
