"""Host operations: Python handlers that guests reach through `witlink:host/host.call`.

```python
ops = Operations()

@ops.operation("files.list")
def list_files(ctx: OperationContext, payload: Any) -> Any:
    return sorted(os.listdir(payload["dir"]))

@ops.operation("search.web", timeout=2.0)    # the guest gets `failed` after 2 s
def search(ctx: OperationContext, payload: Any) -> Any: ...
```

Every call is checked in this order: the manifest's `methods` prefixes permit it
(`denied`; a `query:`/`action:` kind prefix is ignored) and the library id is listed in
`libraries` (`denied`), both for the extension and for every extension on whose behalf it
runs (see `linker.host.callchain`); the method exists (`not-found`); the extension's rate
limit (`rate-limited`, with the milliseconds until the next token); the payload is strict
JSON and fits the handler's type hints (`invalid` naming the field; see
`linker.services.opschema`). A handler that raises gives `failed` with its message, and so does a
result that is not strict JSON (NaN, Infinity, sets...). `KeyboardInterrupt` and
`SystemExit` are not caught: they reach the host's caller.

A handler runs on the calling thread, unless it has a timeout (its own, or the host's
`operation_timeout`): then it runs on a thread of its own and the guest gets `failed` when
the timeout passes (the handler's late result is dropped). The time a handler takes never
counts against the guest's call timeout. Every decision is recorded in the audit log.
"""

from __future__ import annotations

import contextvars
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs

from linker.host import callchain
from linker.host.bindings.types import (
    CallError,
    CallErrorDenied,
    CallErrorFailed,
    CallErrorInvalid,
    CallErrorNotFound,
    CallErrorRateLimited,
)
from linker.manifest import Permissions
from linker.services import opschema
from linker.services.audit import AuditLog, Kind
from linker.services.opschema import Handler, OperationContext, Operations, strip_kind

log = logging.getLogger("witlink.host.operations")


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


@attrs.frozen
class Authority:
    """What the host application decides for every extension: who may act on its own
    authority (`delegates`), where decisions are recorded, the default handler timeout."""

    permissions_of: Callable[[str], Permissions]
    audit: AuditLog
    delegates: frozenset[str] = frozenset()
    operation_timeout: float | None = None


class Gate:
    """One extension's side of the host: its permissions and rate limit (shared by host
    operations and HTTP requests), checked with those of the extensions it runs for."""

    def __init__(
        self, ext_id: str, permissions: Permissions, operations: Operations, authority: Authority
    ) -> None:
        self.ext_id = ext_id
        self.permissions = permissions
        rpm = permissions.rate_limits.requests_per_minute
        self.bucket = TokenBucket(rpm) if rpm is not None else None
        self.operations = operations
        self.authority = authority

    def principals(self) -> list[tuple[str, Permissions]]:
        """This extension and those it runs for, each with its permissions."""
        who = callchain.principals(self.ext_id, self.authority.delegates)
        lookup = self.authority.permissions_of
        return [(self.ext_id, self.permissions), *((i, lookup(i)) for i in who[1:])]

    def take_token(self) -> int:
        """0 if the rate limit allows one more request now, else the milliseconds to wait."""
        return self.bucket.take() if self.bucket is not None else 0

    def record(self, kind: Kind, subject: str, outcome: str, detail: str | None) -> None:
        self.authority.audit.record(
            self.ext_id, callchain.current(), kind, subject, outcome, detail
        )

    def call(self, method: str, library_id: str | None, payload: str) -> str | CallError:
        """Run one `call`: the JSON result, or its `call-error`; audited."""
        result = self._call(method, library_id, payload)
        if isinstance(result, str):
            self.record("operation", method, "allowed", None)
        else:
            self.record("operation", method, result.CASE, str(result.value))
        return result

    def _call(self, method: str, library_id: str | None, payload: str) -> str | CallError:
        refusal = self._refusal(method, library_id)
        if refusal is not None:
            return CallErrorDenied(refusal)
        operation = self.operations.find(method)
        if operation is None:
            return CallErrorNotFound(f"no host operation `{method}`")
        wait_ms = self.take_token()
        if wait_ms:
            return CallErrorRateLimited(wait_ms)
        try:
            value = json.loads(payload, parse_constant=_no_constant)
        except (ValueError, RecursionError) as err:
            return CallErrorInvalid(f"payload is not JSON: {_short(err)}")
        signature = self.operations.signature(method)
        try:
            argument = signature.load(value)
        except opschema.PayloadError as err:
            return CallErrorInvalid(str(err))
        ctx = OperationContext(self.ext_id, library_id, method, callchain.current())
        timeout = operation.timeout or self.authority.operation_timeout
        try:
            if timeout is None:
                result = operation.handler(ctx, argument)
            else:
                result = _run_with_timeout(operation.handler, ctx, argument, timeout)
        except _TimedOut:
            return CallErrorFailed(f"host operation `{method}` did not finish within {timeout:g} s")
        except Exception as err:
            log.debug("operation %s for %s failed", method, self.ext_id, exc_info=True)
            return CallErrorFailed(str(err) or type(err).__name__)
        try:
            return json.dumps(signature.dump(result), allow_nan=False)
        except (TypeError, ValueError, RecursionError) as err:
            return CallErrorFailed(
                f"`{method}` returned a value that is not strict JSON: {_short(err)}"
            )

    def _refusal(self, method: str, library_id: str | None) -> str | None:
        bare = strip_kind(method)
        for index, (who, perms) in enumerate(self.principals()):
            behalf = (
                ""
                if index == 0
                else f", and `{self.ext_id}` is running on its behalf (a cross-extension "
                "call); the host application may grant that extension delegation"
            )
            if not any(p == "*" or bare.startswith(p) for p in perms.methods):
                return (
                    f"extension `{who}` may not call `{method}`: add a prefix of it to "
                    f"[permissions] methods{behalf}"
                )
            if library_id is not None and not (
                "*" in perms.libraries or library_id in perms.libraries
            ):
                return (
                    f"extension `{who}` may not use library `{library_id}`: add it to "
                    f"[permissions] libraries{behalf}"
                )
        return None


class _TimedOut(Exception):
    pass


def _run_with_timeout(handler: Handler, ctx: OperationContext, value: Any, timeout: float) -> Any:
    """`handler(ctx, value)` on a thread of its own; `_TimedOut` after `timeout` seconds.
    Whatever it raises (`KeyboardInterrupt` included) is raised here."""
    outcome: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(handler(ctx, value))
        except BaseException as err:
            failure.append(err)

    context = contextvars.copy_context()  # the call chain, for a handler calling extensions
    worker = threading.Thread(
        target=context.run, args=(run,), name=f"witlink-op-{ctx.method}", daemon=True
    )
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise _TimedOut
    if failure:
        raise failure[0]
    return outcome[0]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _short(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text if len(text) <= 200 else text[:200] + "..."
