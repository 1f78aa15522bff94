"""Outbound HTTP against a real loopback server that records every connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linker.services.http import FetchError, HttpClient, HttpPolicy, HttpRequest, host_allowed
from tests.support.loopback import Loopback, loopback_server

ALLOW = HttpPolicy(allowed_domains=("127.0.0.1",), timeout_s=1.0, max_response_bytes=1000)


@pytest.fixture(scope="module")
def server() -> Iterator[Loopback]:
    with loopback_server() as s:
        yield s


@pytest.fixture
def client() -> Iterator[HttpClient]:
    c = HttpClient()
    yield c
    c.close()


def test_allowed_get_and_post(server: Loopback, client: HttpClient) -> None:
    got = client.fetch(HttpRequest("GET", server.url("/doc/receipt-7")), ALLOW)
    assert (got.status, got.body) == (200, b"receipt-7")
    assert ("content-type", "text/plain") in got.headers
    posted = client.fetch(HttpRequest("POST", server.url("/echo"), (("X-A", "1"),), b"hi"), ALLOW)
    assert posted.body == b"hi" and ("x-method", "POST") in posted.headers


def test_denied_domain_is_never_contacted(server: Loopback, client: HttpClient) -> None:
    before = len(server.seen)
    with pytest.raises(FetchError) as info:
        client.fetch(HttpRequest("GET", server.url("/doc/x", host="localhost")), ALLOW)
    assert info.value.kind == "denied" and "localhost" in str(info.value)
    assert len(server.seen) == before


def test_redirect_to_denied_host_stops_before_contact(server: Loopback, client: HttpClient) -> None:
    target = server.url("/doc/secret", host="localhost")
    before = len(server.seen)
    with pytest.raises(FetchError) as info:
        client.fetch(HttpRequest("GET", server.url(f"/redirect?{target}")), ALLOW)
    assert info.value.kind == "denied"
    assert [p for _, _, p in server.seen[before:]] == [f"/redirect?{target}"]


def test_redirect_to_allowed_host_is_followed(server: Loopback, client: HttpClient) -> None:
    got = client.fetch(HttpRequest("GET", server.url("/redirect?/doc/moved")), ALLOW)
    assert got.body == b"moved"


def test_too_large_and_timeout(server: Loopback, client: HttpClient) -> None:
    with pytest.raises(FetchError) as big:
        client.fetch(HttpRequest("GET", server.url("/big?5000")), ALLOW)
    assert (big.value.kind, big.value.detail) == ("too-large", 1000)
    with pytest.raises(FetchError) as slow:
        client.fetch(HttpRequest("GET", server.url("/slow?3")), ALLOW)
    assert slow.value.kind == "timeout"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1/x"])
def test_only_http_schemes(url: str, client: HttpClient) -> None:
    with pytest.raises(FetchError) as info:
        client.fetch(HttpRequest("GET", url), ALLOW)
    assert info.value.kind in ("denied", "failed")


def test_connection_refused_is_failed(client: HttpClient) -> None:
    with pytest.raises(FetchError) as info:
        client.fetch(HttpRequest("GET", "http://127.0.0.1:1/x"), ALLOW)
    assert info.value.kind == "failed"


def test_wildcards() -> None:
    assert host_allowed("api.example.com", ["*.example.com"])
    assert host_allowed("a.b.Example.COM.", ["*.example.com"])
    assert not host_allowed("example.com", ["*.example.com"])
    assert not host_allowed("badexample.com", ["*.example.com"])
    assert not host_allowed("example.com.evil.net", ["example.com"])


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


@given(st.lists(labels, min_size=1, max_size=4), st.lists(labels, min_size=1, max_size=3))
def test_wildcard_matches_exactly_the_subdomains(base: list[str], sub: list[str]) -> None:
    domain = ".".join(base)
    assert host_allowed(".".join([*sub, domain]), [f"*.{domain}"])
    assert not host_allowed(domain, [f"*.{domain}"])
    assert host_allowed(domain, [domain])
