"""Encoding a composite with `wasm-tools compose` from a generated configuration.

Every instantiation and every argument is spelled out (which member's which export serves
which import), so the tool's own name search and its first-compatible-instance rule never
decide anything. Members are copied into a private folder after their sha256 is checked,
so the bytes checked are the bytes composed; its notice that `compose` is deprecated is
silenced (`-q`), and a failure carries the tool's whole message.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from linker.compose.members import ComposeError, Members
from linker.plan.model import PlannedExtension
from linker.tools import ToolError, run_wasm_tools

ROOT = "root"
"""wasm-tools compose's name for the instantiation of the input component."""


def encode(members: Members) -> bytes:
    """The composite of `members` (the first one's exports), validated."""
    ext_id = members.ids[0]
    with tempfile.TemporaryDirectory(prefix="witlink-compose-") as tmp:
        folder = Path(tmp)
        for member in members.members:
            (folder / _file_name(member.planned.id)).write_bytes(_checked_bytes(member.planned))
        config = folder / "compose.yml"
        config.write_text(json.dumps(configuration(members), indent=1, sort_keys=True))
        out = folder / "composite.wasm"
        try:
            run_wasm_tools(
                "compose", "-q", str(folder / _file_name(ext_id)), "-c", str(config), "-o", str(out)
            )
            run_wasm_tools("validate", str(out))
        except ToolError as err:
            message = str(err).replace(f"{folder}/", "")
            raise ComposeError(
                f"composing `{ext_id}` (members: {', '.join(members.ids)}) failed in "
                f"wasm-tools:\n{message}",
                extension=ext_id,
            ) from None
        return out.read_bytes()


def configuration(members: Members) -> dict[str, Any]:
    """The wasm-tools compose configuration (JSON is YAML): one instantiation per member."""
    root, *providers = members.members
    names = {m.planned.id: _name(m.planned.id) for m in providers}
    instantiations = {
        ROOT if member is root else names[member.planned.id]: {
            "arguments": {
                a.import_: {"instance": names[a.provider], "export": a.export}
                for a in member.arguments
            }
        }
        for member in members.members
    }
    return {
        "dependencies": {names[m.planned.id]: _file_name(m.planned.id) for m in providers},
        "instantiations": instantiations,
    }


def _name(ext_id: str) -> str:
    """A member's dependency name, also its instantiation's (never `root`, the input's)."""
    return f"ext-{ext_id}"


def _file_name(ext_id: str) -> str:
    """`ID.wasm`, the member's file in the private folder (so the tool's messages name it)."""
    if not ext_id or Path(ext_id).name != ext_id or ext_id.startswith("."):
        raise ComposeError(f"`{ext_id}` is not a valid extension id", extension=ext_id)
    return f"{ext_id}.wasm"


def _checked_bytes(planned: PlannedExtension) -> bytes:
    path = planned.component
    try:
        wasm = path.read_bytes()
    except OSError as err:
        raise ComposeError(
            f"extension `{planned.id}`: cannot read {path}: {err.strerror}", extension=planned.id
        ) from None
    if planned.sha256 and hashlib.sha256(wasm).hexdigest() != planned.sha256:
        raise ComposeError(
            f"extension `{planned.id}`: {path} changed since the plan was made (sha256 "
            "differs); run the link step again",
            extension=planned.id,
        )
    return wasm
