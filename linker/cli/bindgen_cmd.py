"""`witlink bindgen WIT_PATH [--world NAME] -o OUT_DIR`: write typed Python bindings."""

from __future__ import annotations

import argparse

from bindgen import generate
from linker.cli.argtypes import existing_path, output_dir
from linker.errors import InputError, WitError
from linker.wit import load as load_wit

NAME = "bindgen"
HELP = "generate a typed Python package for a WIT world (host imports and exports)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", type=existing_path, help="a .wit file or a WIT directory (with deps/)"
    )
    parser.add_argument("--world", help="the world to bind (needed when the package has several)")
    parser.add_argument(
        "-o", "--out", type=output_dir, required=True, help="directory to write the package into"
    )
    parser.add_argument("--features", default="", help="comma-separated WIT features to enable")
    parser.add_argument("--all-features", action="store_true", help="enable every WIT feature")


def run(args: argparse.Namespace) -> int:
    features = tuple(f for f in args.features.split(",") if f)
    resolve = load_wit(args.path, features=features, all_features=args.all_features)
    world = args.world
    if world is None:
        candidates = [name for pid in resolve.main_packages for name in resolve.package(pid).worlds]
        if len(candidates) != 1:
            listed = ", ".join(candidates) or "none"
            raise WitError(f"{args.path}: pick a world with --world (worlds: {listed})")
        world = candidates[0]
    files = generate(resolve, world)
    try:
        for relative, text in files.items():
            target = args.out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(f"{args.out}: cannot write the bindings: {err.strerror}") from None
    package = next(iter(files)).split("/", 1)[0]
    print(f"wrote {len(files)} files of package `{package}` to {args.out}")
    return 0
