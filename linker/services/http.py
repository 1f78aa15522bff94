"""Outbound HTTP for extensions (`witlink:host/http.fetch`), limited by the manifest.

Only hosts matching `allowed-domains` are contacted (exact names, or `*.example.com`
for any sub-domain); only http and https; redirects are followed by hand so that
every hop is checked before it is contacted; bodies are capped; each request has a
deadline. Failures are `FetchError`s whose `kind` is the WIT `http-error` case.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal
from urllib.parse import urljoin, urlsplit

import attrs
import urllib3
from urllib3.exceptions import (
    HTTPError,
    LocationParseError,
    NewConnectionError,
    ProtocolError,
    TimeoutError,
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})

ErrorKind = Literal["denied", "timeout", "too-large", "failed"]


@attrs.frozen
class HttpPolicy:
    allowed_domains: tuple[str, ...] = ()
    timeout_s: float = 10.0
    max_response_bytes: int = 16 * 1024 * 1024
    max_redirects: int = 5


@attrs.frozen
class HttpRequest:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


@attrs.frozen
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class FetchError(Exception):
    """A refused or failed fetch; `kind` names the `http-error` case, `detail` its payload."""

    def __init__(self, kind: ErrorKind, detail: str | int | None = None) -> None:
        super().__init__(f"{kind}: {detail}" if detail is not None else kind)
        self.kind: ErrorKind = kind
        self.detail = detail


def host_allowed(host: str, patterns: Sequence[str]) -> bool:
    """Whether `host` matches one of `patterns` (case-insensitive; `*.x.y` = any sub-domain)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _check_url(url: str, policy: HttpPolicy) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as err:
        raise FetchError("failed", f"malformed URL {url!r}: {err}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            "denied", f"scheme {parts.scheme or '(none)'!r} is not allowed; use http or https"
        )
    if not host:
        raise FetchError("failed", f"URL {url!r} has no host")
    if not host_allowed(host, policy.allowed_domains):
        raise FetchError("denied", f"host {host!r} is not in the extension's allowed-domains")


class HttpClient:
    """One connection pool for a host; `fetch` applies a per-extension policy."""

    def __init__(self) -> None:
        self._pool = urllib3.PoolManager(retries=False)

    def fetch(self, request: HttpRequest, policy: HttpPolicy) -> HttpResponse:
        deadline = time.monotonic() + policy.timeout_s
        method, url, body = request.method.upper(), request.url, request.body
        for _ in range(policy.max_redirects + 1):
            _check_url(url, policy)
            response = self._send(method, url, request.headers, body, deadline)
            location = response.headers.get("location")
            if response.status not in _REDIRECTS or location is None:
                return self._read(response, policy, deadline)
            response.drain_conn()
            response.release_conn()
            url = urljoin(url, location)
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, body = "GET", None
        raise FetchError("failed", f"more than {policy.max_redirects} redirects")

    def _send(
        self,
        method: str,
        url: str,
        headers: tuple[tuple[str, str], ...],
        body: bytes | None,
        deadline: float,
    ) -> urllib3.BaseHTTPResponse:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout")
        try:
            return self._pool.request(
                method,
                url,
                body=body,
                headers=dict(headers),
                redirect=False,
                preload_content=False,
                timeout=urllib3.Timeout(total=remaining),
            )
        except NewConnectionError as err:  # a subclass of the timeout error in urllib3
            raise FetchError("failed", f"cannot connect to {url}: {err.__cause__ or err}") from None
        except TimeoutError:
            raise FetchError("timeout") from None
        except (HTTPError, LocationParseError, ProtocolError, OSError) as err:
            raise FetchError("failed", str(err)) from None

    def _read(
        self, response: urllib3.BaseHTTPResponse, policy: HttpPolicy, deadline: float
    ) -> HttpResponse:
        limit = policy.max_response_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            declared = int(response.headers.get("content-length", "-1"))
            if declared > limit:
                raise FetchError("too-large", limit)
            for chunk in response.stream(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise FetchError("too-large", limit)
                if time.monotonic() > deadline:
                    raise FetchError("timeout")
                chunks.append(chunk)
        except TimeoutError:
            raise FetchError("timeout") from None
        except (HTTPError, ProtocolError, OSError, ValueError) as err:
            raise FetchError("failed", str(err)) from None
        finally:
            response.release_conn()
        headers = tuple((k.lower(), v) for k, v in response.headers.items())
        return HttpResponse(response.status, headers, b"".join(chunks))

    def close(self) -> None:
        self._pool.clear()
