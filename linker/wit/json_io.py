"""wit-parser's JSON form of a `Resolve`: writing it byte for byte, and reading it back.

The layout follows wit-parser's serde attributes: empty docs, unknown
stability and absent external ids are left out; ids are arena indices;
world keys naming an interface are written `interface-N`.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from linker.errors import WitError
from linker.wit import model as m
from linker.wit.checks import check_resolve

Json = Any
_E = TypeVar("_E", bound=enum.Enum)

# ---------------------------------------------------------------- writing


def resolve_to_json(resolve: m.Resolve) -> str:
    doc = {
        "worlds": [_world(w) for w in resolve.worlds],
        "interfaces": [_interface(i) for i in resolve.interfaces],
        "types": [_typedef(t) for t in resolve.types],
        "packages": [_package(p) for p in resolve.packages],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _type(ty: m.Type) -> Json:
    return ty.index if isinstance(ty, m.TypeId) else ty.value


def _opt_type(ty: m.Type | None) -> Json:
    return None if ty is None else _type(ty)


def _add_docs(out: dict[str, Json], docs: m.Docs) -> None:
    if docs.contents is not None:
        out["docs"] = {"contents": docs.contents}


def _stability(stability: m.Stability) -> Json:
    if isinstance(stability, m.Stable):
        body: dict[str, Json] = {"since": stability.since}
        key = "stable"
    else:
        assert isinstance(stability, m.Unstable)
        body = {"feature": stability.feature}
        key = "unstable"
    if stability.deprecated is not None:
        body["deprecated"] = stability.deprecated
    return {key: body}


def _add_stability(out: dict[str, Json], stability: m.Stability) -> None:
    if not isinstance(stability, m.Unknown):
        out["stability"] = _stability(stability)


def _function(func: m.Function) -> Json:
    kind = func.kind
    kind_json: Json = (
        kind.tag.value if kind.resource is None else {kind.tag.value: kind.resource.index}
    )
    params = []
    for param in func.params:
        p: dict[str, Json] = {"name": param.name} if param.name else {}
        p["type"] = _type(param.type)
        params.append(p)
    out: dict[str, Json] = {"name": func.name, "kind": kind_json, "params": params}
    if func.result is not None:
        out["result"] = _type(func.result)
    _add_docs(out, func.docs)
    _add_stability(out, func.stability)
    if func.external_id is not None:
        out["external_id"] = func.external_id
    return out


def _world_key(key: m.WorldKey) -> str:
    return key if isinstance(key, str) else f"interface-{key.index}"


def _world_item(item: m.WorldItem) -> Json:
    if isinstance(item, m.WorldInterface):
        body: dict[str, Json] = {"id": item.id.index}
        _add_stability(body, item.stability)
        if item.external_id is not None:
            body["external_id"] = item.external_id
        _add_docs(body, item.docs)
        return {"interface": body}
    if isinstance(item, m.WorldFunction):
        return {"function": _function(item.function)}
    return {"type": item.id.index}


def _world(world: m.World) -> Json:
    out: dict[str, Json] = {
        "name": world.name,
        "imports": {_world_key(k): _world_item(v) for k, v in world.imports.items()},
        "exports": {_world_key(k): _world_item(v) for k, v in world.exports.items()},
        "package": None if world.package is None else world.package.index,
    }
    _add_docs(out, world.docs)
    _add_stability(out, world.stability)
    return out


def _interface(iface: m.Interface) -> Json:
    out: dict[str, Json] = {
        "name": iface.name,
        "types": {name: id.index for name, id in iface.types.items()},
        "functions": {name: _function(f) for name, f in iface.functions.items()},
    }
    _add_docs(out, iface.docs)
    _add_stability(out, iface.stability)
    out["package"] = None if iface.package is None else iface.package.index
    if iface.clone_of is not None:
        out["clone_of"] = iface.clone_of.index
    return out


def _kind(kind: m.TypeDefKind) -> Json:
    match kind:
        case m.Record(fields):
            return {"record": {"fields": [_field(f) for f in fields]}}
        case m.Resource():
            return "resource"
        case m.Handle(handle_kind, resource):
            return {"handle": {handle_kind.value: resource.index}}
        case m.Flags(flags):
            return {"flags": {"flags": [_named(f.name, f.docs) for f in flags]}}
        case m.Tuple(types):
            return {"tuple": {"types": [_type(t) for t in types]}}
        case m.Variant(cases):
            return {"variant": {"cases": [_case(c) for c in cases]}}
        case m.Enum(enum_cases):
            return {"enum": {"cases": [_named(c.name, c.docs) for c in enum_cases]}}
        case m.Option(ty):
            return {"option": _type(ty)}
        case m.Result(ok, err):
            return {"result": {"ok": _opt_type(ok), "err": _opt_type(err)}}
        case m.List(ty):
            return {"list": _type(ty)}
        case m.Map(key, value):
            return {"map": [_type(key), _type(value)]}
        case m.FixedLengthList(ty, size):
            return {"fixed-length-list": [_type(ty), size]}
        case m.Future(ty):
            return {"future": _opt_type(ty)}
        case m.Stream(ty):
            return {"stream": _opt_type(ty)}
        case m.Alias(ty):
            return {"type": _type(ty)}
        case m.UnknownKind():
            return "unknown"
    raise AssertionError(kind)


def _field(field: m.Field) -> Json:
    out: dict[str, Json] = {"name": field.name, "type": _type(field.type)}
    _add_docs(out, field.docs)
    return out


def _case(case: m.Case) -> Json:
    out: dict[str, Json] = {"name": case.name, "type": _opt_type(case.type)}
    _add_docs(out, case.docs)
    return out


def _named(name: str, docs: m.Docs) -> Json:
    out: dict[str, Json] = {"name": name}
    _add_docs(out, docs)
    return out


def _typedef(ty: m.TypeDef) -> Json:
    owner: Json
    if isinstance(ty.owner, m.OwnerInterface):
        owner = {"interface": ty.owner.id.index}
    elif isinstance(ty.owner, m.OwnerWorld):
        owner = {"world": ty.owner.id.index}
    else:
        owner = None
    out: dict[str, Json] = {"name": ty.name, "kind": _kind(ty.kind), "owner": owner}
    _add_docs(out, ty.docs)
    _add_stability(out, ty.stability)
    if ty.external_id is not None:
        out["external_id"] = ty.external_id
    return out


def _package(pkg: m.Package) -> Json:
    out: dict[str, Json] = {"name": str(pkg.name)}
    _add_docs(out, pkg.docs)
    out["interfaces"] = {name: id.index for name, id in pkg.interfaces.items()}
    out["worlds"] = {name: id.index for name, id in pkg.worlds.items()}
    return out


# ---------------------------------------------------------------- reading


class _Bad(Exception):
    """A shape error inside the JSON document; turned into a WitError at the top."""


def resolve_from_json(text: str) -> m.Resolve:
    doc = load_json(text, WitError)
    try:
        root = _obj(doc)
        resolve = m.Resolve(
            worlds=[_read_world(w) for w in _list(root.get("worlds", []))],
            interfaces=[_read_interface(i) for i in _list(root.get("interfaces", []))],
            types=[_read_typedef(t) for t in _list(root.get("types", []))],
            packages=[_read_package(p) for p in _list(root.get("packages", []))],
        )
    except _Bad as err:
        raise WitError(f"not a wit-parser Resolve JSON document: {err}") from None
    except KeyError as err:
        raise WitError(f"not a wit-parser Resolve JSON document: missing key {err}") from None
    check_resolve(resolve)
    return resolve


def load_json(text: str, error: type[WitError]) -> Json:
    """`json.loads`, raising `error` for bad syntax, over-long numbers or deep nesting."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise error(f"not valid JSON at line {err.lineno}, column {err.colno}: {err.msg}") from None
    except ValueError:  # an integer of more digits than Python converts
        raise error("not usable JSON: a number has more than 4300 digits") from None
    except RecursionError:
        raise error("not usable JSON: arrays or objects nested too deeply") from None


