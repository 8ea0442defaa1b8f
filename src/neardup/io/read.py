"""Read documents from files (.txt folders, JSONL, Parquet, CSV) and from in-memory records.

Every reader yields :class:`Record`s in a stable order, with the user's id, the text, the record
as it was read (written back unchanged by `dedup`), and where it came from (for error messages).
"""

from __future__ import annotations

import csv
import fnmatch
import functools
import gzip
import io
import itertools
import json
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from neardup.errors import InputError, shortened
from neardup.io.frames import arrow_batches

SUPPORTED = (
    ".txt folder or file",
    ".jsonl",
    ".jsonl.gz",
    ".parquet",
    ".csv",
    ".csv.gz",
    "Hugging Face save_to_disk folder",
    ".html/.htm file or folder",
    ".warc[.gz]/.wet[.gz]",
)
_INVALID = re.compile("[\ud800-\udfff]")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
CSV_SUFFIXES = (".csv", ".csv.gz")
#: File name endings read as files of records (which an html field can be read from).
RECORD_SUFFIXES = (*JSONL_SUFFIXES, ".parquet", *CSV_SUFFIXES)
#: File name endings read as one HTML page each.
HTML_SUFFIXES = (".html", ".htm")
#: File name endings read as WARC (or WET) files, record by record.
WARC_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz")
#: Which files of a folder are documents, unless told otherwise (`--glob`).
DEFAULT_GLOB = "*.txt"
#: How many names a notice lists before "and N more".
NAMED = 5
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
    """What reading found: how many documents, which needed their bytes repaired, and what the
    folders held that was not read."""

    documents: int = 0
    #: The ids of the documents whose invalid UTF-8 was replaced by U+FFFD, in input order.
    invalid_utf8_ids: list[str] = field(default_factory=list)
    #: One sentence per folder and reason, naming the files of the folder that were not read.
    skipped: list[str] = field(default_factory=list)

    @property
    def invalid_utf8(self) -> int:
        return len(self.invalid_utf8_ids)


