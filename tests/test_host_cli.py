"""`witlink run` on a plan file, in a subprocess as a user would run it."""

from __future__ import annotations

import json
from pathlib import Path

import hostkit

from linker.plan.model import Plan
from tests.support.cli import witlink
from tests.support.readme import run_readme_example

LIB = "witlink:values-echo/lib@0.1.0"
SCALARS = {
    "a": True, "b": 255, "c": 65535, "d": 2**32 - 1, "e": 2**64 - 1, "f": -128, "g": -(2**15),
    "h": -(2**31), "i": -(2**63), "j": 0.5, "k": "-inf", "l": "x", "m": "str",
}  # fmt: skip


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
    assert bad.returncode == 2 and "expected a JSON value (argument 1" in bad.stderr
    missing = witlink("run", str(tmp_path / "nope.json"), "app", "run", "1", *warm)
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr  # as `link`
    unknown = witlink("run", str(plan), "app", "nope", *warm)
    assert unknown.returncode == 1 and "has no function export `nope`" in unknown.stderr


def test_run_takes_a_call_in_wave_and_prints_wave(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    echo = hostkit.planned("echo", component("values-echo"), exports=[LIB])
    Plan((echo,), ("echo",), (), ()).save(plan)

    def run(*args: str) -> tuple[int, str, str]:
        done = witlink("run", str(plan), "echo", *args, "--cache-dir", str(compile_cache))
        assert "Traceback" not in done.stderr
        last = done.stdout.splitlines()[-1] if done.stdout.strip() else ""
        return done.returncode, last, done.stderr

    assert run("add(40, 2)")[:2] == (0, "42")
    assert run(f"{LIB}#echo-point({{x: 1, y: -2}})")[:2] == (0, "{x: 1, y: -2}")
    nested = (
        r'{name: "n\t\u{1F600}", shapes: [circle(-inf), empty, labelled("l")], '
        r'maybe-points: [none, some({x: 0, y: 0})], tags: ["a"], data: [1, 2], '
        r'pairs: [(1, "one")], outcome: err(rect({x: 1, y: 2})), deep: some(none)}'
    )
    printed = (
        r'{name: "n\t😀", shapes: [circle(-inf), empty, labelled("l")], '
        r'maybe-points: [none, some({x: 0, y: 0})], tags: some(["a"]), data: [1, 2], '
        r'pairs: [(1, "one")], outcome: err(rect({x: 1, y: 2})), deep: some(none)}'
    )
    code, out, _ = run(f"witlink:values-echo/lib#echo-nested({nested})")  # version left out
    assert (code, out) == (0, printed)
    assert run(f"{LIB}#echo-color(%none)")[:2] == (0, "%none")
    assert run(f"{LIB}#echo-perms({{write, read}})")[:2] == (0, "{read, write}")
    assert run(f"{LIB}#echo-option-option(some(none))")[:2] == (0, "some(none)")
    assert run(f'{LIB}#check(7, false, "")')[:2] == (0, "ok(7)")
    assert run(f'{LIB}#check(7, true, "boom")')[:2] == (1, 'err("boom")')  # an error result

    code, _, err = run(f"{LIB}#echo-u32(-1)")
    assert code == 2 and "column 2: expected u32 (0..4294967295), found `-1`" in err
    code, _, err = run("add(1)")
    assert code == 2 and "expected 2 argument(s) (a, b), got 1" in err
    code, _, err = run("nope()")
    assert code == 1 and "extension `echo` has no function export `nope`" in err

    assert run("--json", f"{LIB}#echo-shape", '{"rect": {"x": 1, "y": 2}}')[:2] == (
        0,
        '{"rect": {"x": 1, "y": 2}}',
    )
    assert run(f"{LIB}#echo-scalars", json.dumps(SCALARS))[:2] == (0, json.dumps(SCALARS))
    assert run(f"{LIB}#check", "1", "true", '"bad"')[:2] == (1, '{"err": "bad"}')
    code, _, err = run(f"{LIB}#echo-point", '{"x": 1}')
    assert code == 2 and "`v.y`: expected s32, got nothing" in err


def test_readme_host_example_runs(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "build" / "host-plan.json"
    hostkit.full_plan(component).save(plan)
    done = run_readme_example("readme-host-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr
    assert "'calc', 'app', 'py-ext', 'py-text', 'counter'" in done.stdout


def test_readme_errors_example_runs(
    component: hostkit.Build, compile_cache: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "build" / "host-plan.json"
    hostkit.calc_plan(component).save(plan)
    done = run_readme_example("readme-errors-example", tmp_path, compile_cache)
    assert done.returncode == 0, done.stderr


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
