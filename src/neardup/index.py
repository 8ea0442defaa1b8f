"""A persistent index of document sketches on SQLite: add documents, query a new text against all
of them in milliseconds, remove documents.

The index keeps no text. Per document it stores the user's id, the exact/word/template keys and
the token count (table `docs`), and the sorted shingle hashes (a BLOB in a table of their own,
`shingles`, read only for a query's candidates, so that the pages of the other tables stay in the
page cache); its LSH band keys and a sample of its winnowed fingerprints go to posting tables
(key → document). A query sketches the text the way the batch pipeline does, looks its keys up,
and scores the candidates exactly with `verify.verify`: the same relations and the same scores as
:func:`neardup.find_pairs`, for every pair the index finds.

Only the fingerprints whose hash is a multiple of PRINT_SAMPLE are posted (the same keys in a
query and in the index, as they are chosen by value): a quarter of the postings, and of the
random reads of a query. Near-duplicates are found by their LSH bands as before; a document
inside another (an excerpt, an expanded version) is found by the fingerprints of the passage they
share, which the sample keeps in proportion. A passage of L words holds about 0.4·(L − 4)
fingerprints (window 4, 5-word shingles), so it is missed with probability about 0.75 to that
power: 2% at 40 words, 0.2% at 60, under 0.01% at 100 (tests/test_index.py measures it).

The posting tables are written in log-structured segments with a Bloom filter each
(`postings.py`): an `add` writes new tables, a thread merges them afterwards, and a query
searches only where a key may be. `add_batches` sketches the next batch while one is written.

SQLite runs in WAL mode: readers (each thread of this process has its own connection, other
processes theirs) keep reading a consistent snapshot while one writer adds; every `add` and
`remove` is one transaction, and so is every merge of segments (run by a background thread after
an `add` returns, not inside it), so a crash leaves each of them either fully applied or not at
all. `synchronous=FULL` makes a returned `add` survive a power loss too (one
fsync of the log per call; NORMAL would only survive a crash of the process).
"""

from __future__ import annotations

import itertools
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

from neardup import kernel
from neardup.errors import (
    IndexFormatError,
    InputError,
    NeardupError,
    OptionsError,
    OutputError,
    shortened,
)
from neardup.options import Options
from neardup.postings import SCHEMA, Segments, Snapshot
from neardup.read import (
    DEFAULT_GLOB,
    ReadStats,
    Record,
    RecordReader,
    read_paths,
    read_records,
)
from neardup.results import DIGITS, Comparison
from neardup.sketch import Sketches, sketch_with
from neardup.verify import CONTAINS, DUPLICATE_RELATIONS, EXACT, RELATIONS, verify

