"""`witlink new NAME --lang python|js|wat [--exports LIB] [--uses DIR_OR_LIB...] [--into DIR]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from linker.authoring.scaffold import LANGS, new


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the extension's id and folder name (e.g. `my-ext`)")
    parser.add_argument("--lang", choices=LANGS, required=True, help="the source language")
    parser.add_argument(
        "--exports", metavar="NS:PKG/lib@VERSION", help="make a lib extension exporting this"
    )
    parser.add_argument(
        "--uses",
        nargs="+",
        default=[],
        metavar="DIR_OR_LIB",
        help="libs to import: an extensions directory or extension (its libs), or a lib name",
    )
    parser.add_argument(
        "--into", type=Path, default=Path("."), metavar="DIR", help="where to create it"
    )


def run(args: argparse.Namespace) -> int:
    folder = new(args.name, args.lang, exports=args.exports, uses=args.uses, into=args.into)
    print(f"created {folder}: build it with `witlink build {folder} --into EXTENSIONS_DIR`")
    return 0
