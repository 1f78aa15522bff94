"""WIT signatures of functions, as the function-reference registry records them.

`signature(resolve, func)` gives e.g. `func(a: u32, b: u32) -> u32`; named types
are written by name (`level`, `call-error`), anonymous ones spelled out
(`option<list<u8>>`, `result<_, string>`, `borrow<file>`).
"""

from __future__ import annotations

from linker.wit import model as m
from linker.wit.model import Primitive, Resolve
from linker.wit.printer import type_text

_ASYNC = frozenset(t for t in m.FunctionKindTag if t.startswith("async-"))


def _text(resolve: Resolve, ty: m.Type, memo: dict[int, str] | None) -> str:
    """`type_text`, cached by type index in `memo` (primitives need no cache)."""
    if memo is None or isinstance(ty, Primitive):
        return type_text(resolve, ty)
    text = memo.get(ty.index)
    if text is None:
        text = memo[ty.index] = type_text(resolve, ty)
    return text


def signature(resolve: Resolve, func: m.Function, memo: dict[int, str] | None = None) -> str:
    """The function's WIT signature: `[async ]func(params) [-> result]`."""
    params = ", ".join([f"{p.name}: {_text(resolve, p.type, memo)}" for p in func.params])
    text = f"{'async ' if func.kind.tag in _ASYNC else ''}func({params})"
    if func.result is not None:
        text += f" -> {_text(resolve, func.result, memo)}"
    return text
