"""The index file: its SQLite settings, the tables of documents, and the format version and
options stored in it. An index of another format version, or opened with other options, is
refused with both named: it is never misread."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from neardup.errors import IndexFormatError, OptionsError
from neardup.index.postings import SCHEMA
from neardup.options import Options

#: Version of the on-disk layout. An index of another version is refused, never misread.
#: 2: shingles in their own table, fingerprints sampled (1 in PRINT_SAMPLE).
#: 3: band keys of one-permutation MinHash signatures (`kernel.minhash`).
#: 4: exact keys of the words of the whole text (punctuation left out), no separate word key.
#: 5: the text of each matchable document, compressed (table `texts`, where facts matter), whose
#:    facts the facts rule reads when a query asks for them (`core/facts.py`).
FORMAT_VERSION = 5

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
CREATE TABLE texts (doc INTEGER PRIMARY KEY, z BLOB NOT NULL);
"""


#: zlib's level for the stored texts (table `texts`): 1 keeps 57% of a news text's bytes, the
#: default (6) 55% in a third more time, which an `add` spends (a text is seldom read back).
ZLEVEL = 1


def pack(text: str) -> bytes:
    """A text as the index stores it (table `texts`), compressed."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), ZLEVEL)


def unpack(stored: bytes) -> str:
    """A stored text (:func:`pack`)."""
    return zlib.decompress(stored).decode("utf-8", "surrogatepass")


def create_tables(db: sqlite3.Connection, path: Path, options: Options) -> None:
    """Make an empty file an index with these options (inside the caller's write transaction);
    an index is left as it is, and another SQLite file refused."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone():
        return
    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise IndexFormatError(f"{path}: an SQLite file but not a neardup index")
    for statement in [*_SCHEMA.split(";")[:-1], *SCHEMA]:
        db.execute(statement)
    meta = {
        "format_version": str(FORMAT_VERSION),
        "options": json.dumps(options_dict(options), sort_keys=True),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())


def stored_options(db: sqlite3.Connection, path: Path, wanted: Options | None) -> Options:
    """The options the index was built with, after checking its format version; with `wanted`,
    the index must have been built with those."""
    meta = dict(db.execute("SELECT key, value FROM meta"))
    found = meta.get("format_version")
    if found != str(FORMAT_VERSION):
        raise IndexFormatError(
            f"{path}: index format version {found}; this neardup reads format version "
            f"{FORMAT_VERSION} only: rebuild the index (`neardup index create`, then `add`)"
        )
    try:
        stored = Options(**json.loads(meta["options"]))
    except (TypeError, ValueError, KeyError) as error:
        raise IndexFormatError(f"{path}: unreadable stored options ({error})") from None
    if wanted is not None:
        theirs, ours = options_dict(stored), options_dict(wanted)
        differ = [f"{k}={theirs[k]!r} (not {ours[k]!r})" for k in theirs if theirs[k] != ours[k]]
        if differ:
            raise OptionsError(
                f"{path}: the index was built with other options: {', '.join(differ)}"
            )
    return stored


#: Options stored (and shown by `index stats`) under their first names, which scripts reading
#: the stats know; `Options` takes both spellings.
_STORED_NAMES = {
    "ignore_furniture": "ignore_boilerplate",
    "furniture_min_docs": "boilerplate_min_docs",
}


def options_dict(options: Options) -> dict[str, Any]:
    """The options that shape an index, LSH bands resolved (a new default must not misread it)."""
    values = {
        _STORED_NAMES.get(f.name, f.name): getattr(options, f.name)
        for f in fields(options)
        if f.init
    }
    values["bands"], values["rows"] = options.lsh
    del values["char_errors"]  # the index takes no character-level second look
    return values


@contextmanager
def transaction(db: sqlite3.Connection, begin: str) -> Iterator[None]:
    """A transaction (`BEGIN` to read, `BEGIN IMMEDIATE` to write), rolled back on errors."""
    db.execute(begin)
    try:
        yield
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def connect(path: Path, cache_mb: int = 64) -> sqlite3.Connection:
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


def files(path: Path) -> list[Path]:
    """The files of the index at `path`: the database, its log and the log's index."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