def _obj(value: Json) -> Mapping[str, Json]:
    if not isinstance(value, dict):
        raise _Bad(f"expected an object, found {_show(value)}")
    return cast(Mapping[str, Json], value)


def _list(value: Json) -> list[Json]:
    if not isinstance(value, list):
        raise _Bad(f"expected a list, found {_show(value)}")
    return value


def _str(value: Json) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected a string, found {_show(value)}")
    return value


def _int(value: Json) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**32:
        raise _Bad(f"expected an index or size (0 to 2^32-1), found {_show(value)}")
    return value


def _show(value: Json) -> str:
    """A short JSON rendering of a value for a message."""
    try:
        return json.dumps(value)[:60]
    except (ValueError, RecursionError):
        return type(value).__name__


def _single(value: Json) -> tuple[str, Json]:
    """The key and value of an object with exactly one key (a serde enum variant)."""
    obj = _obj(value)
    if len(obj) != 1:
        raise _Bad(f"expected an object with one key, found {_show(value)}")
    ((key, body),) = obj.items()
    return key, body


def _enum(kind: type[_E], value: Json) -> _E:
    """A member of a string enum, by its value."""
    text = _str(value)
    try:
        return kind(text)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise _Bad(f"unknown {kind.__name__} {text!r} (expected one of {known})") from None


