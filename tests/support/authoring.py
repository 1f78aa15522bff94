"""Shared pieces of the authoring tests: persistent caches and the componentize-js toolchain.

Guest builds are slow (componentize-py ~30-60 s, componentize-js ~40 s, a first compile
~15 s or more), so the build cache and the compile cache live beside the test components'
cache (`$WITLINK_COMPONENT_CACHE`): an unchanged guest is built and compiled once per
machine, not once per run. componentize-js is installed (once) into witlink's tools
folder; where it cannot be had the tests skip with the reason, and fail under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import componentbuild
import pytest
from conftest import IN_CI

from linker.authoring import toolchains
from linker.errors import WitlinkError

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE = Path(componentbuild.BUILD_ROOT) / "authoring"


def cache_env() -> dict[str, str]:
    """Environment for witlink commands: persistent build, compile and tools caches."""
    return {
        "WITLINK_BUILD_CACHE": str(CACHE / "builds"),
        "WITLINK_TOOLS_DIR": str(toolchains.tools_dir()),
        "XDG_CACHE_HOME": str(CACHE / "xdg"),
    }


def need_componentize_js() -> None:
    """Install componentize-js (once); skip, or fail under CI, where it cannot be had."""
    try:
        toolchains.install_componentize_js()
        toolchains.componentize_js()
    except WitlinkError as err:
        reason = f"componentize-js is not available: {err}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


def witlink(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `witlink ARGV` as a user would (a child process), with the caches above."""
    done = subprocess.run(
        [sys.executable, "-m", "linker", *argv],
        cwd=cwd,
        env={**os.environ, **cache_env(), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, f"witlink {' '.join(argv)}:\n{done.stdout}{done.stderr}"
    return done


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, dirs_exist_ok=True)
    return target
