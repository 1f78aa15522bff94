"""The resolved WIT model, shaped like wit-parser's `Resolve`.

Four arenas (worlds, interfaces, types, packages) hold every item; items refer
to each other through typed ids (`TypeId`, `InterfaceId`, ...), which are the
arena indices. The JSON form of this model is wit-parser's (see `json_io`).
"""

from __future__ import annotations

import enum
from typing import TypeAlias

import attrs

# ---------------------------------------------------------------- typed ids


@attrs.frozen(order=True)
class TypeId:
    """Index of a `TypeDef` in `Resolve.types`."""

    index: int


@attrs.frozen(order=True)
class InterfaceId:
    """Index of an `Interface` in `Resolve.interfaces`."""

    index: int


@attrs.frozen(order=True)
class WorldId:
    """Index of a `World` in `Resolve.worlds`."""

    index: int


@attrs.frozen(order=True)
class PackageId:
    """Index of a `Package` in `Resolve.packages`."""

    index: int


# ---------------------------------------------------------------- small values


class Primitive(enum.StrEnum):
    """A WIT type with no structure of its own; its value is its WIT spelling."""

    BOOL = "bool"
    U8 = "u8"
    U16 = "u16"
    U32 = "u32"
    U64 = "u64"
    S8 = "s8"
    S16 = "s16"
    S32 = "s32"
    S64 = "s64"
    F32 = "f32"
    F64 = "f64"
    CHAR = "char"
    STRING = "string"
    ERROR_CONTEXT = "error-context"


Type: TypeAlias = Primitive | TypeId
"""A reference to a type: a primitive, or a `TypeDef` in the types arena."""


@attrs.frozen
class Docs:
    """Doc comments attached to an item (`None` when it has none)."""

    contents: str | None = None


NO_DOCS = Docs()


@attrs.frozen
class Unknown:
    """No `@since` or `@unstable` gate."""


@attrs.frozen
class Unstable:
    """`@unstable(feature = ...)`, optionally `@deprecated(version = ...)`."""

    feature: str
    deprecated: str | None = None


@attrs.frozen
class Stable:
    """`@since(version = ...)`, optionally `@deprecated(version = ...)`."""

    since: str
    deprecated: str | None = None


Stability: TypeAlias = Unknown | Unstable | Stable
UNKNOWN = Unknown()


@attrs.frozen(cache_hash=True)  # a dict key throughout resolution
class PackageName:
    """`namespace:name@version`; the version is a normalised semver string."""

    namespace: str
    name: str
    version: str | None = None

    def __str__(self) -> str:
        base = f"{self.namespace}:{self.name}"
        return f"{base}@{self.version}" if self.version is not None else base

    def interface_id(self, interface: str) -> str:
        """The full interface name, e.g. `wasi:io/streams@0.2.0`."""
        base = f"{self.namespace}:{self.name}/{interface}"
        return f"{base}@{self.version}" if self.version is not None else base


# ---------------------------------------------------------------- type kinds


@attrs.frozen
class Field:
    name: str
    type: Type
    docs: Docs = NO_DOCS


@attrs.frozen
class Record:
    fields: tuple[Field, ...]


@attrs.frozen
class Resource:
    """A resource type; its functions live in the owning interface or world."""


class HandleKind(enum.StrEnum):
    OWN = "own"
    BORROW = "borrow"


@attrs.frozen
class Handle:
    kind: HandleKind
    resource: TypeId


@attrs.frozen
class Flag:
    name: str
    docs: Docs = NO_DOCS


@attrs.frozen
class Flags:
    flags: tuple[Flag, ...]


@attrs.frozen
class Tuple:
    types: tuple[Type, ...]


@attrs.frozen
class Case:
    name: str
    type: Type | None
    docs: Docs = NO_DOCS


@attrs.frozen
class Variant:
    cases: tuple[Case, ...]


@attrs.frozen
class EnumCase:
    name: str
    docs: Docs = NO_DOCS


@attrs.frozen
class Enum:
    cases: tuple[EnumCase, ...]


@attrs.frozen
class Option:
    type: Type


@attrs.frozen
class Result:
    ok: Type | None
    err: Type | None


@attrs.frozen
class List:
    type: Type


@attrs.frozen
class Map:
    key: Type
    value: Type


@attrs.frozen
class FixedLengthList:
    type: Type
    size: int


@attrs.frozen
class Future:
    type: Type | None


@attrs.frozen
class Stream:
    type: Type | None


@attrs.frozen
class Alias:
    """`type a = b;`: a named reference to another type."""

    type: Type


