"""`witlink run` on a plan file, in a subprocess as a user would run it."""

from __future__ import annotations

from pathlib import Path

import hostkit

from tests.support.cli import witlink
from tests.support.readme import run_readme_example


def test_run_prints_json_result_and_errors(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    small = tmp_path / "small" / "plan.json"
    hostkit.calc_plan(component).save(small)
    cold = ["--cache-dir", str(tmp_path / "cold")]
    first = witlink("run", str(small), "app", "run", "5", *cold)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "10"
    assert "compiling calc" in first.stderr and "compiling app" in first.stderr  # progress
    again = witlink("run", str(small), "app", "add-via-lib", "40", "2", *cold)
    assert again.returncode == 0 and again.stdout.splitlines()[-1] == "42"
    assert "compiling" not in again.stderr  # cache hit

    plan = tmp_path / "plan.json"
    hostkit.full_plan(component).save(plan)
    warm = ["--cache-dir", str(compile_cache)]
    text = witlink("run", str(plan), "py-text", "acme:text/lib@1.0.0#shout", '"hi"', *warm)
    assert text.returncode == 0 and text.stdout.splitlines()[-1] == '"HI!"'
    trap = witlink("run", str(plan), "app", "divide", "1", "0", *warm)
    assert trap.returncode == 1
    assert "error: extension `app` call `divide` failed" in trap.stderr
    assert "Traceback" not in trap.stderr
    bad = witlink("run", str(plan), "app", "run", "five", *warm)
    assert bad.returncode == 2 and "argument 1 `five` is not a JSON value" in bad.stderr
    missing = witlink("run", str(tmp_path / "nope.json"), "app", "run", "1", *warm)
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr  # as `link`
    unknown = witlink("run", str(plan), "app", "nope", *warm)
    assert unknown.returncode == 1 and "has no function export `nope`" in unknown.stderr


def test_readme_host_example_runs(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "build" / "host-plan.json"
    hostkit.full_plan(component).save(plan)
    done = run_readme_example("readme-host-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert "'calc', 'app', 'py-ext', 'py-text', 'counter'" in done.stdout


def test_run_on_an_extensions_folder(component: hostkit.Build, tmp_path: Path) -> None:
    import shutil

    import linker

    for name in ("host-calc-provider", "host-calc-consumer"):
        shutil.copytree(component(name).parent, tmp_path / "exts" / name)
    done = witlink("run", str(tmp_path / "exts"), "host-calc-consumer", "run", "5")
    if not hasattr(linker, "link"):
        assert done.returncode == 1
        assert "no link step (linker.link); give a plan file instead" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "10"
