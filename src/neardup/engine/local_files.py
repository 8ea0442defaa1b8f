"""The local engine's side of the file driver (`files.py`): the input files read and sketched in
this process, matched and clustered, and read again for the second look and the kept records."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from neardup.core.cluster import Clusters
from neardup.core.facts import facts_from_texts
from neardup.core.furniture import Furniture, furniture_of
from neardup.core.verify import ScoredPairs
from neardup.engine.local import (
    Corpus,
    TextsOf,
    cluster_corpus,
    match,
    read_corpus,
    reread_texts,
    summary,
)
from neardup.index.query import Match, is_copy, query_reading_facts
from neardup.index.store import Index
from neardup.io.native_jsonl import kept_rows, reads_natively, texts_at
from neardup.io.progress import Reporter
from neardup.io.read import Record, RecordReader, changed_input, read_paths, read_paths_at
from neardup.io.spool import Spooled, extracted_once
from neardup.io.write import JsonLines
from neardup.options import Options
from neardup.results import ClusterMember, Pair, Summary, cluster_rows, pair_rows


class LocalEngine:
    """The engine of `neardup dedup` and `neardup find` without `--engine spark`."""

    reports = True
    takes_against = True

    def find(
        self,
        inputs: Sequence[str | Path],
        reader: RecordReader,
        options: Options,
        *,
        report_overlap: bool,
        progress: bool | None,
    ) -> LocalRun:
        reporter = Reporter(progress)
        spooled = extracted_once(inputs, reader, reporter)
        inputs, reader = spooled.inputs, spooled.reader
        read = functools.partial(read_paths, inputs)
        corpus = read_corpus(read, reader, options, reporter, paths=inputs)
        texts = _file_texts(inputs, reader, corpus)
        pairs = match(
            corpus, options, report_overlap=report_overlap, texts=texts, reporter=reporter
        )
        corpus = _scored(corpus)
        return LocalRun(inputs, reader, options, reporter, corpus, pairs, spooled=spooled)

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
    ) -> LocalRun:
        reporter = Reporter(progress)
        spooled = extracted_once(inputs, reader, reporter)
        inputs, reader = spooled.inputs, spooled.reader
        index = None if against is None else Index(against, options, create=False)
        read = functools.partial(read_paths, inputs)
        try:
            corpus = read_corpus(
                read,
                reader,
                options,
                reporter,
                date_field=date_field,
                corpus_furniture=index is None,
                paths=inputs,
            )
            texts = _file_texts(inputs, reader, corpus)
            known = [] if index is None else _known_copies(index, corpus, texts, reporter)
        finally:
            if index is not None:
                index.close()
        scored = match(corpus, options, texts=texts, reporter=reporter)
        corpus = _scored(corpus)
        found = cluster_corpus(corpus, scored, keep, numbers_matter=options.numbers_matter)
        return LocalRun(inputs, reader, options, reporter, corpus, scored, found, known, spooled)


@dataclass
class LocalRun:
    """A corpus matched (and clustered) in this process, by document position."""

    inputs: Sequence[str | Path]
    reader: RecordReader
    options: Options
    reporter: Reporter
    corpus: Corpus
    scored: ScoredPairs
    clusters: Clusters | None = None
    #: (document, match) for each document related to a document of the `against` index.
    known: list[tuple[int, Match]] = field(default_factory=list)
    #: The pages of the inputs extracted once (the spool lives as long as the run).
    spooled: Spooled | None = None

    def summary(self) -> Summary:
        found = summary(self.corpus, self.reader, self.options, self.scored, self.clusters)
        if self.clusters is not None:
            found.known_copies = int((self._known_copies() & ~self.clusters.removed).sum())
            found.removed += found.known_copies
            found.kept -= found.known_copies
        return found

    def pair_rows(self) -> Iterator[Mapping[str, Any]]:
        ids = self.corpus.ids
        cross = (_known_pair(ids[doc], m) for doc, m in self.known)
        return (p.to_dict() for p in itertools.chain(pair_rows(ids, self.scored), cross))

    def cluster_rows(self) -> Iterator[Mapping[str, Any]]:
        assert self.clusters is not None
        return (m.to_dict() for m in cluster_rows(self.corpus.ids, self.clusters))

    def kept_records(
        self, add_cluster_id: bool, advance: Callable[[int], None]
    ) -> Iterator[Mapping[str, Any] | JsonLines]:
        """The records of one more read of the inputs that are neither removed as copies in a
        cluster nor as copies of an indexed document."""
        assert self.clusters is not None
        removed = self.clusters.removed | self._known_copies()
        cluster_ids = self.clusters.cluster_id if add_cluster_id else None
        reader = self.reader.fresh()
        native = reads_natively(self.inputs, reader)
        for row in read_kept(self.inputs, reader, self.corpus.ids, removed, cluster_ids, native):
            advance(row.count if isinstance(row, JsonLines) else 1)
            yield row

    def shown(self) -> tuple[list[Pair], list[ClusterMember]]:
        ids = self.corpus.ids
        members = [] if self.clusters is None else list(cluster_rows(ids, self.clusters))
        return list(pair_rows(ids, self.scored)), members

    @property
    def furniture(self) -> Furniture:
        return self.corpus.furniture

    def texts(self, ids: set[str]) -> dict[str, str]:
        return {r.id: r.text for r in read_paths(self.inputs, self.reader.fresh()) if r.id in ids}

    def _known_copies(self) -> np.ndarray:
        """Which documents are copies of an indexed document."""
        copies = np.zeros(len(self.corpus.ids), dtype=bool)
        copies[[doc for doc, m in self.known if is_copy(m, self.options)]] = True
        return copies


def read_kept(
    inputs: Sequence[str | Path],
    reader: RecordReader,
    ids: list[str],
    removed: np.ndarray,
    cluster_ids: np.ndarray | None,
    native: bool,
) -> Iterator[Mapping[str, Any] | JsonLines]:
    """The records of one more read of the inputs, `ids` as the first read read them, but those
    `removed`, with a `cluster_id` field where `cluster_ids` is given (negative: null). `native`:
    the inputs are read natively (`native_jsonl.reads_natively`), and most records come as
    their lines."""

    def kept_row(index: int, record: Record) -> Mapping[str, Any] | None:
        if index >= len(ids) or record.id != ids[index]:
            raise changed_input(record.where)
        if removed[index]:
            return None
        if cluster_ids is None:
            return record.fields
        cluster_id = int(cluster_ids[index])
        return {**record.fields, "cluster_id": None if cluster_id < 0 else cluster_id}

    if native:
        rows = kept_rows(inputs, reader, ids, removed, cluster_ids, kept_row)
    else:
        rows = (kept_row(i, r) for i, r in enumerate(read_paths(inputs, reader)))
    return (row for row in rows if row is not None)


def _scored(corpus: Corpus) -> Corpus:
    """The corpus with the keys of its sketches only (`Sketches.keys_only`): once its pairs are
    scored, nothing reads its shingles and fingerprints again, and letting them go here gives
    the memory of their spool (gigabytes for a million documents) back before the outputs are
    written, not after."""
    return replace(corpus, sketches=corpus.sketches.keys_only())


def _file_texts(inputs: Sequence[str | Path], reader: RecordReader, corpus: Corpus) -> TextsOf:
    """The texts of a set of documents by one more read of the input files (the second look):
    only their lines, where the native core read the input and found them, else by one more
    pass that parses only their JSONL lines."""
    # The ids and places only: the corpus's sketches are let go once its pairs are scored.
    places, ids = corpus.places, corpus.ids
    if places is not None:
        return lambda positions: texts_at(places, ids, reader.fresh(), positions)
    return reread_texts(lambda positions: read_paths_at(inputs, reader.fresh(), positions))


def _known_copies(
    index: Index, corpus: Corpus, texts: TextsOf, reporter: Reporter
) -> list[tuple[int, Match]]:
    """(document, match) for each document of the corpus related to an indexed document. Where
    facts matter, the facts rule applies as to any query (`index.query`): the texts of the
    documents it asks for (those with a look-alike in the index) are read once more."""
    found: list[tuple[int, Match]] = []
    with reporter.stage("querying the index", total=len(corpus.ids)) as advance:
        if index.options.facts_matter:
            facts = facts_from_texts(texts, furniture_of(index.options))
            results = query_reading_facts(index.query_sketches, corpus.sketches, facts)
        else:
            results = index.query_sketches(corpus.sketches)
        for doc, matches in enumerate(results):
            found += [(doc, m) for m in matches]
            advance(1)
    return found


def _known_pair(doc_id: str, found: Match) -> Pair:
    fields = found.to_dict()
    return Pair(id_a=doc_id, id_b=fields.pop("id"), **fields)
