"""Shared fixtures: the conformance corpus and built test components."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# `../shared` beside the clone (as in CI); `WITLINK_SHARED` overrides it; a worktree under
# /work/wt/ finds it one level further up.
SHARED = Path(
    next(
        (
            p
            for p in (
                os.environ.get("WITLINK_SHARED"),
                ROOT.parent / "shared",
                ROOT.parent.parent / "shared",
            )
            if p is not None and Path(p).is_dir()
        ),
        ROOT.parent / "shared",
    )
)
CORPUS = SHARED / "conformance" / "wit-parser-ui"
CORPUS_MISSING = (
    f"the wit-parser conformance corpus is not at {CORPUS}: put it at ../shared/conformance "
    "beside the clone or set $WITLINK_SHARED (the folder holding conformance/)"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def needs_corpus() -> None:
    """Skip the calling test where the corpus is absent; under CI a missing corpus fails."""
    if CORPUS.is_dir():
        return
    if IN_CI:
        pytest.fail(CORPUS_MISSING)
    pytest.skip(CORPUS_MISSING)


def corpus_glob(pattern: str) -> list[Path]:
    """Corpus files for parametrizing (none where the corpus is absent)."""
    return sorted(CORPUS.glob(pattern)) if CORPUS.is_dir() else []


def pytest_report_header() -> str | None:
    return None if CORPUS.is_dir() else f"corpus tests skip: {CORPUS_MISSING}"

sys.path.insert(0, str(ROOT / "test-components"))
import componentbuild  # noqa: E402


@pytest.fixture(scope="session")
def corpus() -> Path:
    needs_corpus()
    return CORPUS


@pytest.fixture(scope="session")
def component() -> Callable[[str], Path]:
    """`component(name)` builds (or reuses) test component `name`; returns its .wasm."""
    return componentbuild.component


@pytest.fixture(scope="session")
def compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A compile cache shared by the session's hosts: each component compiles once."""
    return tmp_path_factory.mktemp("compiled")
