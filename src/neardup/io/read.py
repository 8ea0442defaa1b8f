"""Read documents from files (.txt folders, JSONL, Parquet, CSV) and from in-memory records.

Every reader yields :class:`Record`s in a stable order, with the user's id, the text, the record
as it was read (written back unchanged by `dedup`), and where it came from (for error messages).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson

from neardup.errors import InputError

SUPPORTED = (".txt folder or file", ".jsonl", ".jsonl.gz", ".parquet", ".csv", ".csv.gz")
_INVALID = re.compile("[\ud800-\udfff]")
_JSONL = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
T = TypeVar("T")


@dataclass(frozen=True)
class Record:
    """One input document: the user's id, its text, the record as read, and where it is."""

    id: str
    text: str
    fields: Mapping[str, Any]
    where: str


@dataclass
class ReadStats:
    """What reading found: how many documents, and how many needed their bytes repaired."""

    documents: int = 0
    invalid_utf8: int = 0


class RecordReader:
    """Turns raw records into :class:`Record`s: checks fields, repairs invalid UTF-8, counts."""

    def __init__(self, id_field: str, text_field: str, stats: ReadStats | None = None) -> None:
        self.id_field = id_field
        self.text_field = text_field
        self.stats = stats if stats is not None else ReadStats()

    def make(self, fields: Mapping[str, Any], where: str, *, clean: bool = False) -> Record:
        """A Record of raw fields; `clean`: the fields are known to hold no lone surrogate."""
        if not isinstance(fields, Mapping):
            raise InputError(
                f"{where}: expected an object with fields, got {type(fields).__name__}"
            )
        if self.id_field not in fields or fields[self.id_field] is None:
            raise InputError(f"{where}: no id field '{self.id_field}' (choose it with --id-field)")
        if self.text_field not in fields:
            raise InputError(
                f"{where}: no text field '{self.text_field}' (choose it with --text-field)"
            )
        text = fields[self.text_field]
        # A missing text (None, or NaN as pandas reads one) is an empty document.
        if text is None or (isinstance(text, float) and text != text):
            text = ""
        elif not isinstance(text, str):
            raise InputError(
                f"{where}: text field '{self.text_field}' is a {type(text).__name__}, not a string"
            )
        if None in fields:  # csv.DictReader puts extra values under None
            raise InputError(f"{where}: more values than the header has columns")
        self.stats.documents += 1
        if clean:
            return Record(str(fields[self.id_field]), text, fields, where)
        repaired = self.repair(text)
        if repaired is not text or any(_invalid(v) for v in fields.values()):
            # Written back repaired: an output never holds a lone surrogate.
            fields = {k: _INVALID.sub("\ufffd", v) if _invalid(v) else v for k, v in fields.items()}
            fields[self.text_field] = repaired
        return Record(_INVALID.sub("\ufffd", str(fields[self.id_field])), repaired, fields, where)

    def repair(self, text: str) -> str:
        """Replace undecodable bytes (kept as surrogates while reading) with U+FFFD, counting."""
        if text.isascii() or _INVALID.search(text) is None:
            return text
        self.stats.invalid_utf8 += 1
        return _INVALID.sub("\ufffd", text)


def _invalid(value: Any) -> bool:
    return isinstance(value, str) and not value.isascii() and _INVALID.search(value) is not None


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape").removeprefix("\ufeff")


#: Value types that orjson and the json module read and write the same way.
PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def parse_json_line(raw: bytes, where: str) -> tuple[Any, bool]:
    """The line's value, and whether its strings can hold no lone surrogate.

    orjson parses valid UTF-8 and strict JSON about 3× faster than the standard library and never
    yields a lone surrogate; what it refuses (invalid UTF-8, a lone `\\uD800`, a BOM, NaN,
    malformed JSON) is parsed again as before, which repairs or names the error. So are records
    with floats or nested values, since orjson reads an integer beyond 64 bits as a float and
    `dedup` writes records back unchanged.
    """
    try:
        fields = orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    else:
        if isinstance(fields, dict) and all(type(v) in PLAIN_TYPES for v in fields.values()):
            return fields, True
    try:
        line, clean = raw.decode("utf-8").removeprefix("\ufeff"), True
    except UnicodeDecodeError:
        line, clean = _decode(raw), False
    try:
        fields = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: malformed JSON ({error.msg})") from None
    except RecursionError:
        raise InputError(f"{where}: malformed JSON (nested too deeply)") from None
    return fields, clean and b"\\ud" not in raw.lower()


def _open_binary(path: Path) -> io.BufferedIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_txt_folder(root: Path, reader: RecordReader) -> Iterator[Record]:
    """Every .txt file below `root`, sorted by path; the id is the path relative to `root`."""
    files = sorted(p for p in root.rglob("*.txt") if p.is_file())
    if not files:
        raise InputError(f"{root}: the folder holds no .txt files")
    for path in files:
        yield read_txt_file(path, reader, path.relative_to(root).as_posix())


def read_txt_file(path: Path, reader: RecordReader, doc_id: str | None = None) -> Record:
    """One .txt file as one document (id: its name, unless given)."""
    doc_id = _INVALID.sub("\ufffd", path.name if doc_id is None else doc_id)
    text = reader.repair(_decode(path.read_bytes()))
    reader.stats.documents += 1
    return Record(doc_id, text, {reader.id_field: doc_id, reader.text_field: text}, str(path))


def read_jsonl(path: Path, reader: RecordReader) -> Iterator[Record]:
    """One JSON object per line; blank lines are skipped."""
    for record in _jsonl_records(path, reader):
        yield record()


