"""Who goes into a composite: an extension and, transitively, every `*/lib` provider it
depends on, with each import wired as the plan binds it (semver-track bindings included)."""

from __future__ import annotations

from collections import deque

import attrs

from linker.errors import Diagnostic, LinkError, WitlinkError
from linker.plan import graph
from linker.plan.matching import cycle_diagnostic
from linker.plan.model import HOST_PROVIDER, WASI_PROVIDER, Plan, PlannedExtension, PlannedImport


class ComposeError(WitlinkError):
    """An extension cannot be composed; the message says which and what to do."""

    def __init__(self, message: str, *, extension: str) -> None:
        super().__init__(message)
        self.extension = extension


@attrs.frozen
class Argument:
    """One import of a member, served by another member's export."""

    import_: str
    provider: str
    export: str


@attrs.frozen
class Member:
    planned: PlannedExtension
    arguments: tuple[Argument, ...]


@attrs.frozen
class Members:
    """The extension (first) and its providers, each once, in breadth-first order."""

    members: tuple[Member, ...]
    imports: tuple[PlannedImport, ...]
    """The host and WASI imports left, each name once, in order of first appearance."""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.planned.id for m in self.members)


def members_of(plan: Plan, ext_id: str) -> Members:
    """The members of `ext_id`'s composite, from the plan's bindings.

    Raises `ComposeError` if the plan has no `ext_id` or it uses no other extension, and
    `LinkError` with the link step's diagnostics if a member imports what no member
    provides, or on a cycle.
    """
    by_id = {e.id: e for e in plan.extensions}
    if ext_id not in by_id:
        known = ", ".join(by_id) or "none"
        raise ComposeError(
            f"the plan has no extension `{ext_id}`; its extensions: {known}", extension=ext_id
        )
    exports = {(b.consumer, b.import_): b.export for b in plan.bindings}
    found: dict[str, Member] = {}
    left: dict[str, str] = {}
    depends_on: dict[str, set[str]] = {}
    problems: list[Diagnostic] = []
    queue, seen = deque([ext_id]), {ext_id}
    while queue:
        planned = by_id[queue.popleft()]
        arguments = []
        depends_on[planned.id] = set()
        for item in planned.imports:
            if item.provider in (HOST_PROVIDER, WASI_PROVIDER):
                left.setdefault(item.name, item.provider)
                continue
            export = exports.get((planned.id, item.name))
            if item.provider not in by_id or export is None:
                problems.append(_missing(planned.id, item))
                continue
            arguments.append(Argument(item.name, item.provider, export))
            depends_on[planned.id].add(item.provider)
            if item.provider not in seen:
                seen.add(item.provider)
                queue.append(item.provider)
        found[planned.id] = Member(planned, tuple(arguments))
    problems.extend(cycle_diagnostic(cycle) for cycle in graph.cycles(depends_on))
    if problems:
        raise LinkError(problems)
    if len(found) == 1:
        raise ComposeError(
            f"`{ext_id}` imports no `lib` of another extension: there is nothing to compose "
            "it with; run it as it is",
            extension=ext_id,
        )
    imports = tuple(PlannedImport(name, provider) for name, provider in left.items())
    return Members(tuple(found.values()), imports)


def _missing(consumer: str, item: PlannedImport) -> Diagnostic:
    return Diagnostic(
        "W001-missing-provider",
        consumer,
        f"the plan binds it to `{item.provider}`, which is not an extension of the plan "
        "or has no binding for it",
        import_=item.name,
        hint="link the extensions again (`witlink link`) and compose from the new plan",
    )