class RecordReader:
    """Turns raw records into :class:`Record`s: checks fields, repairs invalid UTF-8, counts.

    `glob` chooses which files of a folder are documents, by name, in any case. `html_field`
    names a field of JSONL, CSV or Parquet records holding an HTML page, whose main text becomes
    the text (`io/html.py`). `skip_bad_records` skips (and counts) the truncated or corrupt
    records of a WARC file instead of stopping. `parallel` extracts pages on every core (a Spark
    executor extracts in its own task). `places` maps the JSONL files a first pass wrote (the
    records of pages it extracted, `io/spool.py`) to the files of where each of their records
    was read, a line a record: those records are read as written, without the html field, and
    an error names where they were read, not the spool.
    """

    def __init__(
        self,
        id_field: str,
        text_field: str,
        stats: ReadStats | None = None,
        *,
        glob: str = DEFAULT_GLOB,
        html_field: str | None = None,
        skip_bad_records: bool = False,
        parallel: bool = True,
        places: Mapping[Path, Path] | None = None,
    ) -> None:
        self.id_field = id_field
        self.text_field = text_field
        self.glob = glob
        self.html_field = html_field
        self.skip_bad_records = skip_bad_records
        self.parallel = parallel
        self.places = dict(places or {})
        self.stats = stats if stats is not None else ReadStats()
        #: The ids given to web pages so far (a URI crawled twice gets its record id too).
        self.page_ids: set[str] = set()

    def fresh(self) -> RecordReader:
        """A reader with the same settings and stats of its own (for one more pass)."""
        return RecordReader(
            self.id_field,
            self.text_field,
            glob=self.glob,
            html_field=self.html_field,
            skip_bad_records=self.skip_bad_records,
            parallel=self.parallel,
            places=self.places,
        )

    def extracted(self) -> RecordReader:
        """This reader, with its stats, for records whose pages are extracted already."""
        if self.html_field is None:
            return self
        return RecordReader(
            self.id_field, self.text_field, self.stats, glob=self.glob, parallel=self.parallel
        )

    @property
    def source_field(self) -> str:
        """The field a record's text comes from: the html field where there is one."""
        return self.html_field or self.text_field

    def make(self, fields: Mapping[str, Any], where: str, *, clean: bool = False) -> Record:
        """A Record of raw fields; `clean`: the fields are known to hold no lone surrogate."""
        if not isinstance(fields, Mapping):
            raise InputError(
                f"{where}: expected an object with fields, got {type(fields).__name__}"
            )
        if self.id_field not in fields or fields[self.id_field] is None:
            raise InputError(f"{where}: no id field '{self.id_field}' (choose it with --id-field)")
        source, kind = self.source_field, "html" if self.html_field else "text"
        if source not in fields:
            raise InputError(f"{where}: no {kind} field '{source}' (choose it with --{kind}-field)")
        text = fields[source]
        # A missing text (None, or NaN as pandas reads one) is an empty document.
        if text is None or (isinstance(text, float) and text != text):
            text = ""
        elif self.html_field and isinstance(text, bytes):
            text = ""  # a page as a crawl stores it: its bytes, decoded by the extractor
        elif not isinstance(text, str):
            raise InputError(f"{where}: {kind} field '{source}' is {_kind(text)}, not a string")
        if None in fields:  # csv.DictReader puts extra values under None
            raise InputError(f"{where}: more values than the header has columns")
        self.stats.documents += 1
        if clean:
            return Record(str(fields[self.id_field]), text, fields, where)
        doc_id = _INVALID.sub("\ufffd", str(fields[self.id_field]))
        repaired = self.repair(text, doc_id)
        if repaired is not text or any(_invalid(v) for v in fields.values()):
            # Written back repaired: an output never holds a lone surrogate.
            fields = {k: _INVALID.sub("\ufffd", v) if _invalid(v) else v for k, v in fields.items()}
            fields[source] = repaired
        return Record(doc_id, repaired, fields, where)

    def line_record(self, raw: bytes, where: str) -> Record:
        """The Record of one JSONL line (`parse_json_line`, then `make`)."""
        fields, clean = parse_json_line(raw, where)
        return self.make(fields, where, clean=clean)

    def repair(self, text: str, doc_id: str) -> str:
        """Replace undecodable bytes (kept as surrogates while reading) with U+FFFD, noting the
        document's id."""
        if text.isascii() or _INVALID.search(text) is None:
            return text
        self.stats.invalid_utf8_ids.append(doc_id)
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
    raw = raw.rstrip(b"\r\n")  # so that an error's column is on this line, not the next
    try:
        line, clean = raw.decode("utf-8").removeprefix("\ufeff"), True
    except UnicodeDecodeError:
        line, clean = _decode(raw), False
    try:
        fields = json.loads(line)
    except json.JSONDecodeError as error:
        raise malformed_json(where, error) from None
    except RecursionError:
        raise InputError(f"{where}: malformed JSON (nested too deeply)") from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        digits = sys.get_int_max_str_digits()
        raise InputError(
            f"{where}: malformed JSON (an integer of more than {digits} digits)"
        ) from None
    return fields, clean and b"\\ud" not in raw.lower()


def malformed_json(where: str, error: json.JSONDecodeError) -> InputError:
    """The error for a line that is not JSON, with the column where parsing stopped."""
    reason = error.msg.removesuffix(" at")  # "Invalid control character at" names no place
    return InputError(f"{where}: malformed JSON ({reason} at column {error.colno})")


#: How a value of a JSON (or Parquet, pandas) type is named in an error.
_KINDS = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def _kind(value: object) -> str:
    """'an integer', 'a list', ...: a value's type as a sentence names it."""
    kind = type(value)
    return _KINDS.get(kind, f"a value of type {kind.__name__}")


#: Bytes of a JSONL file read, or written (`write.py`), at a time: with Python's default 8 KB
#: buffer, records of a few KB each cost a system call every line or two (2.7 GB of kept
#: records: 3.3 s of writing against 0.8 s).
FILE_BUFFER = 2**20


