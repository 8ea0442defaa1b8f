"""The Spark engine's clustering stages: connected components of the duplicate relations, each
clustered by the local engine's `cluster` in the executors (`applyInPandas`), then numbered in
input order, as `engine.local.cluster_corpus` numbers them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from neardup.core.cluster import Clusters, cluster, keep_order
from neardup.core.verify import ScoredPairs, is_copy_relation
from neardup.results import cluster_rows, cluster_schema
from neardup.spark.arrow import column, output_rows
from neardup.spark.components import MAX_ITERATIONS, connected_components

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

MEMBER_SCHEMA = "pos long, id string, rep long, rep_id string, relation int, similarity double"


def cluster_members(
    scored: DataFrame,
    sketches: DataFrame,
    keep: str,
    *,
    numbers_matter: bool,
    max_iterations: int = MAX_ITERATIONS,
) -> DataFrame:
    """(pos, id, rep, rep_id, relation, similarity) of every clustered document: `cluster_corpus`.

    Greedy centres only ever look along duplicate relations, so clustering each connected
    component on its own, in the same keep order, gives the clusters of the whole corpus.
    """
    from pyspark.sql import functions as F

    joins = is_copy_relation(
        F.col("relation"), F.col("numbers"), F.col("facts"), numbers_matter=numbers_matter
    )
    edges = scored.filter(joins)
    components = connected_components(
        edges.select(F.col("left").alias("a"), F.col("right").alias("b")),
        max_iterations=max_iterations,
    )
    # Fresh column names on each side: both come from `components`, and cogroup must tell
    # them apart.
    edges = edges.join(
        components.select(F.col("node").alias("left"), F.col("component").alias("of_edge")),
        "left",
    )
    nodes = components.select(F.col("node").alias("pos"), F.col("component").alias("of_node")).join(
        sketches.select("pos", "id", "tokens", "stamp"), "pos"
    )

    def run(edges: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
        import pandas as pd

        nodes = nodes.sort_values("pos")
        pos = nodes["pos"].to_numpy(np.int64)
        pairs = ScoredPairs(
            np.searchsorted(pos, edges["left"].to_numpy(np.int64)),
            np.searchsorted(pos, edges["right"].to_numpy(np.int64)),
            edges["relation"].to_numpy(np.uint8),
            edges["jaccard"].to_numpy(float),
            edges["in_right"].to_numpy(float),
            edges["in_left"].to_numpy(float),
            edges["numbers"].to_numpy(bool),
            differ_in_facts=edges["facts"].to_numpy(bool),
        )
        dates = [
            None if s != s else datetime.fromtimestamp(s, UTC)  # NaN: no date
            for s in nodes["stamp"].to_numpy(float)
        ]
        # Nodes are in input order, so keep_order breaks ties as the local engine does.
        order = keep_order(keep, nodes["tokens"].to_numpy(np.int64), dates)
        found = cluster(pairs, order, numbers_matter=numbers_matter)
        members = np.flatnonzero(found.cluster_id >= 0)
        ids = nodes["id"].to_numpy(object)
        return pd.DataFrame(
            {
                "pos": pos[members],
                "id": ids[members],
                "rep": pos[found.representative[members]],
                "rep_id": ids[found.representative[members]],
                "relation": found.relation[members].astype(np.int32),
                "similarity": found.similarity[members],
            }
        )

    grouped = edges.groupBy("of_edge").cogroup(nodes.groupBy("of_node"))
    return grouped.applyInPandas(run, MEMBER_SCHEMA)


def number_clusters(members: DataFrame) -> DataFrame:
    """(rep, cluster_id): representatives numbered in input order, as `cluster` numbers them."""
    reps = members.filter(members["pos"] == members["rep"]).select("rep").orderBy("rep")
    numbered = reps.rdd.map(lambda row: row[0]).zipWithIndex()
    return members.sparkSession.createDataFrame(numbered, "rep long, cluster_id long")


def cluster_table(members: DataFrame, numbers: DataFrame) -> DataFrame:
    """Cluster members as the rows of the clusters output (`results.cluster_rows`), with pos."""
    named = members.join(numbers, "rep")
    schema = output_rows(["pos"], cluster_schema())

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            if not n:
                continue
            # Members are documents 0..n-1 and their representatives n..2n-1 (when not
            # themselves), which stay out of the rows (cluster -1).
            pos, rep = column(batch, "pos"), column(batch, "rep")
            index = np.arange(n)
            is_rep = pos == rep
            found = Clusters(
                np.r_[column(batch, "cluster_id"), np.full(n, -1)],
                np.r_[np.where(is_rep, index, index + n), index + n],
                np.r_[column(batch, "relation", np.uint8), np.zeros(n, np.uint8)],
                np.r_[column(batch, "similarity", float), np.ones(n)],
            )
            ids = batch.column("id").to_pylist() + batch.column("rep_id").to_pylist()
            rows = [m.to_dict() for m in cluster_rows(ids, found)]
            by_id = {row["id"]: i for i, row in enumerate(rows)}
            # cluster_rows orders its rows; put `pos` back beside each by the member's id.
            order = [by_id[i] for i in ids[:n]]
            table = pa.RecordBatch.from_pylist([rows[i] for i in order], schema=cluster_schema())
            yield pa.RecordBatch.from_arrays(
                [batch.column("pos"), *table.columns], names=schema.fieldNames()
            )

    return named.mapInArrow(run, schema)
