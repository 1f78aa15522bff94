"""`witlink add PATH --into DIR`: copy an extension into an extensions directory."""

from __future__ import annotations

import argparse

from linker.cli.argtypes import existing_path, output_dir
from linker.plan import extdir

NAME = "add"
HELP = "add an extension (folder, extension.toml or component) to an extensions directory"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=existing_path, metavar="PATH", help="the extension to add")
    parser.add_argument(
        "--into", type=output_dir, required=True, metavar="DIR", help="extensions dir"
    )


def run(args: argparse.Namespace) -> int:
    ext_id = extdir.add(args.path, args.into)
    print(f"added {ext_id} to {args.into}")
    return 0
