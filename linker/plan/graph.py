"""The dependency graph between extensions: cycles and instantiation order.

Edges run consumer -> provider. `cycles` finds strongly connected components
(Tarjan's algorithm, iteratively, so 10,000 extensions do not hit the recursion
limit) and lists the elementary cycles inside each; `order` is a topological
order with providers first and ties broken by extension id.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

Graph = Mapping[str, Iterable[str]]
"""Each extension id -> the ids it depends on (its providers)."""

MAX_CYCLES = 100
"""How many cycles to spell out; beyond this the report says how many SCCs remain."""


def strongly_connected(graph: Graph) -> list[list[str]]:
    """The strongly connected components with a cycle (size > 1, or a self-loop)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for succ in edges:
                if succ not in graph:
                    continue
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.get(succ, ())))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1 or node in set(graph.get(node, ())):
                    found.append(sorted(members))
    return sorted(found)


MAX_STEPS = 200_000
"""Search steps allowed per strongly connected component (dense ones have huge path counts)."""


def _cycles_in(graph: Graph, members: list[str], limit: int) -> list[list[str]]:
    """Elementary cycles within one SCC, each starting at its smallest id."""
    cycles: list[list[str]] = []
    steps = 0
    for start_at, start in enumerate(members):
        allowed = set(members[start_at:])
        path = [start]
        on_path = {start}
        work = [iter(sorted(s for s in graph.get(start, ()) if s in allowed))]
        while work and len(cycles) < limit and steps < MAX_STEPS:
            steps += 1
            succ = next(work[-1], None)
            if succ is None:
                work.pop()
                on_path.discard(path.pop())
                continue
            if succ == start:
                cycles.append([*path, start])
            elif succ not in on_path:
                path.append(succ)
                on_path.add(succ)
                work.append(iter(sorted(s for s in graph.get(succ, ()) if s in allowed)))
        if len(cycles) >= limit or steps >= MAX_STEPS:
            break
    return cycles or [_shortest_cycle(graph, members)]


def _shortest_cycle(graph: Graph, members: list[str]) -> list[str]:
    """A shortest cycle through the SCC's smallest id (breadth-first; always exists)."""
    start, inside = members[0], set(members)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in sorted(graph.get(node, ())):
                if succ == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if succ in inside and succ not in came_from:
                    came_from[succ] = node
                    following.append(succ)
        frontier = following
    return [start, start]


def cycles(graph: Graph, limit: int = MAX_CYCLES) -> list[list[str]]:
    """Every elementary cycle (up to `limit`) as a path `a -> b -> a`, in a stable order."""
    out: list[list[str]] = []
    for members in strongly_connected(graph):
        out.extend(_cycles_in(graph, members, limit - len(out)))
        if len(out) >= limit:
            break
    return out


def order(graph: Graph) -> list[str]:
    """Providers first, ties by id; extensions on a cycle are left out."""
    waiting = {node: 0 for node in graph}
    consumers: dict[str, list[str]] = {node: [] for node in graph}
    for node, providers in graph.items():
        for provider in set(providers):
            if provider in waiting:
                waiting[node] += 1
                consumers[provider].append(node)
    ready = [node for node, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    result = []
    while ready:
        node = heapq.heappop(ready)
        result.append(node)
        for consumer in consumers[node]:
            waiting[consumer] -= 1
            if waiting[consumer] == 0:
                heapq.heappush(ready, consumer)
    return result
