"""`witlink add PATH --into DIR`: copy an extension into an extensions directory."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from linker.errors import InputError, LinkError, WitlinkError
from linker.plan import inputs

NAME = "add"
HELP = "add an extension (folder, extension.toml or component) to an extensions directory"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="PATH", help="the extension to add")
    parser.add_argument("--into", type=Path, required=True, metavar="DIR", help="extensions dir")


def run(args: argparse.Namespace) -> int:
    sources = inputs.discover([args.path])
    if len(sources) != 1:
        raise InputError(f"{args.path}: expected one extension, found {len(sources)}")
    ext, problems = inputs.load(sources)
    if problems:
        raise LinkError(problems)
    new = ext[0]
    if args.into.exists() and not args.into.is_dir():
        raise InputError(f"{args.into}: not a directory")
    args.into.mkdir(parents=True, exist_ok=True)
    present, _ = inputs.load([args.into])
    if any(e.id == new.id for e in present):
        raise WitlinkError(f"{args.into} already holds an extension `{new.id}`; remove it first")
    target = args.into / new.id
    if target.exists():
        raise InputError(f"{target} already exists; remove it first")
    target.mkdir()
    shutil.copy2(new.manifest.component, target / new.manifest.component.name)
    if new.manifest.path is not None:
        shutil.copy2(new.manifest.path, target / new.manifest.path.name)
    print(f"added {new.id} to {args.into}")
    return 0
