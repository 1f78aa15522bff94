"""The invariants of a plan: what the link step guarantees and the host checks again
before it trusts a plan (which may have been edited by hand).

- every extension id is valid, not reserved and unique; every sha256 is 64 hex digits;
- `order` lists every extension once, each provider before its consumers;
- every import's provider is `host`, `wasi` or another extension of the plan;
- every import from an extension has exactly one binding, and every binding follows an
  import; a binding joins `*/lib` interfaces only, and the provider exports its export;
- every entry of the function registry (`functions`) follows a binding (or, for `host`
  and `wasi`, an import);
- a `composite` starts with its own extension, names other extensions of the plan once
  each, imports from `host` and `wasi` only, and has a sha256 of 64 hex digits;
- an extension runs as more than one instance only if it is `stateless`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NoReturn

from linker.errors import PlanError
from linker.ids import RESERVED, id_problem
from linker.plan.records import Binding, FunctionRef, PlannedExtension
from linker.wit import semver

SHA256 = re.compile(r"[0-9a-f]{64}")


def check(
    extensions: Sequence[PlannedExtension],
    order: Sequence[str],
    bindings: Sequence[Binding],
    functions: Sequence[FunctionRef],
    where: str = "plan",
) -> None:
    """Raise `PlanError` naming the first entry that breaks an invariant, and how."""

    def fail(key: str, message: str) -> NoReturn:
        raise PlanError(f"{where}: `{key}` {message}; link again to get a consistent plan")

    ids: dict[str, PlannedExtension] = {}
    for i, ext in enumerate(extensions):
        problem = id_problem(ext.id)
        if problem is not None:
            fail(f"extensions[{i}].id", f"is not usable: {problem}")
        if ext.id in ids:
            fail(f"extensions[{i}].id", f"repeats the id `{ext.id}`")
        if not SHA256.fullmatch(ext.sha256):
            fail(f"extensions[{i}].sha256", "must be the component's sha256 (64 hex digits)")
        if ext.instances < 1 or (ext.instances > 1 and not ext.stateless):
            fail(f"extensions[{i}].instances", "may exceed 1 only for a `stateless` extension")
        ids[ext.id] = ext
    for i, ext in enumerate(extensions):
        c = ext.composite
        if c is None:
            continue
        key = f"extensions[{i}].composite"
        if not c.members or c.members[0] != ext.id:
            fail(f"{key}.members", f"must start with `{ext.id}`")
        if len(set(c.members)) != len(c.members) or not set(c.members) <= ids.keys():
            fail(f"{key}.members", "must name extensions of the plan, each once")
        if any(imp.provider not in RESERVED for imp in c.imports):
            fail(f"{key}.imports", "may name only `host` and `wasi` as providers")
        if not SHA256.fullmatch(c.sha256):
            fail(f"{key}.sha256", "must be the composite's sha256 (64 hex digits)")
    position: dict[str, int] = {}
    for i, ext_id in enumerate(order):
        if ext_id not in ids:
            fail(f"order[{i}]", f"names `{ext_id}`, which is no extension of the plan")
        if ext_id in position:
            fail(f"order[{i}]", f"names `{ext_id}` a second time")
        position[ext_id] = i
    if len(position) != len(ids):
        fail("order", f"lacks {', '.join(sorted(set(ids) - set(position)))}")
    imports: dict[tuple[str, str], str] = {}
    for i, ext in enumerate(extensions):
        for j, imp in enumerate(ext.imports):
            if (ext.id, imp.name) in imports:
                fail(f"extensions[{i}].imports[{j}]", f"repeats the import `{imp.name}`")
            imports[ext.id, imp.name] = imp.provider
            if imp.provider in RESERVED:
                continue
            if imp.provider not in ids or imp.provider == ext.id:
                fail(
                    f"extensions[{i}].imports[{j}].provider",
                    f"is `{imp.provider}`, which is neither host, wasi nor another extension",
                )
            if position[imp.provider] > position[ext.id]:
                fail("order", f"puts `{ext.id}` before its provider `{imp.provider}`")
    bound: dict[tuple[str, str], Binding] = {}
    for k, b in enumerate(bindings):
        problem = _binding_problem(b, imports.get((b.consumer, b.import_)), ids, bound)
        if problem is not None:
            fail(
                f"bindings[{k}]",
                f"binds `{b.consumer}`'s `{b.import_}` to `{b.provider}`'s `{b.export}`{problem}",
            )
        bound[b.consumer, b.import_] = b
    for (consumer, name), provider in imports.items():
        if provider not in RESERVED and (consumer, name) not in bound:
            fail("bindings", f"lack the binding of `{consumer}`'s `{name}` to `{provider}`")
    registered: set[tuple[str, str, str]] = set()
    for k, f in enumerate(functions):
        via = bound.get((f.consumer, f.import_))
        if f.provider in RESERVED:
            follows = imports.get((f.consumer, f.import_)) == f.provider
        else:
            follows = via is not None and (via.provider, via.export) == (f.provider, f.export)
        if not follows:
            fail(
                f"functions[{k}]",
                f"sends `{f.consumer}`'s `{f.import_}#{f.function}` to `{f.provider}`'s "
                f"`{f.export}`, which no import or binding does",
            )
        if (f.consumer, f.import_, f.function) in registered:
            fail(f"functions[{k}]", f"registers `{f.import_}#{f.function}` a second time")
        registered.add((f.consumer, f.import_, f.function))


def _binding_problem(
    b: Binding,
    imported_from: str | None,
    ids: dict[str, PlannedExtension],
    bound: dict[tuple[str, str], Binding],
) -> str | None:
    """What is wrong with binding `b` (the end of a sentence), or None."""
    if imported_from != b.provider or b.provider in RESERVED:
        return f", but the plan has no such import from `{b.provider}`"
    if not (_is_lib(b.import_) and _is_lib(b.export)):
        return ": only `*/lib` interfaces may cross between extensions"
    if b.export not in ids[b.provider].exports:
        return f", which `{b.provider}` does not export"
    if (b.consumer, b.import_) in bound:
        return ": that import is bound a second time"
    return None


def _is_lib(name: str) -> bool:
    parsed = semver.parse(name)
    return parsed is not None and parsed.interface == "lib"
