"""The seam to extensions and host operations in other processes (the Ray backend).

A `Host` given a `Remote` loads only the extensions `local` names. Its extensions' imports
from the others become host functions calling `forwarder` (values in the mapping of
`linker.wave.mapping`), and their `witlink:host/host.call` goes to `operation` (and
`http.fetch` to `fetch`), which run the permission, rate-limit and audit checks where the
operations were registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeAlias

from linker.host.bindings.types import CallError, HttpError, Request, Response

Operation: TypeAlias = Callable[[str, str | None, str], str | CallError]
"""Runs `witlink:host/host.call(method, library-id, payload)`: its JSON result or error."""


class Remote(Protocol):
    def local(self, ext_id: str) -> bool:
        """Whether `ext_id` runs in this process."""
        ...

    def forwarder(self, consumer: str, provider: str, function: str) -> Callable[..., Any]:
        """A callable running `provider`'s export `function` (`iface#func`) for `consumer`,
        taking and returning the value mapping."""
        ...

    def operation(
        self, ext_id: str, method: str, library_id: str | None, payload: str
    ) -> str | CallError:
        """`ext_id`'s `witlink:host/host.call`, decided and run by the host application."""
        ...

    def fetch(self, ext_id: str, request: Request) -> Response | HttpError:
        """`ext_id`'s `witlink:host/http.fetch`, run with the checks and limits of the host
        application's process: its response or error."""
        ...
