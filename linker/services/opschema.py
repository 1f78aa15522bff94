"""Host operations' payload and result types: JSON Schema and validation from type hints.

A handler `def list_files(ctx, payload: ListFiles) -> list[str]` declares its payload
and result with Python types: `str`, `int`, `float`, `bool`, `None`, `list[T]`,
`dict[str, T]`, `T | None`, `Literal[...]`, `TypedDict`s, dataclasses and attrs
classes (`Any`, `object` or no annotation: anything JSON). `signature(handler)` turns the
hints into one `Shape` tree per side, and that tree both describes the JSON Schema
(`Signature.describe`) and checks a decoded payload, building the dataclass or attrs
instance the handler expects (`Signature.load`): one parser decides the check and the
value. A payload that does not fit raises `PayloadError` naming the field.

`Operations` is the registry of handlers by method (its `catalog()` is what `witlink sdk`
reads); `linker.host` runs them for guests, and re-exports it.
"""

from __future__ import annotations

import dataclasses
import inspect
import keyword
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from linker.errors import WitlinkError

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
Json = Any
Defs = dict[str, dict[str, Json]]


class OperationTypeError(WitlinkError):
    """A handler's type hints name a type that JSON cannot carry."""


class PayloadError(WitlinkError):
    """A payload that does not fit the handler's declared type; `path` names the field."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"`{path}`: {reason}")
        self.path = path
        self.reason = reason


def _json_kind(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class Shape:
    """One type as JSON sees it: its schema, its check-and-build, its result conversion."""

    def schema(self, defs: Defs) -> dict[str, Json]:
        raise NotImplementedError

    def load(self, value: Json, path: str) -> Any:
        """`value` as the handler's type; `PayloadError` naming `path` where it does not fit."""
        raise NotImplementedError

    def dump(self, value: Any) -> Json:
        """A handler's result as plain JSON data (dataclass and attrs values become objects)."""
        return value


class AnyShape(Shape):
    def schema(self, defs: Defs) -> dict[str, Json]:
        return {}

    def load(self, value: Json, path: str) -> Any:
        return value

    def dump(self, value: Any) -> Json:
        return _plain(value)


def _plain(value: Any) -> Json:
    if attrs.has(type(value)):
        return {k: _plain(v) for k, v in attrs.asdict(value, recurse=False).items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@attrs.frozen
class Primitive(Shape):
    """`str`, `int`, `float`, `bool` or `None`."""

    py: type

    def schema(self, defs: Defs) -> dict[str, Json]:
        names = {str: "string", int: "integer", float: "number", bool: "boolean"}
        return {"type": names.get(self.py, "null")}

    def load(self, value: Json, path: str) -> Any:
        py = self.py
        if py is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if py is int and isinstance(value, float) and value.is_integer():
            return int(value)
        if py is type(None) and value is None:
            return None
        ok = isinstance(value, py) and not (py is int and isinstance(value, bool))
        if not ok:
            wanted = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}
            raise PayloadError(path, f"expected {wanted.get(py, 'null')}, got {_json_kind(value)}")
        return value


@attrs.frozen
class LiteralShape(Shape):
    values: tuple[Json, ...]

    def schema(self, defs: Defs) -> dict[str, Json]:
        return {"enum": list(self.values)}

    def load(self, value: Json, path: str) -> Any:
        if not any(value == v and type(value) is type(v) for v in self.values):
            choices = ", ".join(repr(v) for v in self.values)
            raise PayloadError(path, f"expected one of {choices}, got {value!r}")
        return value


@attrs.frozen
class ListShape(Shape):
    item: Shape

    def schema(self, defs: Defs) -> dict[str, Json]:
        return {"type": "array", "items": self.item.schema(defs)}

    def load(self, value: Json, path: str) -> Any:
        if not isinstance(value, list):
            raise PayloadError(path, f"expected an array, got {_json_kind(value)}")
        return [self.item.load(v, f"{path}[{i}]") for i, v in enumerate(value)]

    def dump(self, value: Any) -> Json:
        return [self.item.dump(v) for v in value] if isinstance(value, list | tuple) else value


@attrs.frozen
class MapShape(Shape):
    """`dict[str, T]`: an object with any keys."""

    value: Shape

    def schema(self, defs: Defs) -> dict[str, Json]:
        return {"type": "object", "additionalProperties": self.value.schema(defs)}

    def load(self, value: Json, path: str) -> Any:
        if not isinstance(value, dict):
            raise PayloadError(path, f"expected an object, got {_json_kind(value)}")
        return {k: self.value.load(v, f"{path}.{k}") for k, v in value.items()}

    def dump(self, value: Any) -> Json:
        if not isinstance(value, dict):
            return value
        return {k: self.value.dump(v) for k, v in value.items()}


