"""Operation schemas from type hints: the derived JSON Schema, and validation checked against
an independent JSON Schema reading over Hypothesis-generated payloads."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Literal, NotRequired, TypedDict

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linker.host import OperationContext, Operations
from linker.host.bindings.types import CallErrorInvalid
from linker.host.operations import Authority, Gate
from linker.manifest import Permissions
from linker.services.audit import AuditLog
from linker.services.opschema import OperationTypeError, PayloadError, function_name


class Range(TypedDict):
    start: int
    end: NotRequired[int]


@dataclasses.dataclass
class Filter:
    pattern: str
    case: Literal["exact", "fold"] = "exact"


@attrs.frozen
class ListFiles:
    dir: str
    depth: int | None = None
    filters: list[Filter] = attrs.Factory(list)
    lines: Range | None = None
    scale: float = 1.0
    tags: dict[str, bool] = attrs.Factory(dict)


@attrs.frozen
class Entry:
    name: str
    size: int


def make_ops(seen: list[Any]) -> Operations:
    ops = Operations()

    @ops.operation("files.listAll")
    def list_files(ctx: OperationContext, payload: ListFiles) -> list[Entry]:
        """List a folder.

        More text that the catalog leaves out."""
        seen.append(payload)
        return [Entry(f"{payload.dir}/a.txt", 3)]

    return ops


def test_catalog_describes_each_operation() -> None:
    (entry,) = make_ops([]).catalog()
    assert entry["method"] == "files.listAll"
    assert entry["name"] == "files_list_all"
    assert entry["doc"] == "List a folder."
    payload = entry["payload"]
    assert payload["$ref"] == "#/$defs/ListFiles"
    lf = payload["$defs"]["ListFiles"]
    assert lf["required"] == ["dir"]
    assert lf["additionalProperties"] is False
    assert lf["properties"]["depth"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert lf["properties"]["filters"] == {"type": "array", "items": {"$ref": "#/$defs/Filter"}}
    assert payload["$defs"]["Filter"]["properties"]["case"] == {"enum": ["exact", "fold"]}
    assert payload["$defs"]["Range"]["required"] == ["start"]
    tags = {"type": "object", "additionalProperties": {"type": "boolean"}}
    assert lf["properties"]["tags"] == tags
    assert entry["result"]["items"] == {"$ref": "#/$defs/Entry"}
    json.dumps(entry)  # plain JSON throughout


def gate(ops: Operations) -> Gate:
    permissions = Permissions(methods=("files.",))
    return Gate("ext", permissions, ops, Authority(lambda _id: permissions, AuditLog()))


def test_handler_gets_typed_values_and_results_become_json() -> None:
    seen: list[Any] = []
    answer = gate(make_ops(seen)).call(
        "query:files.listAll", None, '{"dir": "/d", "filters": [{"pattern": "*.py"}]}'
    )
    assert json.loads(str(answer)) == [{"name": "/d/a.txt", "size": 3}]
    assert seen == [ListFiles("/d", filters=[Filter("*.py")])]


@pytest.mark.parametrize(
    ("payload", "path", "reason"),
    [
        ('{"dir": 3}', "payload.dir", "expected a string, got a number"),
        ("{}", "payload.dir", "required field is missing"),
        ('{"dir": "/d", "colour": 1}', "payload.colour", "unknown field"),
        (
            '{"dir": "/d", "filters": [{"pattern": "a", "case": "x"}]}',
            "payload.filters[0].case",
            "expected one of 'exact', 'fold'",
        ),
        ('{"dir": "/d", "depth": true}', "payload.depth", "expected an integer, got a boolean"),
        ("[]", "payload", "expected an object, got an array"),
    ],
)
def test_invalid_payload_names_the_field(payload: str, path: str, reason: str) -> None:
    seen: list[Any] = []
    answer = gate(make_ops(seen)).call("files.listAll", None, payload)
    assert isinstance(answer, CallErrorInvalid)
    assert answer.value.startswith(f"`{path}`: {reason}")
    assert seen == []  # the handler never ran


def test_unsupported_hint_is_refused_at_registration() -> None:
    ops = Operations()
    with pytest.raises(OperationTypeError, match=r"`files.bad`.*set\[int\]"):
        ops.add("files.bad", lambda_with_set)


def lambda_with_set(ctx: OperationContext, payload: set[int]) -> None:
    return None


def test_function_names() -> None:
    assert function_name("query:files.list") == "files_list"
    assert function_name("ai.OCRText") == "ai_ocrtext"
    assert function_name("ai.runJob") == "ai_run_job"
    assert function_name("class") == "class_"
    assert function_name("3d.render") == "op_3d_render"


# An independent reading of the JSON Schema subset the deriver writes: the oracle.
def conforms(schema: dict[str, Any], value: Any, defs: dict[str, Any]) -> bool:
    if "$ref" in schema:
        return conforms(defs[schema["$ref"].rsplit("/", 1)[1]], value, defs)
    if "anyOf" in schema:
        return any(conforms(s, value, defs) for s in schema["anyOf"])
    if "enum" in schema:
        return any(value == v and type(value) is type(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind is None:
        return True
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: (
            (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        ),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "array": lambda v: (
            isinstance(v, list) and all(conforms(schema["items"], x, defs) for x in v)
        ),
    }
    if kind != "object":
        return bool(checks[kind](value))
    if not isinstance(value, dict):
        return False
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if any(k not in value for k in schema.get("required", [])):
        return False
    for k, v in value.items():
        sub = props.get(k, extra)
        if sub is False or (isinstance(sub, dict) and not conforms(sub, v, defs)):
            return False
    return True


finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["dir", "depth", "x", "pattern"]), inner, max_size=3)
    ),
    max_leaves=8,
)


def valid(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values the schema admits, built from the schema itself."""
    if "$ref" in schema:
        return valid(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return st.one_of([valid(s, defs) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    simple: dict[str, st.SearchStrategy[Any]] = {
        "string": st.text(max_size=5),
        "integer": st.integers(),
        "number": st.integers() | finite,
        "boolean": st.booleans(),
        "null": st.none(),
    }
    kind = schema["type"]
    if kind in simple:
        return simple[kind]
    if kind == "array":
        return st.lists(valid(schema["items"], defs), max_size=3)
    if "properties" not in schema:
        return st.dictionaries(
            st.text(max_size=3), valid(schema["additionalProperties"], defs), max_size=2
        )
    props = schema["properties"]
    optional = [k for k in props if k not in schema["required"]]
    return st.fixed_dictionaries(
        {k: valid(props[k], defs) for k in schema["required"]},
        optional={k: valid(props[k], defs) for k in optional},
    )


def broken(value: dict[str, Any]) -> st.SearchStrategy[Any]:
    """`value` with one field replaced by arbitrary JSON or removed."""
    return st.sampled_from(sorted(value)).flatmap(
        lambda key: (
            json_values.map(lambda new: {**value, key: new})
            | st.just({k: v for k, v in value.items() if k != key})
        )
    )


SIG = make_ops([]).signature("files.listAll")
SCHEMA = make_ops([]).catalog()[0]["payload"]
DEFS = SCHEMA["$defs"]


@settings(max_examples=400, deadline=None)
@given(st.one_of(valid(SCHEMA, DEFS), valid(SCHEMA, DEFS).flatmap(broken), json_values))
def test_validation_agrees_with_the_schema(payload: Any) -> None:
    expected = conforms(SCHEMA, payload, DEFS)
    try:
        loaded = SIG.load(payload)
    except PayloadError as err:
        assert not expected, f"rejected a conforming payload: {err}"
        assert err.path.startswith("payload")
        return
    assert expected, f"accepted {payload!r}, which the schema refuses"
    assert isinstance(loaded, ListFiles)
    again = SIG.payload.dump(loaded)
    assert SIG.load(json.loads(json.dumps(again))) == loaded  # JSON round trip
