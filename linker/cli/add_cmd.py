"""`witlink add PATH --into DIR [--id ID]`: copy an extension into an extensions directory."""

from __future__ import annotations

import argparse

from linker.authoring import extdir
from linker.cli.argtypes import existing_path, output_dir


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=existing_path, metavar="PATH", help="the extension to add")
    parser.add_argument(
        "--into", type=output_dir, required=True, metavar="DIR", help="extensions dir"
    )
    parser.add_argument("--id", dest="ext_id", metavar="ID", help="give the copy this id")


def run(args: argparse.Namespace) -> int:
    ext_id = extdir.add(args.path, args.into, ext_id=args.ext_id)
    print(f"added {ext_id} to {args.into}")
    return 0
