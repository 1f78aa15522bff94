"""Differential tests on wit-smith packages (fixed seeds): parser and printer vs wasm-tools."""

from __future__ import annotations

import pytest
import witdiff

import linker.tools
import linker.wit
from linker.errors import WitlinkError
from linker.wit import from_json, print_resolve

SEEDS = [(seed, True) for seed in range(32)] + [(seed, False) for seed in range(32, 40)]
"""(seed number, optional constructs on): most with async, futures, streams, ..."""

needs_load = pytest.mark.skipif(
    not hasattr(linker.wit, "load"), reason="needs linker.wit.load (the parser branch)"
)


@pytest.fixture(scope="module")
def cases() -> dict[int, witdiff.Case | None]:
    """The package of every fixed seed (None where wit-smith rejects the seed)."""
    return {seed: witdiff.generate(seed, optional=optional) for seed, optional in SEEDS}


def test_fixed_seeds_give_packages(cases: dict[int, witdiff.Case | None]) -> None:
    generated = [case for case in cases.values() if case is not None]
    assert len(generated) >= 35, "wit-smith rejected too many of the fixed seeds"
    assert any(case.text.count("\npackage ") for case in generated), "no multi-package output"
    assert any("async func" in case.text for case in generated)


@needs_load
@pytest.mark.parametrize("seed", [seed for seed, _ in SEEDS])
def test_parser_agrees_with_wasm_tools(cases: dict[int, witdiff.Case | None], seed: int) -> None:
    case = cases[seed]
    if case is None:
        pytest.skip("wit-smith rejects this seed")
    if case.reference is None:  # wasm-tools cannot re-read its own printing: nor may we
        with pytest.raises(WitlinkError):
            witdiff.parse_with_linker(case.text)
    else:
        assert witdiff.parse_with_linker(case.text) == case.reference


@pytest.mark.parametrize("seed", [seed for seed, _ in SEEDS])
def test_printer_agrees_with_wasm_tools(cases: dict[int, witdiff.Case | None], seed: int) -> None:
    """print(from_json(reference)) parses (with wasm-tools) to the reference JSON again,
    and is the very text wasm-tools prints for the same package."""
    case = cases[seed]
    if case is None or case.reference is None:
        pytest.skip("wit-smith rejects this seed, or wasm-tools cannot re-read its printing")
    main = witdiff.main_package_name(case.text)
    resolve = from_json(case.reference)
    package = resolve.package_by_name(main)
    assert package is not None
    printed = print_resolve(resolve, package)
    assert witdiff.reference_json(printed) == case.reference
    reprinted = linker.tools.run_wasm_tools(
        "component", "wit", "--all-features", input=case.text.encode()
    ).decode()
    assert printed == reprinted
