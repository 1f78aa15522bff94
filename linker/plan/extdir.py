"""An extensions directory: one sub-directory per extension; adding and removing them."""

from __future__ import annotations

import shutil
from pathlib import Path

from linker import paths
from linker.errors import InputError, LinkError, WitlinkError
from linker.plan import inputs
from linker.plan.inputs import Extension
from linker.plan.link import analyze


def add(path: Path, into: Path) -> str:
    """Copy the extension at `path` (folder, manifest or component) to `into/<id>/`; its id."""
    sources = inputs.discover([path])
    if len(sources) != 1:
        raise InputError(f"{path}: expected one extension, found {len(sources)}")
    loaded, problems = inputs.load(sources)
    if problems:
        raise LinkError(problems)
    new = loaded[0]
    if into.exists() and not into.is_dir():
        raise InputError(f"{into}: not a directory")
    into.mkdir(parents=True, exist_ok=True)
    present, _ = inputs.load([into])
    if any(e.id == new.id for e in present):
        raise WitlinkError(f"{into} already holds an extension `{new.id}`; remove it first")
    target = into / new.id
    if target.exists():
        raise InputError(f"{target} already exists; remove it first")
    man = new.manifest
    if man.path is None:
        target.mkdir()
        shutil.copy2(man.component, target / man.component.name)
        return new.id
    folder = man.path.parent
    inner = paths.inside(man.component, folder).relative_to(folder.resolve())
    target.mkdir()
    (target / inner).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(man.component, target / inner)
    shutil.copy2(man.path, target / man.path.name)
    return new.id


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
    if folder.absolute() == source.absolute() and man.path is None:
        target = source / man.component.name
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
