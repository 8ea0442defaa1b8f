"""Find and deduplicate over files, for every engine: the outputs checked before any work, the
engine run, its pairs, clusters and kept records written, then the summary and the report.

An engine is picked by name (`local`, `spark`) and keeps to a narrow contract (`Engine`): match
the records of the input files, or match and cluster them, and hand back a `Run` whose rows
this driver writes. Outputs are JSONL (maybe gzipped) or Parquet, by their extension.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from neardup.engine import ENGINES
from neardup.errors import OptionsError, OutputError
from neardup.explain.report import check_report, pairs_to_explain, render_report, write_report
from neardup.io.progress import Reporter
from neardup.io.read import DEFAULT_GLOB, RecordReader
from neardup.io.write import JsonLines, all_or_none, check_output, write_rows
from neardup.options import Options, dated_keep, options_of
from neardup.results import ClusterMember, Pair, Summary, cluster_schema, pair_schema

if TYPE_CHECKING:
    from neardup.core.furniture import Furniture


class Run(Protocol):
    """What an engine found in the input files, for the driver to write."""

    #: Shows the driver's writing stages (the local engine's progress bars; silent on Spark).
    reporter: Reporter

    def summary(self) -> Summary:
        """What was read and found: documents, pairs by relation, and the clusters if any."""
        ...

    def pair_rows(self) -> Iterable[Mapping[str, Any]]:
        """The rows of the pairs output, in order."""
        ...

    def cluster_rows(self) -> Iterable[Mapping[str, Any]]:
        """The rows of the clusters output, in order (a run that clustered)."""
        ...

    def kept_records(
        self, add_cluster_id: bool, advance: Callable[[int], None]
    ) -> Iterable[Mapping[str, Any] | JsonLines]:
        """The kept input records, unchanged, in input order (a run that clustered); a run may
        give some as the lines `write.jsonl_line` writes for them."""
        ...

    def shown(self) -> tuple[list[Pair], list[ClusterMember]]:
        """The pairs and the cluster members a report shows."""
        ...

    def texts(self, ids: set[str]) -> dict[str, str]:
        """The texts of the documents with these ids, by one more read of the input (as this
        run read it: pages as their extracted articles)."""
        ...

    @property
    def furniture(self) -> Furniture:
        """The page furniture this run left out of similarity (and of the facts)."""
        ...


class Engine(Protocol):
    """Matches, or matches and clusters, the records of input files."""

    #: Whether the driver can write a report of its runs (it reads the shown texts again).
    reports: bool
    #: Whether `deduplicate` takes `against`, an index whose copies are removed too.
    takes_against: bool

    def find(
        self,
        inputs: Sequence[str | Path],
        reader: RecordReader,
        options: Options,
        *,
        report_overlap: bool,
        progress: bool | None,
    ) -> Run:
        """The related pairs of the inputs' records."""
        ...

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
    ) -> Run:
        """The related pairs and the clusters of the inputs' records; `against` names an index
        whose copies are removed too."""
        ...


def engine_named(engine: str | Engine) -> Engine:
    """The engine of that name (an engine is itself); pyspark is imported only for `spark`."""
    if not isinstance(engine, str):
        return engine
    if engine == "local":
        from neardup.engine.local_files import LocalEngine

        return LocalEngine()
    if engine == "spark":
        from neardup.spark.files import SparkEngine

        return SparkEngine()
    raise OptionsError(f"engine must be one of {', '.join(ENGINES)}, got '{engine}'")


