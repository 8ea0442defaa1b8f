"""The Spark engine: the local engine's pairs and clusters, computed over Spark DataFrames.

Sketching, banding, candidate pairs, exact verification, connected components and clustering run
in the executors with the same functions as the local engine (see `spark_stages`); nothing
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
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from neardup import errors, spark_stages
from neardup.api import _check_outputs as check_outputs
from neardup.api import _date_field, _options
from neardup.components import MAX_ITERATIONS
from neardup.errors import EngineUnavailable, InputError, NeardupError, OptionsError, shortened
from neardup.options import Options
from neardup.read import RecordReader, malformed_json
from neardup.results import Summary
from neardup.verify import RELATIONS
from neardup.write import CLUSTER_SCHEMA, PAIR_SCHEMA, all_or_none, write_rows

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
class _Run:
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
    run = _match(df, id_field, text_field, None, _options(options, overrides), report_overlap)
    return _pairs(run)


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
    options = _options(options, overrides)
    date_field = _date_field(keep, date_field)
    run = _match(df, id_field, text_field, date_field, options, False)
    kept, clusters = _cluster(run, keep, options, add_cluster_id, max_iterations)
    return SparkDeduplication(kept=kept, pairs=_pairs(run), clusters=clusters)


def _match(
    df: DataFrame,
    id_field: str,
    text_field: str,
    date_field: str | None,
    options: Options,
    report_overlap: bool,
) -> _Run:
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
    with _user_errors():
        _check_ids(docs, id_field)
        furniture = spark_stages.furniture_lines(docs, options)
        sketches = spark_stages.sketch(docs, options, furniture, date_field).persist()
        dated = sketches.filter(F.col("stamp").isNotNull())
        if date_field and dated.isEmpty() and not docs.isEmpty():
            raise InputError(f"no document has a date in the field '{date_field}'")
    scored, candidates = spark_stages.match(
        sketches, options, report_overlap=report_overlap, docs=docs, furniture=furniture
    )
    return _Run(indexed, sketches, candidates, scored.persist())


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


def _pairs(run: _Run) -> DataFrame:
    table = spark_stages.pair_table(run.scored)
    return table.orderBy("left", "right").select(*PAIR_SCHEMA.names)


def _cluster(
    run: _Run, keep: str, options: Options, add_cluster_id: bool, max_iterations: int
) -> tuple[DataFrame, DataFrame]:
    """(kept rows, cluster rows) of a run."""
    from pyspark.sql import functions as F

    with _user_errors():
        members = spark_stages.cluster_members(
            run.scored,
            run.sketches,
            keep,
            numbers_matter=options.numbers_matter,
            max_iterations=max_iterations,
        ).persist()
        numbers = spark_stages.number_clusters(members).persist()
    clusters = (
        spark_stages.cluster_table(members, numbers)
        .orderBy("cluster_id", F.col("is_representative").desc(), "pos")
        .select(*CLUSTER_SCHEMA.names)
    )
    removed = members.filter(F.col("pos") != F.col("rep")).select(F.col("pos").alias(POS))
    kept = run.indexed.join(removed, POS, "left_anti")
    if add_cluster_id:
        reps = numbers.select(F.col("rep").alias(POS), "cluster_id")
        kept = kept.join(reps, POS, "left")
    return kept.orderBy(POS).drop(POS), clusters


_ERROR = re.compile(r"neardup\.errors\.(\w+): (.*)")


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """A NeardupError raised in an executor, raised again in the driver as itself."""
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


# -- Files in and out, for the CLI -----------------------------------------------------------


@all_or_none()
def find_files(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    id_field: str = "id",
    text_field: str = "text",
    report_overlap: bool = False,
    report: str | Path | None = None,
    options: Options | None = None,
    progress: bool | None = None,
    spark: SparkSession | None = None,
) -> Summary:
    """:func:`neardup.find_files` on Spark: the same pairs file (inputs .jsonl[.gz]/.parquet)."""
    started = time.perf_counter()
    options = options or Options()
    _check_outputs(inputs, [output], report)
    spark = spark or session(progress=progress)
    with _user_errors():
        df = read_inputs(spark, inputs, id_field, text_field)
        run = _match(df, id_field, text_field, None, options, report_overlap)
        write_rows(output, _rows(_pairs(run)), PAIR_SCHEMA)
        summary = _summary(run, options, started)
    summary.outputs["pairs"] = str(output)
    return summary


@all_or_none()
def deduplicate_files(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    pairs: str | Path | None = None,
    clusters: str | Path | None = None,
    id_field: str = "id",
    text_field: str = "text",
    keep: str = "longest",
    date_field: str | None = None,
    add_cluster_id: bool = False,
    report: str | Path | None = None,
    options: Options | None = None,
    progress: bool | None = None,
    spark: SparkSession | None = None,
    max_iterations: int = MAX_ITERATIONS,
) -> Summary:
    """:func:`neardup.deduplicate_files` on Spark: the same output files.

    Outputs are streamed to the driver one partition at a time and written as the local engine
    writes them (a Parquet output is assembled in the driver's memory, as locally).
    """
    started = time.perf_counter()
    options = options or Options()
    _check_outputs(inputs, [output, pairs, clusters], report)
    date_field = _date_field(keep, date_field)
    spark = spark or session(progress=progress)
    with _user_errors():
        df = read_inputs(spark, inputs, id_field, text_field, date_field)
        run = _match(df, id_field, text_field, date_field, options, False)
        kept, members = _cluster(run, keep, options, add_cluster_id, max_iterations)
        summary = _summary(run, options, started)
        if pairs is not None:
            write_rows(pairs, _rows(_pairs(run)), PAIR_SCHEMA)
            summary.outputs["pairs"] = str(pairs)
        if clusters is not None:
            write_rows(clusters, _rows(members), CLUSTER_SCHEMA)
            summary.outputs["clusters"] = str(clusters)
        summary.clusters = members.filter("is_representative").count()
        summary.removed = members.filter(~members["is_representative"]).count()
        summary.kept = summary.documents - summary.removed
        write_rows(output, _records(kept))
    summary.outputs = {"deduplicated": str(output), **summary.outputs}
    summary.seconds = time.perf_counter() - started
    return summary


def _check_outputs(
    inputs: Sequence[str | Path], outputs: Sequence[str | Path | None], report: str | Path | None
) -> None:
    if report is not None:
        raise OptionsError("--report is not available with --engine spark")
    check_outputs(inputs, outputs)


def read_inputs(
    spark: SparkSession,
    inputs: Sequence[str | Path],
    id_field: str,
    text_field: str,
    date_field: str | None = None,
) -> DataFrame:
    """The records of .jsonl[.gz] or .parquet files, in input order, as one DataFrame.

    JSONL records are parsed in the executors as the local reader parses them, and carried as
    JSON so that the kept ones are written back unchanged (with the id, the text and the
    `date_field` as columns); Parquet files are read by Spark.
    """
    kinds = {_kind(Path(p)) for p in inputs}
    if len(kinds) > 1:
        raise InputError("with --engine spark, the inputs must be all .jsonl or all .parquet")
    # One read per input, in the given order: a read of several files orders them by size.
    if kinds == {"parquet"}:
        frames = [spark.read.parquet(str(p)) for p in inputs]
        merged = frames[0]
        for frame in frames[1:]:
            merged = merged.unionByName(frame, allowMissingColumns=True)
        return merged
    frames = [_jsonl(spark, Path(p), id_field, text_field, date_field) for p in inputs]
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.unionByName(frame)
    return merged


def _kind(path: Path) -> str:
    name = path.name.lower()
    if not path.is_file():
        raise InputError(f"{path}: no such file (--engine spark reads .jsonl and .parquet files)")
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
        return "jsonl"
    raise InputError(f"{path}: --engine spark reads .jsonl[.gz] and .parquet files")


def _jsonl(
    spark: SparkSession, path: Path, id_field: str, text_field: str, date_field: str | None
) -> DataFrame:
    """(id_field, text_field, [date_field,] RECORD) per non-blank line of a JSONL file."""
    from pyspark.sql import functions as F

    where = str(path)
    names = list(dict.fromkeys([id_field, text_field, *([date_field] if date_field else [])]))

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        reader = RecordReader(id_field, text_field)
        for batch in batches:
            columns: list[list[Any]] = [[] for _ in names]
            records = []
            for line in batch.column("value").to_pylist():
                try:
                    fields = json.loads(line.removeprefix("\ufeff"))
                except json.JSONDecodeError as error:
                    raise malformed_json(where, error) from None
                record = reader.make(fields, where)
                columns[0].append(record.id)
                columns[1].append(record.text)
                if len(names) > 2:
                    date = record.fields.get(names[2])
                    columns[2].append(None if date is None else str(date))
                records.append(json.dumps(record.fields, ensure_ascii=False, default=str))
            yield pa.RecordBatch.from_arrays(
                [pa.array(c, pa.string()) for c in [*columns, records]], names=[*names, RECORD]
            )

    lines = spark.read.text(str(path)).filter(F.trim("value") != "")
    schema = ", ".join(f"`{name}` string" for name in [*names, RECORD])
    return lines.mapInArrow(parse, schema)


def _rows(df: DataFrame) -> Iterator[dict[str, Any]]:
    """The rows of a DataFrame in order, one partition at a time in the driver."""
    for row in df.toLocalIterator(prefetchPartitions=True):
        yield row.asDict(recursive=True)


def _records(kept: DataFrame) -> Iterator[dict[str, Any]]:
    """Kept rows as the local engine writes them: JSONL records as read, Parquet rows as dicts."""
    for row in _rows(kept):
        if RECORD in row:
            record = json.loads(row.pop(RECORD))
            yield {**record, **{k: v for k, v in row.items() if k == "cluster_id"}}
        else:
            yield row


def _summary(run: _Run, options: Options, started: float) -> Summary:
    """What the run found, counted in the executors."""
    from pyspark.sql import functions as F

    tokens = F.col("tokens")
    counts = run.sketches.agg(
        F.count(F.lit(1)).alias("documents"),
        F.sum((tokens == 0).cast("long")).alias("empty"),
        F.sum(((tokens > 0) & (tokens < options.min_words)).cast("long")).alias("too_short"),
    ).first()
    relations = {r.relation: r["count"] for r in run.scored.groupBy("relation").count().collect()}
    return Summary(
        documents=int(counts["documents"]),
        empty=int(counts["empty"] or 0),
        too_short=int(counts["too_short"] or 0),
        candidates=run.candidates.count(),
        pairs={RELATIONS[r]: int(relations[r]) for r in sorted(relations)},
        seconds=time.perf_counter() - started,
    )


__all__ = [
    "SparkDeduplication",
    "deduplicate",
    "deduplicate_files",
    "find_pairs",
    "read_inputs",
    "session",
]
