"""An extensions directory: one sub-directory per extension; adding and removing them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from linker import manifest as manifests
from linker import paths
from linker.errors import InputError, LinkError, WitlinkError
from linker.plan import inputs
from linker.plan.inputs import Extension
from linker.plan.link import analyze


def add(path: Path, into: Path, *, ext_id: str | None = None) -> str:
    """Copy the extension at `path` (folder, manifest or component) to `into/<id>/`; its id.

    `ext_id` gives the copy another id (its manifest's `[extension] id` is set, or a
    manifest is written for a bare component), e.g. to add one component twice.
    """
    sources = inputs.discover([path])
    if len(sources) != 1:
        raise InputError(f"{path}: expected one extension, found {len(sources)}")
    loaded, problems = inputs.load(sources)
    if problems:
        raise LinkError(problems)
    new = loaded[0]
    if ext_id is not None:
        try:  # the manifest's own id rule
            valid = manifests.for_component(Path(f"{ext_id}.wasm")).id == ext_id
        except manifests.ManifestError:
            valid = False
        if not valid:
            raise InputError(
                f"--id {ext_id}: not a valid extension id (lowercase letters, digits, "
                "`-` and `_`, e.g. `my-ext`)"
            )
    new_id = ext_id or new.id
    if into.exists() and not into.is_dir():
        raise InputError(f"{into}: not a directory")
    into.mkdir(parents=True, exist_ok=True)
    present, _ = inputs.load([into])
    if any(e.id == new_id for e in present):
        raise WitlinkError(f"{into} already holds an extension `{new_id}`; remove it first")
    target = into / new_id
    if target.exists():
        raise InputError(f"{target} already exists; remove it first")
    man = new.manifest
    if man.path is None:
        target.mkdir()
        shutil.copy2(man.component, target / man.component.name)
        if ext_id is not None:
            component = json.dumps(man.component.name)
            text = f"[extension]\nid = {json.dumps(ext_id)}\ncomponent = {component}\n"
            _write_manifest(target, text, ext_id)
        return new_id
    folder = man.path.parent
    inner = paths.inside(man.component, folder).relative_to(folder.resolve())
    target.mkdir()
    (target / inner).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(man.component, target / inner)
    if ext_id is None:
        shutil.copy2(man.path, target / man.path.name)
    else:
        _write_manifest(target, _with_id(man.path.read_text(encoding="utf-8"), ext_id), ext_id)
    return new_id


_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)
_EXTENSION_TABLE = re.compile(r"^[ \t]*\[extension\][ \t]*(#.*)?$", re.MULTILINE)
_ID_LINE = re.compile(r"^[ \t]*id[ \t]*=.*$", re.MULTILINE)


def _with_id(text: str, ext_id: str) -> str:
    """Manifest text with `[extension] id` set to `ext_id`, comments kept."""
    line = f"id = {json.dumps(ext_id)}"
    table = _EXTENSION_TABLE.search(text)
    if table is None:
        return f"[extension]\n{line}\n\n{text}"
    body_start = table.end()
    following = _TABLE.search(text, body_start)
    body_end = following.start() if following else len(text)
    body = text[body_start:body_end]
    body = _ID_LINE.sub(line, body, count=1) if _ID_LINE.search(body) else f"\n{line}{body}"
    return text[:body_start] + body + text[body_end:]


def _write_manifest(target: Path, text: str, ext_id: str) -> None:
    """Write the copy's manifest; read it back with the one manifest parser to be sure."""
    path = target / manifests.MANIFEST_NAME
    path.write_text(text, encoding="utf-8")
    try:
        written = manifests.load(path).id
    except manifests.ManifestError:
        shutil.rmtree(target)
        raise
    if written != ext_id:  # pragma: no cover - _with_id always sets it
        shutil.rmtree(target)
        raise WitlinkError(f"{path}: could not set the id to `{ext_id}`")


def remove(ext_id: str, source: Path, *, force: bool = False) -> None:
    """Delete extension `ext_id` from `source`; refused while others depend on it unless `force`."""
    if not source.is_dir():
        raise InputError(f"{source}: not a directory")
    linkage = analyze([source])
    found = [e for e in linkage.extensions if e.id == ext_id]
    if not found:
        known = ", ".join(sorted(e.id for e in linkage.extensions)) or "none"
        raise WitlinkError(f"{source} holds no extension `{ext_id}` (it holds: {known})")
    users = sorted({b.consumer for b in linkage.bindings if b.provider == ext_id})
    if users and not force:
        raise WitlinkError(
            f"cannot remove `{ext_id}`: {', '.join(users)} depend on it "
            "(remove them first, or pass --force)"
        )
    _delete(found[0], source)


def _delete(ext: Extension, source: Path) -> None:
    """Delete `ext` from `source`: its sub-folder (of a symlinked one, the link), or its
    bare component file; never anything outside `source`."""
    man = ext.manifest
    folder = (man.path or man.component).parent
    if man.path is None and (
        folder.absolute() == source.absolute() or _holds_other_components(folder, man.component)
    ):
        target = folder / man.component.name  # a bare component beside others: only its file
    elif folder.absolute().parent == source.absolute():
        target = source / folder.name
    else:
        raise WitlinkError(
            f"cannot remove `{ext.id}`: {source} is the extension's own folder, not a "
            "directory of extensions; pass the directory that holds it"
        )
    if target.is_symlink():
        target.unlink()  # the link lies in `source`; what it points to is left alone
        return
    try:
        paths.inside(target, source)
    except paths.OutsideFolder as err:
        raise WitlinkError(f"cannot remove `{ext.id}`: {err}") from None
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()


def _holds_other_components(folder: Path, component: Path) -> bool:
    return any(p.name != component.name for p in folder.glob("*.wasm"))
