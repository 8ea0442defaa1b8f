"""A persistent index of document sketches on SQLite: add documents, query a new text against all
of them in milliseconds, remove documents.

(About 500 lines: `Index` is one object whose lock, connections and merge thread its writes,
merges and reads share; the query algorithm, the file format and the file helpers are in
`query.py`, `format.py` and `files.py`.)

Per document the index stores the user's id, the exact/word/template keys and the token count
(table `docs`), the sorted shingle hashes (a BLOB in a table of their own, `shingles`, read only
for a query's candidates, so that the pages of the other tables stay in the page cache), and where
facts matter its text, compressed (table `texts`, read only for the few candidates whose relation
the facts rule can change, whose facts are read then: reading every document's facts as it is
added would cost more than the rest of an `add`); its LSH band keys and a sample of its
winnowed fingerprints go to posting tables (key → document). A query (`query.py`) sketches the
text the way the batch pipeline does, looks its keys up, and scores the candidates exactly with
`verify.verify`: the same relations and the same scores as :func:`neardup.find_pairs`, for every
pair the index finds. The tables, the format version and the options stored with them are in
`format.py`.

The posting tables are written in log-structured segments with a Bloom filter each
(`postings.py`): an `add` writes new tables, a thread merges them afterwards, and a query
searches only where a key may be. `add_batches` sketches (and compresses) the next batch while
one is written.

SQLite runs in WAL mode: readers (each thread of this process has its own connection, other
processes theirs) keep reading a consistent snapshot while one writer adds; every `add` and
`remove` is one transaction, and so is every merge of segments (run by a background thread after
an `add` returns, not inside it), so a crash leaves each of them either fully applied or not at
all. `synchronous=FULL` makes a returned `add` survive a power loss too (one
fsync of the log per call; NORMAL would only survive a crash of the process).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from neardup.core import kernel
from neardup.core.candidates import matchable
from neardup.core.facts import HasFacts, TextFacts
from neardup.core.furniture import furniture_of
from neardup.core.keys import signed
from neardup.core.sketch import Sketches, sketch_with
from neardup.errors import InputError, NeardupError, OptionsError, OutputError
from neardup.index.format import (
    FORMAT_VERSION,
    connect,
    create_tables,
    files,
    options_dict,
    pack,
    stored_options,
    transaction,
)
from neardup.index.postings import Segments
from neardup.index.query import Match, matches, sampled
from neardup.io.read import Record, RecordReader, read_records, unique_ids
from neardup.options import Options, options_of

_log = logging.getLogger("neardup.index")


@dataclass(frozen=True)
class IndexStats:
    """What an index holds."""

    path: str
    documents: int
    segments: int
    postings: int
    bytes: int
    format_version: int
    options: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Index:
    """A persistent near-duplicate index in one SQLite file (WAL mode: `path`, `path-wal`).

    `add` is idempotent by id: adding a document whose id is already indexed replaces it. Page
    furniture is left out by the patterns of `core/furniture.py` only: lines recurring across a
    corpus are a property of the whole corpus, which an index that grows does not know. An
    `Index` may be shared by threads: queries run in parallel (a read connection per thread),
    writes take turns; other processes open their own.

    >>> import tempfile, os
    >>> story = "the river rose overnight and the town council closed the old bridge"
    >>> with Index(os.path.join(tempfile.mkdtemp(), "news.ndx")) as index:
    ...     index.add([{"id": "a", "text": story}])
    ...     [(m.id, m.relation) for m in index.query(story + " until friday")]
    1
    [('a', 'near-duplicate')]
    """

    def __init__(
        self,
        path: str | Path,
        options: Options | None = None,
        *,
        create: bool = True,
        **overrides: Any,
    ) -> None:
        # None: the options stored in the index, whatever they are.
        wanted = options_of(options, overrides) if options is not None or overrides else None
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError(f"{path}: is a folder, not an index file")
        if not self.path.exists() and not create:
            raise InputError(f"{path}: no index here (create one with `neardup index create`)")
        self._lock = threading.RLock()
        self._db = connect(self.path)
        self._segments = Segments(self._db)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._filters: dict[int, np.ndarray] = {}  # Bloom filters, shared by the readers
        self._merger: threading.Thread | None = None
        self._merge_error: str | None = None
        self._closing = threading.Event()
        try:
            self.options = self._open(wanted if wanted is not None else Options(), wanted)
        except BaseException:
            self._db.close()
            raise

    # -- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (the index stays on disk), after the merge in progress if any."""
        self._closing.set()
        if self._merger is not None:
            self._merger.join()
        with self._lock:
            for db in [self._db, *self._readers]:
                db.close()
            self._readers.clear()

    def _open(self, default: Options, wanted: Options | None) -> Options:
        with self._transaction():
            create_tables(self._db, self.path, default)
        return stored_options(self._db, self.path, wanted)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken at once so that two writers queue instead of failing."""
        with (
            self._lock,
            self._errors_as(OutputError, "cannot write the index"),
            transaction(self._db, "BEGIN IMMEDIATE"),
        ):
            yield

    @contextmanager
    def _snapshot(self) -> Iterator[tuple[sqlite3.Connection, Segments]]:
        """One read transaction on this thread's connection: every statement in it sees the same
        state of the index, even while a writer adds and merges segments."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            with self._lock:
                db = connect(self.path, cache_mb=16)
                self._readers.append(db)
            reader = self._local.reader = (db, Segments(db, self._filters))
        db = reader[0]
        with self._errors_as(InputError, "cannot read the index"):
            db.execute("BEGIN")
            try:
                yield reader
            finally:
                if db.in_transaction:
                    db.execute("COMMIT")

    @contextmanager
    def _errors_as(self, kind: type[NeardupError], what: str) -> Iterator[None]:
        """SQLite's operational errors (a disk full, a writer holding the lock past the 5-minute
        timeout) as one-line neardup errors."""
        try:
            yield
        except sqlite3.OperationalError as error:
            raise kind(f"{self.path}: {what}: {error}") from None

    # -- writing ----------------------------------------------------------------------------

    def add(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        id_field: str = "id",
        text_field: str = "text",
    ) -> int:
        """Add a batch of records in one transaction; a record whose id is indexed replaces it.

        Returns the number of records added. Records are dicts (or rows of an Arrow or pandas
        table) with an id and a text field, as for :func:`neardup.deduplicate`.
        """
        return self.add_records(list(read_records(records, RecordReader(id_field, text_field))))

    def add_records(self, records: Sequence[Record]) -> int:
        """Add already read records (see :mod:`neardup.io.read`) in one transaction."""
        return self._write(self._prepare(records))

    def add_batches(
        self,
        batches: Iterable[Iterable[Mapping[str, Any] | Record]],
        *,
        id_field: str = "id",
        text_field: str = "text",
    ) -> int:
        """Add batches of records (what :meth:`add` takes, or read :class:`Record`s), one
        transaction each, sketching the next batch while the previous one is written (on
        another thread). Returns the number of records added.

        Records are checked here, numbered across the batches in error messages: what the
        thread raises is a neardup error too (a repeated id).

        >>> import tempfile, os
        >>> batches = [[{"id": f"{b}-{i}", "text": f"story {b} {i}"} for i in range(3)]
        ...            for b in range(4)]
        >>> with Index(os.path.join(tempfile.mkdtemp(), "news.ndx")) as index:
        ...     index.add_batches(batches), len(index)
        (12, 12)
        """
        reader = RecordReader(id_field, text_field)
        added = 0
        with ThreadPoolExecutor(1, thread_name_prefix="neardup-sketch") as sketcher:
            ahead = None
            for batch in batches:
                records = list(read_records(batch, reader, first=reader.stats.documents + 1))
                prepared = sketcher.submit(self._prepare, records)
                if ahead is not None:
                    added += self._write(ahead.result())
                ahead = prepared
            if ahead is not None:
                added += self._write(ahead.result())
        return added

    def _prepare(self, records: Sequence[Record]) -> _Prepared | None:
        """A batch checked for repeated ids, its sketches, and the texts of its eligible
        documents where facts matter (compressed): all the reading, done before the write
        transaction (by `add_batches` on its thread, while the batch before is written)."""
        records = list(unique_ids(records))
        if not records:
            return None
        sketches = self._sketch([r.text for r in records])
        eligible = matchable(sketches, self.options)
        texts = None
        if self.options.facts_matter:
            texts = [pack(records[d].text) for d in np.flatnonzero(eligible).tolist()]
        return _Prepared(records, sketches, eligible, texts)

    def _write(self, prepared: _Prepared | None) -> int:
        """Write a prepared batch in one transaction, then merge segments in the background."""
        if prepared is None:
            return 0
        records, sketches, eligible = prepared.records, prepared.sketches, prepared.eligible
        with self._transaction():
            self._remove([r.id for r in records])
            first = self._db.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM sqlite_sequence WHERE name = 'docs'"
            ).fetchone()[0]
            docs = np.arange(first, first + len(records), dtype=np.int64)
            self._db.executemany(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", _doc_rows(records, sketches, docs)
            )
            self._db.executemany(
                "INSERT INTO shingles VALUES (?, ?)", _shingle_rows(sketches, docs, eligible)
            )
            if prepared.texts is not None:
                self._db.executemany(
                    "INSERT INTO texts VALUES (?, ?)",
                    zip(docs[eligible].tolist(), prepared.texts, strict=True),
                )
            self._write_postings(sketches, docs, eligible)
            due = bool(self._segments.due())
        if due:
            self._merge_later()
        return len(records)

    # -- merging ----------------------------------------------------------------------------

    def merge(self) -> None:
        """Wait for the background merge, then merge whatever is due: segments as merged as
        they get (a merge otherwise runs after an `add` returns), and the log written back
        into the index file."""
        if self._merger is not None:
            self._merger.join()
        self._check_merges()
        with self._transaction():
            while self._segments.merge_due():
                pass
        with self._lock, self._errors_as(OutputError, "cannot write the index"):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _merge_later(self) -> None:
        """Merge the segments due on a thread and connection of its own, one transaction a
        merge: an `add` does not wait for it, only the next writer does (SQLite's lock)."""
        self._check_merges()
        with self._lock:
            if self._merger is not None and self._merger.is_alive():
                return  # it merges until nothing is due
            self._merger = threading.Thread(target=self._merge_due, name="neardup-merge")
            self._merger.start()

    def _merge_due(self) -> None:
        try:
            db = connect(self.path)
            try:
                segments = Segments(db)
                while not self._closing.is_set():
                    # Sorted on a snapshot, without the lock: writers wait only for the copy.
                    with transaction(db, "BEGIN"):
                        sorted_ = segments.sort_due()
                    if sorted_ is None:
                        return
                    with transaction(db, "BEGIN IMMEDIATE"):
                        if not segments.exist(sorted_.segs):
                            continue  # merged by another process meanwhile
                        segments.replace(sorted_)
            finally:
                db.close()
        except (sqlite3.Error, NeardupError) as error:
            _log.error("merging segments of %s failed: %s", self.path, error)
            self._merge_error = str(error)

    def _check_merges(self) -> None:
        """A failed background merge (a full disk) fails the next write, in one line."""
        if self._merge_error is not None:
            error, self._merge_error = self._merge_error, None
            raise OutputError(f"{self.path}: cannot merge segments: {error}")

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id, in one transaction; returns how many were indexed."""
        with self._transaction():
            return self._remove(list(ids))

    def _remove(self, ids: list[str]) -> int:
        # Postings of removed documents stay until merged; queries skip documents not in `docs`.
        # Ids are looked up one by one, not through json_each, which cuts a text at a NUL
        # character: an id holding one could be neither removed nor replaced.
        docs = [
            doc
            for doc_id in dict.fromkeys(ids)
            for (doc,) in self._db.execute("SELECT doc FROM docs WHERE id = ?", (doc_id,))
        ]
        found = json.dumps(docs)
        for table in ("docs", "shingles", "texts"):
            self._db.execute(
                f"DELETE FROM {table} WHERE doc IN (SELECT value FROM json_each(?))", (found,)
            )
        self._segments.forget(docs)
        return len(docs)

    def _write_postings(self, sketches: Sketches, docs: np.ndarray, eligible: np.ndarray) -> None:
        """Append the band and sampled fingerprint postings of the eligible documents, each
        fingerprint with its holder's count of sampled fingerprints."""
        chosen = np.flatnonzero(eligible)
        bands, rows = self.options.lsh
        band_keys = kernel.band_keys(sketches.signatures[chosen], bands, rows).ravel()
        band_docs = np.tile(docs[chosen], bands)
        counts = np.diff(sketches.print_starts)
        owner = np.repeat(np.arange(counts.size), counts)
        keep = eligible[owner] & sampled(sketches.prints)
        print_keys, print_owner = sketches.prints[keep], owner[keep]
        posted = np.bincount(print_owner, minlength=counts.size)
        self._segments.append(
            (band_keys, band_docs), (print_keys, docs[print_owner], posted[print_owner])
        )

    # -- reading ----------------------------------------------------------------------------

    def query(self, text: str, k: int = 10, *, report_overlap: bool = False) -> list[Match]:
        """The (at most `k`) indexed documents most related to `text`, the most similar first.

        `report_overlap` also returns documents that share passages below both thresholds.
        """
        return self.query_many([text], k, report_overlap=report_overlap)[0]

    def query_many(
        self, texts: Sequence[str], k: int = 10, *, report_overlap: bool = False
    ) -> list[list[Match]]:
        """:meth:`query` for each text of a batch (sketched together)."""
        sketches = self._sketch(list(texts))
        facts = None
        if self.options.facts_matter:
            furniture = furniture_of(self.options)
            facts = [TextFacts(text, furniture) for text in texts]
        return self.query_sketches(sketches, k, report_overlap=report_overlap, facts=facts)

    def query_sketches(
        self,
        sketches: Sketches,
        k: int = 10,
        *,
        report_overlap: bool = False,
        facts: Sequence[HasFacts] | None = None,
    ) -> list[list[Match]]:
        """:meth:`query` for documents sketched with this index's options (see `sketch`);
        with `facts` (of each document: its `Facts`, or anything that reads them when first
        asked for), the facts rule applies (`core/facts.py`)."""
        if k < 1:
            raise OptionsError(f"k must be at least 1, got {k}")
        eligible = matchable(sketches, self.options)
        with self._snapshot() as (db, segments):
            segs = segments.snapshot()
            return [
                matches(
                    db,
                    segments,
                    segs,
                    self.options,
                    sketches,
                    d,
                    bool(eligible[d]),
                    k,
                    report_overlap,
                    None if facts is None else facts[d],
                )
                for d in range(len(sketches))
            ]

    def stats(self) -> IndexStats:
        """Documents, segments and postings held, and the file's size."""
        with self._snapshot() as (db, segs):
            documents = db.execute("SELECT count(*) FROM docs").fetchone()[0]
            segments, postings = segs.totals()
        size = sum(p.stat().st_size for p in files(self.path) if p.exists())
        return IndexStats(
            path=str(self.path),
            documents=documents,
            segments=segments,
            postings=postings,
            bytes=size,
            format_version=FORMAT_VERSION,
            options=options_dict(self.options),
        )

    def __len__(self) -> int:
        with self._snapshot() as (db, _):
            return db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def __contains__(self, doc_id: object) -> bool:
        with self._snapshot() as (db, _):
            return bool(db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone())

    def _sketch(self, texts: list[str]) -> Sketches:
        """Sketches of texts as this index makes them: its options, furniture by the patterns."""
        return sketch_with(self.options, texts, furniture_of(self.options))


