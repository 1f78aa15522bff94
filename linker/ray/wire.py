"""What crosses between Ray processes besides values: witlink's errors, rebuilt as themselves.

`WitlinkError` subclasses take keyword-only arguments, which pickling does not restore;
actors return a `Failure` instead of raising, and the receiving side raises `error()`:
the same class, message and attributes (extension, function, backtrace...).
"""

from __future__ import annotations

from typing import Any

import attrs

from linker.errors import ExtensionError, WitlinkError
from linker.host.host import FunctionInfo
from linker.wave.types import (
    HandleType,
    ListType,
    OptionType,
    RecordType,
    ResultType,
    TupleType,
    ValueType,
    VariantType,
)


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


def refuse_resources(ext_id: str, function: FunctionInfo) -> None:
    """An `ExtensionError` if calling `function` of `ext_id` would move a resource handle
    between processes (a handle lives in its extension's store)."""
    types = [t for _, t in function.params] + [function.result]
    if any(_holds_handle(t) for t in types):
        raise ExtensionError(
            f"extension `{ext_id}` function `{function.name}` takes or returns a resource, "
            "which cannot cross Ray processes: call it from an extension in the same actor, "
            "or run the plan in a `Host`",
            extension=ext_id,
        )


def _holds_handle(ty: ValueType | None) -> bool:
    match ty:
        case HandleType():
            return True
        case ListType(element=inner) | OptionType(payload=inner):
            return _holds_handle(inner)
        case TupleType(elements=inner):
            return any(_holds_handle(t) for t in inner)
        case RecordType(fields=fields):
            return any(_holds_handle(t) for _, t in fields)
        case VariantType(cases=cases):
            return any(_holds_handle(t) for _, t in cases)
        case ResultType(ok=ok, err=err):
            return _holds_handle(ok) or _holds_handle(err)
    return False
