"""The Spark engine's matching stages: the local engine's steps over DataFrames, the core inside.

Each function is the distributed form of one step of `engine.local.match`: the executors run
the core's functions (`line_pairs`, `sketch_with`, `matchable`, `exact_scores`, `enough_prints`,
`score_pairs`, `second_look`, `expand_to_copies`, `pair_rows`) on Arrow batches, and joins and
aggregations take the place of the in-memory groupings. Documents are named by `pos`, a long that
follows the input order (not contiguous); only the page-furniture line set and small counts reach
the driver.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from neardup.core import charlook, facts, kernel
from neardup.core.candidates import enough_prints, has_text, matchable, print_share
from neardup.core.copies import exact_scores, expand_to_copies
from neardup.core.furniture import KEEP, Furniture, frequent_lines, line_pairs
from neardup.core.sketch import for_scoring, joined_starts, sketch_with
from neardup.core.verify import DIFFERENT, score_pairs
from neardup.errors import shortened
from neardup.io.read import parse_date
from neardup.options import Options
from neardup.results import pair_rows, pair_schema
from neardup.spark.arrow import (
    SCORED_SCHEMA,
    column,
    keys,
    list_column,
    names,
    output_rows,
    scored_columns,
    scored_pairs,
    segments,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SKETCH_SCHEMA = (
    "pos long, id string, exact long, masked long, tokens long, stamp double, "
    "text boolean, eligible boolean, shingles array<long>, bands array<long>, prints array<long>"
)
#: Verified pairs, and whether each has its texts read again: for the character-level second
#: look (`charlook.in_band`) or the facts (`facts.in_band`).
VERIFIED_SCHEMA = SCORED_SCHEMA + ", look boolean"


def furniture_lines(docs: DataFrame, options: Options) -> Furniture:
    """`furniture.recurring_lines` in the executors: short lines found in enough distinct texts.

    Each executor lists (text key, line key) pairs (`line_pairs`); distinct pairs counted per
    line give the number of distinct texts holding it, and `frequent_lines` keeps the recurring
    ones (a small set), which alone reach the driver.
    """
    if not options.ignore_furniture:
        return KEEP

    def lines(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            pairs = line_pairs(batch.column("text").to_pylist())
            yield pa.RecordBatch.from_arrays(
                [keys(pairs[:, 0]), keys(pairs[:, 1])], ["text", "line"]
            )

    def recurring(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            found = frequent_lines(
                column(batch, "line").view(np.uint64),
                column(batch, "count"),
                min_docs=options.furniture_min_docs,
            )
            yield pa.RecordBatch.from_arrays([keys(sorted(found))], ["line"])

    counted = docs.select("text").mapInArrow(lines, "text long, line long").distinct()
    found = counted.groupBy("line").count().mapInArrow(recurring, "line long").collect()
    lines = np.asarray([r.line for r in found], np.int64).view(np.uint64).tolist()
    return Furniture(frozenset(lines))


def sketch(
    docs: DataFrame,
    options: Options,
    furniture: Furniture,
    date_field: str | None = None,
) -> DataFrame:
    """`sketch_with` in the executors: one row per document, shingles and keys as long arrays,
    with whether it has a text and is matchable (`candidates.has_text`, `matchable`).

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
                    keys(s.exact_keys),
                    keys(s.masked_keys),
                    pa.array(s.token_counts.astype(np.int64)),
                    pa.array(_stamps(batch, date_field), pa.float64()),
                    pa.array(has_text(s.exact_keys)),
                    pa.array(matchable(s, options)),
                    list_column(s.shingles, s.starts),
                    list_column(band_keys.ravel(), np.arange(n + 1, dtype=np.int64) * bands),
                    list_column(s.prints, s.print_starts),
                ],
                names=names(SKETCH_SCHEMA),
            )

    return docs.mapInArrow(run, SKETCH_SCHEMA)


