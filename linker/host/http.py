"""`witlink:host/http.fetch` for one extension, through `linker.services.http`.

The guest's `request` record becomes an `HttpRequest`; the extension's `allowed-domains`
(and those of every extension it runs for, see `linker.host.callchain`) make its policy;
each request takes a token of the extension's rate limit (refused as `denied`); a
`FetchError` becomes the WIT `http-error` case of the same name. Every decision is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wasmtime.component import Record, Variant

from linker.services.http import FetchError, HttpPolicy, HttpRequest, fetch

if TYPE_CHECKING:
    from linker.host.operations import Gate
    from linker.host.runtime import ExtensionRuntime
    from linker.host.settings import HttpLimits


def fetch_function(
    limits: HttpLimits, rt: ExtensionRuntime, gate: Gate
) -> Callable[[Any], Record | Variant]:
    """The `fetch` host function of extension `rt`, limited by `gate` and `limits` (read
    on every request)."""
    log = rt.log

    def observe(where: str, outcome: str, detail: str | None) -> None:
        gate.record("http", where, outcome, detail)

    def guest_fetch(req: Any) -> Record | Variant:
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
        finally:
            rt.arm()  # time spent waiting on the network does not count against the guest
        return _record(
            status=response.status,
            headers=[_record(name=n, value=v) for n, v in response.headers],
            body=response.body,
        )

    return guest_fetch


def _record(**fields: object) -> Record:
    record = Record()
    record.__dict__.update(fields)
    return record
