"""A local Ray cluster for the Ray backend's tests and benchmarks: one per session."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
MISSING = "Ray is not installed (pip install 'witlink[ray]')"


def available() -> bool:
    return importlib.util.find_spec("ray") is not None


def start() -> Any:
    """Start a local cluster on this machine only (2 CPUs, no dashboard); its workers import
    this checkout of witlink. Returns the `ray` module."""
    import ray

    import linker.ray  # noqa: F401  (before ray.init: keeps wasmtime's trap handlers)

    if not ray.is_initialized():
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
        )
    return ray
