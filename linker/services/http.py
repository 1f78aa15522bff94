"""Outbound HTTP for extensions (`witlink:host/http.fetch`), limited by the manifest.

One parser, `parse_url`, decides what a URL means: the `Target` it returns is both what
the allow-list checks and what the connection is made to (no other code re-reads the URL
text). It accepts `http` or `https`, then `//host[:port]`, then a path and query, all in
printable ASCII; it refuses backslashes, whitespace, control characters, userinfo
(`user@`), percent-encoded or non-ASCII hosts (write an IDNA name in its `xn--` form) and
IPv6 literals.

`allowed-domains` entries are exact names or `*.example.com` (any sub-domain), with an
optional `:port` (or `:*` for any port); an entry without a port allows only the scheme's
default port (80, 443).
Redirects are followed by hand, each hop parsed and checked before it is contacted. One
deadline covers the whole exchange (every hop's connect, headers and body), enforced by
cutting the connection when it passes. Bodies are capped. Failures are `FetchError`s whose
`kind` is the WIT `http-error` case.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from http.client import HTTPException
from typing import Literal
from urllib.parse import urljoin

import attrs
from urllib3 import BaseHTTPResponse
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
_PRINTABLE = re.compile(r"[\x21-\x7e]*")
_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
_SET_BY_HOST = frozenset({"host", "content-length", "transfer-encoding"})
_CREDENTIALS = frozenset({"authorization", "cookie", "proxy-authorization"})

ErrorKind = Literal["denied", "timeout", "too-large", "failed"]
HopObserver = Callable[[str, str, str | None], None]
"""Called with (`host:port` or the URL, outcome, detail) for every decision on a hop."""


@attrs.frozen
class HttpPolicy:
    allowed_domains: tuple[str, ...] = ()
    timeout_s: float = 10.0
    max_response_bytes: int = 16 * 1024 * 1024
    max_redirects: int = 5
    on_behalf_of: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(id, allowed-domains) of every other extension the request is made for; a host must
    be allowed by each of them too (the confused-deputy guard)."""


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


@attrs.frozen
class Target:
    """A parsed URL: exactly what is checked and what is contacted."""

    scheme: str
    host: str
    port: int
    path: str
    """The request target: path and query (never empty; the fragment is dropped)."""

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        return f"{self.scheme}://{self.host if default else self.authority}{self.path}"


class FetchError(Exception):
    """A refused or failed fetch; `kind` names the `http-error` case, `detail` its payload."""

    def __init__(self, kind: ErrorKind, detail: str | int | None = None) -> None:
        super().__init__(f"{kind}: {detail}" if detail is not None else kind)
        self.kind: ErrorKind = kind
        self.detail = detail


def parse_url(url: str) -> Target:
    """The `Target` of `url`; raises `FetchError` (`denied` for another scheme, else
    `failed`) for anything this module does not accept, saying why."""
    if not _PRINTABLE.fullmatch(url):
        bad = next(c for c in url if not "\x21" <= c <= "\x7e")
        why = (
            "non-ASCII text: percent-encode the path, write an international host name in "
            "its ASCII (xn--) form"
            if ord(bad) > 0x7E
            else f"the character {bad!r} (whitespace and control characters are refused)"
        )
        raise FetchError("failed", f"malformed URL {url!r}: it contains {why}")
    if "\\" in url:
        raise FetchError("failed", f"malformed URL {url!r}: backslashes are refused")
    scheme, colon, rest = url.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in DEFAULT_PORTS:
        shown = scheme if colon else "(none)"
        raise FetchError("denied", f"scheme {shown!r} is not allowed; use http or https")
    if not rest.startswith("//"):
        raise FetchError("failed", f"malformed URL {url!r}: expected {scheme}://host/...")
    rest = rest[2:].partition("#")[0]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, path = rest[:cut], rest[cut:]
    if "@" in authority:
        raise FetchError("failed", f"URL {url!r} has userinfo (user@host), which is refused")
    host, port = _split_port(url, authority, DEFAULT_PORTS[scheme])
    if not path.startswith("/"):
        path = "/" + path
    return Target(scheme, host, port, path)


def _split_port(url: str, authority: str, default: int) -> tuple[str, int]:
    host, colon, digits = authority.rpartition(":")
    if not colon:
        host, digits = authority, ""
    if colon and not (digits.isdigit() and len(digits) <= 5 and 0 < int(digits) < 65536):
        raise FetchError("failed", f"URL {url!r} has an invalid port {digits!r}")
    host = host.lower()
    if not host:
        raise FetchError("failed", f"URL {url!r} has no host")
    if host.startswith("["):
        raise FetchError("failed", f"URL {url!r}: IPv6 literal hosts are not supported")
    if len(host) > 254 or not _HOST.fullmatch(host):
        raise FetchError(
            "failed",
            f"URL {url!r} has an invalid host {host!r} (letters, digits, '-', '_' and dots; "
            "no percent-encoding)",
        )
    return host.rstrip("."), int(digits) if digits else default


