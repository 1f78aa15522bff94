"""Resource handles crossing between extensions: one handle table per consumer and resource.

A consumer's linker defines each resource it imports from another extension as a host
resource (`ResourceType.host(n)`). The consumer holds host handles whose `rep` indexes a
`HandleTable`, which keeps the provider's own `ResourceAny` (valid only in the provider's
store, for the instance that made it). Forwarders translate handles both ways, walking
only the parts of a type that can hold one (`walker`). Lifetimes:

- the consumer dropping its handle runs the table's destructor, which drops the
  provider's handle (its destructor runs in the provider);
- a borrow lends the provider's handle for the call only;
- a consumer instance that goes (unload, reload, restart) releases every handle it held;
- a provider instance that goes (reload, restart) makes its handles stale: using one fails
  that call with an `ExtensionTrap` naming the resource, the provider and the reload.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from wasmtime import Store, StoreContext
from wasmtime import _ffi as ffi
from wasmtime.component import (
    BorrowType,
    ListType,
    OptionType,
    OwnType,
    Record,
    RecordType,
    ResourceAny,
    ResourceHost,
    ResourceType,
    ResultType,
    TupleType,
    ValType,
    Variant,
    VariantType,
)

from linker.errors import ExtensionTrap
from linker.host import capi
from linker.host.calls import unchained
from linker.host.capi import OF, VAL_SIZE

_log = logging.getLogger("witlink.host")
_type_ids = itertools.count(1)
"""Host resource type numbers: unique in the process, so no two tables share one."""

Undo = list[tuple[ctypes.c_void_p, int | None, object]]
"""Handle slots to restore after the call: `(slot, the consumer's handle, what to keep
alive until then)`."""
Visit = Callable[[int, int, Undo], None]
"""Translates the handles inside the C value at an address in place; `(value, consumer
context, undo)`."""


class Provider(Protocol):
    """What a handle table needs of the extension that made the handles."""

    id: str
    store: Store | None
    arm: Callable[[], None]

    def held(self) -> AbstractContextManager[None]: ...


class HandleTable:
    """The handles one consumer holds on one resource type of one provider."""

    __slots__ = ("consumer", "entries", "next_rep", "provider", "resource", "type_id")

    def __init__(self, consumer: str, provider: Provider, resource: str) -> None:
        self.consumer = consumer
        self.provider = provider
        self.resource = resource
        self.type_id = next(_type_ids)
        self.entries: dict[int, tuple[ResourceAny, Store, int]] = {}
        """rep -> the provider's handle, the store it lives in, and its address."""
        self.next_rep = 1

    @property
    def host_type(self) -> ResourceType:
        return ResourceType.host(self.type_id)

    def adopt(self, handle: ResourceAny) -> int:
        """Keep a provider's own handle; returns the rep the consumer's handle gets."""
        store = self.provider.store
        assert store is not None, "a provider handle outlived its call"
        rep = self.next_rep
        self.next_rep = rep + 1 if rep < 0xFFFFFFFF else 1
        self.entries[rep] = (handle, store, capi.address(handle.ptr()))
        return rep

    def entry(self, rep: int, function: str) -> tuple[ResourceAny, Store, int]:
        """The provider's handle behind `rep` (for a borrow, or a method's `self`)."""
        entry = self.entries.get(rep)
        if entry is None:
            raise self._error(rep, function, "is not a live handle")
        if entry[1] is not self.provider.store:
            del self.entries[rep]
            raise self._stale(rep, function)
        return entry

    def lend(self, rep: int, function: str) -> ResourceAny:
        return self.entry(rep, function)[0]

    def take(self, rep: int, function: str) -> tuple[ResourceAny, Store, int]:
        """The entry behind `rep`, leaving the table (an own passed back)."""
        entry = self.entry(rep, function)
        del self.entries[rep]
        return entry

    def destroy(self, _store: StoreContext, rep: int) -> None:
        """The consumer dropped its handle: drop the provider's (its destructor runs)."""
        entry = self.entries.pop(rep, None)
        if entry is not None:
            self._drop(entry[0], entry[1])

    def release(self) -> None:
        """The consumer's instance is gone: drop every handle it held in the provider."""
        entries, self.entries = self.entries, {}
        for handle, store, _ in entries.values():
            self._drop(handle, store)

    def _drop(self, handle: ResourceAny, store: Store) -> None:
        provider = self.provider
        if store is not provider.store:
            return  # that instance is gone, and its handles with it
        try:
            with provider.held():
                provider.arm()
                handle.drop(store)
        except Exception as err:  # a destructor cannot fail the consumer's drop
            unchained(err)
            _log.warning(
                "dropping a `%s` of extension `%s` held by `%s` failed: %s",
                self.resource,
                provider.id,
                self.consumer,
                err,
            )

    def _stale(self, rep: int, function: str) -> ExtensionTrap:
        return self._error(
            rep,
            function,
            f"is stale, as `{self.provider.id}` was reloaded (or restarted after a fault) "
            "since it was made; handles do not survive a new instance, make a new one",
        )

    def _error(self, rep: int, function: str, why: str) -> ExtensionTrap:
        # No ": " here: the consumer's error quotes what follows the first one.
        return ExtensionTrap(
            f"handle {rep} of resource `{self.resource}` of extension `{self.provider.id}` "
            f"(held by `{self.consumer}`) {why}",
            extension=self.provider.id,
            function=function,
            provider=self.provider.id,
        )