@dataclass(frozen=True)
class _Prepared:
    """A batch ready to be written: its records (ids unique), their sketches, which of them
    are matchable, and the texts of those (compressed, in order; None where facts don't
    matter)."""

    records: list[Record]
    sketches: Sketches
    eligible: np.ndarray
    texts: list[bytes] | None


def _doc_rows(
    records: Sequence[Record], sketches: Sketches, docs: np.ndarray
) -> Iterator[tuple[Any, ...]]:
    columns = zip(
        docs.tolist(),
        [r.id for r in records],
        signed(sketches.exact_keys).tolist(),
        signed(sketches.masked_keys).tolist(),
        sketches.token_counts.tolist(),
        np.diff(sketches.print_starts).tolist(),
        strict=True,
    )
    return iter(columns)


def _shingle_rows(
    sketches: Sketches, docs: np.ndarray, eligible: np.ndarray
) -> Iterator[tuple[int, bytes]]:
    """The sorted shingle hashes of the eligible documents (the others are matched only when
    identical, by their exact key)."""
    shingles = sketches.shingles.astype("<u8", copy=False)
    starts = sketches.starts.tolist()
    for d, doc in zip(np.flatnonzero(eligible).tolist(), docs[eligible].tolist(), strict=True):
        yield doc, shingles[starts[d] : starts[d + 1]].tobytes()
