"""`compose(plan, ext_id) -> bytes` and a plan whose extensions run composed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import attrs

from linker.compose.encode import encode
from linker.compose.members import ComposeError, members_of
from linker.plan.model import Composite, Plan


def compose(plan: Plan, ext_id: str) -> bytes:
    """One component made of `ext_id` and, transitively, every `*/lib` provider it uses,
    wired as `plan` binds them; its exports are `ext_id`'s, its imports the host and WASI
    interfaces the members import. Deterministic: identical inputs give identical bytes.

    Raises `LinkError` (with diagnostics) when a member's import has no provider in the
    plan or the members form a cycle, and `ComposeError` otherwise.
    """
    return encode(members_of(plan, ext_id))


def composed_plan(plan: Plan, ext_ids: Iterable[str], folder: Path) -> Plan:
    """`plan` with each of `ext_ids` run composed: its composite is written to
    `folder/ID.wasm` and recorded in the plan, which the host then loads in its place."""
    composites: dict[str, Composite] = {}
    for ext_id in ext_ids:
        members = members_of(plan, ext_id)
        wasm = encode(members)
        path = folder / f"{ext_id}.wasm"
        _write(path, wasm, ext_id)
        composites[ext_id] = Composite(
            component=path,
            sha256=hashlib.sha256(wasm).hexdigest(),
            size=len(wasm),
            members=members.ids,
            imports=members.imports,
        )
    return attrs.evolve(
        plan,
        extensions=tuple(
            attrs.evolve(e, composite=composites.get(e.id, e.composite)) for e in plan.extensions
        ),
    )


def _write(path: Path, data: bytes, ext_id: str) -> None:
    """Write `data` to `path` atomically (a running host may be reading the old file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as err:
        raise ComposeError(
            f"cannot write the composite of `{ext_id}` to {path}: {err.strerror}",
            extension=ext_id,
        ) from None
