"""The Spark engine: the local engine's pairs and clusters, computed over Spark DataFrames.

Sketching, banding, candidate pairs, exact verification, connected components and clustering run
in the executors with the same functions as the local engine (see `stages`, `clusters`); nothing
collects the pairs or the documents to the driver. The input order of a DataFrame (the order of
its partitions, and of the rows in each) plays the part of the local engine's input order: it
decides which side of a pair comes first and breaks ties of the keep policy.

Example (needs `pip install neardup[spark]` and a Java runtime)::

    from pyspark.sql import SparkSession
    import neardup.spark

    spark = SparkSession.builder.getOrCreate()
    docs = spark.read.parquet("news.parquet")
    neardup.spark.find_pairs(docs).write.parquet("pairs.parquet")
    result = neardup.spark.deduplicate(docs, keep="longest")
    result.kept.write.parquet("news.dedup.parquet")
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from neardup import errors
from neardup.errors import EngineUnavailable, InputError, NeardupError, shortened
from neardup.options import Options, dated_keep, options_of
from neardup.results import CLUSTER_COLUMNS, PAIR_COLUMNS
from neardup.spark import clusters, stages
from neardup.spark.components import MAX_ITERATIONS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: The column that carries each row's input position through the engine.
POS = "__neardup_pos"
#: The column that carries a JSONL record, as read, from the input to the kept output.
RECORD = "__neardup_record"


def _pyspark() -> Any:
    """The pyspark.sql module, or EngineUnavailable with the extra to install."""
    try:
        from pyspark import sql
    except ImportError:
        raise EngineUnavailable(
            "the Spark engine needs pyspark: install neardup[spark] (and a Java 17+ runtime)"
        ) from None
    return sql


def session(master: str | None = None, *, progress: bool | None = None) -> SparkSession:
    """The active Spark session as it is, or a new one (on `master`, else as spark-submit
    configured it).

    Started from plain Python (not spark-submit), executors run this interpreter unless
    PYSPARK_PYTHON says otherwise, so that they import the same neardup. `progress` False turns
    Spark's console progress bar off in a new session.
    """
    active = _pyspark().SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = _pyspark().SparkSession.builder.appName("neardup")
    if master is not None:
        builder = builder.master(master)
    if progress is False:
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    if "PYSPARK_GATEWAY_PORT" not in os.environ:  # set by spark-submit, which knows better
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        submit_args = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
        if _on_this_machine(master, submit_args):
            builder = _local_defaults(builder, submit_args)
    from pyspark.errors import PySparkRuntimeError

    try:
        return builder.getOrCreate()
    except PySparkRuntimeError as error:  # most often: no Java, so no JVM to talk to
        raise EngineUnavailable(
            f"Spark did not start ({error.getCondition()}): it needs a Java 17+ runtime "
            "(e.g. apt-get install openjdk-17-jre-headless)"
        ) from None


def _local_defaults(builder: Any, submit_args: str) -> Any:
    """Settings for local mode that the user did not give: everything runs in the driver's JVM."""
    if "shuffle.partitions" not in submit_args:
        # Spark's 200 shuffle partitions suit a cluster; on one machine, where each task costs
        # more than its data, a few per core are much faster.
        cores = os.cpu_count() or 1
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
    if "driver-memory" not in submit_args and "driver.memory" not in submit_args:
        # With the default 1 GB heap, 40,000 news documents already run out of memory.
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        builder = builder.config("spark.driver.memory", f"{max(1, physical // 2**31)}g")
    return builder


def _on_this_machine(master: str | None, submit_args: str) -> bool:
    """Whether the session's master is local mode (pyspark's default when none is given)."""
    if master is None:
        args = submit_args.split()
        master = args[args.index("--master") + 1] if "--master" in args[:-1] else "local[*]"
    return master.startswith("local")


@dataclass
class SparkDeduplication:
    """What :func:`deduplicate` returns: lazy DataFrames, in the local engine's row order.

    They read the run's persisted tables (input, sketches, pairs): `spark.catalog.clearCache()`
    frees them once the results are written.
    """

    #: The input rows that are kept, unchanged (plus `cluster_id` when asked for).
    kept: DataFrame
    #: The related pairs, columns as in the local pairs output.
    pairs: DataFrame
    #: The members of every cluster, columns as in the local clusters output.
    clusters: DataFrame


@dataclass
class Matched:
    """The persisted tables of one run: indexed input, sketches, candidates and scored pairs."""

    indexed: DataFrame
    sketches: DataFrame
    candidates: DataFrame
    scored: DataFrame


def find_pairs(
    df: DataFrame,
    *,
    id_field: str = "id",
    text_field: str = "text",
    report_overlap: bool = False,
    options: Options | None = None,
    **overrides: Any,
) -> DataFrame:
    """Every pair of related rows of `df`, as :func:`neardup.find_pairs` finds them.

    Columns: id_a, id_b, relation, jaccard, containment_a_in_b, containment_b_in_a,
    differs_only_in; sorted by input position (id_a first in the input).
    """
    run = match(df, id_field, text_field, None, options_of(options, overrides), report_overlap)
    return pair_frame(run)


