"""`witlink:host/http.fetch` for one extension, through `linker.services.http`.

The guest's `request` record becomes an `HttpRequest`; the extension's `allowed-domains`
make its policy; a `FetchError` becomes the WIT `http-error` case of the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wasmtime.component import Record, Variant

from linker.services.http import FetchError, HttpRequest

if TYPE_CHECKING:
    from linker.host.host import Host
    from linker.host.runtime import ExtensionRuntime


def fetch_function(host: Host, rt: ExtensionRuntime) -> Callable[[Any], Record | Variant]:
    """The `fetch` host function of extension `rt`, limited by its manifest and the host's
    timeout and size settings (read on every request)."""
    log = rt.log
    client = host.http

    def fetch(req: Any) -> Record | Variant:
        request = HttpRequest(
            method=req.method,
            url=req.url,
            headers=tuple((h.name, h.value) for h in req.headers),
            body=req.body,
        )
        try:
            response = client.fetch(request, host.http_policy(rt.planned))
        except FetchError as err:
            log.info("fetch %s %s refused or failed: %s", request.method, request.url, err)
            return Variant(err.kind, err.detail)
        finally:
            rt.arm()  # time spent waiting on the network does not count against the guest
        return _record(
            status=response.status,
            headers=[_record(name=n, value=v) for n, v in response.headers],
            body=response.body,
        )

    return fetch


def _record(**fields: object) -> Record:
    record = Record()
    record.__dict__.update(fields)
    return record