def _jsonl_records(path: Path, reader: RecordReader) -> Iterator[Callable[[], Record]]:
    """Each record line of a JSONL file, as a call that parses it."""

    def parse(raw: bytes, where: str) -> Record:
        fields, clean = parse_json_line(raw, where)
        return reader.make(fields, where, clean=clean)

    with _open_binary(path) as handle:
        for number, raw in enumerate(_lines(handle, path), start=1):
            if raw.strip():
                yield functools.partial(parse, raw, f"{path}:{number}")


def _lines(handle: io.BufferedIOBase, path: Path) -> Iterator[bytes]:
    try:
        yield from handle
    except (OSError, EOFError) as error:  # a truncated or corrupt .gz
        raise InputError(f"{path}: cannot be read ({error})") from None


def read_csv(path: Path, reader: RecordReader) -> Iterator[Record]:
    """A CSV file with a header row."""
    csv.field_size_limit(sys.maxsize)
    with _open_binary(path) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        rows = csv.DictReader(text)
        try:
            columns = rows.fieldnames or []
            for name in (reader.id_field, reader.text_field):
                if name not in columns:
                    raise InputError(f"{path}: no column '{name}' (columns: {', '.join(columns)})")
            for fields in rows:
                yield reader.make(fields, f"{path}:{rows.line_num}")
        except csv.Error as error:
            raise InputError(f"{path}:{rows.line_num}: malformed CSV ({error})") from None


def read_parquet(path: Path, reader: RecordReader) -> Iterator[Record]:
    """A Parquet file, read in batches."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{path}: not a readable Parquet file ({error})") from None
    columns = parquet.schema_arrow.names
    for name in (reader.id_field, reader.text_field):
        if name not in columns:
            raise InputError(f"{path}: no column '{name}' (columns: {', '.join(columns)})")
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=2048):
            for fields in batch.to_pylist():
                row += 1
                yield reader.make(fields, f"{path}: row {row}")
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{path}: unreadable after row {row} ({error})") from None


def read_path(path: Path, reader: RecordReader) -> Iterator[Record]:
    """The documents of one input path, chosen by its kind."""
    yield from _named_errors(path, _read_kind(path, reader))


def _named_errors(path: Path, items: Iterator[T]) -> Iterator[T]:
    """The items read from `path`, an error reading it named as an input error."""
    try:
        yield from items
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None


def _read_kind(path: Path, reader: RecordReader) -> Iterator[Record]:
    name = path.name.lower()
    if path.is_dir():
        yield from read_txt_folder(path, reader)
    elif not path.exists():
        raise InputError(f"{path}: no such file or folder")
    elif name.endswith(".txt"):
        yield read_txt_file(path, reader)
    elif name.endswith(_JSONL):
        yield from read_jsonl(path, reader)
    elif name.endswith((".csv", ".csv.gz")):
        yield from read_csv(path, reader)
    elif name.endswith(".parquet"):
        yield from read_parquet(path, reader)
    else:
        raise InputError(f"{path}: unknown input kind (supported: {', '.join(SUPPORTED)})")


def read_paths(paths: Sequence[str | Path], reader: RecordReader) -> Iterator[Record]:
    """The documents of several inputs, one after the other."""
    for path in paths:
        yield from read_path(Path(path), reader)


def read_paths_at(
    paths: Sequence[str | Path], reader: RecordReader, positions: set[int]
) -> Iterator[tuple[int, Record]]:
    """The records of `read_paths(paths, reader)` at these positions, with their positions, up to
    the last one. The other lines of JSONL files are not parsed: the second look wants the texts
    of a few documents of a large file."""
    calls = (make for path in map(Path, paths) for make in _lazy_records(path, reader))
    for position, make in records_at(calls, positions):
        yield position, make()


def _lazy_records(path: Path, reader: RecordReader) -> Iterator[Callable[[], Record]]:
    """The records of one input, each as a call that makes it: a JSONL line is parsed only then."""
    if path.is_file() and path.name.lower().endswith(_JSONL):
        yield from _named_errors(path, _jsonl_records(path, reader))
    else:
        for record in read_path(path, reader):
            yield lambda record=record: record


def records_at(items: Iterable[T], positions: set[int]) -> Iterator[tuple[int, T]]:
    """The items at these positions, with their positions; none after the last is read.

    >>> corpus = (Record(str(n), f"t{n}", {}, "") for n in range(9))
    >>> [(p, r.text) for p, r in records_at(corpus, {1, 3})]
    [(1, 't1'), (3, 't3')]
    """
    last = max(positions, default=-1)
    if last < 0:
        return
    for position, item in enumerate(items):
        if position in positions:
            yield position, item
        if position == last:
            return


def unique_ids(records: Iterable[Record], seen: dict[str, str] | None = None) -> Iterator[Record]:
    """The records, an id found twice an error naming both places. `seen` (id: where) carries
    the ids of earlier records across calls."""
    seen = {} if seen is None else seen
    for record in records:
        if record.id in seen:
            raise InputError(
                f"{record.where}: duplicate id '{record.id}' (first at {seen[record.id]})"
            )
        seen[record.id] = record.where
        yield record


def read_records(records: Iterable[Mapping[str, Any]], reader: RecordReader) -> Iterator[Record]:
    """In-memory records (dicts, or the rows of an Arrow or pandas table)."""
    for number, fields in enumerate(rows_of(records), start=1):
        yield reader.make(fields, f"record {number}")


def rows_of(records: Any) -> Iterable[Mapping[str, Any]]:
    """The rows of a pyarrow Table, a pandas DataFrame, or any iterable of mappings."""
    if hasattr(records, "to_batches"):  # pyarrow.Table / RecordBatch
        return (row for batch in records.to_batches() for row in batch.to_pylist())
    if hasattr(records, "to_dict") and hasattr(records, "columns"):  # pandas.DataFrame
        return records.to_dict(orient="records")
    return records
