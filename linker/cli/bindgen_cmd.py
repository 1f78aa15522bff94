"""`witlink bindgen INPUT [--world NAME] -o OUT_DIR`: write typed Python bindings.

INPUT is a WIT file or folder (one package for `--world`), a component (`.wasm`/`.wat`:
one package named after the file), or a plan (`plan.json`: one package per extension,
named after its id, for `Host.bind`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bindgen import generate
from linker.cli.argtypes import existing_path, output_dir
from linker.component import decode
from linker.errors import InputError, WitError
from linker.plan.model import Plan
from linker.wit import load as load_wit

_COMPONENT_WORLD = "root"
"""The name wasm-tools gives a decoded component's own world."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        type=existing_path,
        help="a .wit file, a WIT directory (with deps/), a component (.wasm/.wat) or a plan.json",
    )
    parser.add_argument("--world", help="the world to bind (needed when the package has several)")
    parser.add_argument(
        "-o", "--out", type=output_dir, required=True, help="directory to write the package(s) into"
    )
    parser.add_argument(
        "--package", help="the package's name (default: the world's, or the component file's)"
    )
    parser.add_argument("--features", default="", help="comma-separated WIT features to enable")
    parser.add_argument("--all-features", action="store_true", help="enable every WIT feature")


def run(args: argparse.Namespace) -> int:
    if args.path.suffix == ".json":
        for option in ("world", "package"):
            if getattr(args, option) is not None:
                raise InputError(
                    f"{args.path}: --{option} does not apply to a plan (one package per "
                    "extension, named after it)"
                )
        plan = Plan.load(args.path)
        for ext in plan.extensions:
            info = decode(ext.component)
            _write(args.out, generate(info.resolve, info.world, package=ext.id))
        return 0
    features = tuple(f for f in args.features.split(",") if f)
    resolve = load_wit(args.path, features=features, all_features=args.all_features)
    world = args.world
    if world is None:
        candidates = [name for pid in resolve.main_packages for name in resolve.package(pid).worlds]
        if len(candidates) != 1:
            listed = ", ".join(candidates) or "none"
            raise WitError(f"{args.path}: pick a world with --world (worlds: {listed})")
        world = candidates[0]
    component = args.path.suffix in (".wasm", ".wat") and world == _COMPONENT_WORLD
    package = args.package or (args.path.stem if component else None)
    _write(args.out, generate(resolve, world, package=package))
    return 0


def _write(out: Path, files: dict[str, str]) -> None:
    try:
        for relative, text in files.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(f"{out}: cannot write the bindings: {err.strerror}") from None
    package = next(iter(files)).split("/", 1)[0]
    print(f"wrote {len(files)} files of package `{package}` to {out}")
