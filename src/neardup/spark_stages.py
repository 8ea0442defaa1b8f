"""The Spark engine's stages: the local engine's steps over DataFrames, the same kernels inside.

Each function is the distributed form of one step of `pipeline.match` or `cluster_corpus`: the
executors run the local functions (`sketch_with`, `verify`, `cluster`, `pair_rows`,
`cluster_rows`) on Arrow batches, and joins and aggregations take the place of the in-memory
groupings. Documents are named by `pos`, a long that follows the input order (not contiguous);
only the page-furniture line set and small counts reach the driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from neardup import kernel
from neardup.boilerplate import line_key, short_line_keys, text_key
from neardup.charlook import in_band, second_look
from neardup.cluster import Clusters, cluster, keep_order
from neardup.components import MAX_ITERATIONS, connected_components
from neardup.errors import shortened
from neardup.options import Options
from neardup.pipeline import parse_date
from neardup.read import Record
from neardup.results import cluster_rows, pair_rows
from neardup.sketch import Sketches, sketch_with
from neardup.verify import DIFFERENT, DUPLICATE_RELATIONS, EXACT, ScoredPairs, score_pairs
from neardup.write import CLUSTER_SCHEMA, PAIR_SCHEMA

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

SKETCH_SCHEMA = (
    "pos long, id string, exact long, masked long, tokens long, stamp double, "
    "shingles array<long>, bands array<long>, prints array<long>"
)
SCORED_SCHEMA = (
    "left long, right long, id_left string, id_right string, relation int, jaccard double, "
    "in_right double, in_left double, numbers boolean, chars boolean"
)
#: Verified pairs, and whether each gets the character-level second look (`charlook.in_band`).
VERIFIED_SCHEMA = SCORED_SCHEMA + ", look boolean"
PAIR_ROW_SCHEMA = (
    "left long, right long, id_a string, id_b string, relation string, jaccard double, "
    "containment_a_in_b double, containment_b_in_a double, differs_only_in string"
)
MEMBER_SCHEMA = "pos long, id string, rep long, rep_id string, relation int, similarity double"
CLUSTER_ROW_SCHEMA = (
    "pos long, id string, cluster_id long, representative_id string, is_representative boolean, "
    "relation string, similarity double"
)


def _signed(values: Any) -> np.ndarray:
    """64-bit hashes as Spark longs (the same bits, signed)."""
    return np.asarray(values, dtype=np.uint64).view(np.int64)


def _list_column(values: np.ndarray, starts: np.ndarray) -> pa.Array:
    """A list<int64> column from a segmented array (row d: values[starts[d]:starts[d + 1]])."""
    return pa.ListArray.from_arrays(
        pa.array(starts, pa.int32()), pa.array(np.ascontiguousarray(values).view(np.int64))
    )


def _segments(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(uint64 values, starts) of a list<int64> column, as the kernel takes segmented arrays."""
    values = column.flatten().to_numpy(zero_copy_only=False).astype(np.int64).view(np.uint64)
    starts = np.zeros(len(column) + 1, dtype=np.int64)
    np.cumsum(column.value_lengths().fill_null(0).to_numpy(zero_copy_only=False), out=starts[1:])
    return values, starts


def _numpy(batch: pa.RecordBatch, name: str, dtype: Any = np.int64) -> np.ndarray:
    return batch.column(name).to_numpy(zero_copy_only=False).astype(dtype)


