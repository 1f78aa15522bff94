"""README's "Writing an extension" run as written, in a temporary folder: `new` a Python lib,
a Python app and a JS app that use it, `build` all three, `link`, `run`, for real."""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.support.authoring import need_componentize_js, witlink
from tests.support.readme import ROOT

MARKER = "<!-- readme-walkthrough -->\n```sh\n"


def walkthrough() -> list[tuple[list[str], str | None]]:
    """Each command of the block, with the output its comment promises (`# prints X`)."""
    block = (ROOT / "README.md").read_text().split(MARKER, 1)[1].split("```", 1)[0]
    steps = []
    for line in block.splitlines():
        command, _, comment = line.partition("#")
        words = shlex.split(command)
        assert words[0] == "witlink", line
        comment = comment.strip()
        steps.append(
            (words[1:], comment.removeprefix("prints ") if comment.startswith("prints ") else None)
        )
    return steps


def test_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    need_componentize_js()
    steps = walkthrough()
    assert [s[0][0] for s in steps] == [
        "new",
        "build",
        "new",
        "new",
        "build",
        "build",
        "link",
        "run",
        "run",
    ]
    printed = 0
    for argv, expected in steps:
        done = witlink(*argv, cwd=tmp_path)
        if expected is not None:
            assert done.stdout.splitlines()[-1] == expected
            printed += 1
    assert printed == 2
    # what `new` wrote is what was built: the apps import the lib from the greeter's component
    world = (tmp_path / "hello-js" / "wit" / "world.wit").read_text()
    assert "import demo:greet/lib@0.1.0;" in world
    assert (tmp_path / "hello" / "wit" / "deps" / "demo-greet-0.1.0" / "greet.wit").exists()
    assert sorted(p.name for p in (tmp_path / "extensions").iterdir()) == [
        "greeter",
        "hello",
        "hello-js",
    ]
