"""The public Python API: compare two texts, find related pairs, deduplicate a corpus.

Records are dicts (or the rows of a pyarrow Table or pandas DataFrame) with an id and a text
field; the `*_files` functions read and write files, as the CLI does.
"""

from __future__ import annotations

import functools
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neardup import kernel
from neardup.align import align
from neardup.charlook import second_look
from neardup.cluster import Clusters
from neardup.errors import InputError, OptionsError, OutputError
from neardup.index import Index, Match, is_copy
from neardup.options import Options
from neardup.pipeline import (
    Corpus,
    TextsOf,
    cluster_corpus,
    collect,
    furniture_lines,
    load_kernels,
    match,
    reread_texts,
)
from neardup.prescan import parallel_recurring_lines
from neardup.progress import Reporter
from neardup.read import (
    DEFAULT_GLOB,
    Record,
    RecordReader,
    read_paths,
    read_paths_at,
    read_records,
    records_at,
    rows_of,
)
from neardup.report import check_report, pairs_to_explain, render_report, write_report
from neardup.results import (
    ClusterMember,
    Comparison,
    Pair,
    Summary,
    cluster_rows,
    differs_only_in,
    pair_rows,
)
from neardup.sketch import sketch_texts
from neardup.verify import EXACT, RELATIONS, ScoredPairs, score_pairs
from neardup.write import all_or_none, check_output, cluster_schema, pair_schema, write_rows


def _options(options: Options | None, overrides: Mapping[str, Any]) -> Options:
    if options is not None and overrides:
        raise OptionsError("give either options= or keyword options, not both")
    try:
        return options if options is not None else Options(**overrides)
    except TypeError as error:  # an unknown keyword
        raise OptionsError(str(error).replace("__init__()", "options")) from None


def compare(
    a: str, b: str, *, explain: bool = True, options: Options | None = None, **overrides: Any
) -> Comparison:
    """How text `b` relates to text `a`, with exact scores and (`explain`) a sentence alignment.

    >>> result = compare("“The quick brown fox” jumps over the lazy dog… " * 3,
    ...                  '"THE QUICK BROWN FOX" jumps over the lazy dog... ' * 3)
    >>> result.relation
    'exact'
    """
    options = _options(options, overrides)
    furniture: frozenset[int] | None = frozenset() if options.ignore_boilerplate else None
    sketches = sketch_texts(
        [a, b], ngram=options.ngram, num_perm=8, seed=options.seed, furniture=furniture
    )
    tokens = sketches.token_counts
    alignment = align(a, b) if explain else ()
    has_text = sketches.exact_keys[0] != kernel.EMPTY_KEY
    if has_text and sketches.exact_keys[0] == sketches.exact_keys[1]:
        return Comparison(
            relation=RELATIONS[EXACT],
            jaccard=1.0,
            containment_a_in_b=1.0,
            containment_b_in_a=1.0,
            alignment=alignment,
        )
    left, right = np.array([0]), np.array([1])
    scored = score_pairs(sketches, left, right, options, report_overlap=True)
    scored = second_look(scored, lambda _: {0: a, 1: b}, options, furniture)
    relation = scored.relation[0]
    if tokens.min() < options.min_words:
        relation = 0  # too short to be matched unless identical
    return Comparison(
        relation=RELATIONS[relation],
        jaccard=round(float(scored.jaccard[0]), 6),
        containment_a_in_b=round(float(scored.containment_left_in_right[0]), 6),
        containment_b_in_a=round(float(scored.containment_right_in_left[0]), 6),
        differs_only_in=differs_only_in(scored, 0) if relation else None,
        alignment=alignment,
    )


@dataclass
class Deduplication:
    """The result of :func:`deduplicate`: what is kept, and why the rest is not."""

    kept: Any  # the same kind of container as the input: list of dicts, pyarrow.Table, DataFrame
    pairs: list[Pair]
    clusters: list[ClusterMember]
    summary: Summary = field(default_factory=Summary)


def find_pairs(
    records: Any,
    *,
    id_field: str = "id",
    text_field: str = "text",
    report_overlap: bool = False,
    options: Options | None = None,
    progress: bool = False,
    **overrides: Any,
) -> list[Pair]:
    """Every pair of related records, with exact scores, in input order.

    >>> story = "the river rose overnight and the town council closed the old bridge"
    >>> docs = [{"id": "a", "text": story}, {"id": "b", "text": story.upper()}]
    >>> [(p.id_a, p.id_b, p.relation) for p in find_pairs(docs)]
    [('a', 'b', 'exact')]
    """
    options = _options(options, overrides)
    reader = RecordReader(id_field, text_field)
    records = _in_memory(records, "find_pairs", "find_files")
    read = functools.partial(read_records, records)
    reporter = Reporter(progress)
    corpus = _collect(read, reader, options, reporter)
    pairs = match(
        corpus,
        options,
        report_overlap=report_overlap,
        texts=_texts(read, reader),
        reporter=reporter,
    )
    return list(pair_rows(corpus.ids, pairs))