Tables = Callable[[ResourceType], HandleTable]
"""Finds the table of one of the consumer's imported resource types."""


def holds_handles(ty: ValType | None) -> bool:
    """Whether a value of `ty` can contain a resource handle."""
    if ty is None:
        return False
    if isinstance(ty, OwnType | BorrowType):
        return True
    return any(holds_handles(child) for child in _children(ty))


def own_tables(ty: ValType | None, tables: Tables) -> list[HandleTable]:
    """The table of each `own` handle a value of `ty` can contain."""
    if isinstance(ty, OwnType):
        return [tables(ty.ty)]
    return [t for child in _children(ty) for t in own_tables(child, tables)] if ty else []


def _children(ty: ValType) -> list[ValType | None]:
    if isinstance(ty, ListType):
        return [ty.element]
    if isinstance(ty, OptionType):
        return [ty.payload]
    if isinstance(ty, ResultType):
        return [ty.ok, ty.err]
    if isinstance(ty, TupleType):
        return list(ty.elements)
    if isinstance(ty, RecordType):
        return [t for _, t in ty.fields]
    if isinstance(ty, VariantType):
        return [t for _, t in ty.cases]
    return []


# -- the fast path: C values translated in place ---------------------------------------


def walker(ty: ValType | None, tables: Tables, function: str, inbound: bool) -> Visit | None:
    """A function translating the handles in a C value of `ty`, or None if it holds none.

    `inbound`: consumer handles become the provider's (arguments); otherwise provider
    handles become new consumer handles (results).
    """
    if ty is None or not holds_handles(ty):
        return None
    if isinstance(ty, OwnType | BorrowType):
        table = tables(ty.ty)
        if not inbound:
            return _adopter(table)
        return _taker(table, function) if isinstance(ty, OwnType) else _lender(table, function)
    if isinstance(ty, ListType):
        return _each(walker(ty.element, tables, function, inbound))
    if isinstance(ty, OptionType):
        return _option(walker(ty.payload, tables, function, inbound))
    if isinstance(ty, ResultType):
        ok = walker(ty.ok, tables, function, inbound)
        err = walker(ty.err, tables, function, inbound)
        return _result(ok, err)
    if isinstance(ty, TupleType | RecordType):
        types = ty.elements if isinstance(ty, TupleType) else [t for _, t in ty.fields]
        parts = [(i, walker(t, tables, function, inbound)) for i, t in enumerate(types)]
        return _fields([(i, v) for i, v in parts if v is not None], isinstance(ty, RecordType))
    assert isinstance(ty, VariantType)
    cases = {n.encode(): walker(t, tables, function, inbound) for n, t in ty.cases}
    return _cases({n: v for n, v in cases.items() if v is not None})


def _each(inner: Visit | None) -> Visit:
    assert inner is not None

    def visit(value: int, ctx: int, undo: Undo) -> None:
        items = _VAL.from_address(value).of.list
        data = capi.address(items.data)
        for i in range(items.size):
            inner(data + i * VAL_SIZE, ctx, undo)

    return visit


def _option(inner: Visit | None) -> Visit:
    assert inner is not None

    def visit(value: int, ctx: int, undo: Undo) -> None:
        payload = capi.address(_VAL.from_address(value).of.option)
        if payload:
            inner(payload, ctx, undo)

    return visit


def _result(ok: Visit | None, err: Visit | None) -> Visit:
    def visit(value: int, ctx: int, undo: Undo) -> None:
        result = _VAL.from_address(value).of.result
        inner = ok if result.is_ok else err
        payload = capi.address(result.val)
        if inner is not None and payload:
            inner(payload, ctx, undo)

    return visit