def allowed(target: Target, patterns: Sequence[str]) -> bool:
    """Whether `patterns` allow `target`'s host and port (case-insensitive; `*.x.y` is any
    sub-domain of x.y; an entry without `:port` allows only the scheme's default port,
    `:*` any port)."""
    for pattern in patterns:
        name, colon, port = pattern.lower().rpartition(":")
        if not (colon and (port.isdigit() or port == "*")):
            name, port = pattern.lower(), str(DEFAULT_PORTS[target.scheme])
        if port != "*" and int(port) != target.port:
            continue
        name = name.rstrip(".")
        if name.startswith("*."):
            if target.host.endswith(name[1:]) and len(target.host) > len(name) - 1:
                return True
        elif target.host == name:
            return True
    return False


def check_target(target: Target, policy: HttpPolicy) -> None:
    """Raise `FetchError("denied")` unless every extension concerned allows `target`."""
    if not allowed(target, policy.allowed_domains):
        raise FetchError(
            "denied",
            f"host {target.host!r} port {target.port} is not in the extension's "
            f"allowed-domains (an entry without a port allows only port "
            f"{DEFAULT_PORTS[target.scheme]}; write '{target.authority}' for this one)",
        )
    for ext_id, patterns in policy.on_behalf_of:
        if not allowed(target, patterns):
            raise FetchError(
                "denied",
                f"host {target.host!r} port {target.port} is not in the allowed-domains of "
                f"`{ext_id}`, on whose behalf this extension runs (a cross-extension call); "
                "the host application may grant this extension delegation",
            )


def check_request(method: str, headers: Sequence[tuple[str, str]]) -> None:
    """Raise `FetchError("failed")` for a method or header that is not valid HTTP."""
    if not _TOKEN.fullmatch(method):
        raise FetchError("failed", f"invalid HTTP method {method!r}")
    for name, value in headers:
        if not _TOKEN.fullmatch(name):
            raise FetchError("failed", f"invalid header name {name!r}")
        if not _HEADER_VALUE.fullmatch(value):
            raise FetchError("failed", f"header {name!r} has an invalid value {value!r}")
        if name.lower() in _SET_BY_HOST:
            raise FetchError("failed", f"header {name!r} is set by the host, not the request")


def fetch(
    request: HttpRequest, policy: HttpPolicy, observe: HopObserver | None = None
) -> HttpResponse:
    """Run `request` under `policy`, following redirects; `observe` sees every hop's
    decision (`allowed`, or the `FetchError` kind that ended the fetch)."""
    where = request.url
    try:
        deadline = time.monotonic() + policy.timeout_s
        method, body = request.method.upper(), request.body
        headers = request.headers
        check_request(method, headers)
        target = parse_url(request.url)
        for _ in range(policy.max_redirects + 1):
            where = target.authority
            check_target(target, policy)
            if observe is not None:
                observe(where, "allowed", None)
            response = _exchange(method, target, headers, body, policy, deadline)
            if isinstance(response, HttpResponse):
                return response
            status, location = response
            where = location
            following = parse_url(urljoin(target.url, location))
            if (following.scheme, following.authority) != (target.scheme, target.authority):
                headers = tuple(h for h in headers if h[0].lower() not in _CREDENTIALS)
            target = following
            if status == 303 or (status in (301, 302) and method == "POST"):
                method, body = "GET", None
        raise FetchError("failed", f"more than {policy.max_redirects} redirects")
    except FetchError as err:
        if observe is not None:
            observe(where, err.kind, str(err.detail) if err.detail is not None else None)
        raise


def _exchange(
    method: str,
    target: Target,
    headers: tuple[tuple[str, str], ...],
    body: bytes | None,
    policy: HttpPolicy,
    deadline: float,
) -> HttpResponse | tuple[int, str]:
    """One request on a connection made to exactly `target`: the response, or a
    redirect's status and `Location`. The connection is cut when `deadline` passes."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("timeout")
    kind = HTTPSConnection if target.scheme == "https" else HTTPConnection
    conn = kind(target.host, target.port, timeout=remaining)
    watchdog: threading.Timer | None = None
    try:
        conn.connect()
        watchdog = threading.Timer(deadline - time.monotonic(), _cut, (conn.sock,))
        watchdog.daemon = True
        watchdog.start()
        conn.request(method, target.path, body=body, headers=dict(headers), preload_content=False)
        response = conn.getresponse()
        location = response.headers.get("location")
        if response.status in _REDIRECTS and location is not None:
            return response.status, str(location)
        return _read(response, policy.max_response_bytes, deadline)
    except FetchError:
        raise
    except NewConnectionError as err:  # a subclass of urllib3's timeout error
        raise FetchError(
            "failed", f"cannot connect to {target.authority}: {err.__cause__ or err}"
        ) from None
    except (HTTPError, HTTPException, OSError, ValueError) as err:
        if time.monotonic() >= deadline or isinstance(err, TimeoutError | socket.timeout):
            raise FetchError("timeout") from None
        raise FetchError("failed", f"{target.authority}: {err}") from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.close()


def _cut(sock: socket.socket | None) -> None:
    """End a connection whose deadline passed: a blocked read returns at once."""
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _read(response: BaseHTTPResponse, limit: int, deadline: float) -> HttpResponse:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError("too-large", limit)
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise FetchError("too-large", limit)
        if time.monotonic() > deadline:
            raise FetchError("timeout")
        chunks.append(chunk)
    headers = tuple((k.lower(), v) for k, v in response.headers.items())
    return HttpResponse(response.status, headers, b"".join(chunks))
