"""The Spark engine's side of the file driver (`neardup.engine.files`): .jsonl[.gz] or .parquet
inputs read into one DataFrame in input order, matched and clustered by `dataframes`, and the
output rows streamed to the driver one partition at a time (a Parquet output is assembled in the
driver's memory, as the local engine does)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from neardup.core.verify import RELATIONS
from neardup.errors import InputError
from neardup.io.progress import Reporter
from neardup.io.read import RecordReader, parse_json_line
from neardup.options import Options
from neardup.results import ClusterMember, Pair, Summary
from neardup.spark.components import MAX_ITERATIONS
from neardup.spark.dataframes import (
    RECORD,
    Matched,
    cluster,
    cluster_frame,
    kept_frame,
    match,
    pair_frame,
    session,
    user_errors,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


class SparkEngine:
    """`--engine spark`: the file driver's work on Spark (a session of its own unless given)."""

    reports = False
    takes_against = False

    def __init__(
        self, spark: SparkSession | None = None, *, max_iterations: int = MAX_ITERATIONS
    ) -> None:
        self.spark = spark
        self.max_iterations = max_iterations

    def find(
        self,
        inputs: Sequence[str | Path],
        reader: RecordReader,
        options: Options,
        *,
        report_overlap: bool,
        progress: bool | None,
    ) -> SparkRun:
        spark = self.spark or session(progress=progress)
        with user_errors():
            df = read_inputs(spark, inputs, reader.id_field, reader.text_field)
            run = match(df, reader.id_field, reader.text_field, None, options, report_overlap)
        return SparkRun(run, options)

    def deduplicate(
        self,
        inputs: Sequence[str | Path],
        reader: RecordReader,
        options: Options,
        *,
        keep: str,
        date_field: str | None,
        against: str | Path | None,
        progress: bool | None,
    ) -> SparkRun:
        spark = self.spark or session(progress=progress)
        fields = (reader.id_field, reader.text_field)
        with user_errors():
            df = read_inputs(spark, inputs, *fields, date_field)
            run = match(df, *fields, date_field, options, False)
        members, numbers = cluster(run, keep, options, self.max_iterations)
        return SparkRun(run, options, members, numbers)


class SparkRun:
    """A run's persisted tables; every row an output needs is computed by Spark as it is read."""

    #: Spark shows its own progress: the driver's stages show nothing.
    reporter = Reporter(False)

    def __init__(
        self,
        run: Matched,
        options: Options,
        members: DataFrame | None = None,
        numbers: DataFrame | None = None,
    ) -> None:
        self.run = run
        self.options = options
        self.members = members
        self.numbers = numbers

    def summary(self) -> Summary:
        with user_errors():
            found = _summary(self.run, self.options)
            if self.members is not None and self.numbers is not None:
                clusters = cluster_frame(self.members, self.numbers)
                found.clusters = clusters.filter("is_representative").count()
                found.removed = clusters.filter(~clusters["is_representative"]).count()
                found.kept = found.documents - found.removed
        return found

    def pair_rows(self) -> Iterator[Mapping[str, Any]]:
        return _rows(pair_frame(self.run))

    def cluster_rows(self) -> Iterator[Mapping[str, Any]]:
        assert self.members is not None and self.numbers is not None
        return _rows(cluster_frame(self.members, self.numbers))

    def kept_records(
        self, add_cluster_id: bool, advance: Callable[[int], None]
    ) -> Iterator[Mapping[str, Any]]:
        """Kept rows as the local engine writes them: JSONL records as read, Parquet rows as
        dicts."""
        assert self.members is not None and self.numbers is not None
        kept = kept_frame(self.run, self.members, self.numbers, add_cluster_id)
        for row in _rows(kept):
            if RECORD in row:
                record = json.loads(row.pop(RECORD))
                yield {**record, **{k: v for k, v in row.items() if k == "cluster_id"}}
            else:
                yield row

    def shown(self) -> tuple[list[Pair], list[ClusterMember]]:
        raise NotImplementedError("the Spark engine writes no report")


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
    """(id_field, text_field, [date_field,] RECORD) per non-blank line of a JSONL file, parsed
    in the executors as the local reader parses a line (`read.parse_json_line`)."""
    from pyspark.sql import functions as F

    where = str(path)
    names = list(dict.fromkeys([id_field, text_field, *([date_field] if date_field else [])]))

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        reader = RecordReader(id_field, text_field)
        for batch in batches:
            columns: list[list[Any]] = [[] for _ in names]
            records = []
            for line in batch.column("value").to_pylist():
                fields, clean = parse_json_line(line.encode("utf-8", "surrogatepass"), where)
                record = reader.make(fields, where, clean=clean)
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
    """The rows of a DataFrame in order, one partition at a time in the driver; an error in an
    executor is raised as the NeardupError it was."""
    with user_errors():
        for row in df.toLocalIterator(prefetchPartitions=True):
            yield row.asDict(recursive=True)


def _summary(run: Matched, options: Options) -> Summary:
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
    )