def _fields(parts: list[tuple[int, Visit]], record: bool) -> Visit:
    stride, at = (_ENTRY_SIZE, _ENTRY_VAL) if record else (VAL_SIZE, 0)

    def visit(value: int, ctx: int, undo: Undo) -> None:
        of = _VAL.from_address(value).of
        data = capi.address(of.record.data if record else of.tuple.data)
        for i, inner in parts:
            inner(data + i * stride + at, ctx, undo)

    return visit


def _cases(cases: dict[bytes, Visit]) -> Visit:
    def visit(value: int, ctx: int, undo: Undo) -> None:
        variant = _VAL.from_address(value).of.variant
        name = ctypes.string_at(variant.discriminant.data, variant.discriminant.size)
        inner = cases.get(name)
        payload = capi.address(variant.val)
        if inner is not None and payload:
            inner(payload, ctx, undo)

    return visit


_VAL = ffi.wasmtime_component_val_t
_ENTRY_SIZE = ctypes.sizeof(ffi.wasmtime_component_valrecord_entry_t)
_ENTRY_VAL = ffi.wasmtime_component_valrecord_entry_t.val.offset
_Slot = ctypes.c_void_p.from_address
"""The handle pointer of the resource value at an address (its payload), read and written."""


def _host_rep(ctx: int, resource: int | None) -> int:
    """The rep of the consumer's host handle at address `resource`."""
    host = ctypes.c_void_p()
    err = capi.resource_any_to_host(ctx, resource, ctypes.byref(host))
    if err:
        raise capi.error(err)
    rep: int = capi.resource_host_rep(host)
    capi.resource_host_delete(host)
    return rep


def _lender(table: HandleTable, function: str) -> Visit:
    entry = table.entry

    def visit(value: int, ctx: int, undo: Undo) -> None:
        slot = _Slot(value + OF)
        mine = slot.value
        slot.value = entry(_host_rep(ctx, mine), function)[2]
        undo.append((slot, mine, None))

    return visit


def _taker(table: HandleTable, function: str) -> Visit:
    take = table.take

    def visit(value: int, ctx: int, undo: Undo) -> None:
        slot = _Slot(value + OF)
        mine = slot.value
        theirs = take(_host_rep(ctx, mine), function)
        slot.value = theirs[2]
        # wasmtime took the consumer's own handle out of its table when lifting it; the
        # provider's (kept alive until the call returns) moves into the provider.
        undo.append((slot, mine, theirs[0]))

    return visit


def _adopter(table: HandleTable) -> Visit:
    type_id = table.type_id

    def visit(value: int, ctx: int, _undo: Undo) -> None:
        slot = _Slot(value + OF)
        theirs = ResourceAny._from_ptr(ctypes.cast(slot.value or 0, _RESOURCE))
        slot.value = None
        host = capi.resource_host_new(True, table.adopt(theirs), type_id)
        mine = ctypes.c_void_p()
        err = capi.resource_host_to_any(ctx, host, ctypes.byref(mine))
        capi.resource_host_delete(host)
        if err:
            raise capi.error(err)
        slot.value = mine.value

    return visit


_RESOURCE = ctypes.POINTER(ffi.wasmtime_component_resource_any_t)


# -- the public path: Python values ----------------------------------------------------


class PublicTranslator:
    """Translates handles inside wasmtime-py's Python values (public API fallback)."""

    def __init__(self, tables: list[HandleTable], function: str) -> None:
        self.by_type = {t.type_id: t for t in tables}
        self.function = function

    def inbound(self, value: Any, store: StoreContext) -> Any:
        """Consumer handles in `value` -> the provider's (owns passed back leave the table)."""
        if isinstance(value, ResourceAny):
            host = value.to_host(store)
            table = self.by_type[host.type]
            if value.owned:
                return table.take(host.rep, self.function)[0]
            return table.lend(host.rep, self.function)
        return self._map(value, lambda v: self.inbound(v, store))

    def outbound(self, value: Any, table: HandleTable) -> Any:
        """Provider handles in `value` -> new consumer handles (all of `table`'s resource)."""
        if isinstance(value, ResourceAny):
            return ResourceHost.own(table.adopt(value), table.type_id)
        return self._map(value, lambda v: self.outbound(v, table))

    @staticmethod
    def _map(value: Any, inner: Callable[[Any], Any]) -> Any:
        if isinstance(value, list):
            return [inner(v) for v in value]
        if isinstance(value, tuple):
            return tuple(inner(v) for v in value)
        if isinstance(value, Variant):
            return Variant(value.tag, inner(value.payload))
        if isinstance(value, Record):
            copy = Record()
            for key, field in value.__dict__.items():
                setattr(copy, key, inner(field))
            return copy
        return value
