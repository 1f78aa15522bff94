"""Deciding who provides each import: host, WASI, or another extension's `lib`.

Works on already-loaded extensions (manifests plus decoded components), with
dict-indexed lookups only, so thousands of extensions plan in well under a second.
Every problem becomes a `Diagnostic`; nothing stops at the first one.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import attrs

from linker.component import Item
from linker.errors import Diagnostic
from linker.plan import graph
from linker.plan.hostworld import (
    HOST_PACKAGE_NAME,
    WASI_HINTS,
    WASI_SERVED,
    WASI_TRACK,
    HostWorld,
)
from linker.plan.inputs import Extension
from linker.plan.model import HOST_PROVIDER, WASI_PROVIDER, Binding, FunctionRef, PlannedImport
from linker.plan.shapes import Shapes
from linker.wit.model import InterfaceId
from linker.wit.semver import InterfaceName, parse, same_track
from linker.wit.signature import signature


@attrs.frozen
class Offer:
    """One extension's export of an interface."""

    extension: str
    name: str
    parsed: InterfaceName
    interface: InterfaceId


@attrs.define
class Linkage:
    """The outcome of matching: what was linked, in what order, and every problem."""

    extensions: list[Extension]
    imports: dict[str, list[PlannedImport]] = attrs.Factory(dict)
    bindings: list[Binding] = attrs.Factory(list)
    functions: list[FunctionRef] = attrs.Factory(list)
    depends_on: dict[str, set[str]] = attrs.Factory(dict)
    order: list[str] = attrs.Factory(list)
    cycles: list[list[str]] = attrs.Factory(list)
    diagnostics: list[Diagnostic] = attrs.Factory(list)


