"""Outbound HTTP against real loopback servers that record every connection they accept."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linker.services.http import (
    FetchError,
    HttpPolicy,
    HttpRequest,
    Target,
    allowed,
    fetch,
    parse_url,
)
from tests.support.loopback import Loopback, loopback_server


@pytest.fixture(scope="module")
def server() -> Iterator[Loopback]:
    with loopback_server() as s:
        yield s


@pytest.fixture(scope="module")
def decoy() -> Iterator[Loopback]:
    """A server on 127.0.0.2 that no test may ever reach."""
    with loopback_server("127.0.0.2") as s:
        yield s


@pytest.fixture
def policy(server: Loopback) -> HttpPolicy:
    return HttpPolicy(allowed_domains=(server.authority,), timeout_s=1.0, max_response_bytes=1000)


def refused(url: str, policy: HttpPolicy, method: str = "GET") -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(HttpRequest(method, url), policy)
    return info.value


def test_allowed_get_and_post(server: Loopback, policy: HttpPolicy) -> None:
    got = fetch(HttpRequest("GET", server.url("/doc/receipt-7")), policy)
    assert (got.status, got.body) == (200, b"receipt-7")
    assert ("content-type", "text/plain") in got.headers
    posted = fetch(HttpRequest("POST", server.url("/echo"), (("X-A", "1"),), b"hi"), policy)
    assert posted.body == b"hi" and ("x-method", "POST") in posted.headers


def test_denied_domain_is_never_contacted(server: Loopback, policy: HttpPolicy) -> None:
    before = len(server.connections)
    err = refused(server.url("/doc/x", host="localhost"), policy)
    assert err.kind == "denied" and "localhost" in str(err)
    assert len(server.connections) == before


@pytest.mark.parametrize(
    ("template", "kind", "why"),
    [
        # the SSRF of the security review: urllib3 stopped at the backslash
        ("http://127.0.0.2:{port}\\@allowed.test/", "failed", "backslash"),
        ("http://allowed.test\\@127.0.0.2:{port}/", "failed", "backslash"),
        ("http://allowed.test@127.0.0.2:{port}/", "failed", "userinfo"),
        ("http://127.0.0.2:{port}#@allowed.test/", "denied", "'127.0.0.2'"),
        ("http://127.0.0.2:{port}?@allowed.test/", "denied", "'127.0.0.2'"),
        ("http://127.0.0.2:{port}/@allowed.test/", "denied", "'127.0.0.2'"),
        ("http://127.0.0.2:{port} @allowed.test/", "failed", "whitespace"),
        ("http://127.0.0.2:{port}\t@allowed.test/", "failed", "control"),
        ("http://allowed.test\x00.127.0.0.2:{port}/", "failed", "control"),
        ("http://allowed.test\r\nHost: 127.0.0.2:{port}/", "failed", "control"),
        (" http://127.0.0.2:{port}/", "failed", "whitespace"),
        ("http://127%2e0%2e0%2e2:{port}/", "failed", "percent"),
        ("http://127.0.0.2%3a{port}/", "failed", "percent"),
        ("http://\u0430llowed.test:{port}/", "failed", "xn--"),  # Cyrillic a
        ("http://allowed.test\uff0e127.0.0.2:{port}/", "failed", "xn--"),
        ("http://[::ffff:127.0.0.2]:{port}/", "failed", "IPv6"),
        ("http://allowed.test:{port}:80/", "failed", "invalid host"),
        ("http://allowed.test:99999/", "failed", "port"),
        ("http:/127.0.0.2:{port}/", "failed", "http://host"),
        ("gopher://127.0.0.2:{port}/", "denied", "scheme"),
    ],
)
def test_tricky_urls_never_reach_another_host(
    decoy: Loopback, template: str, kind: str, why: str
) -> None:
    policy = HttpPolicy(allowed_domains=("allowed.test", f"allowed.test:{decoy.port}"))
    err = refused(template.format(port=decoy.port), policy)
    assert (err.kind, decoy.connections) == (kind, [])
    assert why in str(err)


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.2:{port}\\@{allowed}/",
        "http://{allowed}@127.0.0.2:{port}/",
        "//127.0.0.2:{port}/doc/x",
        "http://127.0.0.2:{port}/doc/x",
        "/\\127.0.0.2:{port}/doc/x",
        "http://127.0.0.2:{port} /",
        "http://127%2e0%2e0%2e2:{port}/",
    ],
)
def test_every_redirect_hop_goes_through_the_same_parser(
    server: Loopback, decoy: Loopback, policy: HttpPolicy, location: str
) -> None:
    hop = location.format(port=decoy.port, allowed=server.authority)
    first = server.url("/redirect?" + quote(hop, safe=""))
    seen = len(server.seen)
    err = refused(first, policy)
    assert err.kind in ("denied", "failed")
    assert decoy.connections == []
    assert len(server.seen) == seen + 1  # the first hop only


def test_redirect_to_allowed_host_is_followed(server: Loopback, policy: HttpPolicy) -> None:
    got = fetch(HttpRequest("GET", server.url("/redirect?/doc/moved")), policy)
    assert got.body == b"moved"


def test_credentials_are_not_sent_to_another_origin(server: Loopback, policy: HttpPolicy) -> None:
    other = server.url("/echo", host="localhost")
    both = attrs.evolve(policy, allowed_domains=(server.authority, f"localhost:{server.port}"))
    start = len(server.seen)
    secret = (("Authorization", "Bearer s3cret"), ("X-Keep", "1"))
    fetch(HttpRequest("GET", server.url("/redirect?" + quote(other, safe="")), secret), both)
    assert [host for _, host, _ in server.seen[start:]] == [
        server.authority,
        f"localhost:{server.port}",
    ]


def test_a_port_is_allowed_only_when_named(server: Loopback) -> None:
    name_only = HttpPolicy(allowed_domains=("127.0.0.1",), timeout_s=1.0)
    before = len(server.connections)
    err = refused(server.url("/doc/x"), name_only)
    assert err.kind == "denied" and f"write '{server.authority}'" in str(err)
    assert len(server.connections) == before
    assert refused(server.url("/doc/x"), HttpPolicy(("127.0.0.1:1",))).kind == "denied"
    target = parse_url("https://API.example.com./v1?q=1#frag")
    assert target == Target("https", "api.example.com", 443, "/v1?q=1")
    assert allowed(target, ["api.example.com"]) and allowed(target, ["*.example.com:443"])
    assert not allowed(target, ["api.example.com:80"])
    assert not allowed(parse_url("http://api.example.com:8080/"), ["api.example.com"])
    assert allowed(parse_url("http://api.example.com:8080/"), ["*.example.com:8080"])
    assert allowed(parse_url("http://api.example.com:8080/"), ["api.example.com:*"])


def test_too_large_and_slow(server: Loopback, policy: HttpPolicy) -> None:
    big = refused(server.url("/big?5000"), policy)
    assert (big.kind, big.detail) == ("too-large", 1000)
    assert refused(server.url("/slow?3"), policy).kind == "timeout"


@pytest.mark.parametrize("where", ["head", "body"])
def test_one_deadline_for_the_whole_exchange(
    server: Loopback, policy: HttpPolicy, where: str
) -> None:
    """A byte every 0.4 s would keep a per-read timeout of 1 s waiting for 8 s."""
    start = time.monotonic()
    assert refused(server.url(f"/trickle?{where}"), policy).kind == "timeout"
    assert time.monotonic() - start < policy.timeout_s + 1.0


@pytest.mark.parametrize(
    ("method", "headers", "why"),
    [
        ("GET\r\nX: y", (), "method"),
        ("GE T", (), "method"),
        ("", (), "method"),
        ("GET", (("X-A", "1\r\nX-Injected: 1"),), "value"),
        ("GET", (("X-A", "1\n"),), "value"),
        ("GET", (("X-A", "\u20ac"),), "value"),
        ("GET", (("X A", "1"),), "name"),
        ("GET", (("X-A\r\n", "1"),), "name"),
        ("GET", (("", "1"),), "name"),
        ("GET", (("Host", "127.0.0.2"),), "set by the host"),
        ("POST", (("Content-Length", "0"),), "set by the host"),
    ],
)
def test_invalid_methods_and_headers_fail_before_contact(
    server: Loopback,
    policy: HttpPolicy,
    method: str,
    headers: tuple[tuple[str, str], ...],
    why: str,
) -> None:
    before = len(server.connections)
    with pytest.raises(FetchError) as info:
        fetch(HttpRequest(method, server.url("/echo"), headers), policy)
    assert info.value.kind == "failed" and why in str(info.value)
    assert len(server.connections) == before


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1/x"])
def test_only_http_schemes(url: str, policy: HttpPolicy) -> None:
    assert refused(url, policy).kind == "denied"


def test_connection_refused_is_failed() -> None:
    err = refused("http://127.0.0.1:1/x", HttpPolicy(("127.0.0.1:1",), timeout_s=1.0))
    assert err.kind == "failed" and "cannot connect to 127.0.0.1:1" in str(err)


def test_every_hop_is_observed(server: Loopback, policy: HttpPolicy) -> None:
    seen: list[tuple[str, str, str | None]] = []
    target = server.url("/doc/x", host="localhost")
    with pytest.raises(FetchError):
        fetch(
            HttpRequest("GET", server.url("/redirect?" + quote(target, safe=""))),
            policy,
            lambda *decision: seen.append(decision),
        )
    assert [(w, o) for w, o, _ in seen] == [
        (server.authority, "allowed"),
        (f"localhost:{server.port}", "denied"),
    ]


def test_wildcards() -> None:
    def ok(host: str, patterns: list[str]) -> bool:
        return allowed(parse_url(f"http://{host}/"), patterns)

    assert ok("api.example.com", ["*.example.com"])
    assert ok("a.b.Example.COM.", ["*.example.com"])
    assert not ok("example.com", ["*.example.com"])
    assert not ok("badexample.com", ["*.example.com"])
    assert not ok("example.com.evil.net", ["example.com"])


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


@given(st.lists(labels, min_size=1, max_size=4), st.lists(labels, min_size=1, max_size=3))
def test_wildcard_matches_exactly_the_subdomains(base: list[str], sub: list[str]) -> None:
    domain = ".".join(base)
    assert allowed(parse_url(f"http://{'.'.join([*sub, domain])}/"), [f"*.{domain}"])
    assert not allowed(parse_url(f"http://{domain}/"), [f"*.{domain}"])
    assert allowed(parse_url(f"https://{domain}/x"), [domain])


@given(st.text(max_size=40))
def test_parse_url_accepts_or_refuses_but_never_crashes(text: str) -> None:
    for url in (text, f"http://{text}", f"http://h/{text}"):
        try:
            target = parse_url(url)
        except FetchError as err:
            assert err.kind in ("denied", "failed")
            continue
        assert parse_url(target.url) == target  # what was checked is what is contacted