@attrs.frozen
class UnknownKind:
    """A type of a foreign package not yet resolved (never in a finished Resolve)."""


TypeDefKind: TypeAlias = (
    Record
    | Resource
    | Handle
    | Flags
    | Tuple
    | Variant
    | Enum
    | Option
    | Result
    | List
    | Map
    | FixedLengthList
    | Future
    | Stream
    | Alias
    | UnknownKind
)


@attrs.frozen
class OwnerInterface:
    id: InterfaceId


@attrs.frozen
class OwnerWorld:
    id: WorldId


TypeOwner: TypeAlias = OwnerInterface | OwnerWorld | None


@attrs.define
class TypeDef:
    name: str | None
    kind: TypeDefKind
    owner: TypeOwner
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN
    external_id: str | None = None


# ---------------------------------------------------------------- functions


class FunctionKindTag(enum.StrEnum):
    FREESTANDING = "freestanding"
    ASYNC_FREESTANDING = "async-freestanding"
    METHOD = "method"
    ASYNC_METHOD = "async-method"
    STATIC = "static"
    ASYNC_STATIC = "async-static"
    CONSTRUCTOR = "constructor"


@attrs.frozen
class FunctionKind:
    """How a function is called; `resource` is set for all but freestanding ones."""

    tag: FunctionKindTag
    resource: TypeId | None = None

    @property
    def is_async(self) -> bool:
        return self.tag.value.startswith("async-")


@attrs.frozen
class Param:
    name: str
    type: Type


@attrs.define
class Function:
    name: str
    kind: FunctionKind
    params: tuple[Param, ...]
    result: Type | None = None
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN
    external_id: str | None = None


# ---------------------------------------------------------------- interfaces, worlds


@attrs.define
class Interface:
    name: str | None
    types: dict[str, TypeId] = attrs.Factory(dict)
    functions: dict[str, Function] = attrs.Factory(dict)
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN
    package: PackageId | None = None
    clone_of: InterfaceId | None = None


WorldKey: TypeAlias = str | InterfaceId
"""A world item's key: a kebab name, or the interface imported by its path."""


@attrs.frozen
class WorldInterface:
    id: InterfaceId
    stability: Stability = UNKNOWN
    external_id: str | None = None
    docs: Docs = NO_DOCS


@attrs.frozen
class WorldFunction:
    function: Function


@attrs.frozen
class WorldType:
    id: TypeId


WorldItem: TypeAlias = WorldInterface | WorldFunction | WorldType


@attrs.define
class World:
    name: str
    imports: dict[WorldKey, WorldItem] = attrs.Factory(dict)
    exports: dict[WorldKey, WorldItem] = attrs.Factory(dict)
    package: PackageId | None = None
    docs: Docs = NO_DOCS
    stability: Stability = UNKNOWN


@attrs.define
class Package:
    name: PackageName
    docs: Docs = NO_DOCS
    interfaces: dict[str, InterfaceId] = attrs.Factory(dict)
    worlds: dict[str, WorldId] = attrs.Factory(dict)


# ---------------------------------------------------------------- the resolve


@attrs.define
class Resolve:
    """All known packages with their worlds, interfaces and types."""

    worlds: list[World] = attrs.Factory(list)
    interfaces: list[Interface] = attrs.Factory(list)
    types: list[TypeDef] = attrs.Factory(list)
    packages: list[Package] = attrs.Factory(list)
    main_packages: list[PackageId] = attrs.Factory(list)
    """The packages a load was asked for (not their dependencies); not in the JSON."""

    def world(self, id: WorldId) -> World:
        return self.worlds[id.index]

    def interface(self, id: InterfaceId) -> Interface:
        return self.interfaces[id.index]

    def type(self, id: TypeId) -> TypeDef:
        return self.types[id.index]

    def package(self, id: PackageId) -> Package:
        return self.packages[id.index]

    def package_by_name(self, name: str) -> PackageId | None:
        """The package named `ns:name[@version]`, if loaded."""
        for index, package in enumerate(self.packages):
            if str(package.name) == name:
                return PackageId(index)
        return None

    def interface_name(self, id: InterfaceId) -> str | None:
        """The full name `ns:pkg/iface@ver` of a named interface in a package."""
        iface = self.interface(id)
        if iface.name is None or iface.package is None:
            return iface.name
        return self.package(iface.package).name.interface_id(iface.name)

    def world_key_name(self, key: WorldKey) -> str:
        """The name a world item is imported or exported under."""
        if isinstance(key, str):
            return key
        return self.interface_name(key) or f"interface-{key.index}"
