"""Finding the extensions to link and loading them (manifest + decoded component).

An input is a directory (holding an `extension.toml`, or sub-directories each
holding one extension, and/or component files), a manifest, or a component file.
Problems with one extension become diagnostics so that every one is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import attrs

from linker import component, manifest
from linker.component import ComponentError, ComponentInfo, MissingComponent
from linker.errors import Diagnostic, InputError
from linker.manifest import MANIFEST_NAME, Manifest, ManifestError


@attrs.frozen
class Extension:
    """An extension ready to plan: its manifest and its decoded component."""

    manifest: Manifest
    component: ComponentInfo

    @property
    def id(self) -> str:
        return self.manifest.id


def _in_folder(folder: Path) -> list[Path]:
    """The extension sources of one folder: its manifest, or its components; the folder
    itself when it holds neither (so that `load` reports it rather than skip it)."""
    if (folder / MANIFEST_NAME).is_file():
        return [folder / MANIFEST_NAME]
    return sorted(folder.glob("*.wasm")) or [folder]


def discover(inputs: Iterable[Path]) -> list[Path]:
    """Manifests and component files named by `inputs`; raises `InputError` for a missing path.

    Hidden sub-folders (`.git`) are passed over; any other sub-folder is one extension.
    """
    found: list[Path] = []
    for path in inputs:
        if path.is_dir():
            if (path / MANIFEST_NAME).is_file():
                found.append(path / MANIFEST_NAME)
                continue
            found.extend(sorted(path.glob("*.wasm")))
            for sub in sorted(p for p in path.iterdir() if p.is_dir()):
                if not sub.name.startswith("."):
                    found.extend(_in_folder(sub))
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise InputError(f"{path}: not a file or directory")
        else:
            raise InputError(f"{path}: no such file or directory")
    return found


def load_one(source: Path) -> Extension:
    """Load one manifest or component file; raises ManifestError or ComponentError."""
    if source.name == MANIFEST_NAME or source.suffix == ".toml":
        man = manifest.load(source)
    else:
        sibling = source.parent / MANIFEST_NAME
        man = manifest.load(sibling) if sibling.is_file() else manifest.for_component(source)
        if man.component.resolve() != source.resolve():
            man = manifest.for_component(source)
    return Extension(man, component.decode(man.component))


def load(inputs: Iterable[Path]) -> tuple[list[Extension], list[Diagnostic]]:
    """Every extension the inputs name, sorted by id, and the problems found loading them.

    A source named twice counts once; anything else that cannot be loaded is a diagnostic.
    """
    extensions: dict[str, Extension] = {}
    problems: list[Diagnostic] = []
    seen: set[Path] = set()
    claimed: dict[Path, Extension] = {}
    for source in discover(inputs):
        key = source.resolve()
        if key in seen:
            continue
        seen.add(key)
        if source.is_dir():
            problems.append(_empty_folder(source))
            continue
        try:
            ext = load_one(source)
        except ManifestError as err:
            problems.append(
                Diagnostic("W011-bad-manifest", str(source), str(err), hint="fix the manifest")
            )
            continue
        except ComponentError as err:
            problems.append(_component_problem(source, err))
            continue
        component_key = ext.manifest.component.resolve()
        owner = claimed.get(component_key)
        if owner is not None:
            if _manifest_key(owner) != _manifest_key(ext):
                problems.append(_shared_component(owner, ext))
            continue
        claimed[component_key] = ext
        other = extensions.get(ext.id)
        if other is not None:
            problems.append(
                Diagnostic(
                    "W009-duplicate-id",
                    ext.id,
                    "two extensions have this id: "
                    + " and ".join(sorted([_where(other), _where(ext)])),
                    hint="give one of them another [extension] id in its extension.toml",
                )
            )
            continue
        extensions[ext.id] = ext
    problems.sort(key=lambda d: (d.extension, d.code, d.message))
    return [extensions[k] for k in sorted(extensions)], problems


def _shared_component(owner: Extension, ext: Extension) -> Diagnostic:
    return Diagnostic(
        "W014-shared-component",
        ext.id,
        f"{_where(ext)} names the component {ext.manifest.component}, which "
        f"{_where(owner)} (extension `{owner.id}`) already names",
        hint="give each extension its own component file in its own folder",
    )


def _empty_folder(folder: Path) -> Diagnostic:
    return Diagnostic(
        "W015-empty-folder",
        str(folder),
        f"the folder holds no {MANIFEST_NAME} and no .wasm component",
        hint="put an extension in it, or move it out of the extensions directory",
    )


def _manifest_key(ext: Extension) -> Path | None:
    return None if ext.manifest.path is None else ext.manifest.path.resolve()


def _where(ext: Extension) -> str:
    return str(ext.manifest.path or ext.manifest.component)


def _component_problem(source: Path, err: ComponentError) -> Diagnostic:
    text = str(err)
    if isinstance(err, MissingComponent):
        return Diagnostic(
            "W012-missing-component",
            str(source),
            text,
            hint="build the component, or fix `extension.component` in the manifest",
        )
    return Diagnostic(
        "W010-bad-component",
        str(source),
        text,
        hint="pass a WebAssembly component (`wasm-tools component new` makes one from a module)",
    )
