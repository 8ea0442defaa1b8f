"""The index's posting lists (key → document) on SQLite, in log-structured segments.

Two kinds of postings: LSH band keys (`bands`) and winnowed fingerprints (`prints`, with each
holder's fingerprint count). Each `append` writes one *segment*: a table of each kind of its own
(`bands_7`, `prints_7`), written once, sequentially, in key order, instead of touching pages all
over one big B-tree keyed by random hashes. When FANOUT segments of a similar size have piled up
they are merged into one (`sort_due` then `replace`, which the index runs on a thread of its own
after an `add`), leaving out the postings of removed documents; the merged tables are dropped,
which frees their pages at once (deleting their rows one by one took as long as copying them).
Segments of LARGEST_MERGED postings are not merged again, so each posting is rewritten a bounded
number of times (twice for segments of 10,000 news articles).

Each segment has a Bloom filter of its keys (`bloom.py`), cached by every process that reads:
most fingerprints of a new document are held by no indexed document, and a lookup searches a
segment only for the keys its filter may hold, so more segments cost a query little.

Every method runs inside the caller's transaction.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass

import numpy as np

from neardup.core.keys import signed
from neardup.index import bloom

SCHEMA = (
    "CREATE TABLE segments (seg INTEGER PRIMARY KEY AUTOINCREMENT, postings INTEGER NOT NULL, "
    "filter BLOB NOT NULL)",
    # Documents removed while postings of theirs may remain: merges leave them out.
    "CREATE TABLE removed (doc INTEGER PRIMARY KEY)",
)
#: The columns of each kind of posting table (a table `{kind}_{segment}` per segment).
_COLUMNS = {
    "bands": "key INTEGER NOT NULL, doc INTEGER NOT NULL",
    "prints": "key INTEGER NOT NULL, doc INTEGER NOT NULL, n INTEGER NOT NULL",
}
_NAMES = {"bands": "key, doc", "prints": "key, doc, n"}
#: Postings are inserted this many rows a statement (binding rows costs less than statements).
ROWS_PER_INSERT = 500
#: A merge reads the keys of its segment back this many at a time (for its Bloom filter).
KEYS_PER_READ = 1 << 20
#: This many segments of about the same size are merged into one.
FANOUT = 8
#: Segments with fewer postings than this are all of the smallest size class (a batch of
#: 10,000 news articles makes about 900,000).
SMALLEST_SEGMENT = 500_000
#: Segments with this many postings (about 400,000 news articles) are not merged again: copying
#: the merged postings holds the write lock (about a second per million postings).
LARGEST_MERGED = 32_000_000
#: (segment, its Bloom filter) for each segment of a snapshot.
Snapshot = list[tuple[int, np.ndarray]]


class Segments:
    """The posting tables of one index file."""

    def __init__(
        self, db: sqlite3.Connection, filters: dict[int, np.ndarray] | None = None
    ) -> None:
        self._db = db
        # Connections of one process may share the cache: segments never change.
        self._filters: dict[int, np.ndarray] = {} if filters is None else filters

    def append(self, bands: tuple[np.ndarray, np.ndarray], prints: tuple[np.ndarray, ...]) -> None:
        """Write (keys, docs) band postings and (keys, docs, counts) fingerprint postings as a
        new segment."""
        seg = self._new_segment()
        self._insert(f"bands_{seg}", *bands)
        self._insert(f"prints_{seg}", *prints)
        self._finish(seg, bands[0].size + prints[0].size, np.concatenate([bands[0], prints[0]]))

    def forget(self, docs: list[int]) -> None:
        """Note removed documents: their postings stay until merged, and lookups skip them
        when the caller checks that the documents exist."""
        self._db.execute(
            "INSERT OR IGNORE INTO removed SELECT value FROM json_each(?)", (json.dumps(docs),)
        )

    def snapshot(self) -> Snapshot:
        """The segments and their filters, as the current transaction sees them. Filters are
        cached: a segment never changes, it is only merged into a new one."""
        segs = [s for (s,) in self._db.execute("SELECT seg FROM segments ORDER BY seg")]
        out = []
        for seg in segs:
            bits = self._filters.get(seg)
            if bits is None:
                (row,) = self._db.execute("SELECT filter FROM segments WHERE seg = ?", (seg,))
                bits = self._filters[seg] = np.frombuffer(row[0], dtype=np.uint8)
            out.append((seg, bits))
        for seg in set(self._filters) - set(segs):
            # Merged away (a connection on an older snapshot that still needs it reads it again).
            self._filters.pop(seg, None)
        return out

    def lookup(
        self, kind: str, value: str, keys: np.ndarray, segs: Snapshot, cap: int
    ) -> np.ndarray:
        """The SQL expression `value` of the `kind` postings of each key, for keys held by fewer
        than `cap` rows in all (`cap` rows at most are read per key and segment)."""
        key_values = signed(keys)
        mixed = bloom.mix(keys)
        per_key: dict[int, list[str]] = {}
        for seg, bits in segs:
            probes = key_values[bloom.may_hold(bits, mixed)]
            if not probes.size:
                continue
            lists = self._db.execute(
                f"SELECT p.value, (SELECT group_concat(v) FROM (SELECT {value} AS v "
                f"FROM {kind}_{seg} WHERE key = p.value LIMIT ?)) FROM json_each(?) AS p",
                (cap, json.dumps(probes.tolist())),
            ).fetchall()
            for key, held in lists:
                if held is not None:
                    per_key.setdefault(key, []).append(held)
        held = [
            ",".join(parts)
            for parts in per_key.values()
            if sum(p.count(",") + 1 for p in parts) < cap
        ]
        if not held:
            return np.empty(0, dtype=np.int64)
        return np.array(",".join(held).split(","), dtype=np.int64)

    def totals(self) -> tuple[int, int]:
        """(segments, postings)."""
        return self._db.execute(
            "SELECT count(*), coalesce(sum(postings), 0) FROM segments"
        ).fetchone()

    def _new_segment(self) -> int:
        """A new segment's number (never one used before: AUTOINCREMENT) and empty tables."""
        seg = self._db.execute("INSERT INTO segments VALUES (NULL, 0, x'')").lastrowid
        for kind, columns in _COLUMNS.items():
            self._db.execute(
                f"CREATE TABLE {kind}_{seg} ({columns}, PRIMARY KEY (key, doc)) WITHOUT ROWID"
            )
        return seg

    def _finish(self, seg: int, postings: int, keys: np.ndarray) -> None:
        self._db.execute(
            "UPDATE segments SET postings = ?, filter = ? WHERE seg = ?",
            (postings, bloom.build(keys), seg),
        )

    def _insert(self, table: str, keys: np.ndarray, *columns: np.ndarray) -> None:
        """Insert postings (key, *columns) in primary-key order, so they are appended."""
        key_values = signed(keys)
        order = np.lexsort((columns[0], key_values))
        rows = np.stack([key_values[order], *(c[order] for c in columns)], axis=1)
        width = rows.shape[1]
        full = rows.shape[0] - rows.shape[0] % ROWS_PER_INSERT
        row = f"({', '.join('?' * width)})"
        self._db.executemany(
            f"INSERT INTO {table} VALUES {','.join([row] * ROWS_PER_INSERT)}",
            rows[:full].reshape(-1, ROWS_PER_INSERT * width).tolist(),
        )
        self._db.executemany(f"INSERT INTO {table} VALUES {row}", rows[full:].tolist())

    def due(self) -> list[int]:
        """Segments to merge next: FANOUT of the smallest size class that has that many."""
        classes: dict[int, list[int]] = {}
        for seg, postings in self._db.execute(
            "SELECT seg, postings FROM segments WHERE postings < ? ORDER BY seg", (LARGEST_MERGED,)
        ):
            size = max(postings, SMALLEST_SEGMENT) / SMALLEST_SEGMENT
            classes.setdefault(int(math.log(size, FANOUT)), []).append(seg)
        full = [segs for _, segs in sorted(classes.items()) if len(segs) >= FANOUT]
        return full[0][:FANOUT] if full else []

    def exist(self, segs: list[int]) -> bool:
        """Whether all these segments are still there (not merged by another writer)."""
        listed = json.dumps(segs)
        (found,) = self._db.execute(
            "SELECT count(*) FROM segments WHERE seg IN (SELECT value FROM json_each(?))",
            (listed,),
        ).fetchone()
        return found == len(segs)

    def merge_due(self) -> bool:
        """Merge the segments `due` gives, if any, in the caller's write transaction; whether
        there were."""
        sorted_ = self.sort_due()
        if sorted_ is not None:
            self.replace(sorted_)
        return sorted_ is not None

    def sort_due(self) -> Sorted | None:
        """Merge-sort the postings of the segments due into temporary tables of this connection,
        and build their filter: the costly part of a merge, which needs no write lock (a read
        transaction is enough)."""
        segs = self.due()
        if not segs:
            return None
        keys = [np.empty(0, dtype=np.int64)]
        for kind, names in _NAMES.items():
            # Each segment is sorted already: SQLite merges them (MERGE (UNION ALL)), no sort.
            arms = " UNION ALL ".join(f"SELECT {names} FROM main.{kind}_{seg}" for seg in segs)
            self._db.execute(f"DROP TABLE IF EXISTS temp.sorted_{kind}")
            self._db.execute(f"CREATE TEMP TABLE sorted_{kind} AS {arms} ORDER BY key, doc")
            keys += self._keys(f"temp.sorted_{kind}")
        return Sorted(segs, bloom.build(np.concatenate(keys)))

    def _keys(self, table: str) -> list[np.ndarray]:
        """The keys of a table, in chunks of rows joined as text by SQLite and parsed by numpy
        (3 times faster than a Python integer per row, and mostly without the GIL)."""
        (rows,) = self._db.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()
        chunks = []
        for low in range(1, rows + 1, KEYS_PER_READ):
            (text,) = self._db.execute(
                f"SELECT group_concat(key) FROM {table} WHERE rowid BETWEEN ? AND ?",
                (low, low + KEYS_PER_READ - 1),
            ).fetchone()
            chunks.append(np.fromstring(text or "", dtype=np.int64, sep=","))
        return chunks

    def replace(self, sorted_: Sorted) -> None:
        """Replace the segments by their sorted postings as one new segment, leaving out the
        postings of removed documents (in the caller's write transaction). The sorted rows are
        appended in primary-key order, like a new batch's."""
        merged = self._new_segment()
        chosen = ",".join(str(s) for s in sorted_.segs)
        live = ""
        if self._db.execute("SELECT 1 FROM removed LIMIT 1").fetchone():
            live = "WHERE doc NOT IN (SELECT doc FROM removed)"
        postings = 0
        for kind, names in _NAMES.items():
            postings += self._db.execute(
                f"INSERT INTO main.{kind}_{merged} SELECT {names} FROM temp.sorted_{kind} {live}"
            ).rowcount
            for seg in sorted_.segs:
                self._db.execute(f"DROP TABLE main.{kind}_{seg}")
            self._db.execute(f"DROP TABLE temp.sorted_{kind}")
        self._db.execute(f"DELETE FROM segments WHERE seg IN ({chosen})")
        # The filter may hold keys of documents removed since the sort: harmless false positives.
        self._db.execute(
            "UPDATE segments SET postings = ?, filter = ? WHERE seg = ?",
            (postings, sorted_.filter, merged),
        )


@dataclass(frozen=True)
class Sorted:
    """Segments whose postings `Segments.sort_due` has sorted, and the filter of their keys."""

    segs: list[int]
    filter: bytes
