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
    man = new.manifest
    if man.path is None:
        target.mkdir()
        shutil.copy2(man.component, target / man.component.name)
    else:
        try:
            inner = man.component.resolve().relative_to(man.path.parent.resolve())
        except ValueError:
            raise WitlinkError(
                f"{man.path}: the component {man.component} lies outside the manifest's folder; "
                "put it beside the manifest"
            ) from None
        target.mkdir()
        (target / inner).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(man.component, target / inner)
        shutil.copy2(man.path, target / man.path.name)
    print(f"added {new.id} to {args.into}")
    return 0
