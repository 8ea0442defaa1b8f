"""The local engine: read → sketch → candidates → verify → cluster, over batches.

Texts are held one batch at a time; what stays in memory is the compact sketch of each document.
Front ends (Python API, CLI) call these functions and only decide where results go.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

from neardup.ahead import worked_ahead
from neardup.core import kernel
from neardup.core.candidates import candidate_pairs, has_text, matchable
from neardup.core.charlook import in_band, second_look
from neardup.core.cluster import Clusters, cluster, keep_order
from neardup.core.copies import copies_of, exact_pairs, expand_to_copies, first_copies
from neardup.core.facts import facts_from_texts, facts_look
from neardup.core.facts import in_band as facts_in_band
from neardup.core.furniture import KEEP, Furniture, furniture_of, recurring_lines
from neardup.core.sketch import (
    Sketches,
    SketchSpool,
    release_pages,
    sketch_settings,
    sketch_utf8,
    sketch_with,
)
from neardup.core.verify import RELATIONS, ScoredPairs, pair_runs, reported, score_pairs
from neardup.errors import InputError
from neardup.io import native_jsonl
from neardup.io.native_jsonl import Chunk, Places
from neardup.io.progress import Reporter
from neardup.io.read import Record, RecordReader, duplicate_id, parse_date, unique_ids
from neardup.options import Options
from neardup.results import Summary

#: Documents are sketched in batches of about this many characters.
BATCH_CHARS = 4_000_000
#: The texts of a set of documents, by their position in the corpus.
TextsOf = Callable[[set[int]], Mapping[int, str]]
T = TypeVar("T", bound=Sized)


@dataclass
class Corpus:
    """What a pass over the input keeps: ids, sketches, and dates if the keep policy needs them."""

    ids: list[str]
    sketches: Sketches
    dates: list[datetime | None] | None = None
    stats: dict[str, float] = field(default_factory=dict)
    #: What was left out of the sketches as page furniture.
    furniture: Furniture = KEEP
    #: Where each record's line is in its file, where the native core read the input.
    places: Places | None = None


def furniture_lines(records: Iterable[Record], options: Options) -> Furniture:
    """The page furniture of a corpus: the patterns' and the lines that recur across it (in one
    process)."""
    if not options.ignore_furniture:
        return KEEP
    texts = (r.text for r in records)
    return Furniture(frozenset(recurring_lines(texts, min_docs=options.furniture_min_docs)))


def collect(
    records: Iterable[Record],
    options: Options,
    *,
    furniture: Furniture = KEEP,
    date_field: str | None = None,
    reporter: Reporter | None = None,
) -> Corpus:
    """Sketch every record; duplicate ids are an error naming both places.

    `furniture` (from :func:`furniture_lines`) is left out of every text, with the patterns.
    """
    started = time.perf_counter()
    seen: dict[str, str] = {}
    ids: list[str] = []
    dates: list[datetime | None] | None = [] if date_field else None

    def batches() -> Iterator[list[str]]:
        for batch in _batches(records, lambda record: len(record.text)):
            for record in unique_ids(batch, seen):
                ids.append(record.id)
                if dates is not None and date_field is not None:
                    dates.append(
                        parse_date(record.fields.get(date_field), date_field, record.where)
                    )
            yield [r.text for r in batch]

    sketch = partial(sketch_with, options, furniture=furniture, prints_lead=True)
    sketches = _sketched(batches(), sketch, options, reporter)
    if dates is not None and ids and not any(dates):
        raise InputError(
            f"no document has a date in the field '{date_field}' (name it with --date-field)"
        )
    seconds = {"seconds_reading": time.perf_counter() - started}
    return Corpus(ids, sketches, dates, seconds, furniture)


def collect_chunks(
    chunks: Iterable[Chunk],
    options: Options,
    *,
    furniture: Furniture = KEEP,
    reporter: Reporter | None = None,
) -> Corpus:
    """:func:`collect` of the records of plain JSONL files that the native core read
    (`native_jsonl.read_chunks`): the same corpus, or the same error."""
    started = time.perf_counter()
    ids = _ChunkIds()

    def checked() -> Iterator[Chunk]:
        for chunk in chunks:
            ids.add(chunk)
            yield chunk
        ids.end()

    settings = sketch_settings(options)

    def sketch(chunk: Chunk) -> Sketches:
        return sketch_utf8(
            chunk.data, chunk.offsets, chunk.made, furniture=furniture, prints_lead=True, **settings
        )

    sketches = _sketched(checked(), sketch, options, reporter)
    seconds = {"seconds_reading": time.perf_counter() - started}
    return Corpus(ids.ids, sketches, None, seconds, furniture, ids.places)


def _sketched(
    batches: Iterable[T],
    sketch: Callable[[T], Sketches],
    options: Options,
    reporter: Reporter | None,
) -> Sketches:
    """The sketches of every batch (of `len(batch)` documents), in order."""
    spool = SketchSpool(options.num_perm, options.lsh, prints_lead=True)
    with (reporter or Reporter(False)).stage("reading and sketching") as advance:

        def read() -> Iterator[T]:
            for batch in batches:
                yield batch
                advance(len(batch))

        # One batch is sketched while the next one is read and the one before is spooled.
        for sketches in worked_ahead(sketch, read()):
            spool.add(sketches)
            del sketches  # spooled: its shingles are not held while the next batch is read
    return spool.sketches()


class _ChunkIds:
    """The ids of chunks of records, with the error :func:`collect` raises where the records
    hold one, at the point where it raises it.

    `collect` checks the ids of a batch of `_batches` once it has read the batch: an id found
    again is an error after the errors of every record up to the end of its batch (a record that
    cannot be read), and before those of the records after it.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.seen: set[str] = set()
        #: The first position whose id came before, once there is one.
        self.again: int | None = None
        #: Where each record is, and each chunk's texts' lengths.
        self.places = Places()
        self.chars: list[np.ndarray] = []

    def add(self, chunk: Chunk) -> None:
        start = len(self.ids)
        self.ids += chunk.ids
        self.places.add(start, chunk.lines)
        self.chars.append(chunk.chars)
        if self.again is None:
            before = len(self.seen)
            self.seen.update(chunk.ids)
            if len(self.seen) != before + len(chunk.ids):
                self.again = _first_again(self.ids, start)
        if self.again is not None and self._batch_read():
            raise self._duplicate()
        if chunk.failure is not None:
            raise chunk.failure

    def end(self) -> None:
        if self.again is not None:  # the last batch ends with the input
            raise self._duplicate()

    def _batch_read(self) -> bool:
        """Whether the batch that holds the id found again has been read to its end."""
        ends = _batch_ends(np.concatenate(self.chars))
        return bool(ends.size) and ends[-1] > self.again

    def _duplicate(self) -> InputError:
        assert self.again is not None
        doc_id = self.ids[self.again]
        where = self.places.where
        return duplicate_id(doc_id, where(self.again), where(self.ids.index(doc_id)))


