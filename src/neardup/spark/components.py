"""Connected components of a graph held as a Spark DataFrame of edges: large-star/small-star.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014). Edges are kept
oriented (larger node, smaller node). Each round applies large-star (every node's larger
neighbours are linked to the smallest node of its closed neighbourhood) and then small-star (every
node and its smaller neighbours are linked to the smallest of them). Both keep the components and
shrink the edges towards stars centred on each component's smallest node; the alternation takes
O(log² n) rounds. Each round is a few joins and aggregations: nothing is collected to the driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neardup.errors import ConvergenceError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

#: Rounds before giving up; a graph of a billion nodes settles in far fewer.
MAX_ITERATIONS = 60


def connected_components(edges: DataFrame, *, max_iterations: int = MAX_ITERATIONS) -> DataFrame:
    """(node, component) for every node of `edges` (columns `a`, `b`: long node ids).

    The component is the smallest node in it. Raises ConvergenceError after `max_iterations`
    rounds that did not reach stars.
    """
    from pyspark.sql import functions as F

    oriented = (
        edges.filter(F.col("a") != F.col("b"))
        .select(
            F.greatest("a", "b").alias("big"),
            F.least("a", "b").alias("small"),
        )
        .distinct()
    )
    current = oriented.localCheckpoint()
    for _ in range(max_iterations):
        if _stars(current):
            break
        previous = current
        current = _small_star(_large_star(current)).localCheckpoint()
        previous.unpersist()
    else:
        if not _stars(current):
            raise ConvergenceError(
                f"connected components did not converge in {max_iterations} rounds of "
                "large-star/small-star; raise max_iterations"
            )
    leaves = current.select(F.col("big").alias("node"), F.col("small").alias("component"))
    centres = current.select(F.col("small").alias("node"), F.col("small").alias("component"))
    return leaves.unionByName(centres.distinct())


def _smallest_neighbour(edges: DataFrame) -> DataFrame:
    """(u, m): for every node that is the larger end of an edge, its smallest neighbour."""
    from pyspark.sql import functions as F

    return edges.groupBy(F.col("big").alias("u")).agg(F.min("small").alias("m"))


def _large_star(edges: DataFrame) -> DataFrame:
    """Link every node's larger neighbours to the smallest node of its closed neighbourhood."""
    from pyspark.sql import functions as F

    # The larger neighbours of u are the `big` ends of its edges as the smaller end; the smallest
    # node around u is u itself unless u is also the larger end of some edge.
    linked = edges.join(_smallest_neighbour(edges), edges["small"] == F.col("u"), "left")
    return linked.select("big", F.least("small", "m").alias("small")).distinct()


def _small_star(edges: DataFrame) -> DataFrame:
    """Link every node and its smaller neighbours to the smallest of them."""
    from pyspark.sql import functions as F

    linked = edges.join(_smallest_neighbour(edges), edges["big"] == F.col("u"))
    neighbours = linked.filter(F.col("small") != F.col("m")).select(
        F.col("small").alias("big"), F.col("m").alias("small")
    )
    return linked.select("big", F.col("m").alias("small")).unionByName(neighbours).distinct()


def _stars(edges: DataFrame) -> bool:
    """Whether the edges are disjoint stars: every larger end has one edge and is no centre."""
    from pyspark.sql import functions as F

    ends = edges.select(F.col("big").alias("node"), F.lit(1).alias("as_big")).unionByName(
        edges.select(F.col("small").alias("node"), F.lit(0).alias("as_big"))
    )
    per_node = ends.groupBy("node").agg(
        F.sum("as_big").alias("big"), F.count(F.lit(1)).alias("edges")
    )
    # A leaf appears once, as the larger end; a centre only as the smaller end.
    bad = per_node.filter((F.col("big") > 1) | ((F.col("big") == 1) & (F.col("edges") > 1)))
    return bad.isEmpty()
