"""WIT value types, as a small tree the value layer walks (no wasmtime, no resolver).

`str(ty)` prints the type by `linker.wit.printer`'s rules (records, variants, enums and
flags inline, since a component's types carry no names), for messages such as
"expected u32".
"""

from __future__ import annotations

import attrs

from linker.wit.printer import generic_text, handle_text, inline_text, result_text

SCALARS = frozenset(
    {"bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string"}
)
INT_RANGES = {
    "u8": (0, 2**8 - 1),
    "u16": (0, 2**16 - 1),
    "u32": (0, 2**32 - 1),
    "u64": (0, 2**64 - 1),
    "s8": (-(2**7), 2**7 - 1),
    "s16": (-(2**15), 2**15 - 1),
    "s32": (-(2**31), 2**31 - 1),
    "s64": (-(2**63), 2**63 - 1),
}


@attrs.frozen
class Scalar:
    name: str
    """One of `SCALARS`."""

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class ListType:
    element: ValueType

    def __str__(self) -> str:
        return generic_text("list", str(self.element))


@attrs.frozen
class TupleType:
    elements: tuple[ValueType, ...]

    def __str__(self) -> str:
        return generic_text("tuple", *map(str, self.elements))


@attrs.frozen
class RecordType:
    fields: tuple[tuple[str, ValueType], ...]

    def __str__(self) -> str:
        return inline_text("record", ((n, str(t)) for n, t in self.fields))


@attrs.frozen
class VariantType:
    cases: tuple[tuple[str, ValueType | None], ...]

    def __str__(self) -> str:
        return inline_text("variant", ((n, None if t is None else str(t)) for n, t in self.cases))


@attrs.frozen
class EnumType:
    names: tuple[str, ...]

    def __str__(self) -> str:
        return inline_text("enum", ((n, None) for n in self.names))


@attrs.frozen
class FlagsType:
    names: tuple[str, ...]

    def __str__(self) -> str:
        return inline_text("flags", ((n, None) for n in self.names))


@attrs.frozen
class OptionType:
    payload: ValueType

    def __str__(self) -> str:
        return generic_text("option", str(self.payload))


@attrs.frozen
class ResultType:
    ok: ValueType | None
    err: ValueType | None

    def __str__(self) -> str:
        return result_text(
            None if self.ok is None else str(self.ok), None if self.err is None else str(self.err)
        )


@attrs.frozen
class HandleType:
    """`own<R>` or `borrow<R>` of a resource (`resource` names it when known)."""

    own: bool
    resource: str | None = None

    def __str__(self) -> str:
        if self.resource is None:  # a component's types do not name their resources
            return generic_text("own" if self.own else "borrow", "resource")
        return handle_text(self.own, self.resource)


@attrs.frozen
class UnsupportedType:
    """A type the value layer does not convert (`future`, `stream`, `error-context`)."""

    name: str

    def __str__(self) -> str:
        return self.name


ValueType = (
    Scalar
    | ListType
    | TupleType
    | RecordType
    | VariantType
    | EnumType
    | FlagsType
    | OptionType
    | ResultType
    | HandleType
    | UnsupportedType
)


def scalar(name: str) -> Scalar:
    if name not in SCALARS:
        raise ValueError(f"not a scalar WIT type: {name}")
    return Scalar(name)
