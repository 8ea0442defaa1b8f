"""Plain JSONL files read by the native core, a chunk of whole lines at a time.

The native core parses a chunk's lines on every core (`kernel.read_jsonl`) and hands over the id
and the text of each record that is the simple case, the texts as UTF-8 in one buffer: no
Python object is made for them but their ids. The records it leaves (invalid UTF-8, a lone
surrogate, a BOM, another type of id or text, a missing field, malformed JSON) are read by
`RecordReader.line_record`, as `read_jsonl` reads every line: repaired, counted, or named in an
error, the same way.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neardup.ahead import worked_ahead
from neardup.core import kernel
from neardup.core.furniture import (
    line_pairs,
    line_pairs_jsonl,
    line_pairs_utf8,
    recurring_of_pairs,
)
from neardup.errors import InputError
from neardup.io.read import Record, RecordReader, cannot_read, changed_input
from neardup.io.write import JsonLines

#: Bytes read at a time (whole lines: a longer line is read whole).
CHUNK_BYTES = 16 * 2**20
#: Room in a buffer past CHUNK_BYTES for the rest of the line a read ends in: a buffer grows (a
#: new one, its memory touched afresh) only for a line longer than this.
LINE_ROOM = 2**20
_PLAIN_JSONL = (".jsonl", ".ndjson")
_NO_SPANS = np.empty((0, 2), np.int64)


def reads_natively(paths: Iterable[str | Path], reader: RecordReader) -> bool:
    """Whether these inputs are read by the native core: plain JSONL files (not compressed),
    without an html field (whose pages Python extracts), and none a spool of extracted pages
    (whose errors name where each record was first read: `RecordReader.places`)."""
    files = [Path(p) for p in paths]
    return (
        bool(files)
        and reader.html_field is None
        and not any(f in reader.places for f in files)
        and all(f.is_file() and f.name.lower().endswith(_PLAIN_JSONL) for f in files)
    )


@dataclass(frozen=True)
class Lines:
    """Where the records of a chunk are."""

    path: Path
    #: The number (from 1) of the chunk's first line in its file.
    first: int
    #: Each record's line in the chunk, from 0 (int64).
    lines: np.ndarray
    #: Each record's line as bytes [start, end) of the file (int64, records × 2).
    spans: np.ndarray

    def where(self, record: int) -> str:
        """Where a record is, as an error names it (`read.read_jsonl`)."""
        return f"{self.path}:{self.first + int(self.lines[record])}"


@dataclass
class Places:
    """Where each record of a native read is (its chunks' `Lines`), by position."""

    #: The position of each chunk's first record, and the chunk's lines.
    starts: list[int] = field(default_factory=list)
    lines: list[Lines] = field(default_factory=list)

    def add(self, start: int, lines: Lines) -> None:
        self.starts.append(start)
        self.lines.append(lines)

    def where(self, position: int) -> str:
        k = bisect.bisect_right(self.starts, position) - 1
        return self.lines[k].where(position - self.starts[k])

    def runs(self, positions: np.ndarray) -> Iterator[tuple[Path, np.ndarray, np.ndarray]]:
        """For the records at these positions (ascending), file by file: the file, each one's
        line as bytes [start, end) of it (records × 2), and its line number (from 1)."""
        if not positions.size:
            return
        chunks = np.searchsorted(self.starts, positions, side="right") - 1
        records = positions - np.asarray(self.starts, dtype=np.int64)[chunks]
        ends = np.r_[np.flatnonzero(np.diff(chunks)) + 1, positions.size]
        spans, numbers, path = [], [], None
        for lo, hi in itertools.pairwise(np.r_[0, ends].tolist()):
            lines = self.lines[int(chunks[lo])]
            if path is not None and lines.path != path:
                yield path, np.concatenate(spans), np.concatenate(numbers)
                spans, numbers = [], []
            path = lines.path
            spans.append(lines.spans[records[lo:hi]])
            numbers.append(lines.first + lines.lines[records[lo:hi]])
        if path is not None:
            yield path, np.concatenate(spans), np.concatenate(numbers)


@dataclass
class Chunk:
    """The records of a chunk of lines of a file, in order."""

    lines: Lines
    ids: list[str]
    #: The texts, UTF-8, end to end: record r's is `data[offsets[r]:offsets[r + 1]]`, but for
    #: the records Python read, whose texts are in `made` (by record).
    data: np.ndarray
    offsets: np.ndarray
    made: dict[int, str]
    #: Each text's length in characters (int64).
    chars: np.ndarray
    #: The error of the record after the last one here, where Python could not read it (or
    #: the file could not be read): the chunk ends there, and so does the read.
    failure: InputError | None = None

    def __len__(self) -> int:
        return len(self.ids)


def read_chunks(paths: Iterable[str | Path], reader: RecordReader) -> Iterator[Chunk]:
    """The chunks of records of these files (`reads_natively`), one file after the other, up to
    the first that ends with a failure. Every record counts in `reader.stats`."""
    for path in map(Path, paths):
        for chunk in _file_chunks(path, reader):
            yield chunk
            if chunk.failure is not None:
                return


def _file_chunks(path: Path, reader: RecordReader) -> Iterator[Chunk]:
    first_line = offset = 0
    for block in _blocks(path):
        if isinstance(block, InputError):
            yield _empty_chunk(path, first_line + 1, block)
            return
        line_count, chunk = _chunk(path, block, first_line, offset, reader)
        yield chunk
        first_line += line_count
        offset += block.size


def _chunk(
    path: Path, block: np.ndarray, first_line: int, offset: int, reader: RecordReader
) -> tuple[int, Chunk]:
    """The chunk of a block of `path` (at byte `offset`, after `first_line` lines), and how many
    lines the block has."""
    line_count, *arrays = kernel.read_jsonl(block, reader.id_field, reader.text_field)
    lines = Lines(path, first_line + 1, arrays[0], arrays[-1] + offset)
    return line_count, _made_chunk(lines, block, arrays, reader)


def _blocks(path: Path, buffers: int = 1) -> Iterator[np.ndarray | InputError]:
    """The file's bytes (uint8), a block of whole lines at a time, each read into the buffer of
    the one `buffers` blocks before; where the file cannot be read, the error to raise comes
    last."""
    pool = [np.empty(CHUNK_BYTES + LINE_ROOM, np.uint8) for _ in range(buffers)]
    try:
        with path.open("rb") as handle:
            for turn in itertools.count():
                buffer = pool[turn % buffers]
                if not (size := handle.readinto(buffer[:CHUNK_BYTES])):
                    break
                rest = np.frombuffer(handle.readline(), np.uint8)  # the end of the last line
                if size + rest.size > buffer.size:
                    buffer = pool[turn % buffers] = np.concatenate([buffer[:size], rest])
                else:
                    buffer[size : size + rest.size] = rest
                yield buffer[: size + rest.size]
    except OSError as error:
        yield cannot_read(path, error)


def _made_chunk(lines: Lines, block: np.ndarray, arrays: list[Any], reader: RecordReader) -> Chunk:
    """The chunk of what `kernel.read_jsonl` read of `block` (the records on `lines`), with the
    records it left made by Python in order (up to the first one that fails)."""
    _, ids, data, offsets, chars, left, spans = arrays
    chunk = Chunk(lines, ids, data, offsets, {}, chars)
    for record, (start, end) in zip(left.tolist(), spans[left].tolist(), strict=True):
        where = chunk.lines.where(record)
        try:
            made = reader.line_record(block[start:end].tobytes(), where)
        except InputError as error:
            _cut(chunk, record, error)
            break
        chunk.ids[record], chunk.made[record] = made.id, made.text
        chunk.chars[record] = len(made.text)
    reader.stats.documents += len(chunk) - len(chunk.made)  # those `make` did not count
    return chunk


def _cut(chunk: Chunk, end: int, failure: InputError) -> None:
    """End `chunk` before its record `end`, which Python could not read."""
    del chunk.ids[end:]
    chunk.offsets, chunk.chars = chunk.offsets[: end + 1], chunk.chars[:end]
    chunk.failure = failure


def _empty_chunk(path: Path, first_line: int, failure: InputError) -> Chunk:
    nothing = np.empty(0, np.int64)
    lines = Lines(path, first_line, nothing, _NO_SPANS)
    return Chunk(lines, [], np.empty(0, np.uint8), np.zeros(1, np.int64), {}, nothing, failure)


def texts_at(
    places: Places, ids: list[str], reader: RecordReader, positions: set[int]
) -> dict[int, str]:
    """The texts of the records of a native read at these positions (the second look's texts),
    each line read where the first read found it (`places`) and parsed as it was then: on every
    core, and by Python for the records the native core leaves. A record whose id is not
    `ids[position]` is an error: the input changed between the reads."""
    wanted = np.array(sorted(positions), dtype=np.int64)
    texts: dict[int, str] = {}
    done = 0
    for path, spans, numbers in places.runs(wanted):
        # The lines are read a block of about CHUNK_BYTES at a time.
        ends = np.cumsum(spans[:, 1] - spans[:, 0])
        cuts = np.searchsorted(ends, np.arange(CHUNK_BYTES, ends[-1], CHUNK_BYTES), "right")
        for lo, hi in itertools.pairwise(np.unique(np.r_[0, cuts, ends.size]).tolist()):
            at = wanted[done + lo : done + hi].tolist()
            lines = Lines(path, 0, numbers[lo:hi], spans[lo:hi])
            texts.update(zip(at, _read_lines(lines, [ids[p] for p in at], reader), strict=True))
        done += ends.size
    return texts


def _read_lines(lines: Lines, ids: list[str], reader: RecordReader) -> list[str]:
    """The texts of the records on these lines of a file, read where they are; record k's id
    must be `ids[k]`."""
    try:
        with lines.path.open("rb") as handle:
            spans = lines.spans.tolist()
            read = [os.pread(handle.fileno(), end - start, start) for start, end in spans]
    except OSError as error:
        raise cannot_read(lines.path, error) from None
    gathered = np.frombuffer(b"".join(read), np.uint8)
    line_count, *arrays = kernel.read_jsonl(gathered, reader.id_field, reader.text_field)
    if line_count != len(ids) or arrays[0].size != len(ids):  # no longer one line each
        raise changed_input(lines.where(0))
    chunk = _made_chunk(lines, gathered, arrays, reader)
    if chunk.failure is not None:
        raise chunk.failure
    for k, (found, first) in enumerate(zip(chunk.ids, ids, strict=True)):
        if found != first:
            raise changed_input(lines.where(k))
    return list(_chunk_texts(chunk))


def _chunk_texts(chunk: Chunk) -> Iterator[str]:
    """The texts of a chunk's records, in order."""
    data, offsets = chunk.data, chunk.offsets
    for r in range(len(chunk)):
        made = chunk.made.get(r)
        yield made if made is not None else data[offsets[r] : offsets[r + 1]].tobytes().decode()


def recurring_lines(
    paths: Iterable[str | Path], reader: RecordReader, *, min_docs: int
) -> set[int]:
    """`furniture.recurring_lines` of the texts of these files (`reads_natively`); the first
    record that cannot be read is an error, as on any read."""
    pairs = (pairs for path in map(Path, paths) for pairs in _file_line_pairs(path, reader))
    return recurring_of_pairs(pairs, min_docs=min_docs)


def _file_line_pairs(path: Path, reader: RecordReader) -> Iterator[np.ndarray]:
    """The (text key, line key) rows of each block of the file. A block's texts are parsed and
    keyed at once, with nothing else kept (`furniture.line_pairs_jsonl`), while the next block
    is read into the other of two buffers; a block with a record that is not the simple case
    is read as a chunk, its records Python reads made by Python."""

    def keyed(block: np.ndarray | InputError) -> tuple[Any, int, np.ndarray | None]:
        if isinstance(block, InputError):
            return block, 0, None
        return block, *line_pairs_jsonl(block, reader.id_field, reader.text_field)

    first_line = offset = 0
    for block, line_count, pairs in worked_ahead(keyed, _blocks(path, buffers=2)):
        if isinstance(block, InputError):
            raise block
        if pairs is None:
            line_count, chunk = _chunk(path, block, first_line, offset, reader)
            if chunk.failure is not None:
                raise chunk.failure
            pairs = np.concatenate(
                [line_pairs_utf8(chunk.data, chunk.offsets), line_pairs(chunk.made.values())]
            )
        yield pairs
        first_line += line_count
        offset += block.size


def kept_rows(
    paths: Iterable[str | Path],
    reader: RecordReader,
    ids: list[str],
    removed: np.ndarray,
    cluster_ids: np.ndarray | None,
    kept_row: Callable[[int, Record], Mapping[str, Any] | None],
) -> Iterator[JsonLines | Mapping[str, Any]]:
    """`dedup`'s kept records of these files (`reads_natively`), by one more read, in order.

    The native core writes each line as `write.jsonl_line` writes the record Python reads from
    it (with the `cluster_id` of `cluster_ids` added, where given), in blocks of lines; no
    Python object is made for them. The lines it cannot write so, and any record whose id is
    not `ids[index]`, are read by Python as `read_jsonl` reads them and handed to `kept_row`
    with their index, which returns the row to write (or None for a removed record) or names
    an error, as for the records of any other input.
    """
    first = 0
    for path in map(Path, paths):
        first_line = 1
        # A block is scanned on every core while the one before is written: two buffers, as
        # the block read next goes into the buffer of the block written before.
        scanned = worked_ahead(functools.partial(_scanned, reader), _blocks(path, buffers=2))
        for block, scan in scanned:
            line_count, records, data, count, left, places, before, lines, spans = (
                kernel.kept_lines(scan, ids, first, removed, cluster_ids)
            )
            where = Lines(path, first_line, lines, _NO_SPANS).where
            start = done = 0
            for k, (record, place, written, (begin, end)) in enumerate(
                zip(left.tolist(), places.tolist(), before.tolist(), spans.tolist(), strict=True)
            ):
                if place > start:
                    yield JsonLines(data[start:place], written - done)
                start, done = place, written
                made = reader.line_record(block[begin:end].tobytes(), where(k))
                if (row := kept_row(first + record, made)) is not None:
                    yield row
            if start < data.size:
                yield JsonLines(data[start:], count - done)
            first += records
            first_line += line_count


def _scanned(
    reader: RecordReader, block: np.ndarray | InputError
) -> tuple[np.ndarray, kernel.KeptScan]:
    if isinstance(block, InputError):
        raise block
    return block, kernel.scan_kept(block, reader.id_field, reader.text_field)
