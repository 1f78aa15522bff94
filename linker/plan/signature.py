"""WIT signatures of functions, as the function-reference registry records them.

`signature(resolve, func)` gives e.g. `func(a: u32, b: u32) -> u32`; named types
are written by name (`level`, `call-error`), anonymous ones spelled out
(`option<list<u8>>`, `result<_, string>`, `borrow<file>`).
"""

from __future__ import annotations

from linker.wit import model as m
from linker.wit.model import Primitive, Resolve

_ASYNC = frozenset(t for t in m.FunctionKindTag if t.startswith("async-"))


def type_text(resolve: Resolve, ty: m.Type | None, memo: dict[int, str] | None = None) -> str:
    """A type as written in WIT (`_` for an absent one); `memo` caches texts by type index."""
    if ty is None:
        return "_"
    if isinstance(ty, Primitive):
        return ty  # a StrEnum member is its WIT spelling
    if memo is None:
        return _typedef_text(resolve, ty)
    text = memo.get(ty.index)
    if text is None:
        text = memo[ty.index] = _typedef_text(resolve, ty)
    return text


def _typedef_text(resolve: Resolve, ty: m.TypeId) -> str:
    typedef = resolve.types[ty.index]
    if typedef.name is not None:
        return typedef.name
    kind = typedef.kind
    match kind:
        case m.Alias(type=target):
            return type_text(resolve, target)
        case m.Tuple(types=types):
            return f"tuple<{', '.join(type_text(resolve, t) for t in types)}>"
        case m.Option(type=inner):
            return f"option<{type_text(resolve, inner)}>"
        case m.Result(ok=None, err=None):
            return "result"
        case m.Result(ok=ok, err=None):
            return f"result<{type_text(resolve, ok)}>"
        case m.Result(ok=ok, err=err):
            return f"result<{type_text(resolve, ok)}, {type_text(resolve, err)}>"
        case m.List(type=inner):
            return f"list<{type_text(resolve, inner)}>"
        case m.FixedLengthList(type=inner, size=size):
            return f"list<{type_text(resolve, inner)}, {size}>"
        case m.Map(key=key, value=value):
            return f"map<{type_text(resolve, key)}, {type_text(resolve, value)}>"
        case m.Future(type=inner):
            return "future" if inner is None else f"future<{type_text(resolve, inner)}>"
        case m.Stream(type=inner):
            return "stream" if inner is None else f"stream<{type_text(resolve, inner)}>"
        case m.Handle(kind=m.HandleKind.OWN, resource=resource):
            return type_text(resolve, resource)
        case m.Handle(kind=m.HandleKind.BORROW, resource=resource):
            return f"borrow<{type_text(resolve, resource)}>"
        case _:
            return f"type-{ty.index}"


def signature(resolve: Resolve, func: m.Function, memo: dict[int, str] | None = None) -> str:
    """The function's WIT signature: `[async ]func(params) [-> result]`."""
    params = ", ".join([f"{p.name}: {type_text(resolve, p.type, memo)}" for p in func.params])
    text = f"{'async ' if func.kind.tag in _ASYNC else ''}func({params})"
    if func.result is not None:
        text += f" -> {type_text(resolve, func.result, memo)}"
    return text
