"""Generated Python for WIT functions: typed export wrappers and host callbacks."""

from __future__ import annotations

import re

import attrs

from bindgen.names import Namespace, bracketed, docstring, lit, snake
from bindgen.typemap import TypeMap
from linker.wit import model as m


@attrs.frozen
class Param:
    wit: str
    py: str
    type: m.Type


def display_name(func: m.Function) -> str:
    """`[method]blob.read` -> `blob.read`; the name used in messages."""
    return func.name.split("]", 1)[-1]


def method_name(func: m.Function) -> str:
    """The Python name of `func`: its own for methods, `<resource>_<name>` otherwise."""
    tag = func.kind.tag
    short = display_name(func)
    if tag == m.FunctionKindTag.CONSTRUCTOR:
        return "new_" + snake(short).rstrip("_")
    if "." in short:
        resource, name = short.split(".", 1)
        if tag in (m.FunctionKindTag.METHOD, m.FunctionKindTag.ASYNC_METHOD):
            return snake(name)
        return snake(resource).rstrip("_") + "_" + snake(name).rstrip("_")
    return snake(short)


def is_method(func: m.Function) -> bool:
    return func.kind.tag in (m.FunctionKindTag.METHOD, m.FunctionKindTag.ASYNC_METHOD)


def params(func: m.Function) -> list[Param]:
    """The parameters a Python caller passes (a method's `self` is implicit)."""
    ns = Namespace({"cx", "raw", "out", "err", "where", "self", "func", "result", "store"})
    wit_params = func.params[1:] if is_method(func) else func.params
    return [Param(p.name, ns.claim(snake(p.name), snake(p.name) + "_"), p.type) for p in wit_params]


