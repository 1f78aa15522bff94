"""wit-parser JSON: reading it into the model and writing it back is exact."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from linker.errors import WitError
from linker.tools import run_wasm_tools
from linker.wit import from_json, to_json
from linker.wit.model import Primitive, TypeId


def test_corpus_json_round_trips_byte_for_byte(corpus: Path) -> None:
    cases = sorted(corpus.glob("*.wit.json"))
    assert len(cases) == 74
    for case in cases:
        text = case.read_text().strip()
        assert to_json(from_json(text)) == text, case.name


def test_component_json_from_wasm_tools_round_trips(component: Callable[[str], Path]) -> None:
    wasm = component("wat-adder")
    text = run_wasm_tools("component", "wit", "--json", str(wasm)).decode().strip()
    resolve = from_json(text)
    assert to_json(resolve) == text
    (world,) = resolve.worlds
    func = world.exports["add"].function  # type: ignore[union-attr]
    assert [p.type for p in func.params] == [Primitive.U32, Primitive.U32]
    assert func.result == Primitive.U32


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        '{"types": [{"name": null}]}',
        '{"types": [{"kind": {"list": "nope"}, "owner": null}]}',
    ],
)
def test_bad_json_is_a_wit_error(text: str) -> None:
    with pytest.raises(WitError):
        from_json(text)


def test_type_ids_are_typed() -> None:
    assert TypeId(3) == TypeId(3) and TypeId(3) != 3
