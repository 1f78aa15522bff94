"""`witlink run INPUT EXT FUNC [ARG...]`: call one function of one extension.

INPUT is a plan file, or a folder of extensions linked on the fly. Arguments are JSON
values; the result is printed as JSON on the last line. Cold compiles show progress on
stderr (later runs load the compiled code from the cache).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any

from linker.cli.argtypes import existing_path, output_dir, seconds
from linker.host import Host

NAME = "run"
HELP = "run one function of an extension from a plan file or an extensions folder"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", type=existing_path, help="a plan.json, or a folder of extensions to link"
    )
    parser.add_argument("extension", help="the extension id")
    parser.add_argument(
        "function", help="`run` for a world export, `pkg:ns/iface@ver#func` otherwise"
    )
    parser.add_argument("args", nargs="*", help="arguments as JSON values (5, '\"text\"', '[1,2]')")
    parser.add_argument(
        "--timeout", type=seconds, default=5.0, help="per-call CPU timeout, seconds"
    )
    parser.add_argument("--cache-dir", type=output_dir, default=None, help="compile cache folder")


class Progress:
    """Shows `compiling EXT (N MB)... S s` on stderr while a cold compile runs."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, ext_id: str, phase: str, size: int) -> None:
        if phase == "start":
            self._stop.clear()
            self._thread = threading.Thread(target=self._show, args=(ext_id, size), daemon=True)
            self._thread.start()
        elif self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _show(self, ext_id: str, size: int) -> None:
        start = time.monotonic()
        label = f"compiling {ext_id} ({size / 1e6:.1f} MB, once; cached afterwards)"
        live = sys.stderr.isatty()
        if not live:
            print(f"{label}...", file=sys.stderr, flush=True)
        while not self._stop.wait(0.25):
            if live:
                print(
                    f"\r{label}... {time.monotonic() - start:.1f} s",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
        print(f"\r{label}: done in {time.monotonic() - start:.1f} s", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    values = []
    for n, text in enumerate(args.args, 1):
        try:
            values.append(json.loads(text))
        except json.JSONDecodeError as err:
            print(
                f"error: argument {n} `{text}` is not a JSON value ({err.msg}); "
                "quote strings as '\"text\"'",
                file=sys.stderr,
            )
            return 2
    options: dict[str, Any] = {
        "cache_dir": args.cache_dir,
        "call_timeout": args.timeout,
        "progress": Progress(),
        "lazy": True,
    }
    host = (
        Host.link([args.input], **options)
        if args.input.is_dir()
        else Host.from_plan(args.input, **options)
    )
    with host:
        result = host.call(args.extension, args.function, *values)
    print(json.dumps(result, default=_plain))
    return 0


def _plain(value: Any) -> Any:
    """wasmtime-py's Variant and Record values as JSON."""
    if hasattr(value, "tag"):
        return {value.tag: getattr(value, "payload", None)}
    return dict(vars(value))