def deduplicate(
    records: Any,
    *,
    id_field: str = "id",
    text_field: str = "text",
    keep: str = "longest",
    date_field: str | None = None,
    add_cluster_id: bool = False,
    options: Options | None = None,
    progress: bool = False,
    **overrides: Any,
) -> Deduplication:
    """Keep one record of each cluster of copies (by the `keep` policy), in input order.

    `keep` is `longest` (most words), `first`, `newest` or `oldest` (by `date_field`, ISO 8601).

    >>> story = "the river rose overnight and the town council closed the old bridge"
    >>> docs = [{"id": "a", "text": story}, {"id": "b", "text": story + " until friday"}]
    >>> [d["id"] for d in deduplicate(docs).kept]
    ['b']
    """
    options = _options(options, overrides)
    started = time.perf_counter()
    records = _in_memory(records, "deduplicate", "deduplicate_files")
    reader = RecordReader(id_field, text_field)
    read = functools.partial(read_records, records)
    reporter = Reporter(progress)
    corpus = _collect(read, reader, options, reporter, date_field=_date_field(keep, date_field))
    pairs = match(corpus, options, texts=_texts(read, reader), reporter=reporter)
    clusters = cluster_corpus(corpus, pairs, keep, numbers_matter=options.numbers_matter)
    kept = _select(records, ~clusters.removed, clusters.cluster_id if add_cluster_id else None)
    return Deduplication(
        kept=kept,
        pairs=list(pair_rows(corpus.ids, pairs)),
        clusters=list(cluster_rows(corpus.ids, clusters)),
        summary=_summary(corpus, reader, options, pairs, clusters, started),
    )


@all_or_none()
def find_files(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    id_field: str = "id",
    text_field: str = "text",
    glob: str = DEFAULT_GLOB,
    report_overlap: bool = False,
    report: str | Path | None = None,
    options: Options | None = None,
    progress: bool | None = None,
    **overrides: Any,
) -> Summary:
    """Read the input files, write the related pairs to `output` (.jsonl, .jsonl.gz, .parquet).

    `report`, when given, receives an HTML report (.html) with aligned diffs of the pairs.
    `glob` chooses which files of a folder are documents. The outputs are renamed into place
    together at the end (`write.all_or_none`).
    """
    options = _options(options, overrides)
    _check_outputs(inputs, [output], report)
    started = time.perf_counter()
    reporter = Reporter(progress)
    reader = RecordReader(id_field, text_field, glob=glob)
    read = functools.partial(read_paths, inputs)
    corpus = _collect(read, reader, options, reporter, paths=inputs)
    texts = _file_texts(inputs, reader)
    pairs = match(corpus, options, report_overlap=report_overlap, texts=texts, reporter=reporter)
    _write_pairs(output, corpus, pairs, reporter)
    summary = _summary(corpus, reader, options, pairs, None, started)
    summary.outputs["pairs"] = str(output)
    if report is not None:
        _report(report, lambda r: read_paths(inputs, r), reader, summary, options, corpus, pairs)
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
    keep: str = "longest",
    date_field: str | None = None,
    add_cluster_id: bool = False,
    report: str | Path | None = None,
    against: str | Path | None = None,
    options: Options | None = None,
    progress: bool | None = None,
    **overrides: Any,
) -> Summary:
    """Read the input files and write the kept records, unchanged, to `output`.

    The inputs are read twice: once to sketch, once to copy the kept records, so that texts are
    never all in memory. `pairs` and `clusters`, when given, receive those tables too; all
    the outputs are renamed into place together at the end (`write.all_or_none`). `glob`
    chooses which files of a folder are documents.

    `against` names an index (:class:`neardup.Index`, built with the same options): records
    that are copies of an indexed document are removed too (see `index.is_copy`), and those
    pairs (id_a the record, id_b the indexed document) join the pairs output. The index is only
    read; page furniture is then recognized by its patterns only, as the index does.
    """
    options = _options(options, overrides)
    _check_outputs(inputs, [output, pairs, clusters], report)
    started = time.perf_counter()
    reporter = Reporter(progress)
    reader = RecordReader(id_field, text_field, glob=glob)
    index = None if against is None else Index(against, options, create=False)
    read = functools.partial(read_paths, inputs)
    try:
        corpus = _collect(
            read,
            reader,
            options,
            reporter,
            date_field=_date_field(keep, date_field),
            corpus_furniture=index is None,
            paths=inputs,
        )
        known = [] if index is None else _known_copies(index, corpus, options, reporter)
    finally:
        if index is not None:
            index.close()
    scored = match(corpus, options, texts=_file_texts(inputs, reader), reporter=reporter)
    found = cluster_corpus(corpus, scored, keep, numbers_matter=options.numbers_matter)
    summary = _summary(corpus, reader, options, scored, found, started)
    copies = np.zeros(len(corpus.ids), dtype=bool)
    copies[[doc for doc, m in known if is_copy(m, options)]] = True
    removed = found.removed | copies
    summary.known_copies = int((copies & ~found.removed).sum())
    summary.removed += summary.known_copies
    summary.kept -= summary.known_copies
    if pairs is not None:
        cross = (_known_pair(corpus.ids[doc], m) for doc, m in known)
        _write_pairs(pairs, corpus, scored, reporter, cross)
        summary.outputs["pairs"] = str(pairs)
    if clusters is not None:
        rows = (m.to_dict() for m in cluster_rows(corpus.ids, found))
        write_rows(clusters, rows, cluster_schema)
        summary.outputs["clusters"] = str(clusters)
    reread = read_paths(inputs, reader.fresh())
    with reporter.stage("writing kept records", total=summary.kept) as advance:
        kept = _kept_fields(reread, corpus, found, removed, add_cluster_id, advance)
        write_rows(output, kept)
    summary.outputs = {"deduplicated": str(output), **summary.outputs}
    summary.seconds = time.perf_counter() - started
    if report is not None:
        reread_inputs = functools.partial(read_paths, inputs)
        _report(report, reread_inputs, reader, summary, options, corpus, scored, found)
    return summary


