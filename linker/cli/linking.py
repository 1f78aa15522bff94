"""Shared pieces of the link-step commands: the INPUT arguments and printing diagnostics."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from linker.cli.argtypes import existing_path
from linker.errors import Diagnostic
from linker.plan import analyze
from linker.plan.matching import Linkage


def add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs",
        metavar="INPUT",
        nargs="+",
        type=existing_path,
        help="an extensions directory, an extension folder, an extension.toml or a component",
    )
    parser.add_argument(
        "--no-wasi", action="store_true", help="refuse extensions that import WASI interfaces"
    )


def analyze_args(args: argparse.Namespace) -> Linkage:
    return analyze(args.inputs, wasi=not args.no_wasi)


def report(diagnostics: Sequence[Diagnostic]) -> int:
    """Print every diagnostic to stderr; returns the exit code (1 if any, else 0)."""
    for diagnostic in diagnostics:
        print(f"error: {diagnostic}", file=sys.stderr)
    if diagnostics:
        count = len(diagnostics)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return 1
    return 0