class FunctionWriter:
    """Writes the Python for WIT functions, converting through a `TypeMap`."""

    def __init__(self, types: TypeMap) -> None:
        self.types = types

    def raises(self, func: m.Function) -> bool:
        """Whether `func` returns a `result`, raised as `ResultError` by default."""
        return func.result is not None and isinstance(self.types.kind(func.result), m.Result)

    def signature(self, func: m.Function, name: str, returns: str) -> list[str]:
        args = ["self", *(f"{p.py}: {self.types.annotation(p.type)}" for p in params(func))]
        return bracketed(f"def {name}(", args, f") -> {returns}:", "    ")

    def ok_annotation(self, func: m.Function) -> str:
        result = func.result
        if result is None:
            return "None"
        if self.raises(func):
            kind = self.types.kind(result)
            assert isinstance(kind, m.Result)
            return self.types.annotation(kind.ok)
        return self.types.annotation(result)

    # ------------------------------------------------------------ calling wasm

    def export_methods(
        self,
        func: m.Function,
        call: str,
        scope: str,
        handle: str | None,
        error: str = "_rt.ResultError",
    ) -> list[str]:
        """Methods (class-indented) calling export `func` through `call(...)`.

        `scope` is the expression of the `Caller`; `handle` the expression of
        the resource handle passed as `self` for methods; `error` the exception
        class raised with the error of a `result`.
        """
        name = method_name(func)
        docs = docstring(func.docs.contents, " " * 8)
        if not self.raises(func):
            returns = self.types.annotation(func.result)
            return [
                *self.signature(func, name, returns),
                *docs,
                *self._call_body(func, call, scope, handle),
            ]
        try_name = "try_" + name.rstrip("_")
        args = ", ".join(p.py for p in params(func))
        raise_docs = docstring(
            (func.docs.contents or "").strip()
            + f"\n\nRaises `{error.removeprefix('_rt.')}` carrying the `result`'s error"
            f" (`{try_name}` returns `Ok`/`Err` instead).",
            " " * 8,
        )
        return [
            *self.signature(func, name, self.ok_annotation(func)),
            *raise_docs,
            f"        result = self.{try_name}({args})",
            "        if isinstance(result, _rt.Err):",
            f"            raise {error}(result.value)",
            "        return result.value",
            "",
            *self.signature(func, try_name, self.types.annotation(func.result)),
            f'        """Like `{name}`, but returns `Ok` or `Err` instead of raising."""',
            *self._call_body(func, call, scope, handle),
        ]

    def _call_body(self, func: m.Function, call: str, scope: str, handle: str | None) -> list[str]:
        body = []
        ps = params(func)
        args = [handle] if handle is not None else []
        if ps:
            wheres = [f"{display_name(func)}: parameter `{p.wit}`" for p in ps]
            body.append("try:")
            for index, p in enumerate(ps):
                if len(ps) > 1:
                    body.append(f"    where = {lit(wheres[index])}")
                body.append(f"    a{index} = {self.types.lower(p.type, p.py)}")
                args.append(f"a{index}")
            where = "where" if len(ps) > 1 else lit(wheres[0])
            body += [
                "except _rt.Mismatch as err:",
                f"    raise _rt.type_error(err, {where}) from None",
            ]
        if "(" in call:  # looked up per call (a resource method)
            body.append(f"func = {call}")
            call = "func"
        invoke = f"{call}({', '.join(args)})"
        if func.result is None:
            body += [invoke]
        elif self.types.lift_is_identity(func.result):
            body += [f"out: {self.types.annotation(func.result)} = {invoke}", "return out"]
        else:
            body += [f"raw = {invoke}", f"return {self.types.lift(func.result, 'raw')}"]
        if any(re.search(r"\bcx\b", line) for line in body):
            body.insert(0, f"cx = {scope}")
        return ["        " + line for line in body]

    def _result_callback(self, result: m.Type, call: str, where: str) -> list[str]:
        """Run `call` and lower its `result`: the ok value directly (no `Ok` is built on
        the common path), a raised `ResultError` through the result's lowering."""
        kind = self.types.kind(result)
        assert isinstance(kind, m.Result)
        lower_err = self.types.lower(result, "_rt.Err(error.value)")
        body = [
            "try:",
            f"    {call}" if kind.ok is None else f"    ok = {call}",
            "except _rt.ResultError as error:",
            "    try:",
            f"        return {lower_err}",
            "    except _rt.Mismatch as err:",
            *_raise_type_error("err", where, "        "),
        ]
        tagged = self.types.tagged(result)
        if kind.ok is None:
            return [*body, 'return _wc.Variant("ok")' if tagged else "return None"]
        payload = self.types.lower(kind.ok, "ok")
        ok = f'_wc.Variant("ok", {payload})' if tagged else payload
        return [
            *body,
            "try:",
            f"    return {ok}",
            "except _rt.Mismatch as err:",
            *_raise_type_error('_rt.at(err, ".value")', where, "    "),
        ]

    def error_class(self, func: m.Function, name: str) -> list[str]:
        """The exception class `name` an export raises with `func`'s typed error."""
        kind = self.types.kind(func.result) if func.result is not None else None
        assert isinstance(kind, m.Result)
        return [
            f"class {name}(_rt.ResultError[{self.types.annotation(kind.err)}]):",
            f'    """The error `{display_name(func)}` returned; `value` is its typed payload."""',
        ]

    # ------------------------------------------------------------ called by wasm

    def protocol_method(self, func: m.Function) -> list[str]:
        """A `Protocol` method the host implements for import `func`."""
        docs = func.docs.contents or ""
        if self.raises(func):
            docs = (
                docs.strip() + "\n\nRaise `ResultError(error)` to return the `result`'s error."
            ).strip()
        signature = self.signature(func, method_name(func), self.ok_annotation(func))
        body = docstring(docs, " " * 8)
        if not body and len(signature[-1]) + 4 <= 100:
            return [*signature[:-1], signature[-1] + " ..."]
        return [*signature, *body, "        ..."]

    def host_callback(self, func: m.Function, name: str, target: str) -> tuple[list[str], bool]:
        """A function (indented for a function body) calling the host for import `func`,
        and whether it takes the caller's store first (only to lift or lower handles).

        `target` is the expression of the Python callable implementing it; for a
        method it is applied to the lifted `self` handle.
        """
        wit_params = list(func.params)
        args = ", ".join(f"a{i}: Any" for i in range(len(wit_params)))
        body = []
        lifted = [self.types.lift(p.type, f"a{i}") for i, p in enumerate(wit_params)]
        if is_method(func):
            call = f"{lifted[0]}.{method_name(func)}({', '.join(lifted[1:])})"
        else:
            call = f"{target}({', '.join(lifted)})"
        where = f"{display_name(func)}: the host's return value"
        if func.result is None:
            body.append(call)
        elif self.raises(func):
            body += self._result_callback(func.result, call, where)
        else:
            body += [
                f"out = {call}",
                "try:",
                f"    return {self.types.lower(func.result, 'out')}",
                "except _rt.Mismatch as err:",
                f"    raise _rt.type_error(err, {lit(where)}) from None",
            ]
        takes_store = any(re.search(r"\bcx\b", line) for line in body)
        if takes_store:
            body.insert(0, "cx = _rt.Scope(store)")
            args = ", ".join(["store: Any", *([args] if args else [])])
        head = f"def {name}({args}) -> Any:"
        return [head, *("    " + line for line in body)], takes_store


_CALLBACK_INDENT = " " * 8
"""How deep `host_callback`'s body lines end up in a generated module."""


def _raise_type_error(err: str, where: str, indent: str) -> list[str]:
    """`raise _rt.type_error(err, where) from None` at `indent` of a callback's body,
    wrapped as ruff formats it."""
    lines = bracketed(
        "raise _rt.type_error(", [err, lit(where)], ") from None", _CALLBACK_INDENT + indent
    )
    return [line.removeprefix(_CALLBACK_INDENT) for line in lines]
