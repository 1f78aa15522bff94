"""Path containment: the one rule for "this path lies inside that folder".

Both sides are resolved (symlinks followed, `..` collapsed) before they are compared, so
`../elsewhere/x.wasm`, an absolute path or a symlink pointing out of the folder all count
as outside. Used by manifests (a component stays in its extension's folder) and by
`remove` (it deletes nothing outside the extensions directory).
"""

from __future__ import annotations

from pathlib import Path

from linker.errors import WitlinkError


class OutsideFolder(WitlinkError):
    """A path that resolves outside the folder it must stay in, or cannot be resolved."""


def inside(path: Path, folder: Path) -> Path:
    """`path` resolved; raises `OutsideFolder` unless it lies strictly inside `folder`."""
    try:
        resolved = path.resolve()
        root = folder.resolve()
    except (OSError, RuntimeError, ValueError) as err:  # a symlink loop, a NUL byte
        raise OutsideFolder(f"{path} cannot be resolved: {err}") from None
    if resolved == root or not resolved.is_relative_to(root):
        raise OutsideFolder(f"{path} resolves to {resolved}, outside {root}")
    return resolved