def _open_binary(path: Path) -> io.BufferedIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb", buffering=FILE_BUFFER)


def read_txt_folder(root: Path, reader: RecordReader) -> Iterator[Record]:
    """Every file below `root` whose name matches the reader's glob, sorted by path; the id is
    the path relative to `root`. What else the folder holds is named in `reader.stats.skipped`;
    a subfolder that cannot be listed is an error naming it."""
    files, unmatched, unreadable = folder_files(root, reader.glob)
    if not files:
        others = (
            f" (it holds {counted(len(unmatched), 'other file')}: {listed(unmatched)}; "
            "use --glob to read them)"
            if unmatched
            else ""
        )
        raise InputError(f"{root}: the folder holds no files matching {reader.glob}{others}")
    if unmatched:
        verb = "does" if len(unmatched) == 1 else "do"
        reader.stats.skipped.append(
            f"skipped {counted(len(unmatched), 'file')} in {root}/ that {verb} not match "
            f"{reader.glob}: {listed(unmatched)} (use --glob to read them)"
        )
    if unreadable:
        what = "is not a file" if len(unreadable) == 1 else "are not files"
        reader.stats.skipped.append(
            f"skipped {counted(len(unreadable), 'entry', 'entries')} in {root}/ that {what}: "
            f"{listed(unreadable)}"
        )
    yield from _folder_documents(root, files, reader)


def _folder_documents(root: Path, files: list[Path], reader: RecordReader) -> Iterator[Record]:
    """The documents of a folder's files, each file read by its kind as an input of its own
    is (a WARC file's pages, a JSONL file's records), but that a text file's id is its path in
    the folder; each run of HTML files is extracted together (on every core)."""
    from neardup.io import html  # imported here: it reads with this module's helpers

    named = ((path, path.relative_to(root).as_posix()) for path in files)
    for kind, run in itertools.groupby(named, key=lambda item: _file_kind(item[0])):
        if kind == "html":
            yield from html.read_html_files(run, reader, f"{root}/")
        elif kind == "text":
            yield from (read_txt_file(path, reader, doc_id) for path, doc_id in run)
        else:  # records, WARC
            for path, _ in run:
                yield from _named_errors(path, _read_kind(path, reader))


#: What a file name says a file holds, besides text: (its kind, the endings that say so).
_FILE_KINDS = (("html", HTML_SUFFIXES), ("records", RECORD_SUFFIXES), ("warc", WARC_SUFFIXES))
#: How an error names a file of each kind: (one, several).
_KIND_NAMES = {
    "html": ("an HTML page", "HTML pages"),
    "warc": ("a WARC file", "WARC files"),
    "text": ("a text file", "text files"),
}


def _file_kind(path: Path) -> str:
    """`html`, `records` (a file of records, read by its kind), `warc` or `text`."""
    name = path.name.lower()
    return next((kind for kind, endings in _FILE_KINDS if name.endswith(endings)), "text")


def folder_files(root: Path, glob: str) -> tuple[list[Path], list[str], list[str]]:
    """The files below `root` whose names match `glob` (in any case), sorted by path; the
    relative paths of the other files; and, each with what it is, those of the links to folders
    and of the matching entries that are not files (a dangling link, a pipe)."""
    matches = re.compile(fnmatch.translate(glob), re.IGNORECASE).match
    files: list[Path] = []
    unmatched: list[str] = []
    unreadable: list[str] = []
    for entry in _entries(root):
        name = Path(entry.path).relative_to(root).as_posix()
        if entry.is_dir():  # a link to a folder: not followed, as a link loop would never end
            unreadable.append(f"{name} (a link to a folder)")
        elif not matches(entry.name):
            unmatched.append(name)
        elif entry.is_file():
            files.append(Path(entry.path))
        elif entry.is_symlink():
            unreadable.append(f"{name} (a dangling link)")
        else:
            unreadable.append(f"{name} (not a regular file)")
    return files, unmatched, unreadable