def furniture_lines(docs: DataFrame, options: Options) -> frozenset[int] | None:
    """`pipeline.furniture_lines` in the executors: short lines found in enough distinct texts.

    Each executor lists (text key, line key) per document; distinct pairs counted per line give
    the number of distinct texts holding it. Only the recurring lines (a small set) are collected.
    """
    if not options.ignore_boilerplate:
        return None
    from pyspark.sql import functions as F

    def lines(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            texts, keys = [], []
            for text in batch.column("text").to_pylist():
                found = short_line_keys(text)
                texts += [text_key(text)] * len(found)
                keys += found
            yield pa.RecordBatch.from_arrays(
                [pa.array(_signed(texts)), pa.array(_signed(keys))], names=["text", "line"]
            )

    counted = (
        docs.select("text")
        .mapInArrow(lines, "text long, line long")
        .distinct()
        .groupBy("line")
        .count()
        .filter(F.col("count") >= options.boilerplate_min_docs)
        .filter(F.col("line") != int(_signed(line_key(""))))
    )
    found = [row.line for row in counted.collect()]
    return frozenset(np.asarray(found, dtype=np.int64).view(np.uint64).tolist())


def sketch(
    docs: DataFrame,
    options: Options,
    furniture: frozenset[int] | None,
    date_field: str | None = None,
) -> DataFrame:
    """`sketch_with` in the executors: one row per document, shingles and keys as long arrays.

    `docs` has `pos`, `text` and, with `date_field`, `date` (parsed as the local engine does,
    into a POSIX time; null where a document has none). Band keys are computed here too.
    """
    shared = docs.sparkSession.sparkContext.broadcast(furniture)
    bands, rows = options.lsh

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if not batch.num_rows:
                continue
            s = sketch_with(options, batch.column("text").to_pylist(), shared.value)
            n = len(s)
            band_keys = np.ascontiguousarray(kernel.band_keys(s.signatures, bands, rows).T)
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("pos"),
                    batch.column("id"),
                    pa.array(_signed(s.exact_keys)),
                    pa.array(_signed(s.masked_keys)),
                    pa.array(s.token_counts.astype(np.int64)),
                    pa.array(_stamps(batch, date_field), pa.float64()),
                    _list_column(s.shingles, s.starts),
                    _list_column(band_keys.ravel(), np.arange(n + 1, dtype=np.int64) * bands),
                    _list_column(s.prints, s.print_starts),
                ],
                names=[f.split()[0] for f in SKETCH_SCHEMA.split(", ")],
            )

    return docs.mapInArrow(run, SKETCH_SCHEMA)


def _stamps(batch: pa.RecordBatch, date_field: str | None) -> list[float | None]:
    if date_field is None:
        return [None] * batch.num_rows
    ids = batch.column("id").to_pylist()
    stamps: list[float | None] = []
    for doc_id, value in zip(ids, batch.column("date").to_pylist(), strict=True):
        record = Record(doc_id, "", {date_field: value}, f"id '{shortened(doc_id)}'")
        date = parse_date(record, date_field)
        stamps.append(None if date is None else date.timestamp())
    return stamps


def _pairs_within(groups: DataFrame, docs: str) -> DataFrame:
    """(a, b) for every two elements a < b of each sorted array column `docs`, with the group's
    other columns: the pairs of a group, generated where the group is, with no join."""
    from pyspark.sql import functions as F

    first = groups.select("*", F.posexplode(docs).alias("i", "a"))
    return first.select(
        "*", F.explode(F.expr(f"slice({docs}, i + 2, size({docs}))")).alias("b")
    ).drop("i", docs)


