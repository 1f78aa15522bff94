"""The plan's JSON writer gives exactly `json.dumps(..., indent=2, ensure_ascii=False)`."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from linker.plan.jsontext import indented

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_KEYS = st.text() | st.integers() | st.booleans() | st.none()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_KEYS, inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_indented_matches_the_standard_encoder(value: Any) -> None:
    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_indented_nesting_and_escapes() -> None:
    value = {"a": [], "b": {}, "c": [{"d": 'é\n"\\'}, None, 1.5, True], 2: "x"}
    assert indented(value) == (
        '{\n  "a": [],\n  "b": {},\n  "c": [\n    {\n      "d": "é\\n\\"\\\\"\n    },\n'
        '    null,\n    1.5,\n    true\n  ],\n  "2": "x"\n}'
    )