def _entries(folder: Path) -> Iterator[os.DirEntry[str]]:
    """The entries below `folder` that are not folders, depth first in name order (the order of
    their sorted paths); links to folders are not followed."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        raise cannot_read(folder, error) from None
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _entries(Path(entry.path))
        else:
            yield entry


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """The count and the noun, plural unless the count is 1.

    >>> counted(1, "file"), counted(18846, "document"), counted(2, "entry", "entries")
    ('1 file', '18,846 documents', '2 entries')
    """
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def listed(names: Sequence[str]) -> str:
    """The first few names, and how many more.

    >>> listed(["a.md", "b.html"]), listed([str(n) for n in range(8)])
    ('a.md, b.html', '0, 1, 2, 3, 4 and 3 more')
    """
    more = f" and {len(names) - NAMED:,} more" if len(names) > NAMED else ""
    return ", ".join(names[:NAMED]) + more


def read_txt_file(path: Path, reader: RecordReader, doc_id: str | None = None) -> Record:
    """One text file as one document (id: its name, unless given)."""
    doc_id = _INVALID.sub("\ufffd", path.name if doc_id is None else doc_id)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise cannot_read(path, error) from None
    text = reader.repair(_decode(raw), doc_id)
    reader.stats.documents += 1
    return Record(doc_id, text, {reader.id_field: doc_id, reader.text_field: text}, str(path))


def read_jsonl(path: Path, reader: RecordReader) -> Iterator[Record]:
    """One JSON object per line; blank lines are skipped."""
    for record in _jsonl_records(path, reader):
        yield record()


def _jsonl_records(path: Path, reader: RecordReader) -> Iterator[Callable[[], Record]]:
    """Each record line of a JSONL file, as a call that parses it."""

    def parse(raw: bytes, number: int) -> Record:
        return reader.line_record(raw, f"{path}:{number}")

    # Most lines of a re-read are skipped: nothing is made for them (`bytes.strip` would copy
    # each line; `isspace` stops at its first byte).
    with _open_binary(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if raw and not raw.isspace():
                yield functools.partial(parse, raw, number)


def _placed_records(
    path: Path, places: Path, reader: RecordReader
) -> Iterator[Callable[[], Record]]:
    """Each record line of a spool (`RecordReader.places`), as a call that parses it and names
    it by where it was first read."""

    def parse(raw: bytes, place: bytes) -> Record:
        return reader.line_record(raw, json.loads(place))

    with path.open("rb") as handle, places.open("rb") as wheres:
        for raw, place in zip(handle, wheres, strict=True):
            yield functools.partial(parse, raw, place)


def place_line(where: str) -> bytes:
    """A line of a spool's places (`RecordReader.places`): where a record was read."""
    return json.dumps(where).encode("ascii") + b"\n"


def read_csv(path: Path, reader: RecordReader) -> Iterator[Record]:
    """A CSV file with a header row."""
    csv.field_size_limit(sys.maxsize)
    with _open_binary(path) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        lines = _CsvLines(text)
        rows = csv.DictReader(lines.lines)
        try:
            columns = rows.fieldnames or []
            if lines.ended and columns:
                raise _unclosed_quote(path, rows.line_num, columns)
            for name in (reader.id_field, reader.source_field):
                if name not in columns:
                    raise InputError(f"{path}: no column '{name}' (columns: {', '.join(columns)})")
            for fields in rows:
                if lines.ended:
                    raise _unclosed_quote(path, rows.line_num, _values(fields))
                yield reader.make(fields, f"{path}:{rows.line_num}")
        except csv.Error as error:
            raise InputError(f"{path}:{rows.line_num}: malformed CSV ({error})") from None


class _CsvLines:
    """The lines of a CSV file, noting when they run out.

    The csv module ends a row at the end of the line that ends it, before it asks for the next
    line; a row it gives only once the lines have run out is one whose quoted field was never
    closed, and which has swallowed the rest of the file (the module does not say so). The lines
    pass through as they are (no Python call per line); `ended` is set once, at their end.
    """

    def __init__(self, text: Iterator[str]) -> None:
        self.ended = False
        self.lines = itertools.chain(text, self._end())

    def _end(self) -> Iterator[str]:
        self.ended = True
        yield from ()


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _unclosed_quote(path: Path, last_line: int, values: Sequence[str]) -> InputError:
    """The error naming the line where a row's unclosed quoted field (its last value) starts."""
    spanned = _LINE_BREAK.split(values[-1])
    if len(spanned) > 1 and spanned[-1] == "":  # the file ends with a line break
        spanned.pop()
    start = last_line - len(spanned) + 1
    return InputError(f"{path}:{start}: malformed CSV (a quoted field starts here and never ends)")


