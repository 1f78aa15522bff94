"""`witlink wit PATH`: parse and resolve WIT, print it as WIT text or wit-parser JSON."""

from __future__ import annotations

import argparse

from linker import wit
from linker.cli.argtypes import existing_path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        type=existing_path,
        help="a .wit file, a WIT directory (with deps/), or a .wasm/.wat package",
    )
    parser.add_argument(
        "--json", action="store_true", help="print wit-parser's JSON instead of WIT text"
    )
    parser.add_argument("--features", default="", help="comma-separated features to enable")
    parser.add_argument("--all-features", action="store_true", help="enable every feature")


def run(args: argparse.Namespace) -> int:
    features = tuple(f for f in args.features.split(",") if f)
    resolve = wit.load(args.path, features=features, all_features=args.all_features)
    if args.json:
        print(wit.to_json(resolve))
    else:
        for package in resolve.main_packages:
            print(wit.print_wit(resolve, package), end="")
    return 0
