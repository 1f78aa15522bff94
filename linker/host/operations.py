"""Host operations: Python handlers that guests reach through `witlink:host/host.call`.

```python
ops = Operations()

@ops.operation("files.list")
def list_files(ctx: OperationContext, payload: Any) -> Any:
    return sorted(os.listdir(payload["dir"]))
```

Every call is checked in this order: the method exists (`not-found`), the manifest's
`methods` prefixes permit it (`denied`; a `query:`/`action:` kind prefix is ignored), the
library id is listed in `libraries` (`denied`), the extension's rate limit (`rate-limited`,
with the milliseconds until the next token), the payload is JSON and fits the handler's
type hints (`invalid` naming the field; see `linker.services.opschema`); a handler
that raises gives `failed` with its message.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
from wasmtime.component import Variant

from linker.manifest import Permissions
from linker.services import opschema

log = logging.getLogger("witlink.host.operations")

KIND_PREFIXES = ("query:", "action:")


@attrs.frozen
class OperationContext:
    """What a handler knows about its caller."""

    extension_id: str
    library_id: str | None
    method: str


Handler = Callable[[OperationContext, Any], Any]


class Operations:
    """The registry of host operations, by method name."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._signatures: dict[str, opschema.Signature] = {}

    def operation(self, method: str) -> Callable[[Handler], Handler]:
        """Decorator: register the function as the handler of `method`."""

        def register(handler: Handler) -> Handler:
            self.add(method, handler)
            return handler

        return register

    def add(self, method: str, handler: Handler) -> None:
        """Register `handler`; its type hints give the payload and result schemas."""
        self._signatures[method] = opschema.signature(handler, method)
        self._handlers[method] = handler

    def methods(self) -> list[str]:
        return sorted(self._handlers)

    def find(self, method: str) -> Handler | None:
        return self._handlers.get(self._key(method))

    def signature(self, method: str) -> opschema.Signature:
        return self._signatures[self._key(method)]

    def catalog(self) -> list[dict[str, Any]]:
        """Each operation's method, guest function name, doc and payload/result JSON Schemas."""
        return [self._signatures[m].describe(m) for m in self.methods()]

    def _key(self, method: str) -> str:
        return method if method in self._handlers else strip_kind(method)


def strip_kind(method: str) -> str:
    for prefix in KIND_PREFIXES:
        if method.startswith(prefix):
            return method[len(prefix) :]
    return method


class TokenBucket:
    """`per_minute` tokens a minute, with a burst of `per_minute`."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.tokens = float(per_minute)
        self.stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> int:
        """0 if a token was taken, else the milliseconds until the next one."""
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0
            return max(1, math.ceil((1.0 - self.tokens) / self.rate * 1000))


class Gate:
    """One extension's side of `call`: its permissions, rate limit and the registry."""

    def __init__(self, ext_id: str, permissions: Permissions, operations: Operations) -> None:
        self.ext_id = ext_id
        self.methods = permissions.methods
        self.libraries = permissions.libraries
        rpm = permissions.rate_limits.requests_per_minute
        self.bucket = TokenBucket(rpm) if rpm is not None else None
        self.operations = operations

    def call(self, method: str, library_id: str | None, payload: str) -> str | Variant:
        """Run one `call`: the JSON result, or a `call-error` variant."""
        handler = self.operations.find(method)
        if handler is None:
            return Variant("not-found", f"no host operation `{method}`")
        bare = strip_kind(method)
        if not any(p == "*" or bare.startswith(p) for p in self.methods):
            return Variant(
                "denied",
                f"extension `{self.ext_id}` may not call `{method}`: add a prefix of it to "
                "[permissions] methods",
            )
        if library_id is not None and not ("*" in self.libraries or library_id in self.libraries):
            return Variant(
                "denied",
                f"extension `{self.ext_id}` may not use library `{library_id}`: add it to "
                "[permissions] libraries",
            )
        if self.bucket is not None:
            wait_ms = self.bucket.take()
            if wait_ms:
                return Variant("rate-limited", wait_ms)
        try:
            value = json.loads(payload)
        except json.JSONDecodeError as err:
            return Variant("invalid", f"payload is not JSON: {err}")
        signature = self.operations.signature(method)
        try:
            argument = signature.load(value)
        except opschema.PayloadError as err:
            return Variant("invalid", str(err))
        ctx = OperationContext(self.ext_id, library_id, method)
        try:
            result = handler(ctx, argument)
        except Exception as err:
            log.debug("operation %s for %s failed", method, self.ext_id, exc_info=True)
            return Variant("failed", str(err) or type(err).__name__)
        try:
            return json.dumps(signature.dump(result))
        except (TypeError, ValueError) as err:
            return Variant("failed", f"`{method}` returned a value that is not JSON: {err}")
