"""`just demo` end to end: the receipts demo script in a child process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import componentbuild

from linker.authoring import extdir
from tests.support.readme import run_readme_example

ROOT = Path(__file__).resolve().parent.parent


def test_receipts_demo_runs_end_to_end(compile_cache: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "receipts_demo.py"),
            "--build-dir",
            str(tmp_path),
            "--cache-dir",
            str(compile_cache),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "receipts: text (demo:text/lib@0.1.0)" in out  # the dependency graph
    assert re.search(r"failed: fetching http://127\.0\.0\.1:\d+/books\.txt: HTTP 503", out)
    assert 'last checkpoint: {"done": 2}' in out
    assert "completed (4 checkpoints)" in out
    # resumed from the checkpoint: the two stored receipts were not fetched again
    assert "seen by the server: bakery.txt, grocer.txt, books.txt, books.txt, cafe.txt" in out
    assert re.search(r"2026-11-05\s+Old Page Books\s+18\.00", out)
    assert re.search(r"total\s+32\.70", out)
    assert '"payload": {"receipts": 4, "total_cents": 3270}' in out
    assert out.rstrip().endswith("demo finished")
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert [e["id"] for e in plan["extensions"]] == ["text", "receipts"]


def test_readme_jobs_example_runs(compile_cache: Path, tmp_path: Path) -> None:
    (tmp_path / "test-components").symlink_to(ROOT / "test-components")
    done = run_readme_example("readme-jobs-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:4] == ["step 1", "step 2", "step 3", "completed b'3'"]
    assert 'counter {"topic": "counter.hello", "payload": "{\\"n\\": 1}"}' in done.stdout
    assert (tmp_path / "build" / "jobs" / "jobs.sqlite").exists()


def test_readme_library_example_runs(compile_cache: Path, tmp_path: Path) -> None:
    extensions = tmp_path / "build" / "extensions"
    for name in ("demo-text", "demo-receipts"):
        extdir.add(componentbuild.build(name), extensions)
    done = run_readme_example("readme-library-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    order, count = done.stdout.splitlines()[0], done.stdout.splitlines()[-1]
    assert order.startswith("('text', 'receipts') {") and count == "3"