def deduplicate(
    df: DataFrame,
    *,
    id_field: str = "id",
    text_field: str = "text",
    keep: str = "longest",
    date_field: str | None = None,
    add_cluster_id: bool = False,
    options: Options | None = None,
    max_iterations: int = MAX_ITERATIONS,
    **overrides: Any,
) -> SparkDeduplication:
    """Keep one row of each cluster of copies, as :func:`neardup.deduplicate` does.

    `max_iterations` bounds the rounds of connected components (ConvergenceError beyond).
    """
    options = options_of(options, overrides)
    date_field = dated_keep(keep, date_field)
    run = match(df, id_field, text_field, date_field, options, False)
    members, numbers = cluster(run, keep, options, max_iterations)
    return SparkDeduplication(
        kept=kept_frame(run, members, numbers, add_cluster_id),
        pairs=pair_frame(run),
        clusters=cluster_frame(members, numbers),
    )


def match(
    df: DataFrame,
    id_field: str,
    text_field: str,
    date_field: str | None,
    options: Options,
    report_overlap: bool,
) -> Matched:
    """The rows of `df` sketched and matched, their tables persisted."""
    sql = _pyspark()
    F = sql.functions
    _check_columns(df, [id_field, text_field, *([date_field] if date_field else [])])
    if not isinstance(df.schema[text_field].dataType, sql.types.StringType):
        raise InputError(
            f"text field '{text_field}' is a {df.schema[text_field].dataType.simpleString()}, "
            "not a string"
        )
    # Positions are fixed once: monotonically_increasing_id follows partition and row order.
    indexed = df.withColumn(POS, F.monotonically_increasing_id())
    cores = df.sparkSession.sparkContext.defaultParallelism
    if df.rdd.getNumPartitions() < cores:  # a small file is one partition: spread the sketching
        indexed = indexed.repartition(cores)
    indexed = indexed.persist()
    columns = [
        F.col(POS).alias("pos"),
        F.col(id_field).cast("string").alias("id"),
        F.coalesce(F.col(text_field), F.lit("")).alias("text"),
    ]
    if date_field:
        columns.append(F.col(date_field).alias("date"))
    docs = indexed.select(*columns)
    with user_errors():
        _check_ids(docs, id_field)
        furniture = stages.furniture_lines(docs, options)
        sketches = stages.sketch(docs, options, furniture, date_field).persist()
        dated = sketches.filter(F.col("stamp").isNotNull())
        if date_field and dated.isEmpty() and not docs.isEmpty():
            raise InputError(f"no document has a date in the field '{date_field}'")
    scored, candidates = stages.match(
        sketches, options, report_overlap=report_overlap, docs=docs, furniture=furniture
    )
    return Matched(indexed, sketches, candidates, scored.persist())


def _check_columns(df: DataFrame, names: Sequence[str]) -> None:
    for name in names:
        if name not in df.columns:
            raise InputError(f"no column '{name}' (columns: {', '.join(df.columns)})")


def _check_ids(docs: DataFrame, id_field: str) -> None:
    from pyspark.sql import functions as F

    if not docs.filter(F.col("id").isNull()).isEmpty():
        raise InputError(f"a row has no id in '{id_field}' (choose the field with --id-field)")
    twice = docs.groupBy("id").count().filter(F.col("count") > 1).limit(1).collect()
    if twice:
        raise InputError(f"duplicate id '{shortened(twice[0]['id'])}'")


def pair_frame(run: Matched) -> DataFrame:
    """The rows of the pairs output, in the local engine's order."""
    table = stages.pair_table(run.scored)
    return table.orderBy("left", "right").select(*PAIR_COLUMNS)


def cluster(
    run: Matched, keep: str, options: Options, max_iterations: int
) -> tuple[DataFrame, DataFrame]:
    """(members, numbers) of a run's clusters, persisted: every clustered document with its
    representative (`clusters.cluster_members`), and the number of every cluster."""
    with user_errors():
        members = clusters.cluster_members(
            run.scored,
            run.sketches,
            keep,
            numbers_matter=options.numbers_matter,
            max_iterations=max_iterations,
        ).persist()
        numbers = clusters.number_clusters(members).persist()
    return members, numbers


def cluster_frame(members: DataFrame, numbers: DataFrame) -> DataFrame:
    """The rows of the clusters output, in the local engine's order."""
    from pyspark.sql import functions as F

    return (
        clusters.cluster_table(members, numbers)
        .orderBy("cluster_id", F.col("is_representative").desc(), "pos")
        .select(*CLUSTER_COLUMNS)
    )


def kept_frame(
    run: Matched, members: DataFrame, numbers: DataFrame, add_cluster_id: bool
) -> DataFrame:
    """The input rows that are no copy of another, in input order (with `cluster_id`)."""
    from pyspark.sql import functions as F

    removed = members.filter(F.col("pos") != F.col("rep")).select(F.col("pos").alias(POS))
    kept = run.indexed.join(removed, POS, "left_anti")
    if add_cluster_id:
        reps = numbers.select(F.col("rep").alias(POS), "cluster_id")
        kept = kept.join(reps, POS, "left")
    return kept.orderBy(POS).drop(POS)


_ERROR = re.compile(r"neardup\.errors\.(\w+): (.*)")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """A NeardupError raised in an executor, raised again in the driver as itself.

    An executor's exception reaches the driver only as the text of Spark's error
    (PythonException), so that text is the contract: its line `neardup.errors.Kind: message`,
    which Python writes for an uncaught exception of the module `neardup.errors`. Errors raised
    in the driver pass as they are."""
    try:
        yield
    except NeardupError:
        raise
    except Exception as error:
        found = _ERROR.search(str(error))
        kind = getattr(errors, found.group(1), None) if found else None
        if found is None or not (isinstance(kind, type) and issubclass(kind, NeardupError)):
            raise
        raise kind(found.group(2)) from None


__all__ = ["SparkDeduplication", "deduplicate", "find_pairs", "session"]