@attrs.frozen
class OptionalShape(Shape):
    inner: Shape

    def schema(self, defs: Defs) -> dict[str, Json]:
        return {"anyOf": [self.inner.schema(defs), {"type": "null"}]}

    def load(self, value: Json, path: str) -> Any:
        return None if value is None else self.inner.load(value, path)

    def dump(self, value: Any) -> Json:
        return None if value is None else self.inner.dump(value)


@attrs.define
class ObjectShape(Shape):
    """A TypedDict, dataclass or attrs class: named fields, some required; no others."""

    title: str
    build: Callable[..., Any] | None
    """The class to instantiate with the fields; `None` for a TypedDict (a dict)."""
    fields: dict[str, Shape] = attrs.Factory(dict)
    required: frozenset[str] = frozenset()
    init_names: dict[str, str] = attrs.Factory(dict)
    """Field name -> constructor argument name (attrs strips leading underscores)."""

    def schema(self, defs: Defs) -> dict[str, Json]:
        if self.title not in defs:
            defs[self.title] = {}  # placed first: a recursive type refers to itself
            defs[self.title] = {
                "title": self.title,
                "type": "object",
                "properties": {name: shape.schema(defs) for name, shape in self.fields.items()},
                "required": sorted(self.required),
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{self.title}"}

    def load(self, value: Json, path: str) -> Any:
        if not isinstance(value, dict):
            raise PayloadError(path, f"expected an object, got {_json_kind(value)}")
        for name in value:
            if name not in self.fields:
                known = ", ".join(self.fields) or "none"
                raise PayloadError(f"{path}.{name}", f"unknown field (known fields: {known})")
        for name in sorted(self.required):
            if name not in value:
                raise PayloadError(f"{path}.{name}", "required field is missing")
        loaded = {k: self.fields[k].load(v, f"{path}.{k}") for k, v in value.items()}
        if self.build is None:
            return loaded
        return self.build(**{self.init_names.get(k, k): v for k, v in loaded.items()})

    def dump(self, value: Any) -> Json:
        if isinstance(value, dict):
            return {k: self.fields[k].dump(v) if k in self.fields else v for k, v in value.items()}
        if self.build is not None and isinstance(value, self.build):  # type: ignore[arg-type]
            return {name: shape.dump(getattr(value, name)) for name, shape in self.fields.items()}
        return value


class _Deriver:
    """Type hints -> shapes, remembering classes so that recursive types terminate."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.objects: dict[type, ObjectShape] = {}

    def fail(self, hint: object, why: str) -> OperationTypeError:
        return OperationTypeError(f"{self.where}: cannot describe `{hint}` as JSON: {why}")

    def shape(self, hint: Any) -> Shape:
        if hint in (Any, object, inspect.Parameter.empty):
            return AnyShape()
        if hint is None or hint is type(None):
            return Primitive(type(None))
        if hint in (str, int, float, bool):
            return Primitive(hint)
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Literal:
            if not all(isinstance(a, str | int | bool) for a in args):
                raise self.fail(hint, "Literal values must be strings, integers or booleans")
            return LiteralShape(args)
        if origin in (typing.Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            if len(rest) == 1 and len(args) == 2:
                return OptionalShape(self.shape(rest[0]))
            raise self.fail(hint, "only `T | None` unions are supported")
        if hint in (list, tuple):
            return ListShape(AnyShape())
        if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
            return ListShape(self.shape(args[0]))
        if hint is dict or origin is dict:
            if args and args[0] is not str:
                raise self.fail(hint, "JSON object keys are strings: use dict[str, T]")
            return MapShape(self.shape(args[1]) if args else AnyShape())
        if isinstance(hint, type) and origin is None:
            return self.object(hint)
        raise self.fail(
            hint,
            "use str, int, float, bool, None, list, dict, Literal, "
            "a TypedDict, a dataclass or an attrs class",
        )

    def object(self, cls: type) -> ObjectShape:
        if cls in self.objects:
            return self.objects[cls]
        if typing.is_typeddict(cls):
            shape = ObjectShape(cls.__name__, None)
            required = set(cls.__required_keys__)  # type: ignore[attr-defined]
            names = list(typing.get_type_hints(cls))
            init_names: dict[str, str] = {}
        elif attrs.has(cls):
            shape = ObjectShape(cls.__name__, cls)
            fields = [f for f in attrs.fields(cls) if f.init]
            names = [f.name for f in fields]
            required = {f.name for f in fields if f.default is attrs.NOTHING}
            init_names = {f.name: f.alias for f in fields if f.alias and f.alias != f.name}
        elif dataclasses.is_dataclass(cls):
            shape = ObjectShape(cls.__name__, cls)
            fields_ = [f for f in dataclasses.fields(cls) if f.init]
            names = [f.name for f in fields_]
            required = {
                f.name
                for f in fields_
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            }
            init_names = {}
        else:
            raise self.fail(cls.__name__, "not a JSON type, TypedDict, dataclass or attrs class")
        self.objects[cls] = shape
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except NameError as err:
            raise self.fail(cls.__name__, f"a field's type cannot be resolved: {err}") from None
        for name, hint in list(hints.items()):  # `NotRequired[...]` under postponed annotations
            marker = typing.get_origin(hint)
            if marker in (typing.NotRequired, typing.Required):
                (hints[name],) = typing.get_args(hint)
                (required.discard if marker is typing.NotRequired else required.add)(name)
            elif marker is typing.Annotated:
                hints[name] = typing.get_args(hint)[0]
        shape.fields = {name: self.shape(hints.get(name, Any)) for name in names}
        shape.required = frozenset(required)
        shape.init_names = init_names
        return shape


@attrs.frozen
class Signature:
    """A handler's payload and result shapes."""

    payload: Shape
    result: Shape
    doc: str = ""

    def load(self, value: Json) -> Any:
        """The handler's argument from a decoded payload; `PayloadError` naming the field."""
        return self.payload.load(value, "payload")

    def dump(self, value: Any) -> Json:
        return self.result.dump(value)

    def describe(self, method: str) -> dict[str, Json]:
        """The operation's catalog entry: method, guest function name, doc, JSON Schemas."""
        return {
            "method": method,
            "name": function_name(method),
            "doc": self.doc,
            "payload": _document(self.payload),
            "result": _document(self.result),
        }


def _document(shape: Shape) -> dict[str, Json]:
    defs: Defs = {}
    root = shape.schema(defs)
    doc: dict[str, Json] = {"$schema": JSON_SCHEMA, **root}
    if defs:
        doc["$defs"] = defs
    return doc


def signature(handler: Callable[..., Any], method: str) -> Signature:
    """The shapes of `handler(ctx, payload) -> result`, from its type hints."""
    where = f"host operation `{method}` ({getattr(handler, '__qualname__', handler)!r})"
    deriver = _Deriver(where)
    try:
        hints: Mapping[str, Any] = typing.get_type_hints(handler)
        params = list(inspect.signature(handler).parameters.values())
    except (NameError, TypeError, ValueError) as err:
        raise OperationTypeError(f"{where}: cannot read its type hints: {err}") from None
    payload_hint = hints.get(params[1].name, Any) if len(params) >= 2 else Any
    doc = inspect.getdoc(handler) or ""
    return Signature(
        payload=deriver.shape(payload_hint),
        result=deriver.shape(hints.get("return", Any)),
        doc=doc.strip().split("\n\n")[0] if doc else "",
    )


def function_name(method: str) -> str:
    """A method as a snake_case identifier: `query:files.listAll` -> `files_list_all`."""
    bare = method.split(":", 1)[1] if ":" in method else method
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", bare)
    name = re.sub(r"[^0-9a-zA-Z]+", "_", spaced).strip("_").lower() or "operation"
    if name[0].isdigit():
        name = f"op_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


# -- the registry of operations (what `witlink sdk` reads as a catalog) -------------

KIND_PREFIXES = ("query:", "action:")


@attrs.frozen
class OperationContext:
    """What a handler knows about its caller."""

    extension_id: str
    library_id: str | None
    method: str
    chain: tuple[str, ...] = ()
    """Extensions on whose behalf `extension_id` runs (cross-extension callers, outermost
    first)."""


Handler = Callable[[OperationContext, Any], Any]


@attrs.frozen
class Operation:
    """A registered handler and its own timeout, if any."""

    handler: Handler
    timeout: float | None


class Operations:
    """The registry of host operations, by method name."""

    def __init__(self) -> None:
        self._handlers: dict[str, Operation] = {}
        self._signatures: dict[str, Signature] = {}

    def operation(self, method: str, timeout: float | None = None) -> Callable[[Handler], Handler]:
        """Decorator: register the function as the handler of `method` (see `add`)."""

        def register(handler: Handler) -> Handler:
            self.add(method, handler, timeout)
            return handler

        return register

    def add(self, method: str, handler: Handler, timeout: float | None = None) -> None:
        """Register `handler` for `method`: its type hints give the payload and result schemas;
        `timeout` (seconds) overrides the host's `operation_timeout` for it."""
        self._signatures[method] = signature(handler, method)
        self._handlers[method] = Operation(handler, timeout)

    def methods(self) -> list[str]:
        return sorted(self._handlers)

    def find(self, method: str) -> Operation | None:
        return self._handlers.get(self._key(method))

    def signature(self, method: str) -> Signature:
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
