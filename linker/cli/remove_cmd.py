"""`witlink remove ID --from DIR [--force]`: take an extension out of an extensions directory."""

from __future__ import annotations

import argparse

from linker.authoring import extdir
from linker.cli.argtypes import existing_dir


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help="the extension's id")
    parser.add_argument("--from", dest="source", type=existing_dir, required=True, metavar="DIR")
    parser.add_argument("--force", action="store_true", help="remove even if others depend on it")


def run(args: argparse.Namespace) -> int:
    extdir.remove(args.id, args.source, force=args.force)
    print(f"removed {args.id} from {args.source}")
    return 0
