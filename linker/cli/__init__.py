"""The `witlink` command line: thin; each command lives in its own module.

A command module defines `NAME`, `HELP`, `configure(parser)` and `run(args) -> int`.
Exit codes: 0 success, 1 a user error (bad WIT, a failed link), 2 unusable arguments
(including input paths that do not exist).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from types import ModuleType

from linker.cli import (
    add_cmd,
    bindgen_cmd,
    build_cmd,
    check_cmd,
    compose_cmd,
    deps_cmd,
    inspect_cmd,
    libs_cmd,
    link_cmd,
    new_cmd,
    remove_cmd,
    run_cmd,
    sdk_cmd,
    wit_cmd,
    witdeps_cmd,
)
from linker.errors import InputError, WitlinkError

COMMANDS: tuple[ModuleType, ...] = (
    wit_cmd,
    link_cmd,
    check_cmd,
    libs_cmd,
    deps_cmd,
    inspect_cmd,
    add_cmd,
    remove_cmd,
    run_cmd,
    compose_cmd,
    bindgen_cmd,
    new_cmd,
    build_cmd,
    witdeps_cmd,
    sdk_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="witlink",
        description="A component-model linker and host for WebAssembly extension systems.",
    )
    parser.add_argument("--version", action="version", version=f"witlink {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command_parser = sub.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.configure(command_parser)
        command_parser.set_defaults(run=command.run)
    return parser


def _version() -> str:
    try:
        return metadata.version("witlink")
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 for unusable arguments, after usage)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage and the problem
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        code: int = args.run(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except WitlinkError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code