class _Matcher:
    def __init__(self, extensions: Sequence[Extension], host: HostWorld, wasi: bool) -> None:
        # In id order, as they are loaded (allocated): every pass then reads memory in order.
        by_id = sorted(extensions, key=_ext_id)
        self.extensions = {e.id: e for e in by_id}
        self.host = host
        self.wasi = wasi
        canon: dict[Any, Any] = {}
        self.shapes = {e.id: Shapes(e.component.resolve, canon) for e in by_id}
        self.host_shapes = Shapes(host.resolve, canon)
        self.offers: dict[str, list[Offer]] = {}
        for ext in by_id:
            for item in ext.component.exports:
                parsed = parse(item.name)
                if parsed is not None and item.interface is not None:
                    offer = Offer(ext.id, item.name, parsed, item.interface)
                    self.offers.setdefault(parsed.base, []).append(offer)
        for offers in self.offers.values():
            offers.sort(key=lambda o: (o.extension, o.name))
        self.host_by_base: dict[str, list[tuple[str, InterfaceName]]] = {}
        for name in host.interfaces:
            parsed_host = parse(name)
            if parsed_host is not None:
                self.host_by_base.setdefault(parsed_host.base, []).append((name, parsed_host))
        self.out = Linkage(list(extensions))
        self.known_names: list[str] | None = None

    def problem(
        self, code: str, ext: Extension, message: str, item: Item | None = None, hint: str = ""
    ) -> None:
        name = None if item is None else item.name
        self.out.diagnostics.append(Diagnostic(code, ext.id, message, import_=name, hint=hint))

    # ------------------------------------------------------------ per import

    def run(self) -> Linkage:
        for ext_id, ext in self.extensions.items():
            self.out.imports[ext_id] = []
            self.out.depends_on[ext_id] = set()
            for item in ext.component.imports:
                self.link_import(ext, item)
        self.out.cycles = graph.cycles(self.out.depends_on)
        self.out.diagnostics.extend(cycle_diagnostic(cycle) for cycle in self.out.cycles)
        self.out.order = graph.order(self.out.depends_on)
        return self.out

    def link_import(self, ext: Extension, item: Item) -> None:
        parsed = parse(item.name)
        if item.interface is None or parsed is None:
            if item.function is not None:
                self.problem(
                    "W001-missing-provider",
                    ext,
                    f"imports the bare function `{item.name}`, which nothing can provide",
                    item,
                    hint="import functions through an interface: a `lib` of another extension "
                    "or a witlink:host interface",
                )
            return
        if parsed.package == HOST_PACKAGE_NAME:
            self.link_host(ext, item, parsed)
        elif parsed.namespace == "wasi":
            if not self.wasi:
                self.problem(
                    "W007-wasi-refused",
                    ext,
                    "imports a WASI interface, and WASI is refused (--no-wasi)",
                    item,
                    hint="allow WASI (drop --no-wasi), or build the extension without WASI imports",
                )
            elif parsed.base not in WASI_SERVED or parsed.track != WASI_TRACK:
                self.wasi_unavailable(ext, item, parsed)
            else:
                self.add(ext, item, WASI_PROVIDER, item.name, None)
        else:
            self.link_extension(ext, item, parsed)

    def link_host(self, ext: Extension, item: Item, parsed: InterfaceName) -> None:
        assert item.interface is not None
        known = self.host_by_base.get(parsed.base, [])
        match = [name for name, host_name in known if same_track(parsed, host_name)]
        if not match:
            offered = ", ".join(sorted(self.host.interfaces))
            self.problem(
                "W013-host-mismatch",
                ext,
                "the host does not provide this interface"
                + (" in a compatible version" if known else ""),
                item,
                hint=f"the host provides: {offered}",
            )
            return
        export = match[0]
        wrong = self.mismatches(ext, item.interface, None, self.host.interfaces[export])
        if wrong:
            self.problem(
                "W005-type-mismatch",
                ext,
                f"does not fit the host's `{export}`: {'; '.join(wrong)}",
                item,
                hint="rebuild the extension against the host's wit/host.wit",
            )
            return
        self.add(ext, item, HOST_PROVIDER, export, None)

    def link_extension(self, ext: Extension, item: Item, parsed: InterfaceName) -> None:
        assert item.interface is not None
        ext_id = ext.manifest.id
        offers = [o for o in self.offers.get(parsed.base, ()) if o.extension != ext_id]
        on_track = [o for o in offers if same_track(parsed, o.parsed)]
        if parsed.interface != "lib" and offers:
            providers = ", ".join(sorted({o.extension for o in offers}))
            self.problem(
                "W003-not-a-lib",
                ext,
                f"is exported by {providers}, but only `lib` interfaces may cross between "
                "extensions",
                item,
                hint=f"have the provider export it as `{parsed.package}/lib`, or import that",
            )
            return
        if not offers:
            self.missing(ext, item, parsed)
            return
        if not on_track:
            versions = ", ".join(f"{o.name} ({o.extension})" for o in offers)
            self.problem(
                "W002-version-mismatch",
                ext,
                f"no compatible version is provided; available: {versions}",
                item,
                hint="rebuild against a version on the same semver track (same major version, "
                "or same 0.minor)",
            )
            return
        best = self.best_per_extension(parsed, on_track)
        pin = self.pin_for(ext, parsed)
        if pin is not None:
            chosen = [o for o in best if o.extension == pin]
            if not chosen:
                self.bad_pin(ext, item, parsed, pin, best)
                return
            candidates = chosen
        else:
            candidates = best
        fitting = []
        wrong_by: dict[str, list[str]] = {}
        for offer in candidates:
            wrong = self.mismatches(ext, item.interface, offer.extension, offer.interface)
            if wrong:
                wrong_by[offer.extension] = wrong
            else:
                fitting.append(offer)
        if not fitting:
            details = " | ".join(
                f"{provider} `{next(o.name for o in candidates if o.extension == provider)}`: "
                + "; ".join(wrong)
                for provider, wrong in sorted(wrong_by.items())
            )
            self.problem(
                "W005-type-mismatch",
                ext,
                f"the provider's functions do not fit the import: {details}",
                item,
                hint="rebuild consumer and provider against the same WIT for this interface",
            )
            return
        if len(fitting) > 1:
            names = ", ".join(f"{o.extension} ({o.name})" for o in fitting)
            self.problem(
                "W004-ambiguous-provider",
                ext,
                f"several extensions provide it: {names}",
                item,
                hint=f'pin one in {ext.id}\'s extension.toml: [dependencies] "{parsed.base}" = '
                f'"{fitting[0].extension}"',
            )
            return
        offer = fitting[0]
        self.add(ext, item, offer.extension, offer.name, offer)

    # ------------------------------------------------------------ helpers

    @staticmethod
    def best_per_extension(parsed: InterfaceName, offers: list[Offer]) -> list[Offer]:
        """Each extension's best export on the track: the exact version, else the highest."""
        if len(offers) == 1:
            return offers
        best: dict[str, Offer] = {}
        for offer in offers:
            current = best.get(offer.extension)
            if current is None or _rank(parsed, offer) > _rank(parsed, current):
                best[offer.extension] = offer
        return [best[k] for k in sorted(best)]

    @staticmethod
    def pin_for(ext: Extension, parsed: InterfaceName) -> str | None:
        if not ext.manifest.dependencies:
            return None
        for key, target in ext.manifest.dependencies.items():
            if key.split("@", 1)[0] == parsed.base:
                return target
        return None

    def bad_pin(
        self, ext: Extension, item: Item, parsed: InterfaceName, pin: str, best: list[Offer]
    ) -> None:
        choices = ", ".join(o.extension for o in best)
        if pin not in self.extensions:
            close = difflib.get_close_matches(pin, list(self.extensions), n=3)
            message = f"pinned to `{pin}`, which is not among the extensions being linked"
            hint = f"did you mean {', '.join(close)}? " if close else ""
        else:
            message = f"pinned to `{pin}`, which does not export a compatible `{parsed.base}`"
            hint = ""
        self.problem(
            "W008-bad-pin",
            ext,
            message,
            item,
            hint=f"{hint}extensions that provide it: {choices}; fix [dependencies] in "
            f"{ext.id}'s extension.toml",
        )

    def wasi_unavailable(self, ext: Extension, item: Item, parsed: InterfaceName) -> None:
        if parsed.base in WASI_SERVED:
            why = f"the host serves WASI {WASI_TRACK}.x only"
            hint = f"build the extension against WASI {WASI_TRACK}"
        else:
            why = "the host's WASI does not include it"
            hint = WASI_HINTS.get(
                parsed.package,
                "build the extension without it; the host serves wasi:io, clocks, filesystem, "
                "random, cli and sockets",
            )
        self.problem("W016-wasi-unavailable", ext, why, item, hint=hint)

    def missing(self, ext: Extension, item: Item, parsed: InterfaceName) -> None:
        if self.known_names is None:
            libs = {o.name for offers in self.offers.values() for o in offers}
            self.known_names = sorted(libs | set(self.host.interfaces))
        close = difflib.get_close_matches(item.name, self.known_names, n=3, cutoff=0.5)
        hint = f"closest: {', '.join(close)}" if close else "add an extension that exports it"
        self.problem(
            "W001-missing-provider",
            ext,
            f"no extension exports `{parsed.base}`",
            item,
            hint=hint,
        )

    def mismatches(
        self, ext: Extension, imported: InterfaceId, provider: str | None, exported: InterfaceId
    ) -> list[str]:
        """Why the provider's interface does not fit the import (empty when it fits)."""
        consumer_shapes = self.shapes[ext.manifest.id]
        provider_shapes = self.host_shapes if provider is None else self.shapes[provider]
        wanted = consumer_shapes.interface(imported)
        have = provider_shapes.interface(exported)
        if wanted == have:
            return []
        wrong = []
        for name, shape in wanted.items():
            other = have.get(name)
            if other is None:
                wrong.append(f"{_member(name)} is missing")
            elif shape != other:
                ours = consumer_shapes.resolve.interface(imported).functions[name]
                theirs = provider_shapes.resolve.interface(exported).functions[name]
                wrong.append(
                    f"{_member(name)} is imported as "
                    f"`{signature(consumer_shapes.resolve, ours)}` "
                    f"but exported as `{signature(provider_shapes.resolve, theirs)}`"
                )
        return wrong

    def add(
        self, ext: Extension, item: Item, provider: str, export: str, offer: Offer | None
    ) -> None:
        """Record a linked import, its binding, and its functions in the registry.

        Signatures are the answering function's: the provider's (memoised per export,
        so shared by all its consumers), the host's, or, for WASI, as imported.
        """
        ext_id, name = ext.manifest.id, item.name
        assert item.interface is not None
        self.out.imports[ext_id].append(PlannedImport(name, provider))
        if offer is not None:
            self.out.bindings.append(Binding(ext_id, name, provider, export))
            self.out.depends_on[ext_id].add(provider)
            texts = self.shapes[provider].signatures(offer.interface)
        elif provider == HOST_PROVIDER:
            texts = self.host_shapes.signatures(self.host.interfaces[export])
        else:
            texts = self.shapes[ext_id].signatures(item.interface)
        wanted = ext.component.resolve.interfaces[item.interface.index].functions
        self.out.functions.extend(
            [FunctionRef(ext_id, name, f, provider, export, texts[f]) for f in wanted]
        )