def _stamps(batch: pa.RecordBatch, date_field: str | None) -> list[float | None]:
    if date_field is None:
        return [None] * batch.num_rows
    ids = batch.column("id").to_pylist()
    stamps: list[float | None] = []
    for doc_id, value in zip(ids, batch.column("date").to_pylist(), strict=True):
        date = parse_date(value, date_field, f"id '{shortened(doc_id)}'")
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
    """(exact pairs as scored rows, first copies' `pos`, `copies`: first, docs).

    As in `match`: only documents with text are grouped, the first copy is the earliest;
    `copies` holds the groups of two or more, each with its documents (pos, id) in order.
    """
    from pyspark.sql import functions as F

    # Structs sort by their first field: each group's documents in input order.
    docs = F.array_sort(F.collect_list(F.struct("pos", "id")))
    groups = sketches.filter("text").groupBy("exact").agg(docs.alias("docs")).select("docs")
    groups = groups.persist()
    firsts = groups.select(F.col("docs")[0]["pos"].alias("pos"))
    several = groups.filter(F.size("docs") > 1)
    copies = several.select(F.col("docs")[0]["pos"].alias("first"), "docs")
    within = _pairs_within(several, "docs").select(
        F.col("a.pos").alias("left"),
        F.col("b.pos").alias("right"),
        F.col("a.id").alias("id_left"),
        F.col("b.id").alias("id_right"),
    )

    def scored(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            found = exact_scores(column(batch, "left"), column(batch, "right"))
            yield pa.RecordBatch.from_arrays(
                [*batch.columns, *scored_columns(found)], names=names(SCORED_SCHEMA)
            )

    return within.mapInArrow(scored, SCORED_SCHEMA), firsts, copies


def candidate_pairs(
    sketches: DataFrame, firsts: DataFrame, options: Options, *, report_overlap: bool
) -> DataFrame:
    """`candidates.candidate_pairs` over the eligible documents: (left, right), left < right.

    Eligible as in `match`: matchable, and the first copy of its exact group. Band keys are all
    kept; a fingerprint held by more than `max_shingle_df` documents is ignored, and a pair needs
    enough shared prints (`candidates.enough_prints`).
    """
    from pyspark.sql import functions as F

    eligible = sketches.filter("eligible").select("pos", "bands", "prints").join(firsts, "pos")
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
    share = print_share(options, report_overlap=report_overlap)

    def enough(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            kept = enough_prints(column(batch, "shared"), column(batch, "smaller"), share)
            found = batch.filter(pa.array(kept))
            yield pa.RecordBatch.from_arrays(
                [found.column("left"), found.column("right")], ["left", "right"]
            )

    by_print = counted.mapInArrow(enough, "left long, right long")
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
            left_values, left_starts = segments(batch.column("left_shingles"))
            right_values, right_starts = segments(batch.column("right_shingles"))
            exact, masked = (
                np.concatenate(
                    [column(batch, f"left_{kind}"), column(batch, f"right_{kind}")]
                ).view(np.uint64)
                for kind in ("exact", "masked")
            )
            # Both sides as one batch of 2n documents: left i is document i, right i is n + i.
            both = for_scoring(
                np.concatenate([left_values, right_values]),
                joined_starts([left_starts, right_starts]),
                exact,
                masked,
            )
            index = np.arange(n)
            scored = score_pairs(both, index, index + n, options, report_overlap=report_overlap)
            look = charlook.in_band(scored, options) | facts.in_band(scored, options)
            found = scored.take(np.flatnonzero((scored.relation != DIFFERENT) | look))
            rows = pa.array(found.left)
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(column(batch, "left")[found.left]),
                    pa.array(column(batch, "right")[found.right - n]),
                    batch.column("id_left").take(rows),
                    batch.column("id_right").take(rows),
                    *scored_columns(found),
                    pa.array(look[found.left]),
                ],
                names=names(VERIFIED_SCHEMA),
            )

    return joined.mapInArrow(run, VERIFIED_SCHEMA)