def _report(
    path: str | Path,
    read: Callable[[RecordReader], Iterable[Record]],
    reader: RecordReader,
    summary: Summary,
    options: Options,
    corpus: Corpus,
    scored: ScoredPairs,
    clusters: Clusters | None = None,
) -> None:
    """Write the HTML report; one more read of the input fetches the texts of explained pairs."""
    pairs = list(pair_rows(corpus.ids, scored))
    members = [] if clusters is None else list(cluster_rows(corpus.ids, clusters))
    needed = {i for p in pairs_to_explain(pairs) for i in (p.id_a, p.id_b)}
    texts = {r.id: r.text for r in read(reader.fresh()) if r.id in needed}
    html = render_report(
        summary=summary, options=options, pairs=pairs, clusters=members, texts=texts
    )
    write_report(path, html)
    summary.outputs["report"] = str(path)


def _collect(
    read: Callable[[RecordReader], Iterable[Record]],
    reader: RecordReader,
    options: Options,
    reporter: Reporter,
    *,
    date_field: str | None = None,
    corpus_furniture: bool = True,
    paths: Sequence[str | Path] = (),
) -> Corpus:
    """Sketch the records that `read` yields; a first read finds the corpus's page furniture
    (without `corpus_furniture`, furniture is recognized by its patterns only). When `read`
    reads `paths` and they are large JSONL files, that first read runs on every core."""
    furniture = frozenset() if options.ignore_boilerplate else None
    if corpus_furniture and furniture is not None:
        found = parallel_recurring_lines(
            paths,
            reader,
            min_docs=options.boilerplate_min_docs,
            meanwhile=functools.partial(load_kernels, options),
        )
        if found is None:
            found = furniture_lines(read(reader.fresh()), options)
        furniture = frozenset(found or ())
    return collect(
        read(reader), options, furniture=furniture, date_field=date_field, reporter=reporter
    )


def _texts(read: Callable[[RecordReader], Iterable[Record]], reader: RecordReader) -> TextsOf:
    """The texts of a set of documents by one more read of in-memory records (the second look)."""
    return reread_texts(lambda positions: records_at(read(reader.fresh()), positions))


def _file_texts(inputs: Sequence[str | Path], reader: RecordReader) -> TextsOf:
    """The texts of a set of documents by one more read of the input files, which parses only
    their JSONL lines (the second look)."""
    return reread_texts(lambda positions: read_paths_at(inputs, reader.fresh(), positions))


def _kept_fields(
    records: Iterator[Record],
    corpus: Corpus,
    clusters: Clusters,
    removed: np.ndarray,
    add_cluster_id: bool,
    advance: Any,
) -> Iterator[Mapping[str, Any]]:
    for index, record in enumerate(records):
        if index >= len(corpus.ids) or record.id != corpus.ids[index]:
            raise InputError(f"{record.where}: the input changed while neardup was reading it")
        if removed[index]:
            continue
        advance(1)
        if add_cluster_id:
            cluster_id = int(clusters.cluster_id[index])
            yield {**record.fields, "cluster_id": None if cluster_id < 0 else cluster_id}
        else:
            yield record.fields


