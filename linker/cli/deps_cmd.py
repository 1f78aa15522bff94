"""`witlink deps INPUT... [--format text|json|dot]`: the dependency graph between extensions."""

from __future__ import annotations

import argparse

from linker.cli.linking import add_inputs, analyze_args, report
from linker.plan.depgraph import render

NAME = "deps"
HELP = "show which extension depends on which (text, JSON, or Graphviz dot)"


def configure(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--format", choices=("text", "json", "dot"), default="text")


def run(args: argparse.Namespace) -> int:
    linkage = analyze_args(args)
    print(render(linkage, args.format), end="")
    return report(linkage.diagnostics)