def _values(fields: Mapping[Any, Any]) -> list[str]:
    """The values of a CSV row in file order (csv.DictReader lists extra ones under None, and
    gives None for the missing ones)."""
    values: list[str] = []
    for value in fields.values():
        if isinstance(value, list):
            values += value
        elif value is not None:
            values.append(value)
    return values


def read_parquet(path: Path, reader: RecordReader) -> Iterator[Record]:
    """A Parquet file, read in batches."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{path}: not a readable Parquet file ({str(error).strip()})") from None
    yield from read_batches(
        path, parquet.schema_arrow.names, parquet.iter_batches(batch_size=2048), reader
    )


def read_batches(
    path: Path, columns: Sequence[str], batches: Iterable[Any], reader: RecordReader
) -> Iterator[Record]:
    """The records of a file read as Arrow record batches (Parquet, an Arrow stream), named by
    row; a file without the id or the text column, or one that breaks off, is an error."""
    import pyarrow as pa

    for name in (reader.id_field, reader.source_field):
        if name not in columns:
            raise InputError(f"{path}: no column '{name}' (columns: {', '.join(columns)})")
    row = 0
    try:
        for batch in batches:
            for fields in batch.to_pylist():
                row += 1
                yield reader.make(fields, f"{path}: row {row}")
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{path}: unreadable after row {row} ({error})") from None


def read_path(path: Path, reader: RecordReader) -> Iterator[Record]:
    """The documents of one input path, chosen by its kind (with `reader.html_field`, the main
    text of each record's page)."""
    places = reader.places.get(path)
    if places is not None:
        for make in _named_errors(path, _placed_records(path, places, reader.extracted())):
            yield make()
        return
    if reader.html_field is not None:
        check_html_field(path, reader.glob)
    records = _named_errors(path, _read_kind(path, reader))
    if reader.html_field is not None:
        from neardup.io.html import with_html_field

        records = with_html_field(records, reader)
    yield from records


def check_html_field(path: Path, glob: str = DEFAULT_GLOB) -> None:
    """An error where `path` is an input whose records cannot have an html field (text files,
    HTML pages, WARC files, or a folder holding any: `glob` chooses its files)."""
    if path.is_dir():
        from neardup.io.saved_dataset import is_saved_dataset  # it reads with this module

        if is_saved_dataset(path):
            return
        kinds = {file: _file_kind(file) for file in folder_files(path, glob)[0]}
        others = [file for file, kind in kinds.items() if kind != "records"]
        if not others:
            return
        named = " and ".join(dict.fromkeys(_KIND_NAMES[kinds[file]][1] for file in others))
        where = f"{path}/"
        what = f"{named} ({listed([file.relative_to(path).as_posix() for file in others])})"
    elif path.is_file():
        kind = _file_kind(path)
        if kind == "records" or (kind == "text" and not path.name.lower().endswith(".txt")):
            return  # records, or an unknown kind (said by the read)
        where, what = str(path), _KIND_NAMES[kind][0]
    else:
        return  # said by the read
    raise InputError(
        f"{where}: --html-field reads the records of .jsonl, .csv and .parquet files (and saved "
        f"datasets), not {what}"
    )


def _named_errors(path: Path, items: Iterator[T]) -> Iterator[T]:
    """The items read from `path`, an error reading it named as an input error (a truncated or
    corrupt .gz raises EOFError or zlib.error, whichever reader reads it)."""
    try:
        yield from items
    except (OSError, EOFError, zlib.error) as error:
        raise cannot_read(path, error) from None


def cannot_read(path: Path, error: Exception) -> InputError:
    """The error for a file or folder that cannot be read, with the system's reason (or that
    it is not there)."""
    if isinstance(error, FileNotFoundError):
        return no_such_path(path)
    return InputError(f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})")


