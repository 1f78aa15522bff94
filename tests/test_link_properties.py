"""Hypothesis properties of planning over generated extension graphs (in-memory components)."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from linker.errors import LinkError
from linker.plan import plan_extensions, synthetic
from linker.plan.hostworld import host_world
from linker.plan.matching import match

IDS = [f"x{i}" for i in range(8)]


@st.composite
def graphs(draw: st.DrawFn, acyclic: bool = False) -> dict[str, list[str]]:
    """Extension id -> the ids whose `lib` it imports (no self-imports)."""
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=8, unique=True))
    edges: dict[str, list[str]] = {}
    for position, ext_id in enumerate(ids):
        pool = ids[:position] if acyclic else [i for i in ids if i != ext_id]
        edges[ext_id] = (
            draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)) if pool else []
        )
    return edges


def has_cycle(edges: dict[str, list[str]]) -> bool:
    """Reference check: peel off extensions whose providers are all gone."""
    left = {k: set(v) for k, v in edges.items()}
    while True:
        free = [k for k, deps in left.items() if not deps & left.keys()]
        if not free:
            return bool(left)
        for k in free:
            del left[k]


def all_cycles(edges: dict[str, list[str]]) -> set[tuple[str, ...]]:
    """Reference: every simple cycle, found by plain DFS and rotated to start at its least id."""
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str]) -> None:
        for nxt in edges[path[-1]]:
            if nxt == path[0]:
                low = path.index(min(path))
                found.add(tuple(path[low:] + path[:low]))
            elif nxt not in path:
                walk([*path, nxt])

    for start in edges:
        walk([start])
    return found


@settings(max_examples=60, deadline=None)
@given(graphs(acyclic=True))
def test_order_respects_every_binding(edges: dict[str, list[str]]) -> None:
    plan = plan_extensions(synthetic.graph(edges))
    position = {ext_id: i for i, ext_id in enumerate(plan.order)}
    assert sorted(plan.order) == sorted(edges)
    assert len(plan.bindings) == sum(len(v) for v in edges.values())
    for binding in plan.bindings:
        assert position[binding.provider] < position[binding.consumer]
    for ext_id, providers in edges.items():
        assert {b.provider for b in plan.bindings if b.consumer == ext_id} == set(providers)


@settings(max_examples=80, deadline=None)
@given(graphs())
def test_a_cycle_is_reported_exactly_when_one_exists(edges: dict[str, list[str]]) -> None:
    linkage = match(synthetic.graph(edges), host_world())
    cycle_codes = [d for d in linkage.diagnostics if d.code == "W006-cycle"]
    assert bool(cycle_codes) == has_cycle(edges)
    assert len(cycle_codes) == len(linkage.cycles)
    assert {tuple(c[:-1]) for c in linkage.cycles} == all_cycles(edges)
    for cycle in linkage.cycles:
        assert cycle[0] == cycle[-1] and len(set(cycle[:-1])) == len(cycle) - 1
        for consumer, provider in itertools.pairwise(cycle):
            assert provider in edges[consumer]
    assert [d for d in linkage.diagnostics if d.code != "W006-cycle"] == []


@settings(max_examples=40, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_planning_is_deterministic_and_independent_of_input_order(
    edges: dict[str, list[str]], rng: random.Random
) -> None:
    shuffled = list(edges.items())
    rng.shuffle(shuffled)
    results = []
    for variant in (edges, dict(shuffled), edges):
        try:
            results.append(plan_extensions(synthetic.graph(variant)).to_json())
        except LinkError as err:
            results.append(str(err))
    assert results[0] == results[1] == results[2]


LIBS = [f"synth:p{p}/lib@{v}" for p in range(3) for v in ("1.0.0", "1.2.0", "2.0.0")]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(LIBS), max_size=2), st.lists(st.sampled_from(LIBS), max_size=2)
        ),
        min_size=1,
        max_size=6,
    ),
    st.randoms(use_true_random=False),
)
def test_outcome_with_versions_and_ambiguities_is_independent_of_input_order(
    specs: list[tuple[list[str], list[str]]], rng: random.Random
) -> None:
    exts = [
        synthetic.extension(f"e{i}", sorted(set(exports)), sorted(set(imports)))
        for i, (exports, imports) in enumerate(specs)
    ]
    shuffled = list(exts)
    rng.shuffle(shuffled)
    outcomes = []
    for variant in (exts, shuffled):
        linkage = match(variant, host_world())
        outcomes.append((linkage.diagnostics, linkage.bindings, linkage.functions, linkage.order))
    assert outcomes[0] == outcomes[1]
