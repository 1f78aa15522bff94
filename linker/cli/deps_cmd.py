"""`witlink deps INPUT... [--format text|json|dot|mermaid|svg]`: the dependency graph."""

from __future__ import annotations

import argparse

from linker.cli.linking import add_inputs, analyze_args, report
from linker.plan.depgraph import FORMATS, render


def configure(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--format", choices=FORMATS, default="text")


def run(args: argparse.Namespace) -> int:
    linkage = analyze_args(args)
    print(render(linkage, args.format), end="")
    return report(linkage.diagnostics)
