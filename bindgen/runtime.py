"""Support code imported by generated bindings: value checks, results, handles.

Generated modules convert between their typed classes and wasmtime-py's
untyped component values; the checks here run on every value the host hands
to wasm, so a wrong value fails with a `TypeError` before any wasm runs.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable
from typing import Any, Generic, NoReturn, Protocol, Self, TypeAlias, TypeVar, cast

import attrs
from wasmtime import Store, StoreContext
from wasmtime.component import (
    ExportIndex,
    Func,
    Instance,
    LinkerInstance,
    ResourceAny,
    ResourceHost,
    ResourceType,
)

Storelike: TypeAlias = Store | StoreContext
T = TypeVar("T")
E = TypeVar("E")


@attrs.frozen
class Some(Generic[T]):
    """A present value of an `option<T>` whose `T` can itself be `None`."""

    value: T


@attrs.frozen
class Ok(Generic[T]):
    """The success case of a `result`."""

    value: T


@attrs.frozen
class Err(Generic[E]):
    """The error case of a `result`."""

    value: E


class ResultError(Exception, Generic[E]):
    """A function's `result` was an error; `value` is the typed error payload."""

    def __init__(self, value: E) -> None:
        super().__init__(value)
        self.value = value


class Mismatch(Exception):
    """A value does not fit its WIT type; `path` locates it within the argument."""

    def __init__(self, expected: str, value: object) -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.path: list[str] = []

    def describe(self, where: str) -> str:
        inner = "".join(reversed(self.path))
        shown = repr(self.value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        at = f" at `{inner}`" if inner else ""
        return f"{where}{at}: expected {self.expected}, got {type(self.value).__name__} {shown}"


def mismatch(expected: str, value: object) -> NoReturn:
    raise Mismatch(expected, value)


def type_error(err: Mismatch, where: str) -> TypeError:
    """The `TypeError` a generated wrapper raises for a value that does not fit."""
    return TypeError(err.describe(where))


def _int_checker(wit: str, low: int, high: int) -> Callable[[object], int]:
    expected = f"{wit} (an int in {low}..{high})"

    def check(value: object) -> int:
        if type(value) is int and low <= value <= high:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return int(value)  # an int subclass such as IntEnum
        raise Mismatch(expected, value)

    return check


check_u8 = _int_checker("u8", 0, 2**8 - 1)
check_u16 = _int_checker("u16", 0, 2**16 - 1)
check_u32 = _int_checker("u32", 0, 2**32 - 1)
check_u64 = _int_checker("u64", 0, 2**64 - 1)
check_s8 = _int_checker("s8", -(2**7), 2**7 - 1)
check_s16 = _int_checker("s16", -(2**15), 2**15 - 1)
check_s32 = _int_checker("s32", -(2**31), 2**31 - 1)
check_s64 = _int_checker("s64", -(2**63), 2**63 - 1)

F32_MAX = 3.4028234663852886e38


def check_bool(value: object) -> bool:
    if type(value) is not bool:
        raise Mismatch("bool", value)
    return value


def check_f64(value: object) -> float:
    if type(value) is float:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise Mismatch("f64 (a float)", value)


def check_f32(value: object) -> float:
    result = check_f64(value)
    if math.isfinite(result) and abs(result) > F32_MAX:
        raise Mismatch("f32 (a float within f32 range)", value)
    return result


def check_char(value: object) -> str:
    if type(value) is not str or len(value) != 1 or 0xD800 <= ord(value) <= 0xDFFF:
        raise Mismatch("char (a one-character str, not a surrogate)", value)
    return value


def check_string(value: object) -> str:
    if type(value) is not str:
        if isinstance(value, str):
            return str(value)
        raise Mismatch("string (a str)", value)
    return value


def check_bytes(value: object) -> bytes:
    if type(value) is bytes:
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise Mismatch("list<u8> (bytes)", value)


def check_list(value: object, wit: str) -> list[Any]:
    if type(value) is list:
        return value
    if isinstance(value, list | tuple):
        return list(value)
    raise Mismatch(f"{wit} (a list)", value)


def check_tuple(value: object, size: int, wit: str) -> tuple[Any, ...]:
    if not isinstance(value, tuple) or len(value) != size:
        raise Mismatch(f"{wit} (a tuple of {size})", value)
    return value


def at(err: Mismatch, segment: str) -> Mismatch:
    """Record where inside a value the mismatch was found (innermost first)."""
    err.path.append(segment)
    return err


def lower_list(value: object, lower: Callable[[Any], Any], wit: str) -> list[Any]:
    """Lower every element of a list; a bad element is reported with its index."""
    items = check_list(value, wit)
    try:
        return [lower(item) for item in items]
    except Mismatch as err:
        for index, item in enumerate(items):
            try:
                lower(item)
            except Mismatch:
                raise at(err, f"[{index}]") from None
        raise


def unsupported(what: str, value: object) -> NoReturn:
    """`what` (e.g. values of some type) cannot cross wasmtime-py's component API yet."""
    raise NotImplementedError(f"wasmtime-py cannot pass {what} yet (got {value!r})")


@attrs.frozen
class HostFunction:
    """A generated host function for one import, on wasmtime-py's component values.

    `call(*args)` lifts the arguments, calls the host's implementation and lowers its
    result; when `takes_store` (it lifts or lowers resource handles) it is
    `call(store, *args)`, wasmtime-py's `add_func` convention.
    """

    call: Callable[..., Any]
    takes_store: bool = False


Define: TypeAlias = Callable[[LinkerInstance, str, HostFunction], object]
"""The hook an import module's `add_to_linker` defines each function through:
`define(instance, wit_name, function)`; what it returns is collected (e.g. native
callbacks an embedder must keep alive as long as the linker)."""


def define(instance: LinkerInstance, name: str, function: HostFunction) -> None:
    """The default `Define`: wasmtime-py's `instance.add_func`."""
    call = function.call
    if function.takes_store:
        instance.add_func(name, call)
    else:
        instance.add_func(name, lambda _store, *args: call(*args))


class Caller(Protocol):
    """The hook every export call of generated `Exports` goes through.

    `function(interface, name)` gives a callable taking the lowered arguments and
    returning the raw result. `Scope` calls a wasmtime instance directly; a host may
    route the calls through its own rules instead (`linker.host.Host.bind` does:
    the extension's lock, deadline, metrics, faults and reloads).
    """

    @property
    def store(self) -> Storelike:
        """The store guest resource handles belong to."""
        ...

    def function(self, interface: str | None, name: str) -> Callable[..., Any]:
        """Export `name` of `interface` (None: of the world); raises an error if absent."""
        ...


class Scope:
    """The store (and, for exports, the instance) that generated calls run in."""

    def __init__(self, store: Storelike, instance: Instance | None = None) -> None:
        self.store = store
        self.instance = instance
        self._funcs: dict[tuple[str | None, str], Callable[..., Any]] = {}

    def _index(self, name: str, parent: ExportIndex | None = None) -> ExportIndex:
        if self.instance is None:
            raise LookupError(f"`{name}`: this scope has no component instance")
        index = self.instance.get_export_index(self.store, name, parent)
        if index is None:
            raise LookupError(f"the component does not export `{name}`")
        return index

    def function(self, interface: str | None, name: str) -> Callable[..., Any]:
        """Export `name` of `interface` (or of the world) as a callable, looked up once."""
        key = (interface, name)
        bound = self._funcs.get(key)
        if bound is None:
            assert self.instance is not None
            parent = None if interface is None else self._index(interface)
            func = self.instance.get_func(self.store, self._index(name, parent))
            if func is None:
                raise LookupError(f"the component export `{name}` is not a function")
            bound = self._funcs[key] = _direct(func, self.store)
        return bound


def _direct(func: Func, store: Storelike) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        result = func(store, *args)
        func.post_return(store)
        return result

    return call


def caller(target: Instance | Caller, store: Storelike | None) -> Caller:
    """What an `Exports` calls through: `target` itself, or a `Scope` over an instance."""
    if isinstance(target, Instance):
        if store is None:
            raise TypeError("Exports(instance, store): an instance needs its store")
        return Scope(store, target)
    if store is not None:
        raise TypeError("Exports(caller): a caller brings its own store")
    return target


class HostHandle(abc.ABC):
    """A resource handle a host's `Caller` hands generated code instead of wasmtime-py's
    `ResourceAny` (witlink's `Host` hands its `Handle`): the host checks every use of it
    (its extension, a reload since) and drops it through its own path."""

    __slots__ = ()

    @abc.abstractmethod
    def drop(self) -> None:
        """Drop the resource in its extension (runs the guest's destructor)."""


HANDLE_CLASSES = (ResourceAny, ResourceHost, HostHandle)
"""The classes of a resource handle among the raw values a `Caller` passes."""


class GuestResource:
    """A handle to a resource the guest exports; `with` drops it at the end of the block.

    Passing it to wasm as an `own` moves it there; a moved or dropped handle
    raises `ReferenceError` instead of trapping the instance.
    """

    def __init__(self, scope: Caller, handle: ResourceAny | HostHandle) -> None:
        self._scope = scope
        self._handle: ResourceAny | HostHandle | None = handle

    def _live(self) -> ResourceAny | HostHandle:
        if self._handle is None:
            raise ReferenceError(f"this {type(self).__name__} handle was dropped or moved")
        return self._handle

    def _take(self) -> ResourceAny | HostHandle:
        handle = self._live()
        self._handle = None
        return handle

    def drop(self) -> None:
        """Drop this handle now (runs the resource's destructor in wasm); idempotent."""
        if self._handle is not None:
            handle = self._take()
            if isinstance(handle, HostHandle):
                handle.drop()
            else:
                handle.drop(self._scope.store)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()


class HandleTable(Generic[T]):
    """Host objects behind a host-defined resource type, keyed by their `rep`."""

    def __init__(self, type_id: int) -> None:
        self.type_id = type_id
        self._objects: dict[int, T] = {}
        self._reps: dict[int, int] = {}
        self._next = 1

    def _rep(self, obj: object) -> int:
        rep = self._reps.get(id(obj))
        if rep is None:
            rep = self._next
            self._next += 1
            self._objects[rep] = cast(T, obj)
            self._reps[id(obj)] = rep
        return rep

    def own(self, obj: object) -> ResourceHost:
        """An owned handle for `obj`, to pass into wasm."""
        return ResourceHost.own(self._rep(obj), self.type_id)

    def borrow(self, obj: object) -> ResourceHost:
        """A borrowed handle for `obj`, to pass into wasm."""
        return ResourceHost.borrow(self._rep(obj), self.type_id)

    def get(self, store: Storelike, handle: ResourceAny) -> T:
        """The host object behind a handle wasm passed in."""
        return self._objects[handle.to_host(store).rep]

    def __len__(self) -> int:
        """How many host objects wasm may still hold handles to."""
        return len(self._objects)

    def resource_type(self) -> ResourceType:
        return ResourceType.host(self.type_id)

    def destroy(self, store: Storelike, rep: int) -> None:
        """wasm dropped its last handle to `rep`: forget the object."""
        obj = self._objects.pop(rep, None)
        if obj is not None:
            self._reps.pop(id(obj), None)
