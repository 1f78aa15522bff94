"""`witlink remove ID --from DIR [--force]`: take an extension out of an extensions directory."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from linker.errors import InputError, WitlinkError
from linker.plan import analyze

NAME = "remove"
HELP = "remove an extension from an extensions directory (refuses while others depend on it)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help="the extension's id")
    parser.add_argument("--from", dest="source", type=Path, required=True, metavar="DIR")
    parser.add_argument("--force", action="store_true", help="remove even if others depend on it")


def run(args: argparse.Namespace) -> int:
    if not args.source.is_dir():
        raise InputError(f"{args.source}: not a directory")
    linkage = analyze([args.source])
    found = [e for e in linkage.extensions if e.id == args.id]
    if not found:
        known = ", ".join(sorted(e.id for e in linkage.extensions)) or "none"
        raise WitlinkError(f"{args.source} holds no extension `{args.id}` (it holds: {known})")
    users = sorted({b.consumer for b in linkage.bindings if b.provider == args.id})
    if users and not args.force:
        raise WitlinkError(
            f"cannot remove `{args.id}`: {', '.join(users)} depend on it "
            "(remove them first, or pass --force)"
        )
    ext = found[0]
    folder = (ext.manifest.path or ext.manifest.component).parent.resolve()
    if folder != args.source.resolve() and folder.parent == args.source.resolve():
        shutil.rmtree(folder)
    else:
        ext.manifest.component.unlink()
        if ext.manifest.path is not None:
            ext.manifest.path.unlink()
    print(f"removed {args.id} from {args.source}")
    return 0