def exact_groups(sketches: DataFrame) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(exact pairs as scored rows, first copies' `pos`, `copies`: pos, id, first copy's pos).

    As in `match`: only documents with text are grouped, the first copy is the earliest;
    `copies` lists the members of groups of two or more only.
    """
    from pyspark.sql import functions as F

    keyed = sketches.filter(F.col("exact") != int(_signed(kernel.EMPTY_KEY)))
    # Structs sort by their first field: each group's documents in input order.
    docs = F.array_sort(F.collect_list(F.struct("pos", "id")))
    groups = keyed.groupBy("exact").agg(docs.alias("docs")).select("docs").persist()
    firsts = groups.select(F.col("docs")[0]["pos"].alias("pos"))
    several = groups.filter(F.size("docs") > 1)
    copies = several.select(
        F.col("docs")[0]["pos"].alias("first"), F.explode("docs").alias("doc")
    ).select("doc.pos", "doc.id", "first")
    one = F.lit(1.0)
    exact = _pairs_within(several, "docs").select(
        F.col("a.pos").alias("left"),
        F.col("b.pos").alias("right"),
        F.col("a.id").alias("id_left"),
        F.col("b.id").alias("id_right"),
        F.lit(EXACT).alias("relation"),
        one.alias("jaccard"),
        one.alias("in_right"),
        one.alias("in_left"),
        F.lit(False).alias("numbers"),
        F.lit(False).alias("chars"),
    )
    return exact, firsts, copies


def candidate_pairs(
    sketches: DataFrame, firsts: DataFrame, options: Options, min_containment: float
) -> DataFrame:
    """`candidates.candidate_pairs` over the eligible documents: (left, right), left < right.

    Eligible as in `match`: the first copy of its exact group, at least `min_words` words, and
    some shingles. Band keys are all kept; a fingerprint held by more than `max_shingle_df`
    documents is ignored, and a pair needs shared prints ≥ half of `min_containment` of the
    smaller print set.
    """
    from pyspark.sql import functions as F

    eligible = (
        sketches.filter((F.col("tokens") >= options.min_words) & (F.size("shingles") > 0))
        .select("pos", "bands", "prints")
        .join(firsts, "pos")
    )
    by_band = _sharing(eligible.select(F.explode("bands").alias("key"), "pos")).distinct()
    # Each print carries its document's print count, so the threshold needs no join.
    prints = eligible.select(
        F.explode("prints").alias("key"), F.struct("pos", F.size("prints").alias("n")).alias("d")
    )
    shared = _sharing(prints, max_group=options.max_shingle_df).groupBy("left", "right")
    counted = shared.agg(
        F.count(F.lit(1)).alias("shared"),
        F.least(F.first("n_left"), F.first("n_right")).alias("smaller"),
    )
    enough = F.col("shared") >= F.lit(0.5 * min_containment) * F.col("smaller")
    by_print = counted.filter(enough).select("left", "right")
    return by_band.unionByName(by_print).distinct()


def _sharing(keys: DataFrame, *, max_group: int = 0) -> DataFrame:
    """(left, right) for every key two documents share, once per shared key.

    `keys` has `key` and either `pos` or a struct `d` (pos, n), whose n comes out as n_left and
    n_right. Keys held by more than `max_group` documents are ignored (0: none is).
    """
    from pyspark.sql import functions as F

    doc = "d" if "d" in keys.columns else "pos"
    groups = keys.groupBy("key").agg(F.array_sort(F.collect_list(doc)).alias("docs"))
    size = F.size("docs")
    groups = groups.filter((size > 1) & (size <= max_group) if max_group > 0 else size > 1)
    pairs = _pairs_within(groups.select("docs"), "docs")
    if doc == "pos":
        return pairs.select(F.col("a").alias("left"), F.col("b").alias("right"))
    return pairs.select(
        F.col("a.pos").alias("left"),
        F.col("b.pos").alias("right"),
        F.col("a.n").alias("n_left"),
        F.col("b.n").alias("n_right"),
    )


def verify_pairs(
    candidates: DataFrame, sketches: DataFrame, options: Options, *, report_overlap: bool
) -> DataFrame:
    """`verify` in the executors: each candidate scored on both full shingle sets."""
    from pyspark.sql import functions as F

    def side(name: str) -> DataFrame:
        return sketches.select(
            F.col("pos").alias(name),
            F.col("id").alias(f"id_{name}"),
            F.col("shingles").alias(f"{name}_shingles"),
            F.col("exact").alias(f"{name}_exact"),
            F.col("masked").alias(f"{name}_masked"),
        )

    joined = candidates.join(side("left"), "left").join(side("right"), "right")

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            if not n:
                continue
            left_values, left_starts = _segments(batch.column("left_shingles"))
            right_values, right_starts = _segments(batch.column("right_shingles"))
            keys = {
                kind: np.concatenate(
                    [_numpy(batch, f"left_{kind}"), _numpy(batch, f"right_{kind}")]
                ).view(np.uint64)
                for kind in ("exact", "masked")
            }
            # Both sides as one batch of 2n documents: left i is document i, right i is n + i.
            both = Sketches(
                exact_keys=keys["exact"],
                masked_keys=keys["masked"],
                token_counts=np.zeros(2 * n, np.int64),
                shingles=np.concatenate([left_values, right_values]),
                starts=np.concatenate([left_starts, left_starts[-1] + right_starts[1:]]),
                signatures=np.empty((2 * n, 0), np.uint32),
                prints=np.empty(0, np.uint64),
                print_starts=np.zeros(2 * n + 1, np.int64),
            )
            index = np.arange(n)
            scored = score_pairs(both, index, index + n, options, report_overlap=report_overlap)
            look = in_band(scored, options)
            found = scored.take(np.flatnonzero((scored.relation != DIFFERENT) | look))
            rows = pa.array(found.left)
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(_numpy(batch, "left")[found.left]),
                    pa.array(_numpy(batch, "right")[found.right - n]),
                    batch.column("id_left").take(rows),
                    batch.column("id_right").take(rows),
                    *_scored_columns(found),
                    pa.array(look[found.left]),
                ],
                names=[f.split()[0] for f in VERIFIED_SCHEMA.split(", ")],
            )

    return joined.mapInArrow(run, VERIFIED_SCHEMA)


def _scored_columns(found: ScoredPairs) -> list[pa.Array]:
    """The relation, scores and flags of SCORED_SCHEMA."""
    return [
        pa.array(found.relation.astype(np.int32)),
        pa.array(found.jaccard),
        pa.array(found.containment_left_in_right),
        pa.array(found.containment_right_in_left),
        pa.array(found.differ_in_numbers),
        pa.array(found.by_characters),
    ]


def _scored_pairs(batch: pa.RecordBatch) -> ScoredPairs:
    """A batch of SCORED_SCHEMA rows as ScoredPairs: left i is document i, right i is n + i."""
    index = np.arange(batch.num_rows)
    return ScoredPairs(
        index,
        index + batch.num_rows,
        _numpy(batch, "relation", np.uint8),
        _numpy(batch, "jaccard", float),
        _numpy(batch, "in_right", float),
        _numpy(batch, "in_left", float),
        _numpy(batch, "numbers", bool),
        _numpy(batch, "chars", bool),
    )


def look_again(
    verified: DataFrame, docs: DataFrame, options: Options, furniture: frozenset[int] | None
) -> DataFrame:
    """`charlook.second_look` in the executors: only the pairs in its band get both texts
    joined; the rest pass as they are. Pairs left `different` are dropped."""
    from pyspark.sql import functions as F

    shared = docs.sparkSession.sparkContext.broadcast(furniture)

    def text(name: str) -> DataFrame:
        return docs.select(F.col("pos").alias(name), F.col("text").alias(f"{name}_text"))

    band = verified.filter("look").join(text("left"), "left").join(text("right"), "right")

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if not batch.num_rows:
                continue
            texts = batch.column("left_text").to_pylist() + batch.column("right_text").to_pylist()
            found = second_look(
                _scored_pairs(batch),
                lambda docs, texts=texts: {d: texts[d] for d in docs},
                options,
                shared.value,
            )
            yield pa.RecordBatch.from_arrays(
                [
                    *(batch.column(c) for c in ("left", "right", "id_left", "id_right")),
                    *_scored_columns(found),
                ],
                names=[f.split()[0] for f in SCORED_SCHEMA.split(", ")],
            )

    columns = [f.split()[0] for f in SCORED_SCHEMA.split(", ")]
    looked = band.mapInArrow(run, SCORED_SCHEMA)
    kept = verified.filter(~F.col("look")).select(*columns).unionByName(looked)
    return kept.filter(F.col("relation") != DIFFERENT)


def expand_to_copies(verified: DataFrame, copies: DataFrame) -> DataFrame:
    """`pipeline._expand_to_copies`: each pair of first copies, for every copy of either side."""
    from pyspark.sql import functions as F

    def spread(pairs: DataFrame, side: str, to: str) -> DataFrame:
        """Each pair once per copy of its `side` document (itself when it has none)."""
        found = copies.select(
            F.col("first").alias(side), F.col("pos").alias(to), F.col("id").alias(f"{to}_id")
        )
        joined = pairs.join(found, side, "left")
        return joined.withColumn(to, F.coalesce(to, side)).withColumn(
            f"{to}_id", F.coalesce(f"{to}_id", f"id_{side}")
        )

    both = spread(spread(verified, "left", "x"), "right", "y")
    swapped = F.col("x") > F.col("y")

    def pick(if_swapped: str, otherwise: str) -> Any:
        return F.when(swapped, F.col(if_swapped)).otherwise(F.col(otherwise))

    # Where a copy swaps the sides, the containments swap too.
    return both.select(
        F.least("x", "y").alias("left"),
        F.greatest("x", "y").alias("right"),
        pick("y_id", "x_id").alias("id_left"),
        pick("x_id", "y_id").alias("id_right"),
        "relation",
        "jaccard",
        pick("in_left", "in_right").alias("in_right"),
        pick("in_right", "in_left").alias("in_left"),
        "numbers",
        "chars",
    )


def match(
    sketches: DataFrame,
    options: Options,
    *,
    report_overlap: bool = False,
    docs: DataFrame,
    furniture: frozenset[int] | None,
) -> tuple[DataFrame, DataFrame]:
    """(scored pairs, candidate pairs): `pipeline.match` over a DataFrame of sketches, with the
    second look at the texts of `docs` (pos, text) without `furniture` (None: kept)."""
    thresholds = [options.jaccard, options.containment]
    if report_overlap and options.overlap is not None:
        thresholds.append(options.overlap)
    exact, firsts, copies = exact_groups(sketches)
    candidates = candidate_pairs(sketches, firsts, options, min(thresholds)).persist()
    verified = verify_pairs(candidates, sketches, options, report_overlap=report_overlap)
    verified = look_again(verified, docs, options, furniture)
    return exact.unionByName(expand_to_copies(verified, copies.persist())), candidates


def pair_table(scored: DataFrame) -> DataFrame:
    """Scored pairs as the rows of the pairs output (`results.pair_rows`), with left and right."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            if not n:
                continue
            pairs = _scored_pairs(batch)
            ids = batch.column("id_left").to_pylist() + batch.column("id_right").to_pylist()
            rows = [p.to_dict() for p in pair_rows(ids, pairs)]
            table = pa.RecordBatch.from_pylist(rows, schema=PAIR_SCHEMA)
            yield pa.RecordBatch.from_arrays(
                [batch.column("left"), batch.column("right"), *table.columns],
                names=[f.split()[0] for f in PAIR_ROW_SCHEMA.split(", ")],
            )

    return scored.mapInArrow(run, PAIR_ROW_SCHEMA)


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

    joins = F.col("relation").isin(list(DUPLICATE_RELATIONS))
    if numbers_matter:
        joins &= ~F.col("numbers")
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

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            if not n:
                continue
            # Members are documents 0..n-1 and their representatives n..2n-1 (when not
            # themselves), which stay out of the rows (cluster -1).
            pos, rep = _numpy(batch, "pos"), _numpy(batch, "rep")
            index = np.arange(n)
            is_rep = pos == rep
            found = Clusters(
                np.r_[_numpy(batch, "cluster_id"), np.full(n, -1)],
                np.r_[np.where(is_rep, index, index + n), index + n],
                np.r_[_numpy(batch, "relation", np.uint8), np.zeros(n, np.uint8)],
                np.r_[_numpy(batch, "similarity", float), np.ones(n)],
            )
            ids = batch.column("id").to_pylist() + batch.column("rep_id").to_pylist()
            rows = [m.to_dict() for m in cluster_rows(ids, found)]
            by_id = {row["id"]: i for i, row in enumerate(rows)}
            # cluster_rows orders its rows; put `pos` back beside each by the member's id.
            order = [by_id[i] for i in ids[:n]]
            table = pa.RecordBatch.from_pylist([rows[i] for i in order], schema=CLUSTER_SCHEMA)
            yield pa.RecordBatch.from_arrays(
                [batch.column("pos"), *table.columns],
                names=[f.split()[0] for f in CLUSTER_ROW_SCHEMA.split(", ")],
            )

    return named.mapInArrow(run, CLUSTER_ROW_SCHEMA)
