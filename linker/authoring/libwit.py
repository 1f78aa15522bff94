"""The WIT of the `*/lib` interfaces extensions export, taken from their components.

A lib's WIT is never copied by hand: it is decoded from the providing extension's
component and printed as WIT, one folder per package (with the packages its types
come from), ready to sit in a consumer's `wit/deps/`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from linker.errors import Diagnostic
from linker.plan import inputs
from linker.wit import model as m
from linker.wit.printer import print_wit
from linker.wit.semver import parse

HOST_PACKAGE = "witlink:host"


@attrs.frozen
class LibInterface:
    """One `*/lib` export: its name, the extension providing it and its functions' WIT."""

    name: str
    """`acme:math/lib@1.0.0`."""
    provider: str
    functions: tuple[m.Function, ...]


@attrs.frozen
class LibPackages:
    """What a set of extensions offers: lib interfaces and their packages' WIT text."""

    libs: tuple[LibInterface, ...]
    packages: dict[str, str]
    """Package name (`acme:math@1.0.0`) -> WIT text, for every lib package and its deps."""
    problems: tuple[Diagnostic, ...] = ()
    """Extensions that could not be read (e.g. not built yet); they offer nothing."""

    def folder_name(self, package: str) -> str:
        """The `deps/` folder for a package: `acme-math-1.0.0`."""
        return package.replace(":", "-").replace("@", "-")

    def write(self, deps: Path, wanted: Iterable[str] | None = None) -> list[Path]:
        """Write `wanted` packages (all by default) as `deps/<folder>/<name>.wit`."""
        written = []
        for package in sorted(self.packages if wanted is None else wanted):
            folder = deps / self.folder_name(package)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{package.split(':', 1)[1].split('@', 1)[0]}.wit"
            target.write_text(self.packages[package], encoding="utf-8")
            written.append(target)
        return written


def _alias_packages(resolve: m.Resolve, package: m.PackageId) -> set[m.PackageId]:
    """`package` and every package its interfaces' types come from, transitively."""
    seen = {package}
    todo = [package]
    while todo:
        pkg = resolve.packages[todo.pop().index]
        for iface_id in pkg.interfaces.values():
            for type_id in resolve.interface(iface_id).types.values():
                kind = resolve.types[type_id.index].kind
                if not isinstance(kind, m.Alias) or not isinstance(kind.type, m.TypeId):
                    continue
                owner = resolve.types[kind.type.index].owner
                if not isinstance(owner, m.OwnerInterface):
                    continue
                dep = resolve.interface(owner.id).package
                if dep is not None and dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
    return seen


def collect(paths: Sequence[Path], *, skip: Path | None = None) -> LibPackages:
    """The lib interfaces exported by the extensions at `paths` (directories or extensions),
    leaving out any extension under `skip`."""
    sources = inputs.discover(paths)
    if skip is not None:
        sources = [s for s in sources if not s.resolve().is_relative_to(skip.resolve())]
    extensions, problems = inputs.load(sources)
    libs: list[LibInterface] = []
    packages: dict[str, str] = {}
    for ext in sorted(extensions, key=lambda e: e.id):
        info = ext.component
        for item in info.exports:
            parsed = parse(item.name)
            if item.interface is None or parsed is None or parsed.interface != "lib":
                continue
            iface = info.resolve.interface(item.interface)
            libs.append(LibInterface(item.name, ext.id, tuple(iface.functions.values())))
            if iface.package is None:
                continue
            for pkg_id in _alias_packages(info.resolve, iface.package):
                name = str(info.resolve.packages[pkg_id.index].name)
                if not name.startswith(HOST_PACKAGE + "@"):
                    packages.setdefault(name, print_wit(info.resolve, pkg_id))
    return LibPackages(tuple(libs), packages, tuple(problems))
