"""What crosses between Ray processes besides values: witlink's errors, rebuilt as themselves.

`WitlinkError` subclasses take keyword-only arguments, which pickling does not restore;
actors return a `Failure` instead of raising, and the receiving side raises `error()`:
the same class, message and attributes (extension, function, backtrace...).
"""

from __future__ import annotations

from typing import Any

import attrs

from linker.errors import ExtensionError, WitlinkError


@attrs.frozen
class Failure:
    kind: type[WitlinkError]
    message: str
    state: dict[str, Any]

    @classmethod
    def of(cls, err: WitlinkError) -> Failure:
        return cls(type(err), str(err), dict(vars(err)))

    def error(self) -> WitlinkError:
        err = self.kind.__new__(self.kind)
        Exception.__init__(err, self.message)
        vars(err).update(self.state)
        return err


def unwrap(value: Any) -> Any:
    """`value`, or the error a `Failure` stands for, raised."""
    if isinstance(value, Failure):
        raise value.error()
    return value


def lost(ext_id: str, err: Exception) -> ExtensionError:
    """A Ray failure (the actor died, the cluster went away) as the error of `ext_id`."""
    first = next((line for line in str(err).splitlines() if line.strip()), type(err).__name__)
    return ExtensionError(
        f"extension `{ext_id}`: its Ray actor failed ({type(err).__name__}: {first.strip()}); "
        "Ray restarts it: call again, and resume interrupted jobs with host.resume",
        extension=ext_id,
    )
