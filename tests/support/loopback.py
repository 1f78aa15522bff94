"""A real HTTP server on loopback for tests; it records every connection and request."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import attrs


@attrs.define
class Loopback:
    port: int
    address: str = "127.0.0.1"
    connections: list[str] = attrs.Factory(list)
    """The client address of every connection accepted (even one that sent nothing)."""
    seen: list[tuple[str, str, str]] = attrs.Factory(list)
    """(method, Host header, path) of every request received."""
    files: dict[str, bytes] = attrs.Factory(dict)
    """Served at `/files/<name>`."""

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.address}:{self.port}{path}"

    @property
    def authority(self) -> str:
        """`address:port`, as an `allowed-domains` entry allowing this server."""
        return f"{self.address}:{self.port}"


def _handler(state: Loopback) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _route(self) -> None:
            state.seen.append((self.command, self.headers.get("Host", ""), self.path))
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            if path == "/echo":
                self._reply(200, body, {"X-Method": self.command})
            elif path.startswith("/doc/"):
                self._reply(
                    200, path.removeprefix("/doc/").encode(), {"Content-Type": "text/plain"}
                )
            elif path.removeprefix("/files/") in state.files:
                self._reply(200, state.files[path.removeprefix("/files/")])
            elif path == "/big":
                self._reply(200, b"x" * int(query or "100000"))
            elif path == "/slow":
                time.sleep(float(query or "2"))
                self._reply(200, b"late")
            elif path == "/redirect":  # the query, percent-decoded, is the Location
                self._reply(302, b"", {"Location": unquote(query)})
            elif path == "/trickle":
                self._trickle(query == "head")
            else:
                self._reply(404, b"not found")

        def _trickle(self, in_head: bool) -> None:
            """20 bytes, one every 0.4 s: in place of the status line (`?head`) or as the body."""
            if not in_head:
                self.send_response(200)
                self.send_header("Content-Length", "20")
                self.end_headers()
            for _ in range(20):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.4)

        do_GET = do_POST = do_PUT = do_DELETE = _route

    return Handler


class _QuietServer(ThreadingHTTPServer):
    state: Loopback

    def verify_request(self, request: object, client_address: object) -> bool:
        self.state.connections.append(str(client_address))
        return True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up early (a capped or timed-out fetch) is expected."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def loopback_server(address: str = "127.0.0.1") -> Iterator[Loopback]:
    state = Loopback(port=0, address=address)
    server = _QuietServer((address, 0), _handler(state))
    server.state = state
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
