"""`witlink compose INPUT EXT -o OUT.wasm`: fuse an extension with its lib providers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from linker.cli.argtypes import existing_path
from linker.cli.linking import report
from linker.compose import compose
from linker.errors import LinkError
from linker.plan import analyze
from linker.plan.link import plan_of
from linker.plan.model import Plan


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", type=existing_path, help="a plan.json, or a folder of extensions to link"
    )
    parser.add_argument("extension", help="the id of the extension to compose")
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="where to write the composite (.wasm)"
    )


def run(args: argparse.Namespace) -> int:
    if args.input.is_dir():
        linkage = analyze([args.input])
        if linkage.diagnostics:
            return report(linkage.diagnostics)
        plan = plan_of(linkage)
    else:
        plan = Plan.load(args.input)
    try:
        wasm = compose(plan, args.extension)
    except LinkError as err:
        return report(err.diagnostics)
    try:
        args.output.write_bytes(wasm)
    except OSError as err:
        print(f"error: {args.output}: cannot write the composite: {err.strerror}", file=sys.stderr)
        return 2
    print(f"composed `{args.extension}` into {args.output} ({len(wasm)} bytes)", file=sys.stderr)
    return 0
