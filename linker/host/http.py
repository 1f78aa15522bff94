"""`witlink:host/http.fetch` for one extension, through `linker.services.http`.

The guest's `request` record becomes an `HttpRequest`; the extension's `allowed-domains`
(and those of every extension it runs for, see `linker.host.callchain`) make its policy;
each request takes a token of the extension's rate limit (refused as `denied`); a
`FetchError` becomes the WIT `http-error` case of the same name. Every decision is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wasmtime.component import Record, Variant

from linker.services.http import FetchError, HttpPolicy, HttpRequest, fetch

if TYPE_CHECKING:
    from linker.host.operations import Gate
    from linker.host.runtime import ExtensionRuntime
    from linker.host.settings import HttpLimits

Fetch = Callable[[Any], Record | Variant]
"""`witlink:host/http.fetch`: the guest's `request` record in, its `result` out."""


def fetch_function(
    limits: HttpLimits, rt: ExtensionRuntime, gate: Gate, elsewhere: Fetch | None = None
) -> Fetch:
    """The `fetch` host function of extension `rt`: `gated_fetch` here, or `elsewhere` (the
    Ray backend runs it at the driver, with the same checks)."""
    run = elsewhere if elsewhere is not None else gated_fetch(limits, gate, rt.log)

    def guest_fetch(req: Any) -> Record | Variant:
        try:
            return run(req)
        finally:
            rt.arm()  # time spent waiting on the network does not count against the guest

    return guest_fetch


def gated_fetch(limits: HttpLimits, gate: Gate, log: logging.Logger) -> Fetch:
    """`fetch` for `gate`'s extension, limited by its gate and `limits` (read on every
    request); takes the guest's `request` record and answers its `result`."""

    def observe(where: str, outcome: str, detail: str | None) -> None:
        gate.record("http", where, outcome, detail)

    def run(req: Any) -> Record | Variant:
        try:
            wait_ms = gate.take_token()
            if wait_ms:
                detail = f"rate limit reached: the next request is allowed in {wait_ms} ms"
                gate.record("http", req.url, "rate-limited", detail)
                return Variant("denied", detail)
            request = HttpRequest(
                method=req.method,
                url=req.url,
                headers=tuple((h.name, h.value) for h in req.headers),
                body=req.body,
            )
            principals = gate.principals()
            policy = HttpPolicy(
                allowed_domains=principals[0][1].allowed_domains,
                timeout_s=limits.timeout,
                max_response_bytes=limits.max_bytes,
                on_behalf_of=tuple((i, p.allowed_domains) for i, p in principals[1:]),
            )
            response = fetch(request, policy, observe)
        except FetchError as err:
            log.info("fetch %s %s refused or failed: %s", req.method, req.url, err)
            return Variant(err.kind, err.detail)
        return _record(
            status=response.status,
            headers=[_record(name=n, value=v) for n, v in response.headers],
            body=response.body,
        )

    return run


def _record(**fields: object) -> Record:
    record = Record()
    record.__dict__.update(fields)
    return record
