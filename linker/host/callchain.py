"""The cross-extension call chain, and whose authority a host request runs under.

While extension `b` runs inside a call from extension `a` (through a `*/lib` import), the
chain is `("a",)`; if `b` then calls `c`, it is `("a", "b")` while `c` runs. The chain is a
context variable, so threads (background jobs) start with an empty one. The forwarder of
cross-extension calls pushes the caller before the call and pops it after.

A host operation or HTTP request made by `actor` must be allowed to every extension in
`principals(actor, ...)`: the actor and the callers on whose behalf it runs, back to the
nearest one the host application trusts to act on its own authority (`delegates`).
"""

from __future__ import annotations

from collections.abc import Set
from contextvars import ContextVar, Token

_chain: ContextVar[tuple[str, ...]] = ContextVar("witlink_call_chain", default=())


def current() -> tuple[str, ...]:
    """The callers of the extension running now, outermost first."""
    return _chain.get()


def push(caller: str) -> Token[tuple[str, ...]]:
    """Record that `caller` is calling into another extension; give the token to `pop`."""
    return _chain.set((*_chain.get(), caller))


def pop(token: Token[tuple[str, ...]]) -> None:
    _chain.reset(token)


def principals(actor: str, delegates: Set[str]) -> tuple[str, ...]:
    """`actor`, then each caller outward, stopping after the first delegate (a delegate
    acts on its own authority, so those who called it do not limit what it does)."""
    found = [actor]
    if actor in delegates:
        return (actor,)
    for caller in reversed(_chain.get()):
        found.append(caller)
        if caller in delegates:
            break
    return tuple(found)
