"""argparse types shared by the commands; a bad value is a usage error (exit 2).

Every path a command takes goes through `checked_path`, the one rule for what the
CLI accepts: no NUL bytes, text the file system can encode, no name over 255 bytes,
no symlink loop, and only regular files or folders (a FIFO or a device would block
or never end).
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import stat
from pathlib import Path

_NAME_MAX = 255
"""The longest file name (one path component) in bytes on common file systems."""


def checked_path(text: str, *, kind: str = "any", must_exist: bool = True) -> Path:
    """`text` as a path, or `ArgumentTypeError` saying what is wrong with it.

    `kind` is `file`, `dir` or `any` (either); an existing path must be of that
    kind. With `must_exist=False` a missing path is fine (an output to create).
    """
    if not text:
        raise argparse.ArgumentTypeError("empty path")
    if "\0" in text:
        raise argparse.ArgumentTypeError(f"path contains a NUL byte: {text!r}")
    try:
        encoded = os.fsencode(text)
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"path is not valid text for the file system (a lone surrogate?): {text!r}"
        ) from None
    for part in encoded.split(b"/"):
        if len(part) > _NAME_MAX:
            raise argparse.ArgumentTypeError(
                f"path has a name of {len(part)} bytes (the limit is {_NAME_MAX}): "
                f"{os.fsdecode(part)[:40]}..."
            )
    try:
        mode = os.stat(encoded).st_mode
    except FileNotFoundError:
        if must_exist:
            raise argparse.ArgumentTypeError(f"no such file or directory: {text}") from None
        return Path(text)
    except OSError as err:
        reason = (
            "a symlink loop" if err.errno == errno.ELOOP else (err.strerror or "cannot be read")
        )
        raise argparse.ArgumentTypeError(f"{text}: {reason}") from None
    is_dir, is_file = stat.S_ISDIR(mode), stat.S_ISREG(mode)
    if not (is_dir or is_file):
        raise argparse.ArgumentTypeError(
            f"{text}: not a regular file or folder (a FIFO, socket or device); pass a file"
        )
    if kind == "file" and is_dir:
        raise argparse.ArgumentTypeError(f"{text}: a folder, expected a file")
    if kind == "dir" and is_file:
        raise argparse.ArgumentTypeError(f"{text}: a file, expected a folder")
    return Path(text)


def existing_path(text: str) -> Path:
    """A file or folder that exists."""
    return checked_path(text)


def existing_file(text: str) -> Path:
    """A regular file that exists."""
    return checked_path(text, kind="file")


def existing_dir(text: str) -> Path:
    """A folder that exists."""
    return checked_path(text, kind="dir")


def output_file(text: str) -> Path:
    """A file to write: absent, or a regular file (replaced)."""
    return checked_path(text, kind="file", must_exist=False)


def output_dir(text: str) -> Path:
    """A folder to write into: absent (made), or a folder."""
    return checked_path(text, kind="dir", must_exist=False)


def seconds(text: str) -> float:
    """A positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive, finite number of seconds: {text}")
    return value
