"""`witlink run INPUT EXT 'FUNC(ARGS...)'`: call one function of one extension.

INPUT is a plan file, or a folder of extensions linked on the fly. The call is written in
WAVE, as for `wasmtime run --invoke` (`'add(1, 2)'`, `'acme:math/lib#add(1, 2)'`), and the
result is printed in WAVE on the last line; a result `err(...)` is printed and exits 1.
With `--json` (or the form `FUNC ARG...`) arguments and result use the JSON form of the
value mapping instead. Cold compiles show progress on stderr (later runs load the
compiled code from the cache).
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
from linker.wave import Err, ValueMismatch, WaveError, parse_args, split_call, to_wave
from linker.wave.jsonform import from_json, to_json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", type=existing_path, help="a plan.json, or a folder of extensions to link"
    )
    parser.add_argument("extension", help="the extension id")
    parser.add_argument(
        "call",
        help="the call in WAVE: 'run(5)' for a world export, 'pkg:ns/iface#func(1, \"a\")' "
        "for an interface function (version optional); or a function name, with --json",
    )
    parser.add_argument(
        "args", nargs="*", help="with a bare function name: arguments as JSON values"
    )
    parser.add_argument(
        "--json", action="store_true", help="read arguments and print the result as JSON"
    )
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
    as_json = args.json or "(" not in args.call
    if "(" in args.call and (args.json or args.args):
        return _usage("with --json or JSON arguments, give the function name without `(...)`")
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
        name, wave_args = split_call(args.call) if not as_json else (args.call, "")
        info = host.function(args.extension, name)
        function = info.name
        names = [n for n, _ in info.params]
        types = [t for _, t in info.params]
        if as_json and len(args.args) != len(types):
            count = f"{len(types)} argument(s) ({', '.join(names)})"
            return _usage(f"`{function}` takes {count}, got {len(args.args)}")
        try:
            values = (
                _json_args(types, names, args.args)
                if as_json
                else parse_args(types, names, wave_args)
            )
        except (WaveError, ValueMismatch) as err:
            return _usage(f"`{function}`: {err}")
        result = host.call(args.extension, function, *values)
    ty = info.result
    if ty is None:
        shown = "null" if as_json else ""
    else:
        shown = json.dumps(to_json(ty, result)) if as_json else to_wave(ty, result)
    if shown:
        print(shown)
    return 1 if isinstance(result, Err) else 0


def _json_args(types: Any, names: Any, texts: list[str]) -> list[Any]:
    values = []
    for n, (name, ty, text) in enumerate(zip(names, types, texts, strict=True), 1):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueMismatch(
                name, f"a JSON value (argument {n}; quote strings as '\"text\"')", text
            ) from err
        values.append(from_json(ty, data, name))
    return values


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
