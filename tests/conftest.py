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

sys.path.insert(0, str(ROOT / "test-components"))
import componentbuild  # noqa: E402


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the wit-parser corpus is missing: expected it at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def component() -> Callable[[str], Path]:
    """`component(name)` builds (or reuses) test component `name`; returns its .wasm."""
    return componentbuild.component


@pytest.fixture(scope="session")
def compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A compile cache shared by the session's hosts: each component compiles once."""
    return tmp_path_factory.mktemp("compiled")