_PRIMITIVES = {p.value: p for p in m.Primitive}


def _pair(value: Json) -> tuple[Json, Json]:
    items = _list(value)
    if len(items) != 2:
        raise _Bad(f"expected a list of two items, found {_show(value)}")
    return items[0], items[1]


def _read_type(value: Json) -> m.Type:
    if isinstance(value, str):
        try:
            return _PRIMITIVES[value]
        except KeyError:
            raise _Bad(f"unknown primitive type {value!r}") from None
    return m.TypeId(_int(value))


def _read_opt_type(value: Json) -> m.Type | None:
    return None if value is None else _read_type(value)


def _read_docs(obj: Mapping[str, Json]) -> m.Docs:
    docs = obj.get("docs")
    if docs is None:
        return m.NO_DOCS
    contents = _obj(docs).get("contents")
    return m.Docs(None if contents is None else _str(contents))


def _read_stability(obj: Mapping[str, Json]) -> m.Stability:
    value = obj.get("stability")
    if value is None or value == "unknown":
        return m.UNKNOWN
    value = _obj(value)
    deprecated = None
    if "stable" in value:
        body = _obj(value["stable"])
        if body.get("deprecated") is not None:
            deprecated = _str(body["deprecated"])
        return m.Stable(_str(body["since"]), deprecated)
    body = _obj(value["unstable"])
    if body.get("deprecated") is not None:
        deprecated = _str(body["deprecated"])
    return m.Unstable(_str(body["feature"]), deprecated)


def _opt_str(obj: Mapping[str, Json], key: str) -> str | None:
    value = obj.get(key)
    return None if value is None else _str(value)


def _read_function(value: Json) -> m.Function:
    obj = _obj(value)
    kind_json = obj["kind"]
    if isinstance(kind_json, str):
        kind = m.FunctionKind(_enum(m.FunctionKindTag, kind_json))
    else:
        tag, resource = _single(kind_json)
        kind = m.FunctionKind(_enum(m.FunctionKindTag, tag), m.TypeId(_int(resource)))
    params = tuple(
        m.Param(_str(_obj(p).get("name", "")), _read_type(_obj(p)["type"]))
        for p in _list(obj["params"])
    )
    return m.Function(
        name=_str(obj["name"]),
        kind=kind,
        params=params,
        result=_read_opt_type(obj.get("result")),
        docs=_read_docs(obj),
        stability=_read_stability(obj),
        external_id=_opt_str(obj, "external_id"),
    )


_INTERFACE_KEY = re.compile(r"interface-(\d{1,10})")


def _read_world_items(value: Json) -> dict[m.WorldKey, m.WorldItem]:
    items: dict[m.WorldKey, m.WorldItem] = {}
    for key, item_json in _obj(value).items():
        match = _INTERFACE_KEY.fullmatch(key)
        world_key: m.WorldKey = m.InterfaceId(int(match.group(1))) if match else key
        tag, body = _single(item_json)
        item: m.WorldItem
        if tag == "interface":
            body = _obj(body)
            item = m.WorldInterface(
                m.InterfaceId(_int(body["id"])),
                _read_stability(body),
                _opt_str(body, "external_id"),
                _read_docs(body),
            )
        elif tag == "function":
            item = m.WorldFunction(_read_function(body))
        elif tag == "type":
            item = m.WorldType(m.TypeId(_int(body)))
        else:
            raise _Bad(f"unknown world item kind {tag!r}")
        items[world_key] = item
    return items


def _read_package_ref(value: Json) -> m.PackageId | None:
    return None if value is None else m.PackageId(_int(value))


def _read_world(value: Json) -> m.World:
    obj = _obj(value)
    return m.World(
        name=_str(obj["name"]),
        imports=_read_world_items(obj.get("imports", {})),
        exports=_read_world_items(obj.get("exports", {})),
        package=_read_package_ref(obj.get("package")),
        docs=_read_docs(obj),
        stability=_read_stability(obj),
    )