@all_or_none()
def find_files(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    id_field: str = "id",
    text_field: str = "text",
    glob: str = DEFAULT_GLOB,
    html_field: str | None = None,
    skip_bad_records: bool = False,
    report_overlap: bool = False,
    report: str | Path | None = None,
    options: Options | None = None,
    progress: bool | None = None,
    engine: str | Engine = "local",
    **overrides: Any,
) -> Summary:
    """Read the input files, write the related pairs to `output` (.jsonl, .jsonl.gz, .parquet).

    `report`, when given, receives an HTML report (.html) with aligned diffs of the pairs.
    `glob` chooses which files of a folder are documents; `html_field` names a field holding an
    HTML page, whose main text is matched; `skip_bad_records` skips the truncated or corrupt
    records of WARC files (counted in the summary). The outputs are renamed into place
    together at the end (`write.all_or_none`). `engine` runs the work here (`local`) or on
    Spark (`spark`: .jsonl[.gz] or .parquet inputs).
    """
    options = options_of(options, overrides)
    runner = engine_named(engine)
    check_outputs(inputs, [output], report, runner)
    started = time.perf_counter()
    reader = RecordReader(
        id_field,
        text_field,
        glob=glob,
        html_field=html_field,
        skip_bad_records=skip_bad_records,
    )
    run = runner.find(inputs, reader, options, report_overlap=report_overlap, progress=progress)
    summary = run.summary()
    _write_pairs(output, run, summary)
    summary.outputs["pairs"] = str(output)
    summary.seconds = time.perf_counter() - started
    if report is not None:
        _report(report, summary, options, run)
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
    glob: str = DEFAULT_GLOB,
    html_field: str | None = None,
    skip_bad_records: bool = False,
    keep: str = "longest",
    date_field: str | None = None,
    add_cluster_id: bool = False,
    report: str | Path | None = None,
    against: str | Path | None = None,
    options: Options | None = None,
    progress: bool | None = None,
    engine: str | Engine = "local",
    **overrides: Any,
) -> Summary:
    """Read the input files and write the kept records, unchanged, to `output`.

    The inputs are read twice: once to sketch, once to copy the kept records, so that texts are
    never all in memory. `pairs` and `clusters`, when given, receive those tables too; all
    the outputs are renamed into place together at the end (`write.all_or_none`). `glob`
    chooses which files of a folder are documents; `html_field` and `skip_bad_records` are as
    in `find_files`.

    `against` names an index (:class:`neardup.Index`, built with the same options): records
    that are copies of an indexed document are removed too (see `index.query.is_copy`), and
    those pairs (id_a the record, id_b the indexed document) join the pairs output. The index is
    only read; page furniture is then recognized by its patterns only, as the index does (the
    local engine only).
    """
    runner = engine_named(engine)
    if against is not None and not runner.takes_against:
        raise OptionsError("--against works with the local engine only")
    options = options_of(options, overrides)
    check_outputs(inputs, [output, pairs, clusters], report, runner)
    started = time.perf_counter()
    reader = RecordReader(
        id_field,
        text_field,
        glob=glob,
        html_field=html_field,
        skip_bad_records=skip_bad_records,
    )
    run = runner.deduplicate(
        inputs,
        reader,
        options,
        keep=keep,
        date_field=dated_keep(keep, date_field),
        against=against,
        progress=progress,
    )
    summary = run.summary()
    if pairs is not None:
        _write_pairs(pairs, run, summary)
        summary.outputs["pairs"] = str(pairs)
    if clusters is not None:
        write_rows(clusters, run.cluster_rows(), cluster_schema)
        summary.outputs["clusters"] = str(clusters)
    with run.reporter.stage("writing kept records", total=summary.kept) as advance:
        write_rows(output, run.kept_records(add_cluster_id, advance))
    summary.outputs = {"deduplicated": str(output), **summary.outputs}
    summary.seconds = time.perf_counter() - started
    if report is not None:
        _report(report, summary, options, run)
    return summary


def check_outputs(
    inputs: Sequence[str | Path],
    outputs: Sequence[str | Path | None],
    report: str | Path | None,
    engine: Engine,
) -> None:
    """Fail before any work on an unwritable kind, or on an output that would overwrite an input."""
    if report is not None and not engine.reports:
        raise OptionsError("--report is not available with --engine spark")
    sources = {Path(i).resolve() for i in inputs}
    taken: set[Path] = set()
    for output in [*outputs, report]:
        if output is None:
            continue
        path = check_report(output) if output is report else check_output(output)
        if path.resolve() in sources:
            raise OutputError(f"{output}: is also an input; choose another output file")
        if path.resolve() in taken:
            raise OutputError(f"{output}: named twice; each output needs its own file")
        taken.add(path.resolve())


def _write_pairs(path: str | Path, run: Run, summary: Summary) -> None:
    with run.reporter.stage("writing pairs", total=sum(summary.pairs.values())):
        write_rows(path, run.pair_rows(), pair_schema)


def _report(path: str | Path, summary: Summary, options: Options, run: Run) -> None:
    """Write the HTML report; one more read of the input fetches the texts of explained pairs."""
    pairs, members = run.shown()
    texts = run.texts({i for p in pairs_to_explain(pairs) for i in (p.id_a, p.id_b)})
    html = render_report(
        summary=summary,
        options=options,
        pairs=pairs,
        clusters=members,
        texts=texts,
        furniture=run.furniture,
    )
    write_report(path, html)
    summary.outputs["report"] = str(path)
