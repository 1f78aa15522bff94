"""`witlink:host/http.fetch` for one extension, through `linker.services.http`.

The guest's `Request` becomes an `HttpRequest`; the extension's `allowed-domains` (and
those of every extension it runs for, see `linker.host.callchain`) make its policy; each
request takes a token of the extension's rate limit (refused as `denied`); a `FetchError`
becomes the WIT `http-error` case of the same name. Every decision is audited.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bindgen.runtime import ResultError
from linker.host.bindings.imports import http as http_import
from linker.host.bindings.types import (
    Header,
    HttpError,
    HttpErrorDenied,
    HttpErrorFailed,
    HttpErrorTimeout,
    HttpErrorTooLarge,
    Request,
    Response,
)
from linker.services.http import FetchError, HttpPolicy, HttpRequest, fetch

if TYPE_CHECKING:
    from linker.host.operations import Gate
    from linker.host.runtime import ExtensionRuntime
    from linker.host.settings import HttpLimits


class GuestHttp:
    """`witlink:host/http` as extension `rt` sees it: `fetch` runs `http` (a `GatedHttp`
    here; the Ray backend's relays it to the driver), and the time it takes does not count
    against the guest."""

    def __init__(self, rt: ExtensionRuntime, http: http_import.Host) -> None:
        self._rt = rt
        self._http = http

    def fetch(self, req: Request) -> Response:
        try:
            return self._http.fetch(req)
        finally:
            self._rt.arm()  # time spent waiting on the network does not count against the guest


class GatedHttp:
    """`fetch` for the extension of `gate`, limited by `gate` and `limits` (read on every
    request); its errors are raised as `ResultError(HttpError)`."""

    def __init__(self, limits: HttpLimits, gate: Gate, log: logging.Logger) -> None:
        self._limits = limits
        self._gate = gate
        self._log = log

    def _observe(self, where: str, outcome: str, detail: str | None) -> None:
        self._gate.record("http", where, outcome, detail)

    def fetch(self, req: Request) -> Response:
        gate, limits = self._gate, self._limits
        try:
            wait_ms = gate.take_token()
            if wait_ms:
                detail = f"rate limit reached: the next request is allowed in {wait_ms} ms"
                gate.record("http", req.url, "rate-limited", detail)
                raise ResultError(HttpErrorDenied(detail))
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
            response = fetch(request, policy, self._observe)
        except FetchError as err:
            self._log.info("fetch %s %s refused or failed: %s", req.method, req.url, err)
            raise ResultError(http_error(err)) from None
        return Response(
            status=response.status,
            headers=[Header(n, v) for n, v in response.headers],
            body=response.body,
        )


def http_error(err: FetchError) -> HttpError:
    """The `http-error` case `err` names."""
    if err.kind == "timeout":
        return HttpErrorTimeout()
    if err.kind == "too-large":
        return HttpErrorTooLarge(err.detail if isinstance(err.detail, int) else 0)
    detail = err.detail if isinstance(err.detail, str) else str(err)
    return HttpErrorDenied(detail) if err.kind == "denied" else HttpErrorFailed(detail)
