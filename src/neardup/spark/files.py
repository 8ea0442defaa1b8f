"""The Spark engine's side of the file driver (`neardup.engine.files`): .jsonl[.gz] or .parquet
inputs, or web pages (.html files, .warc[.gz] and .wet[.gz] files, each read and extracted by
the local readers in an executor task of its own), read into one DataFrame in input order,
matched and clustered by `dataframes`, and the output rows streamed to the driver one partition
at a time (a Parquet output is assembled in the driver's memory, as the local engine does)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from neardup.core.furniture import Furniture
from neardup.core.verify import RELATIONS
from neardup.errors import InputError
from neardup.io.html import PAGE_FIELDS, is_html, with_html_field
from neardup.io.progress import Reporter
from neardup.io.read import (
    JSONL_SUFFIXES,
    Record,
    RecordReader,
    check_html_field,
    read_path,
)
from neardup.io.saved_dataset import STATE, data_files, is_saved_dataset, open_stream
from neardup.io.warc import is_warc, warc_records
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
            df = read_inputs(spark, inputs, reader.id_field, reader.text_field, reader=reader)
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
            df = read_inputs(spark, inputs, *fields, date_field, reader=reader)
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

    def texts(self, ids: set[str]) -> dict[str, str]:
        raise NotImplementedError("the Spark engine writes no report")

    @property
    def furniture(self) -> Furniture:
        raise NotImplementedError("the Spark engine writes no report")


def read_inputs(
    spark: SparkSession,
    inputs: Sequence[str | Path],
    id_field: str,
    text_field: str,
    date_field: str | None = None,
    *,
    reader: RecordReader | None = None,
) -> DataFrame:
    """The records of .jsonl[.gz] or .parquet files, or of web pages, in input order, as one
    DataFrame.

    JSONL records are parsed in the executors as the local reader parses them, and carried as
    JSON so that the kept ones are written back unchanged (with the id, the text and the
    `date_field` as columns); Parquet files are read by Spark. Page files are read in the
    executors, one task a file, as the local reader reads them (`reader` carries its options:
    the html field of JSONL records, skipping bad WARC records).
    """
    reader = reader or RecordReader(id_field, text_field)
    kinds = {_kind(Path(p)) for p in inputs}
    if len(kinds) > 1:
        raise InputError(
            "with --engine spark, the inputs must be all .jsonl, all .parquet, all web pages "
            "(.html, .warc[.gz], .wet[.gz]) or all saved datasets"
        )
    if reader.html_field is not None:
        for path in inputs:  # pages have no html field, whatever the engine
            check_html_field(Path(path), reader.glob)
        if kinds != {"jsonl"}:
            raise InputError("with --engine spark, --html-field reads .jsonl inputs")
    if kinds == {"pages"}:
        return _pages(spark, [Path(p) for p in inputs], reader)
    if kinds == {"saved dataset"}:
        return _union([_saved_dataset(spark, Path(p)) for p in inputs])
    # One read per input, in the given order: a read of several files orders them by size.
    if kinds == {"parquet"}:
        return _union([spark.read.parquet(str(p)) for p in inputs])
    frames = [_jsonl(spark, Path(p), reader, date_field) for p in inputs]
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.unionByName(frame)
    return merged


def _union(frames: list[DataFrame]) -> DataFrame:
    """The frames one after the other, by column name (a column one lacks is null there)."""
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.unionByName(frame, allowMissingColumns=True)
    return merged


def _saved_dataset(spark: SparkSession, path: Path) -> DataFrame:
    """The rows of a `Dataset.save_to_disk` folder, each Arrow file read by pyarrow in a task
    of its own, in order."""
    from pyspark.sql.pandas.types import from_arrow_schema

    shards = data_files(path)  # checked as the local reader checks them, on the driver
    if not shards:
        raise InputError(f"{path / STATE}: lists no data files")
    with open_stream(shards[0]) as stream:
        schema = stream.schema

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for name in batch.column("path").to_pylist():
                with open_stream(Path(name)) as stream:
                    yield from stream

    # One partition a file, in order (not repartition, which scrambles rows): the engine numbers
    # rows by partition and row order.
    files = spark.sparkContext.parallelize([(str(s),) for s in shards], len(shards))
    return spark.createDataFrame(files, "path string").mapInArrow(read, from_arrow_schema(schema))


_SPARK_READS = (
    "--engine spark reads .jsonl[.gz], .parquet, .html and .warc[.gz] files, and folders "
    "written by Dataset.save_to_disk"
)


def _kind(path: Path) -> str:
    name = path.name.lower()
    if path.is_dir() and is_saved_dataset(path):
        return "saved dataset"
    if not path.is_file():
        raise InputError(f"{path}: no such file ({_SPARK_READS})")
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if is_html(path) or is_warc(path):
        return "pages"
    raise InputError(f"{path}: {_SPARK_READS}")


def _jsonl(
    spark: SparkSession, path: Path, settings: RecordReader, date_field: str | None
) -> DataFrame:
    """(id_field, text_field, [date_field,] RECORD) per non-blank line of a JSONL file, parsed
    in the executors as the local reader parses a line (`RecordReader.line_record`), a page in the
    html field extracted there too."""
    from pyspark.sql import functions as F

    where = str(path)
    id_field, text_field, html_field = settings.id_field, settings.text_field, settings.html_field
    names = list(dict.fromkeys([id_field, text_field, *([date_field] if date_field else [])]))

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        reader = RecordReader(id_field, text_field, html_field=html_field, parallel=False)
        for batch in batches:
            columns: list[list[Any]] = [[] for _ in names]
            records = []
            for record in _parsed_lines(batch.column("value").to_pylist(), reader, where):
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


def _parsed_lines(lines: list[str], reader: RecordReader, where: str) -> Iterator[Record]:
    """The records of JSONL lines, their pages extracted where the reader has an html field."""

    def parsed() -> Iterator[Record]:
        for line in lines:
            yield reader.line_record(line.encode("utf-8", "surrogatepass"), where)

    return parsed() if reader.html_field is None else with_html_field(parsed(), reader)


#: The columns of a page's row, besides the id and the text.
_FILE, _POSITION, _RECORD_ID = "_neardup_file", "_neardup_position", "_neardup_record_id"


def _pages(spark: SparkSession, paths: list[Path], settings: RecordReader) -> DataFrame:
    """The documents of web-page files, each file read and extracted in a task of its own by
    the local reader, in input order. A URI read in an earlier file gets its record id in its
    id, as the local reader gives it (each task knows the URIs of its own file only)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    id_field, text_field = settings.id_field, settings.text_field
    names = [id_field, *PAGE_FIELDS, text_field]
    skip = settings.skip_bad_records

    def read(part: Iterator[tuple[int, str]]) -> Iterator[tuple[Any, ...]]:
        for number, name in part:
            path = Path(name)
            reader = RecordReader(id_field, text_field, skip_bad_records=skip, parallel=False)
            found = (
                warc_records(path, reader)
                if is_warc(path)
                else ((r, None) for r in read_path(path, reader))
            )
            for position, (record, record_id) in enumerate(found):
                yield (number, position, *(record.fields[n] for n in names), record_id)

    columns = [f"{_FILE} int", f"{_POSITION} long", *(f"`{n}` string" for n in names)]
    schema = ", ".join([*columns, f"{_RECORD_ID} string"])
    files = list(enumerate(str(p) for p in paths))
    rows = spark.sparkContext.parallelize(files, len(files)).mapPartitions(read)
    df = spark.createDataFrame(rows, schema)
    earlier = F.row_number().over(Window.partitionBy(id_field).orderBy(_FILE, _POSITION)) > 1
    repeated = earlier & F.col(_RECORD_ID).isNotNull()
    unique = F.when(repeated, F.concat_ws(" ", id_field, _RECORD_ID)).otherwise(F.col(id_field))
    return (
        df.withColumn(id_field, unique).orderBy(_FILE, _POSITION).drop(_FILE, _POSITION, _RECORD_ID)
    )


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
