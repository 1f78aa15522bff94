"""The dependency graph between extensions, as text, JSON, Graphviz dot, Mermaid or SVG."""

from __future__ import annotations

import json

from linker.plan.matching import Linkage
from linker.tools import graphviz_svg

FORMATS = ("text", "json", "dot", "mermaid", "svg")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(linkage: Linkage, form: str) -> str:
    """The graph in `form`: edges consumer -> provider, labelled with the interface."""
    edges = sorted(linkage.bindings, key=lambda b: (b.consumer, b.provider, b.import_))
    ids = sorted(e.id for e in linkage.extensions)
    if form == "json":
        doc = {
            "extensions": ids,
            "order": linkage.order,
            "edges": [
                {"consumer": b.consumer, "provider": b.provider, "import": b.import_} for b in edges
            ],
            "cycles": linkage.cycles,
        }
        return json.dumps(doc, indent=2) + "\n"
    if form == "mermaid":
        node = {ext_id: f"e{i}" for i, ext_id in enumerate(ids)}
        lines = ["graph LR"]
        lines += [f"  {node[i]}[{_quote(i)}]" for i in ids]
        lines += [
            f"  {node[b.consumer]} -->|{_quote(b.import_)}| {node[b.provider]}" for b in edges
        ]
        return "\n".join(lines) + "\n"
    if form == "svg":
        return graphviz_svg(render(linkage, "dot"))
    if form == "dot":
        lines = ["digraph witlink {", "  rankdir=LR;"]
        lines += [f"  {_quote(i)};" for i in ids]
        lines += [
            f"  {_quote(b.consumer)} -> {_quote(b.provider)} [label={_quote(b.import_)}];"
            for b in edges
        ]
        return "\n".join([*lines, "}"]) + "\n"
    by_consumer: dict[str, list[str]] = {i: [] for i in ids}
    for b in edges:
        by_consumer[b.consumer].append(f"{b.provider} ({b.import_})")
    out = []
    for ext_id in linkage.order + [i for i in ids if i not in set(linkage.order)]:
        needs = by_consumer[ext_id]
        out.append(f"{ext_id}: {', '.join(needs) if needs else '(no extension dependencies)'}")
    return "\n".join(out) + "\n"