def no_such_path(path: str | Path) -> InputError:
    """The error for a file or folder that is not there, named as the user gave it."""
    return InputError(f"{path}: no such file or folder")


def changed_input(where: str) -> InputError:
    """The error for a record that a later read of the input finds other than the first read
    did (another id, a line no longer one line)."""
    return InputError(f"{where}: the input changed while neardup was reading it")


def _read_kind(path: Path, reader: RecordReader) -> Iterator[Record]:
    # Imported here: the module reads with this one's helpers.
    from neardup.io.saved_dataset import is_saved_dataset, read_saved_dataset

    name = path.name.lower()
    if path.is_dir() and is_saved_dataset(path):
        yield from read_saved_dataset(path, reader)
    elif path.is_dir():
        yield from read_txt_folder(path, reader)
    elif not path.exists():
        raise no_such_path(path)
    elif name.endswith(".txt"):
        yield read_txt_file(path, reader)
    elif name.endswith(JSONL_SUFFIXES):
        yield from read_jsonl(path, reader)
    elif name.endswith(CSV_SUFFIXES):
        yield from read_csv(path, reader)
    elif name.endswith(".parquet"):
        yield from read_parquet(path, reader)
    elif name.endswith(HTML_SUFFIXES):
        from neardup.io.html import read_html_file

        yield from read_html_file(path, reader)
    elif name.endswith(WARC_SUFFIXES):
        from neardup.io.warc import read_warc

        yield from read_warc(path, reader)
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
    places = reader.places.get(path)
    if places is not None:
        yield from _named_errors(path, _placed_records(path, places, reader.extracted()))
    elif (
        path.is_file() and path.name.lower().endswith(JSONL_SUFFIXES) and reader.html_field is None
    ):
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


def parse_date(value: Any, date_field: str, where: str) -> datetime | None:
    """A value of the date field (ISO 8601, or a datetime) as an aware datetime, or None where
    there is none; `where` names the record in an error."""
    if value is None or value == "" or value != value:  # NaN and NaT are not equal to themselves
        return None
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            raise InputError(
                f"{where}: date field '{date_field}' is not an ISO 8601 date: {value!r}"
            ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def unique_ids(records: Iterable[Record], seen: dict[str, str] | None = None) -> Iterator[Record]:
    """The records, an id found twice an error naming both places. `seen` (id: where) carries
    the ids of earlier records across calls."""
    seen = {} if seen is None else seen
    for record in records:
        if record.id in seen:
            raise duplicate_id(record.id, record.where, seen[record.id])
        seen[record.id] = record.where
        yield record


def duplicate_id(doc_id: str, where: str, first: str) -> InputError:
    """The error for an id found again at `where`, first found at `first`."""
    return InputError(f"{where}: duplicate id '{shortened(doc_id)}' (first at {first})")


def read_records(
    records: Iterable[Mapping[str, Any] | Record], reader: RecordReader, first: int = 1
) -> Iterator[Record]:
    """In-memory records (dicts, or the rows of an Arrow or pandas table; a :class:`Record` is
    taken as it is), numbered from `first` in error messages."""
    for number, row in enumerate(rows_of(records), start=first):
        if isinstance(row, Record):
            reader.stats.documents += 1
            yield row
        else:
            yield reader.make(row, f"record {number}")


def rows_of(records: Any) -> Iterable[Mapping[str, Any]]:
    """The rows of a pyarrow Table, a Hugging Face Dataset, a polars or pandas DataFrame, or any
    iterable of mappings."""
    batches = arrow_batches(records)  # first: a polars DataFrame has `to_dict` and `columns` too
    if batches is not None:
        return (row for batch in batches for row in batch.to_pylist())
    if hasattr(records, "to_dict") and hasattr(records, "columns"):  # pandas.DataFrame
        return records.to_dict(orient="records")
    return records
