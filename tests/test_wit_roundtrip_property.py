"""Properties over generated WIT (see `wit_strategies`).

- every generated document is valid WIT (wasm-tools accepts it);
- printing is faithful: print(JSON(x)) parses back to JSON(x), checked with
  wasm-tools as the parser now, and with `linker.wit.load` once it exists;
- witlink's parser agrees with wasm-tools: JSON(load(x)) == wasm-tools' JSON(x).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from wit_strategies import wit_documents
from witdiff import main_package_name, reference_json

import linker.wit
from linker.wit import from_json, print_resolve, to_json

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

needs_load = pytest.mark.skipif(
    not hasattr(linker.wit, "load"), reason="needs linker.wit.load (the parser branch)"
)


def print_main_first(json_text: str, document: str) -> str:
    """WIT text printed from `json_text`, with the main package of `document` first."""
    resolve = from_json(json_text)
    main = resolve.package_by_name(main_package_name(document))
    assert main is not None
    return print_resolve(resolve, main)


def load_json(text: str) -> str:
    """witlink's JSON for the WIT document `text`, every feature on."""
    with tempfile.TemporaryDirectory(prefix="witprop-") as tmp:
        path = Path(tmp) / "document.wit"
        path.write_text(text)
        return str(to_json(linker.wit.load(path, all_features=True)))


@PROPERTY
@given(wit_documents())
def test_generated_documents_are_valid_wit(document: str) -> None:
    reference_json(document)  # raises ToolError with wasm-tools' message if invalid


@PROPERTY
@given(wit_documents(canonical=True))
def test_printed_wit_parses_back_with_wasm_tools(document: str) -> None:
    expected = reference_json(document)
    assert reference_json(print_main_first(expected, document)) == expected


@needs_load
@PROPERTY
@given(wit_documents(canonical=True))
def test_print_parse_round_trip(document: str) -> None:
    """JSON(load(print(load(x)))) == JSON(load(x))."""
    parsed = load_json(document)
    assert load_json(print_main_first(parsed, document)) == parsed


@needs_load
@PROPERTY
@given(wit_documents())
def test_parser_agrees_with_wasm_tools(document: str) -> None:
    assert load_json(document) == reference_json(document)
