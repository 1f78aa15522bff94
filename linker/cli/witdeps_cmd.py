"""`witlink wit-deps EXTENSIONS_DIR -o DIR`: every lib interface's WIT, from its provider."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from linker.authoring.libwit import collect
from linker.cli.argtypes import existing_path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs", type=existing_path, nargs="+", metavar="EXTENSIONS_DIR", help="extensions"
    )
    parser.add_argument("-o", "--out", type=Path, required=True, metavar="DIR", help="deps folder")


def run(args: argparse.Namespace) -> int:
    offered = collect(args.inputs)
    for problem in offered.problems:
        print(f"warning: not read: {problem}", file=sys.stderr)
    for path in offered.write(args.out):
        print(path)
    for lib in offered.libs:
        print(f"{lib.name}: from {lib.provider}")
    return 0
