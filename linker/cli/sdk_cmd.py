"""`witlink sdk MODULE:OPERATIONS --lang python|js -o DIR`: typed guest host operations."""

from __future__ import annotations

import argparse
from pathlib import Path

from linker.authoring.sdk import load_catalog, write


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("operations", metavar="MODULE:OPERATIONS", help="e.g. myhost.ops:ops")
    parser.add_argument("--lang", choices=("python", "js"), required=True)
    parser.add_argument("-o", "--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--module", default="host_ops", help="the module's name (host_ops)")


def run(args: argparse.Namespace) -> int:
    for path in write(load_catalog(args.operations), args.lang, args.out, args.module):
        print(path)
    return 0
