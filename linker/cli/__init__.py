"""The `witlink` command line: thin; each command lives in its own module.

A command module defines `configure(parser)` and `run(args) -> int`; `COMMANDS` names it.
Exit codes: 0 success, 1 a user error (bad WIT, a failed link), 2 unusable arguments
(including input paths that do not exist).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib import metadata

from linker.errors import InputError, WitlinkError

COMMANDS: dict[str, tuple[str, str]] = {
    "wit": ("wit_cmd", "parse and resolve a WIT file or directory; print it as WIT or JSON"),
    "link": ("link_cmd", "match extensions' imports to exports and write the plan (plan.json)"),
    "check": ("check_cmd", "check that extensions link (all diagnostics, no plan written)"),
    "libs": (
        "libs_cmd",
        "list the `lib` interfaces extensions export, with provider, version and users",
    ),
    "deps": (
        "deps_cmd",
        "show which extension depends on which (text, JSON, Graphviz dot, Mermaid or SVG)",
    ),
    "inspect": ("inspect_cmd", "show a component's imports and exports, with WIT signatures"),
    "add": (
        "add_cmd",
        "add an extension (folder, extension.toml or component) to an extensions directory",
    ),
    "remove": (
        "remove_cmd",
        "remove an extension from an extensions directory (refuses while others depend on it)",
    ),
    "run": ("run_cmd", "run one function of an extension from a plan file or an extensions folder"),
    "compose": (
        "compose_cmd",
        "fuse an extension and (transitively) its lib providers into one component",
    ),
    "bindgen": (
        "bindgen_cmd",
        "generate typed Python packages for a WIT world, a component or every extension of a plan",
    ),
    "new": ("new_cmd", "create an extension folder (manifest, WIT world, source) ready to build"),
    "build": (
        "build_cmd",
        "build an extension folder (Python, JavaScript or WAT) into a component",
    ),
    "wit-deps": (
        "witdeps_cmd",
        "write the WIT of every lib the extensions export (for any toolchain's wit/deps/)",
    ),
    "sdk": (
        "sdk_cmd",
        "generate a typed guest module (Python or JavaScript) for a host's operations",
    ),
}
"""Each command: the module in `linker.cli` that implements it, and its one-line help."""


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; only the command named in `argv` is imported and given its arguments,
    so `--version`, `--help` and every command start without loading the others."""
    parser = argparse.ArgumentParser(
        prog="witlink",
        description="A component-model linker and host for WebAssembly extension systems.",
    )
    parser.add_argument("--version", action="version", version=f"witlink {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            command = importlib.import_module(f"linker.cli.{module_name}")
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
        args = build_parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
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
