"""Large-star/small-star connected components on Spark, against a plain union-find."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from neardup.errors import ConvergenceError

pytestmark = pytest.mark.slow


def _union_find(edges: list[tuple[int, int]]) -> dict[int, int]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


def _components(spark: Any, edges: list[tuple[int, int]], **kwargs: Any) -> dict[int, int]:
    from neardup.spark.components import connected_components

    frame = spark.createDataFrame(edges, "a long, b long")
    return {r.node: r.component for r in connected_components(frame, **kwargs).collect()}


def test_a_random_graph_as_union_find(spark: Any) -> None:
    rng = random.Random(1)
    nodes = rng.sample(range(10**12), 300)  # sparse, unordered ids, as input positions are
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(250)]
    # A long path and a self loop: the slow case for label propagation, and a degenerate edge.
    path = sorted(rng.sample(range(10**12, 2 * 10**12), 40), key=lambda _: rng.random())
    edges += [*itertools.pairwise(path), (nodes[0], nodes[0])]
    expected = _union_find(edges)
    found = _components(spark, edges)
    loops_only = {a for a, b in edges if a == b} - {x for e in edges if e[0] != e[1] for x in e}
    assert found == {n: c for n, c in expected.items() if n not in loops_only}
    assert len(set(found.values())) > 10


def test_no_convergence_is_a_clear_error(spark: Any) -> None:
    path = list(range(0, 400, 7))
    with pytest.raises(ConvergenceError, match="did not converge in 1 rounds"):
        _components(spark, list(itertools.pairwise(path)), max_iterations=1)