def _write_pairs(
    path: str | Path,
    corpus: Corpus,
    pairs: ScoredPairs,
    reporter: Reporter,
    more: Iterable[Pair] = (),
) -> None:
    with reporter.stage("writing pairs", total=len(pairs)):
        rows = itertools.chain(pair_rows(corpus.ids, pairs), more)
        write_rows(path, (p.to_dict() for p in rows), pair_schema)


def _known_copies(
    index: Index, corpus: Corpus, options: Options, reporter: Reporter
) -> list[tuple[int, Match]]:
    """(document, match) for each document of the corpus related to an indexed document."""
    found: list[tuple[int, Match]] = []
    with reporter.stage("querying the index", total=len(corpus.ids)) as advance:
        for doc, matches in enumerate(index.query_sketches(corpus.sketches)):
            found += [(doc, m) for m in matches]
            advance(1)
    return found


def _known_pair(doc_id: str, found: Match) -> Pair:
    fields = found.to_dict()
    return Pair(id_a=doc_id, id_b=fields.pop("id"), **fields)


def _check_outputs(
    inputs: Sequence[str | Path],
    outputs: Sequence[str | Path | None],
    report: str | Path | None = None,
) -> None:
    """Fail before any work on an unwritable kind, or on an output that would overwrite an input."""
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


def _date_field(keep: str, date_field: str | None) -> str | None:
    if keep in ("newest", "oldest") and not date_field:
        raise OptionsError(f"keep '{keep}' needs a date field (--date-field)")
    return date_field if keep in ("newest", "oldest") else None


def _in_memory(records: Any, function: str, files_function: str) -> Any:
    """The records as a container that can be read more than once; a file name is an error
    naming the function that reads files."""
    if isinstance(records, str | os.PathLike):
        raise InputError(
            f"{function} takes records (dicts, a pyarrow Table or a pandas DataFrame), not the "
            f"file name '{os.fspath(records)}': use neardup.{files_function} to read files"
        )
    return records if _reiterable(records) else list(records)


def _reiterable(records: Any) -> bool:
    return (
        isinstance(records, Sequence)
        or hasattr(records, "to_batches")
        or hasattr(records, "columns")
    )


def _select(records: Any, keep: np.ndarray, cluster_id: np.ndarray | None) -> Any:
    """The kept records, in the input's own container type."""
    ids = None if cluster_id is None else np.where(cluster_id >= 0, cluster_id, -1)
    if hasattr(records, "to_batches"):  # pyarrow.Table
        import pyarrow as pa

        table = records.filter(pa.array(keep))
        if ids is not None:
            mask = ids[keep] < 0
            table = table.append_column("cluster_id", pa.array(ids[keep], mask=mask))
        return table
    if hasattr(records, "columns") and hasattr(records, "loc"):  # pandas.DataFrame
        frame = records.loc[keep]
        if ids is not None:
            import pandas as pd

            kept_ids = [None if c < 0 else int(c) for c in ids[keep]]
            frame = frame.assign(cluster_id=pd.array(kept_ids, dtype="Int64"))
        return frame
    rows = list(rows_of(records))
    if ids is None:
        return [row for row, k in zip(rows, keep, strict=True) if k]
    return [
        {**row, "cluster_id": None if c < 0 else int(c)}
        for row, k, c in zip(rows, keep, ids, strict=True)
        if k
    ]


def _summary(
    corpus: Corpus,
    reader: RecordReader,
    options: Options,
    pairs: ScoredPairs,
    clusters: Clusters | None,
    started: float,
) -> Summary:
    tokens = corpus.sketches.token_counts
    counts = np.bincount(pairs.relation, minlength=len(RELATIONS))
    summary = Summary(
        documents=reader.stats.documents,
        invalid_utf8=reader.stats.invalid_utf8,
        invalid_utf8_ids=reader.stats.invalid_utf8_ids,
        skipped=reader.stats.skipped,
        empty=int((tokens == 0).sum()),
        too_short=int(((tokens > 0) & (tokens < options.min_words)).sum()),
        candidates=int(corpus.stats.get("candidates", 0)),
        pairs={RELATIONS[r]: int(n) for r, n in enumerate(counts) if n},
        seconds=time.perf_counter() - started,
    )
    if clusters is not None:
        summary.clusters = clusters.count
        summary.removed = int(clusters.removed.sum())
        summary.kept = summary.documents - summary.removed
    return summary