def second_look(
    verified: DataFrame, docs: DataFrame, options: Options, furniture: Furniture
) -> DataFrame:
    """`charlook.second_look`, then `facts.facts_look`, in the executors: only the pairs in
    their bands get both texts joined; the rest pass as they are. Pairs left `different` are
    dropped."""
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
            texts_of = lambda docs, texts=texts: {d: texts[d] for d in docs}  # noqa: E731
            found = charlook.second_look(scored_pairs(batch), texts_of, options, shared.value)
            found = facts.facts_look(found, facts.facts_from_texts(texts_of, shared.value), options)
            yield pa.RecordBatch.from_arrays(
                [
                    *(batch.column(c) for c in ("left", "right", "id_left", "id_right")),
                    *scored_columns(found),
                ],
                names=names(SCORED_SCHEMA),
            )

    looked = band.mapInArrow(run, SCORED_SCHEMA)
    kept = verified.filter(~F.col("look")).select(*names(SCORED_SCHEMA)).unionByName(looked)
    return kept.filter(F.col("relation") != DIFFERENT)


def spread_to_copies(verified: DataFrame, copies: DataFrame) -> DataFrame:
    """`copies.expand_to_copies` in the executors: each pair of first copies with the groups
    (`copies`) of either side joined to it."""
    from pyspark.sql import functions as F

    def group(name: str) -> DataFrame:
        return copies.select(F.col("first").alias(name), F.col("docs").alias(f"{name}_copies"))

    joined = verified.join(group("left"), "left", "left").join(group("right"), "right", "left")

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if not batch.num_rows:
                continue
            pairs = dataclasses.replace(
                scored_pairs(batch), left=column(batch, "left"), right=column(batch, "right")
            )
            groups: dict[int, list[int]] = {}
            ids: dict[int, str] = {}
            for name in ("left", "right"):
                pos = column(batch, name).tolist()
                ids.update(zip(pos, batch.column(f"id_{name}").to_pylist(), strict=True))
                for docs in batch.column(f"{name}_copies").to_pylist():
                    if docs:
                        groups[docs[0]["pos"]] = [d["pos"] for d in docs]
                        ids.update((d["pos"], d["id"]) for d in docs)
            found = expand_to_copies(pairs, groups)
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(found.left),
                    pa.array(found.right),
                    pa.array([ids[d] for d in found.left.tolist()], pa.string()),
                    pa.array([ids[d] for d in found.right.tolist()], pa.string()),
                    *scored_columns(found),
                ],
                names=names(SCORED_SCHEMA),
            )

    return joined.mapInArrow(run, SCORED_SCHEMA)


def match(
    sketches: DataFrame,
    options: Options,
    *,
    report_overlap: bool = False,
    docs: DataFrame,
    furniture: Furniture,
) -> tuple[DataFrame, DataFrame]:
    """(scored pairs, candidate pairs): `engine.local.match` over a DataFrame of sketches, with
    the second look at the texts of `docs` (pos, text) without `furniture`."""
    exact, firsts, copies = exact_groups(sketches)
    candidates = candidate_pairs(sketches, firsts, options, report_overlap=report_overlap)
    candidates = candidates.persist()
    verified = verify_pairs(candidates, sketches, options, report_overlap=report_overlap)
    verified = second_look(verified, docs, options, furniture)
    return exact.unionByName(spread_to_copies(verified, copies.persist())), candidates


def pair_table(scored: DataFrame) -> DataFrame:
    """Scored pairs as the rows of the pairs output (`results.pair_rows`), with left and right."""
    schema = output_rows(["left", "right"], pair_schema())

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if not batch.num_rows:
                continue
            ids = batch.column("id_left").to_pylist() + batch.column("id_right").to_pylist()
            rows = [p.to_dict() for p in pair_rows(ids, scored_pairs(batch))]
            table = pa.RecordBatch.from_pylist(rows, schema=pair_schema())
            yield pa.RecordBatch.from_arrays(
                [batch.column("left"), batch.column("right"), *table.columns],
                names=schema.fieldNames(),
            )

    return scored.mapInArrow(run, schema)