def cycle_diagnostic(cycle: list[str]) -> Diagnostic:
    """The `W006-cycle` diagnostic of one cycle `a -> b -> a` (from `graph.cycles`)."""
    return Diagnostic(
        "W006-cycle",
        cycle[0],
        f"dependency cycle: {' -> '.join(cycle)}",
        hint="extensions cannot import from each other in a circle; move what they "
        "share into a separate `lib` that both import",
    )


_MEMBER_KINDS = {"constructor": "constructor", "method": "method", "static": "static function"}


def _member(name: str) -> str:
    """A function of an interface as a message names it: `add`, or a resource's member
    (`[method]index.add` -> resource `index` method `add`)."""
    if not name.startswith("["):
        return f"`{name}`"
    kind, _, rest = name[1:].partition("]")
    resource, _, member = rest.partition(".")
    what = _MEMBER_KINDS.get(kind, kind)
    return f"resource `{resource}` {what}" + (f" `{member}`" if member else "")


def _ext_id(ext: Extension) -> str:
    return ext.id


def _rank(parsed: InterfaceName, offer: Offer) -> tuple[bool, tuple[object, ...]]:
    return (offer.parsed.version == parsed.version, offer.parsed.precedence)


def match(extensions: Sequence[Extension], host: HostWorld, *, wasi: bool = True) -> Linkage:
    """Match every import of every extension; problems are in `Linkage.diagnostics`."""
    return _Matcher(extensions, host, wasi).run()
