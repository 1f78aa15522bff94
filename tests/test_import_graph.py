"""No import cycles among the modules of `linker` and `bindgen`.

Every import counts: module level, inside functions, and under `if TYPE_CHECKING:` (a
cycle that only mypy sees still ties the modules together). `from pkg import name`
counts as an import of `pkg.name` when that is a module, else of `pkg` itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from linker.plan.graph import strongly_connected

ROOT = Path(__file__).resolve().parent.parent


def modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of `known` that the module at `path` imports."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in known:
                    targets.add(sub)
                elif node.module in known:
                    targets.add(node.module)
    return targets


def graph_of(*packages: str) -> dict[str, set[str]]:
    known: dict[str, Path] = {}
    for package in packages:
        known.update(modules(package))
    return {name: imports(path, known) for name, path in known.items()}


def test_the_cycle_finder_sees_a_type_checking_cycle(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from p import q\n")
    assert imports(source, {"p": source, "p.q": source}) == {"p.q"}


@pytest.mark.parametrize("package", ["linker", "bindgen"])
def test_no_import_cycles(package: str) -> None:
    graph = graph_of(package)
    found = strongly_connected(graph)
    described = [
        "; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(c)))}" for m in c) for c in found
    ]
    assert not found, "import cycles:\n" + "\n".join(described)