def _first_again(ids: list[str], start: int) -> int:
    """The first position from `start` on whose id came before it."""
    seen = set(ids[:start])
    for position in range(start, len(ids)):
        if ids[position] in seen:
            return position
        seen.add(ids[position])
    raise AssertionError("no id is found twice")


def _batch_ends(chars: np.ndarray) -> np.ndarray:
    """Where the batches of :func:`_batches` end (the position after each) in documents of
    these lengths, but the last one where it ends with the input before it is full."""
    sizes = [len(batch) for batch in _batches(chars.tolist(), int) if sum(batch) >= BATCH_CHARS]
    return np.cumsum(sizes, dtype=np.int64)


def read_corpus(
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
    reads `paths` and they are plain JSONL files, the native core reads them (both times, but
    for records with a date to keep)."""
    native = native_jsonl.reads_natively(paths, reader)
    furniture = furniture_of(options)
    if corpus_furniture and furniture.ignored:
        if native:
            found = native_jsonl.recurring_lines(
                paths, reader.fresh(), min_docs=options.furniture_min_docs
            )
            furniture = Furniture(frozenset(found))
        else:
            furniture = furniture_lines(read(reader.fresh()), options)
    if native and date_field is None:
        chunks = native_jsonl.read_chunks(paths, reader)
        return collect_chunks(chunks, options, furniture=furniture, reporter=reporter)
    return collect(
        read(reader), options, furniture=furniture, date_field=date_field, reporter=reporter
    )


def _batches(items: Iterable[T], length: Callable[[T], int]) -> Iterator[list[T]]:
    """The items in batches of about `BATCH_CHARS` characters: a batch ends with the item that
    brings it to `BATCH_CHARS` (the last one with the items)."""
    batch: list[T] = []
    size = 0
    for item in items:
        batch.append(item)
        size += length(item)
        if size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def reread_texts(records_at: Callable[[set[int]], Iterable[tuple[int, Record]]]) -> TextsOf:
    """The texts of a set of documents (by position), from `records_at(positions)`: the records
    at those positions of one more pass over the input (`read.read_paths_at`, `read.records_at`).

    >>> from neardup.io.read import records_at
    >>> corpus = [Record(str(n), f"t{n}", {}, "") for n in range(5)]
    >>> texts = reread_texts(lambda positions: records_at(corpus, positions))
    >>> texts({1, 3})
    {1: 't1', 3: 't3'}
    """

    def texts(docs: set[int]) -> dict[int, str]:
        return {position: record.text for position, record in records_at(docs)}

    return texts


def match(
    corpus: Corpus,
    options: Options,
    *,
    report_overlap: bool = False,
    texts: TextsOf | None = None,
    reporter: Reporter | None = None,
) -> ScoredPairs:
    """Every pair in a reported relation, with exact scores, sorted by document order.

    With `texts` (the texts of a set of documents, by position), pairs below both thresholds
    get the character-level second look (`charlook.second_look`, unless `char_errors` is 0),
    with a progress bar of the `reporter`'s, and then the facts rule (`facts.facts_look`,
    where facts matter).
    """
    started = time.perf_counter()
    sketches = corpus.sketches
    with_text = np.flatnonzero(has_text(sketches.exact_keys))
    exact = exact_pairs(sketches.exact_keys[with_text], with_text)
    first = first_copies(exact, len(sketches))
    eligible = np.flatnonzero(matchable(sketches, options) & (first == np.arange(first.size)))
    candidates = candidate_pairs(sketches, eligible, options, report_overlap=report_overlap)
    left, right = candidates >> 32, candidates & 0xFFFFFFFF
    resident = _with_shingles_of(sketches, np.union1d(left, right))
    scored = score_pairs(resident, left, right, options, report_overlap=report_overlap)
    if texts is not None:
        scored = look_again(scored, texts, options, corpus, reporter or Reporter(False))
    verified = reported(scored)
    pairs = ScoredPairs.concat([exact, expand_to_copies(verified, copies_of(first))]).sorted()
    corpus.stats["candidates"] = candidates.size
    corpus.stats["seconds_matching"] = time.perf_counter() - started
    return pairs


#: The most texts the post-verify looks hold at once: more pairs are looked at in parts, one
#: more read of the input each (a part of news texts is a few hundred MB).
TEXTS_AT_ONCE = 100_000


def look_again(
    scored: ScoredPairs, texts: TextsOf, options: Options, corpus: Corpus, reporter: Reporter
) -> ScoredPairs:
    """The post-verify stages that read texts: the character-level second look, then the facts
    (`facts.facts_look`). The texts of both stages' pairs are read in one pass a part of at most
    TEXTS_AT_ONCE documents (pairs taken in order of their first document)."""
    looked = in_band(scored, options)
    facts_band = facts_in_band(scored, options)
    corpus.stats["second_look"] = int(looked.sum())
    corpus.stats["facts_look"] = int(facts_band.sum())
    rows = np.flatnonzero(looked | facts_band)
    rows = rows[np.argsort(scored.left[rows], kind="stable")]
    with reporter.stage("second look", total=int(looked.sum())) as advance:
        for run in pair_runs(scored.left[rows], scored.right[rows], TEXTS_AT_ONCE):
            part = rows[run]
            pairs = scored.take(part)
            read = read_once(texts, set(pairs.left.tolist()) | set(pairs.right.tolist()))
            pairs = second_look(pairs, read, options, corpus.furniture, advance)
            pairs = facts_look(pairs, facts_from_texts(read, corpus.furniture), options)
            scored = scored.put(part, pairs)
    return scored


def read_once(texts: TextsOf, docs: set[int]) -> TextsOf:
    """`texts`, read once for `docs` (empty: not read at all); later calls take a subset."""
    found = texts(docs) if docs else {}

    def subset(wanted: set[int]) -> dict[int, str]:
        return {doc: found[doc] for doc in wanted}

    return subset


#: Bytes of spooled shingles read at a time when the candidates' shingles are gathered.
GATHER_BYTES = 256 * 2**20


def _with_shingles_of(sketches: Sketches, docs: np.ndarray) -> Sketches:
    """The sketches with the shingles of `docs` (sorted) copied into memory, the others empty
    (and no fingerprints, where they led the shingles).

    The spooled shingles are read in file order, a slice at a time, and the slice's pages given
    back after each: one sequential read, where looking pairs up one by one would read the file
    at random (and make all of it resident).
    """
    counts = np.zeros(len(sketches), dtype=np.int64)
    counts[docs] = sketches.shingle_counts[docs]
    starts = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    shingles = np.empty(int(starts[-1]), dtype=np.uint64)
    ends = sketches.starts[docs + 1]
    slices = np.searchsorted(
        ends, np.arange(0, int(ends[-1]) if ends.size else 0, GATHER_BYTES // 8)
    )
    # Where fingerprints lead each document's shingles, its two sorted parts (split where its
    # fingerprints end) are merged.
    splits = None
    if sketches.prints_lead:
        _, _, splits = sketches.print_segments(np.arange(len(sketches)))
    for lo, hi in itertools.pairwise([*np.unique(slices).tolist(), docs.size]):
        kernel.gather_segments(
            sketches.shingles, sketches.starts, docs[lo:hi], shingles, starts, splits
        )
        release_pages(sketches.shingles)
    if not sketches.prints_lead:
        return replace(sketches, shingles=shingles, starts=starts)
    # The fingerprints were the heads of the spooled shingles: not kept.
    nothing = np.zeros(len(sketches) + 1, np.int64)
    return replace(
        sketches, shingles=shingles, starts=starts, print_starts=nothing, prints_lead=False
    )


def cluster_corpus(
    corpus: Corpus, pairs: ScoredPairs, keep: str, *, numbers_matter: bool = True
) -> Clusters:
    """Clusters of the corpus, representatives chosen by the keep policy."""
    order = keep_order(keep, corpus.sketches.token_counts, corpus.dates)
    return cluster(pairs, order, numbers_matter=numbers_matter)


def summary(
    corpus: Corpus,
    reader: RecordReader,
    options: Options,
    pairs: ScoredPairs,
    clusters: Clusters | None,
) -> Summary:
    """What a run read and found (its seconds are the caller's to set)."""
    tokens = corpus.sketches.token_counts
    counts = np.bincount(pairs.relation, minlength=len(RELATIONS))
    found = Summary(
        documents=reader.stats.documents,
        invalid_utf8=reader.stats.invalid_utf8,
        invalid_utf8_ids=reader.stats.invalid_utf8_ids,
        skipped=reader.stats.skipped,
        empty=int((tokens == 0).sum()),
        too_short=int(((tokens > 0) & (tokens < options.min_words)).sum()),
        candidates=int(corpus.stats.get("candidates", 0)),
        pairs={RELATIONS[r]: int(n) for r, n in enumerate(counts) if n},
    )
    if clusters is not None:
        found.clusters = clusters.count
        found.removed = int(clusters.removed.sum())
        found.kept = found.documents - found.removed
    return found
