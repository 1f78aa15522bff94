"""`witlink link INPUT... -o plan.json`: link extensions and write the plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from linker.cli.argtypes import output_file
from linker.cli.linking import add_inputs, analyze_args, report
from linker.compose import composed_plan
from linker.plan.link import plan_of
from linker.plan.model import PlanError


def configure(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument(
        "-o",
        "--output",
        type=output_file,
        default=None,
        help="where to write the plan (default: stdout)",
    )
    parser.add_argument(
        "--compose",
        metavar="EXT",
        action="append",
        default=[],
        help="run EXT composed with its lib providers (one component, written to composed/ "
        "beside the plan); repeatable; needs -o",
    )


def run(args: argparse.Namespace) -> int:
    if args.compose and args.output is None:
        print("error: --compose needs -o PLAN (composites go beside it)", file=sys.stderr)
        return 2
    linkage = analyze_args(args)
    if linkage.diagnostics:
        return report(linkage.diagnostics)
    plan = plan_of(linkage)
    if args.compose:
        plan = composed_plan(plan, args.compose, args.output.parent / "composed")
    if args.output is None:
        sys.stdout.write(plan.to_json(Path.cwd()))
        return 0
    try:
        plan.save(args.output)
    except PlanError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    exts, links = len(plan.extensions), len(plan.bindings)
    composed = f"; composed: {', '.join(args.compose)}" if args.compose else ""
    print(
        f"linked {exts} extension{'s' * (exts != 1)} ({links} binding{'s' * (links != 1)}) "
        f"into {args.output}{composed}",
        file=sys.stderr,
    )
    return 0