def _read_interface(value: Json) -> m.Interface:
    obj = _obj(value)
    clone_of = obj.get("clone_of")
    return m.Interface(
        name=_opt_str(obj, "name"),
        types={_str(k): m.TypeId(_int(v)) for k, v in _obj(obj.get("types", {})).items()},
        functions={_str(k): _read_function(v) for k, v in _obj(obj.get("functions", {})).items()},
        docs=_read_docs(obj),
        stability=_read_stability(obj),
        package=_read_package_ref(obj.get("package")),
        clone_of=None if clone_of is None else m.InterfaceId(_int(clone_of)),
    )


def _read_kind(value: Json) -> m.TypeDefKind:
    if value == "resource":
        return m.Resource()
    if value == "unknown":
        return m.UnknownKind()
    tag, body = _single(value)
    match tag:
        case "record":
            return m.Record(
                tuple(
                    m.Field(_str(f["name"]), _read_type(f["type"]), _read_docs(f))
                    for f in map(_obj, _list(_obj(body)["fields"]))
                )
            )
        case "handle":
            handle_kind, resource = _single(body)
            return m.Handle(_enum(m.HandleKind, handle_kind), m.TypeId(_int(resource)))
        case "flags":
            return m.Flags(
                tuple(
                    m.Flag(_str(f["name"]), _read_docs(f))
                    for f in map(_obj, _list(_obj(body)["flags"]))
                )
            )
        case "tuple":
            return m.Tuple(tuple(_read_type(t) for t in _list(_obj(body)["types"])))
        case "variant":
            return m.Variant(
                tuple(
                    m.Case(_str(c["name"]), _read_opt_type(c.get("type")), _read_docs(c))
                    for c in map(_obj, _list(_obj(body)["cases"]))
                )
            )
        case "enum":
            return m.Enum(
                tuple(
                    m.EnumCase(_str(c["name"]), _read_docs(c))
                    for c in map(_obj, _list(_obj(body)["cases"]))
                )
            )
        case "option":
            return m.Option(_read_type(body))
        case "result":
            body = _obj(body)
            return m.Result(_read_opt_type(body.get("ok")), _read_opt_type(body.get("err")))
        case "list":
            return m.List(_read_type(body))
        case "map":
            key, val = _pair(body)
            return m.Map(_read_type(key), _read_type(val))
        case "fixed-length-list":
            elem, size = _pair(body)
            return m.FixedLengthList(_read_type(elem), _int(size))
        case "future":
            return m.Future(_read_opt_type(body))
        case "stream":
            return m.Stream(_read_opt_type(body))
        case "type":
            return m.Alias(_read_type(body))
    raise _Bad(f"unknown type kind {tag!r}")


def _read_typedef(value: Json) -> m.TypeDef:
    obj = _obj(value)
    owner_json = obj.get("owner")
    owner: m.TypeOwner = None
    if owner_json is not None:
        tag, index = _single(owner_json)
        if tag == "interface":
            owner = m.OwnerInterface(m.InterfaceId(_int(index)))
        elif tag == "world":
            owner = m.OwnerWorld(m.WorldId(_int(index)))
        else:
            raise _Bad(f"unknown type owner {tag!r}")
    return m.TypeDef(
        name=_opt_str(obj, "name"),
        kind=_read_kind(obj["kind"]),
        owner=owner,
        docs=_read_docs(obj),
        stability=_read_stability(obj),
        external_id=_opt_str(obj, "external_id"),
    )


_PACKAGE_NAME = re.compile(r"([^:@/]+):([^:@/]+)(?:@(.+))?")


def parse_package_name(text: str) -> m.PackageName:
    """`ns:name[@version]` as a `PackageName` (raises `WitError` when malformed)."""
    match = _PACKAGE_NAME.fullmatch(text)
    if match is None:
        raise WitError(f"malformed package name {text!r}: expected `namespace:name[@version]`")
    return m.PackageName(match.group(1), match.group(2), match.group(3))


def _read_package(value: Json) -> m.Package:
    obj = _obj(value)
    try:
        name = parse_package_name(_str(obj["name"]))
    except WitError as err:
        raise _Bad(str(err)) from None
    return m.Package(
        name=name,
        docs=_read_docs(obj),
        interfaces={
            _str(k): m.InterfaceId(_int(v)) for k, v in _obj(obj.get("interfaces", {})).items()
        },
        worlds={_str(k): m.WorldId(_int(v)) for k, v in _obj(obj.get("worlds", {})).items()},
    )
