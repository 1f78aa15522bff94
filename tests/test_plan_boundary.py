"""Plan files are validated where they are read: every malformed value is a `PlanError`
naming the key path and what is expected, and a plan that breaks an invariant is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hostkit
import pytest

from linker.errors import PlanError
from linker.plan import Plan

Doc = dict[str, Any]


@pytest.fixture
def doc(component: hostkit.Build, tmp_path: Path) -> Doc:
    """A real plan's JSON (calc and its consumer app), as a dict to damage."""
    loaded: Doc = json.loads(hostkit.calc_plan(component).to_json(tmp_path))
    return loaded


def perms(d: Doc) -> Doc:
    permissions: Doc = d["extensions"][0]["permissions"]
    return permissions


def set_key(path: str, value: Any) -> Callable[[Doc], None]:
    """A damage: set the value at `a.b[0].c` to `value`."""

    def damage(d: Doc) -> None:
        target: Any = d
        keys = path.replace("[", ".").replace("]", "").split(".")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return damage


CASES: list[tuple[str, Callable[[Doc], None], str]] = [
    (
        "max-memory-mb as a string",
        set_key("extensions[0].permissions.max-memory-mb", "64"),
        "`extensions[0].permissions.max-memory-mb` must be an integer from 1 to",
    ),
    (
        "huge max-memory-mb",
        set_key("extensions[0].permissions.max-memory-mb", 10**30),
        "`extensions[0].permissions.max-memory-mb` must be an integer",
    ),
    (
        "requests-per-minute as a list",
        set_key("extensions[0].permissions.rate-limits", {"requests-per-minute": [5]}),
        "`extensions[0].permissions.rate-limits.requests-per-minute` must be an integer",
    ),
    (
        "methods as a string",
        set_key("extensions[1].permissions.methods", "files."),
        "`extensions[1].permissions.methods` must be a list of strings; it is a string",
    ),
    ("order naming an unknown id", set_key("order[1]", "ghost"), "`order[1]` names `ghost`"),
    ("order missing an id", set_key("order", ["calc"]), "`order` lacks app"),
    ("order reversed", set_key("order", ["app", "calc"]), "puts `app` before its provider"),
    ("empty sha256", set_key("extensions[0].sha256", ""), "`extensions[0].sha256` must be"),
    ("null sha256", set_key("extensions[0].sha256", None), "`extensions[0].sha256` must be"),
    ("short sha256", set_key("extensions[0].sha256", "abc"), "64 hex digits"),
    ("size as a float", set_key("extensions[0].size", 1.5), "`extensions[0].size` must be"),
    ("id as a number", set_key("extensions[0].id", 7), "`extensions[0].id` must be a string"),
    ("reserved id", set_key("extensions[0].id", "host"), "`host` is reserved"),
    ("NUL in a path", set_key("extensions[0].component", "a\0.wasm"), "NUL"),
    ("lone surrogate", set_key("extensions[0].name", "\ud800"), "lone surrogates"),
    ("unknown key", set_key("extensions[0].permisions", {}), "unknown key"),
    ("imports not a list", set_key("extensions[1].imports", {}), "must be a list of tables"),
    ("schema true", set_key("schema", True), "`schema` must be 1"),
    (
        "unknown provider",
        set_key("extensions[1].imports[0].provider", "ghost"),
        "`extensions[1].imports[0].provider` is `ghost`",
    ),
    (
        "registry off its binding",
        set_key("functions[0].provider", "app"),
        "`functions[0]` sends `app`'s",
    ),
]


@pytest.mark.parametrize(("damage", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_plans_name_the_key(
    doc: Doc, tmp_path: Path, damage: Callable[[Doc], None], needle: str
) -> None:
    damage(doc)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc), encoding="utf-8", errors="surrogatepass")
    with pytest.raises(PlanError) as info:
        Plan.load(path)
    assert str(info.value).startswith(f"{path}: ")
    assert needle in str(info.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"schema": ' + "9" * 5000 + "}", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"schema": 1}', "`extensions` must be a list of tables; it is missing"),
    ],
)
def test_deep_huge_and_empty_json(text: str, needle: str) -> None:
    with pytest.raises(PlanError, match=r"^plan: ") as info:
        Plan.from_json(text)
    assert needle in str(info.value)


def test_non_utf8_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b'{"schema": 1, "host": "\xff"}')
    with pytest.raises(PlanError, match="not UTF-8 text"):
        Plan.load(path)


def test_a_valid_plan_still_loads(doc: Doc, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    assert Plan.load(path).order == ("calc", "app")