_log = logging.getLogger("neardup.index")
#: Version of the on-disk layout. An index of another version is refused, never misread.
#: 2: shingles in their own table, fingerprints sampled (1 in PRINT_SAMPLE).
#: 3: band keys of one-permutation MinHash signatures (`kernel.minhash`).
#: 4: exact keys of the words of the whole text (punctuation left out), no separate word key.
FORMAT_VERSION = 4
#: One winnowed fingerprint in this many (by hash value) is posted and looked up.
PRINT_SAMPLE = 4
#: A query reads at most this many documents per LSH band key: an index holding more near-copies
#: of one text than this returns some of them, and a query's cost stays bounded.
BAND_ROWS_PER_KEY = 1000
#: A query fetches a fingerprint's holders with their fingerprint counts packed in one integer.
_SHIFT = 24
_COUNT_MASK = (1 << _SHIFT) - 1

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE docs (
    doc INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    exact_key INTEGER NOT NULL,
    masked_key INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    prints INTEGER NOT NULL
);
CREATE INDEX docs_by_exact_key ON docs (exact_key);
CREATE TABLE shingles (doc INTEGER PRIMARY KEY, shingles BLOB NOT NULL);
"""


@dataclass(frozen=True, kw_only=True)
class Match(Comparison):
    """An indexed document related to a query: A is the query, B the indexed document `id`.

    `containment_a_in_b` is the share of the query inside the indexed document.
    """

    id: str

    @property
    def similarity(self) -> float:
        """The score of the relation: containment for `contains`, else Jaccard."""
        if self.relation == RELATIONS[CONTAINS]:
            return max(self.containment_a_in_b, self.containment_b_in_a)
        return self.jaccard

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, **super().to_dict()}


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
    furniture is left out by the patterns of `boilerplate.py` only: lines recurring across a
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
        if options is not None and overrides:
            raise OptionsError("give either options= or keyword options, not both")
        try:
            wanted = options if options is not None or not overrides else Options(**overrides)
        except TypeError as error:
            raise OptionsError(str(error).replace("__init__()", "options")) from None
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError(f"{path}: is a folder, not an index file")
        if not self.path.exists() and not create:
            raise InputError(f"{path}: no index here (create one with `neardup index create`)")
        self._lock = threading.RLock()
        self._db = _connect(self.path)
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
            if not self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone():
                if self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise IndexFormatError(f"{self.path}: an SQLite file but not a neardup index")
                for statement in [*_SCHEMA.split(";")[:-1], *SCHEMA]:
                    self._db.execute(statement)
                meta = {
                    "format_version": str(FORMAT_VERSION),
                    "options": json.dumps(_options_dict(default), sort_keys=True),
                }
                self._db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        found = meta.get("format_version")
        if found != str(FORMAT_VERSION):
            raise IndexFormatError(
                f"{self.path}: index format version {found}; this neardup reads format version "
                f"{FORMAT_VERSION} only: rebuild the index (`neardup index create`, then `add`)"
            )
        try:
            stored = Options(**json.loads(meta["options"]))
        except (TypeError, ValueError, KeyError) as error:
            raise IndexFormatError(f"{self.path}: unreadable stored options ({error})") from None
        if wanted is not None:
            theirs, ours = _options_dict(stored), _options_dict(wanted)
            differ = [
                f"{k}={theirs[k]!r} (not {ours[k]!r})" for k in theirs if theirs[k] != ours[k]
            ]
            if differ:
                raise OptionsError(
                    f"{self.path}: the index was built with other options: {', '.join(differ)}"
                )
        return stored

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken at once so that two writers queue instead of failing."""
        with (
            self._lock,
            self._errors_as(OutputError, "cannot write the index"),
            _transaction(self._db, "BEGIN IMMEDIATE"),
        ):
            yield

    @contextmanager
    def _snapshot(self) -> Iterator[tuple[sqlite3.Connection, Segments]]:
        """One read transaction on this thread's connection: every statement in it sees the same
        state of the index, even while a writer adds and merges segments."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            with self._lock:
                db = _connect(self.path, cache_mb=16)
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
        """Add already read records (see :mod:`neardup.read`) in one transaction."""
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

    def _prepare(self, records: Sequence[Record]) -> tuple[Sequence[Record], Sketches | None]:
        """A batch checked for repeated ids, and its sketches."""
        seen: dict[str, str] = {}
        for record in records:
            if record.id in seen:
                raise InputError(
                    f"{record.where}: duplicate id '{shortened(record.id)}' "
                    f"(first at {seen[record.id]})"
                )
            seen[record.id] = record.where
        return records, self._sketch([r.text for r in records]) if records else None

    def _write(self, prepared: tuple[Sequence[Record], Sketches | None]) -> int:
        """Write a prepared batch in one transaction, then merge segments in the background."""
        records, sketches = prepared
        if sketches is None:
            return 0
        with self._transaction():
            self._remove([r.id for r in records])
            first = self._db.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM sqlite_sequence WHERE name = 'docs'"
            ).fetchone()[0]
            docs = np.arange(first, first + len(records), dtype=np.int64)
            eligible = self._eligible(sketches)
            self._db.executemany(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", _doc_rows(records, sketches, docs)
            )
            self._db.executemany(
                "INSERT INTO shingles VALUES (?, ?)", _shingle_rows(sketches, docs, eligible)
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
            db = _connect(self.path)
            try:
                segments = Segments(db)
                while not self._closing.is_set():
                    # Sorted on a snapshot, without the lock: writers wait only for the copy.
                    with _transaction(db, "BEGIN"):
                        sorted_ = segments.sort_due()
                    if sorted_ is None:
                        return
                    with _transaction(db, "BEGIN IMMEDIATE"):
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
        for table in ("docs", "shingles"):
            self._db.execute(
                f"DELETE FROM {table} WHERE doc IN (SELECT value FROM json_each(?))", (found,)
            )
        self._segments.forget(docs)
        return len(docs)

    def _eligible(self, sketches: Sketches) -> np.ndarray:
        """Documents matched by more than their exact text (as in `pipeline.match`)."""
        return (
            (sketches.exact_keys != kernel.EMPTY_KEY)
            & (sketches.token_counts >= self.options.min_words)
            & (sketches.shingle_counts > 0)
        )

    def _write_postings(self, sketches: Sketches, docs: np.ndarray, eligible: np.ndarray) -> None:
        """Append the band and sampled fingerprint postings of the eligible documents, each
        fingerprint with its holder's count of sampled fingerprints."""
        chosen = np.flatnonzero(eligible)
        bands, rows = self.options.lsh
        band_keys = kernel.band_keys(sketches.signatures[chosen], bands, rows).ravel()
        band_docs = np.tile(docs[chosen], bands)
        counts = np.diff(sketches.print_starts)
        owner = np.repeat(np.arange(counts.size), counts)
        keep = eligible[owner] & _sampled(sketches.prints)
        print_keys, print_owner = sketches.prints[keep], owner[keep]
        sampled = np.bincount(print_owner, minlength=counts.size)
        self._segments.append(
            (band_keys, band_docs), (print_keys, docs[print_owner], sampled[print_owner])
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
        # A few texts are sketched fastest on one thread: waking a thread pool costs more than
        # the work, and on a busy machine a parallel region waits for a descheduled worker.
        with kernel.threads(1 if len(texts) < 64 else None):
            sketches = self._sketch(list(texts))
        return self.query_sketches(sketches, k, report_overlap=report_overlap)

    def query_sketches(
        self, sketches: Sketches, k: int = 10, *, report_overlap: bool = False
    ) -> list[list[Match]]:
        """:meth:`query` for documents sketched with this index's options (see `sketch`)."""
        if k < 1:
            raise OptionsError(f"k must be at least 1, got {k}")
        eligible = self._eligible(sketches)
        with self._snapshot() as (db, segments), kernel.threads(1):
            segs = segments.snapshot()
            return [
                self._matches(db, segments, sketches, d, bool(eligible[d]), segs, k, report_overlap)
                for d in range(len(sketches))
            ]

    def _matches(
        self,
        db: sqlite3.Connection,
        segments: Segments,
        sketches: Sketches,
        d: int,
        eligible: bool,
        segs: Snapshot,
        k: int,
        report_overlap: bool,
    ) -> list[Match]:
        key = sketches.exact_keys[d]
        if key == kernel.EMPTY_KEY:
            return []  # empty documents are never matched
        (signed_key,) = np.array([key]).view(np.int64).tolist()
        exact = [
            Match(
                id=i,
                relation=RELATIONS[EXACT],
                jaccard=1.0,
                containment_a_in_b=1.0,
                containment_b_in_a=1.0,
            )
            for (i,) in db.execute(
                "SELECT id FROM docs WHERE exact_key = ? ORDER BY doc LIMIT ?", (signed_key, k)
            )
        ]
        if not eligible or not segs:
            return exact
        candidates = self._candidates(segments, sketches, d, segs, report_overlap)
        rows = db.execute(
            "SELECT id, exact_key, masked_key, tokens, shingles FROM docs "
            "JOIN shingles USING (doc) "
            "WHERE doc IN (SELECT value FROM json_each(?)) AND exact_key != ?",
            (json.dumps(candidates.tolist()), signed_key),
        ).fetchall()
        if not rows:
            return exact
        paired = _with_query(sketches, d, rows)
        right = np.arange(1, len(rows) + 1)
        scored = verify(
            paired, np.zeros_like(right), right, self.options, report_overlap=report_overlap
        )
        related = [
            Match(
                id=rows[r - 1][0],
                relation=RELATIONS[relation],
                jaccard=round(jaccard, DIGITS),
                containment_a_in_b=round(a_in_b, DIGITS),
                containment_b_in_a=round(b_in_a, DIGITS),
                differs_only_in="numbers" if numbers else None,
            )
            for r, relation, jaccard, a_in_b, b_in_a, numbers in zip(
                scored.right.tolist(),
                scored.relation.tolist(),
                scored.jaccard.tolist(),
                scored.containment_left_in_right.tolist(),
                scored.containment_right_in_left.tolist(),
                scored.differ_in_numbers.tolist(),
                strict=True,
            )
        ]
        related.sort(key=lambda m: (-m.similarity, m.id))
        return (exact + related)[:k]

    def _candidates(
        self, segments: Segments, sketches: Sketches, d: int, segs: Snapshot, report_overlap: bool
    ) -> np.ndarray:
        """Indexed documents sharing an LSH band with document d, or enough fingerprints.

        The fingerprint rule is `candidates.fingerprint_candidates`'s, on the sampled
        fingerprints: shared ones at least half the lowest threshold times the smaller count; a
        fingerprint held by `max_shingle_df` or more indexed documents is common phrasing and
        ignored.
        """
        options = self.options
        bands, rows = options.lsh
        band_keys = kernel.band_keys(sketches.signatures[d : d + 1], bands, rows).ravel()
        found = [segments.lookup("bands", "doc", band_keys, segs, BAND_ROWS_PER_KEY)]
        prints = sketches.prints[sketches.print_starts[d] : sketches.print_starts[d + 1]]
        prints = prints[_sampled(prints)]
        cap = options.max_shingle_df
        value = f"doc * {_COUNT_MASK + 1} + min(n, {_COUNT_MASK})"
        held = segments.lookup("prints", value, prints, segs, cap)
        if held.size:
            docs, first, shared = np.unique(held >> _SHIFT, return_index=True, return_counts=True)
            their_prints = (held & _COUNT_MASK)[first]
            thresholds = [options.jaccard, options.containment]
            if report_overlap and options.overlap is not None:
                thresholds.append(options.overlap)
            smaller = np.minimum(their_prints, prints.size)
            found.append(docs[shared >= 0.5 * min(thresholds) * smaller])
        return np.unique(np.concatenate(found))

    def stats(self) -> IndexStats:
        """Documents, segments and postings held, and the file's size."""
        with self._snapshot() as (db, segs):
            documents = db.execute("SELECT count(*) FROM docs").fetchone()[0]
            segments, postings = segs.totals()
        size = sum(p.stat().st_size for p in _files(self.path) if p.exists())
        return IndexStats(
            path=str(self.path),
            documents=documents,
            segments=segments,
            postings=postings,
            bytes=size,
            format_version=FORMAT_VERSION,
            options=_options_dict(self.options),
        )

    def __len__(self) -> int:
        with self._snapshot() as (db, _):
            return db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def __contains__(self, doc_id: object) -> bool:
        with self._snapshot() as (db, _):
            return bool(db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone())

    def sketch(self, texts: list[str]) -> Sketches:
        """Sketches of texts as this index makes them (its options, furniture patterns only)."""
        return self._sketch(texts)

    def _sketch(self, texts: list[str]) -> Sketches:
        furniture = frozenset() if self.options.ignore_boilerplate else None
        return sketch_with(self.options, texts, furniture)


def is_copy(match: Match, options: Options) -> bool:
    """Whether a query is a copy of the matched document: identical, a near-duplicate, or mostly
    inside it. A query that contains the indexed document (an expanded version) is not."""
    if RELATIONS.index(match.relation) not in DUPLICATE_RELATIONS:
        return False
    if options.numbers_matter and match.differs_only_in == "numbers":
        return False
    if match.relation == RELATIONS[CONTAINS]:
        return match.containment_a_in_b >= options.containment
    return True


@contextmanager
def _transaction(db: sqlite3.Connection, begin: str) -> Iterator[None]:
    """A transaction (`BEGIN` to read, `BEGIN IMMEDIATE` to write), rolled back on errors."""
    db.execute(begin)
    try:
        yield
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _connect(path: Path, cache_mb: int = 64) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, timeout=300.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        # A merge writes a large transaction to the log; give the space back after checkpoints.
        db.execute("PRAGMA journal_size_limit = 67108864")
        db.execute(f"PRAGMA cache_size = {-1024 * cache_mb}")
        db.execute("PRAGMA mmap_size = 1073741824")
    except sqlite3.DatabaseError as error:
        raise IndexFormatError(f"{path}: not a neardup index ({error})") from None
    return db


def _files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _options_dict(options: Options) -> dict[str, Any]:
    """The options that shape an index, LSH bands resolved (a new default must not misread it)."""
    values = {f.name: getattr(options, f.name) for f in fields(options) if f.init}
    values["bands"], values["rows"] = options.lsh
    del values["char_errors"]  # the index takes no character-level second look
    return values


def _signed(values: np.ndarray) -> list[int]:
    """uint64 keys as the signed 64-bit integers SQLite stores."""
    return values.astype(np.uint64).view(np.int64).tolist()


def _sampled(prints: np.ndarray) -> np.ndarray:
    """Which fingerprints are posted: chosen by value, so a query and the index agree. The low
    bits, as winnowing keeps the smallest hashes (their high bits are skewed towards 0)."""
    return prints % np.uint64(PRINT_SAMPLE) == 0


def _doc_rows(
    records: Sequence[Record], sketches: Sketches, docs: np.ndarray
) -> Iterator[tuple[Any, ...]]:
    columns = zip(
        docs.tolist(),
        [r.id for r in records],
        _signed(sketches.exact_keys),
        _signed(sketches.masked_keys),
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


def _with_query(sketches: Sketches, d: int, rows: list[tuple[Any, ...]]) -> Sketches:
    """Sketches of the query (document 0) and of the indexed candidates (1…), for `verify`."""
    parts = [sketches.shingles[sketches.starts[d] : sketches.starts[d + 1]]]
    parts += [np.frombuffer(row[4], dtype="<u8") for row in rows]
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([p.size for p in parts], out=starts[1:])

    def keys(column: int, own: np.ndarray) -> np.ndarray:
        stored = np.array([row[column] for row in rows], dtype=np.int64).view(np.uint64)
        return np.concatenate([own[d : d + 1], stored])

    n = len(parts)
    return Sketches(
        exact_keys=keys(1, sketches.exact_keys),
        masked_keys=keys(2, sketches.masked_keys),
        token_counts=np.array([sketches.token_counts[d]] + [row[3] for row in rows], np.int64),
        shingles=np.concatenate(parts).astype(np.uint64),
        starts=starts,
        signatures=np.empty((n, 0), dtype=np.uint32),  # scoring needs no signature
        prints=np.empty(0, dtype=np.uint64),
        print_starts=np.zeros(n + 1, dtype=np.int64),
    )


#: `add_files` commits every this many documents.
ADD_BATCH = 10_000


def add_files(
    index: Index,
    inputs: Sequence[str | Path],
    *,
    id_field: str = "id",
    text_field: str = "text",
    glob: str = DEFAULT_GLOB,
    batch: int = ADD_BATCH,
    stats: ReadStats | None = None,
) -> int:
    """Add the records of input files (as `neardup dedup` reads them), one transaction per
    `batch` documents. A crash loses at most the batch in progress; adding again is idempotent.
    An id found twice in the inputs is an error naming both places. `stats`, when given,
    receives what reading found (files of a folder not read, invalid UTF-8)."""
    seen: dict[str, str] = {}
    reader = RecordReader(id_field, text_field, stats, glob=glob)

    def batches() -> Iterator[list[Record]]:
        pending: list[Record] = []
        for record in read_paths(inputs, reader):
            if record.id in seen:
                raise InputError(
                    f"{record.where}: duplicate id '{shortened(record.id)}' "
                    f"(first at {seen[record.id]})"
                )
            seen[record.id] = record.where
            pending.append(record)
            if len(pending) >= batch:
                yield pending
                pending = []
        yield pending

    return index.add_batches(batches())


def query_files(
    index: Index,
    inputs: Sequence[str | Path],
    *,
    k: int = 10,
    id_field: str = "id",
    text_field: str = "text",
    glob: str = DEFAULT_GLOB,
    report_overlap: bool = False,
    batch: int = 1000,
    stats: ReadStats | None = None,
) -> Iterator[dict[str, Any]]:
    """For each record of the inputs, its matches in the index as rows `{"query_id", "id", …}`;
    `stats`, when given, receives what reading found."""
    records = read_paths(inputs, RecordReader(id_field, text_field, stats, glob=glob))
    while chunk := list(itertools.islice(records, batch)):
        results = index.query_many([r.text for r in chunk], k, report_overlap=report_overlap)
        for record, matches in zip(chunk, results, strict=True):
            for found in matches:
                yield {"query_id": record.id, **found.to_dict()}
