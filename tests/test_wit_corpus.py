"""The wit-parser UI corpus: exact JSON for passing cases, located WitErrors for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, corpus_glob

from linker.errors import WitError
from linker.wit import load, to_json

FAIL_DIR = CORPUS / "parse-fail"


def _passing_cases() -> list[Path]:
    cases = []
    for expected in corpus_glob("*.wit.json"):
        stem = expected.name.removesuffix(".wit.json")
        candidates = [CORPUS / stem, CORPUS / f"{stem}.wit", CORPUS / f"{stem}.wat"]
        cases.append(next(c for c in candidates if c.exists()))
    return cases


def _failing_cases() -> list[Path]:
    # stale `.wit.result` files without an input (async, async1, unterminated-string) are skipped
    return [p for p in corpus_glob("parse-fail/*") if p.is_dir() or p.suffix == ".wit"]


def _expected_json(case: Path) -> str:
    stem = case.name.removesuffix(case.suffix) if case.is_file() else case.name
    return (CORPUS / f"{stem}.wit.json").read_text().strip()


def test_corpus_counts(corpus: Path) -> None:
    assert len(_passing_cases()) == 74
    assert len(_failing_cases()) == 150


@pytest.mark.parametrize("case", _passing_cases(), ids=lambda p: p.name)
def test_passing_case_json_is_byte_identical(corpus: Path, case: Path) -> None:
    assert to_json(load(case, features=["active"])) == _expected_json(case)


@pytest.mark.parametrize("case", _failing_cases(), ids=lambda p: p.name)
def test_failing_case_raises_wit_error(corpus: Path, case: Path) -> None:
    with pytest.raises(WitError) as info:
        load(case, features=["active"])
    message = str(info.value)
    assert message.strip()
    # the main message line names the problem; a location follows when wit-parser has one
    result = (
        case.with_name(case.name + ".wit.result")
        if case.is_dir()
        else case.with_suffix(".wit.result")
    )
    if "-->" in result.read_text():
        assert "     --> " in message and "^" in message


def test_main_packages_are_the_path_s_own(corpus: Path) -> None:
    resolve = load(corpus / "kinds-of-deps", features=["active"])
    assert [str(resolve.package(p).name) for p in resolve.main_packages] == ["a:a"]
    nested = load(corpus / "packages-multiple-nested.wit")
    names = {str(nested.package(p).name) for p in nested.main_packages}
    assert "foo:root" in names and len(names) == len(nested.packages)


def test_features_gate_unstable_items(corpus: Path) -> None:
    gated = corpus / "feature-gates.wit"
    without = load(gated)
    with_active = load(gated, features=["active"])
    everything = load(gated, all_features=True)
    assert len(without.interfaces) < len(with_active.interfaces) <= len(everything.interfaces)
