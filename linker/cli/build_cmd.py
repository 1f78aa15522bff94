"""`witlink build DIR [--into EXTENSIONS_DIR] [--libs DIR...] [--install-tools]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from linker.authoring import toolchains
from linker.authoring.build import build, language
from linker.cli.argtypes import existing_path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=existing_path, metavar="DIR", help="the extension folder")
    parser.add_argument(
        "--into", type=Path, metavar="EXTENSIONS_DIR", help="add the built extension there"
    )
    parser.add_argument(
        "--libs",
        type=existing_path,
        nargs="+",
        default=[],
        metavar="DIR",
        help="extensions directories providing the libs the world imports (besides --into)",
    )
    parser.add_argument(
        "--install-tools",
        action="store_true",
        help="install a missing toolchain (componentize-js, with npm) into witlink's cache",
    )


def _progress(label: str, seconds: float, done: bool) -> None:
    if not sys.stderr.isatty():
        return
    end = "\n" if done else ""
    text = f"{label}: done" if done else f"{label}... {seconds:.0f} s"
    print(f"\r{text}\x1b[K", end=end, file=sys.stderr, flush=True)


def _agrees_to_install(folder: Path) -> bool:
    """On a terminal, ask before installing a missing componentize-js."""
    if not sys.stdin.isatty() or language(folder) != "js":
        return False
    if toolchains.componentize_js_installed():
        return False
    home = toolchains.componentize_js_home()
    answer = input(f"componentize-js is not installed; install it with npm into {home}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    install = args.install_tools or _agrees_to_install(args.folder)
    print(f"building {args.folder}", file=sys.stderr, flush=True)
    built = build(
        args.folder,
        libs=args.libs,
        into=args.into,
        install_tools=install,
        progress=_progress,
    )
    how = "from the build cache" if built.cached else "built"
    print(f"{built.ext_id}: {built.component} ({how})")
    if built.installed is not None:
        print(f"{built.ext_id}: in {built.installed}")
    return 0
