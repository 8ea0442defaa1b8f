"""WARC and WET files (`.warc`, `.warc.gz`, `.wet`, `.wet.gz`) as documents, read as streams.

A `response` (or `resource`) record holding an HTML page becomes a document through the same
extraction as an HTML file (`io/html.py`); a WET `conversion` record is already text and is a
document as it is. The id is the record's target URI, followed by its record id where that URI
was read before (a page crawled twice). Every other record (requests, metadata, warcinfo,
revisits, non-HTML or non-2xx responses) is counted and named in one notice per file.

The file is cut into units here, each parsed by FastWARC: the gzip members of a compressed file
(one record each, as WARC writers make them) or the records of a plain one (by their
Content-Length). A unit that cannot be read, a gzip member truncated or corrupt or a record cut
short, is an error naming the file and the byte offset where it starts, or, with
`skip_bad_records`, is skipped (reading goes on at the next gzip member or `WARC/` header) and
counted.
"""

from __future__ import annotations

import io
import mmap
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from neardup.errors import EngineUnavailable, InputError
from neardup.io.html import EmptyPages, Page, extract_many, page_fields
from neardup.io.read import WARC_SUFFIXES, Record, RecordReader, cannot_read, counted, listed

INSTALL_HINT = "reading WARC needs FastWARC: pip install 'neardup[warc]'"
#: Bytes handed to zlib at a time.
CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/"
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Unit:
    """A gzip member or a plain record: where it starts, its bytes, or why it cannot be read."""

    offset: int
    data: bytes = b""
    problem: str | None = None


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def _fastwarc() -> Any:
    try:
        from fastwarc import warc
    except ImportError:
        raise EngineUnavailable(INSTALL_HINT) from None
    return warc


def read_warc(path: Path, reader: RecordReader) -> Iterator[Record]:
    """The documents of one WARC or WET file, in file order."""
    for record, _ in warc_records(path, reader):
        yield record


def warc_records(path: Path, reader: RecordReader) -> Iterator[tuple[Record, str | None]]:
    """(document, its WARC record id) for each document of a WARC or WET file (the Spark
    engine makes ids unique across files with the record ids)."""
    _fastwarc()  # a missing extra is said before any work
    skipped: Counter[str] = Counter()
    bad: list[str] = []
    empty = EmptyPages(path)
    pages = _documents(path, reader, skipped, bad)
    for (doc_id, record_id, where, text_page, is_text), found in extract_many(
        pages, parallel=reader.parallel
    ):
        # The url is where the page was fetched (its canonical link may name another address).
        page = text_page if is_text else replace(found, url=text_page.url)
        empty.note(doc_id, page)
        yield reader.make(page_fields(doc_id, page, reader), where), record_id
    _report(path, reader, skipped, bad)
    empty.report(reader)


def _documents(
    path: Path, reader: RecordReader, skipped: Counter[str], bad: list[str]
) -> Iterator[tuple[tuple[str, str | None, str, Page, bool], bytes | str, str | None]]:
    """((id, record id, where, text page, is_text), html, url) for each record that is a
    document; a WET record's text needs no extraction (its html is empty)."""
    warc = _fastwarc()
    for unit in _units(path):
        records = _parsed(warc, unit)
        if isinstance(records, str):
            _bad(path, unit.offset, records, reader, bad)
            continue
        for parsed in records:
            kind, body = _content(warc, parsed)
            if kind is None or body is None:
                skipped[_why_skipped(parsed, kind)] += 1
                continue
            doc_id = _unique_id(parsed, reader)
            where = f"{path}: byte {unit.offset}"
            url = parsed[0].headers.get("WARC-Target-URI")
            record_id = parsed[0].record_id
            if kind == "text":
                text = body.decode("utf-8", "replace")
                yield (doc_id, record_id, where, Page(text, url=url), True), b"", url
            else:
                yield (doc_id, record_id, where, Page("", url=url), False), body, url


def _bad(path: Path, offset: int, problem: str, reader: RecordReader, bad: list[str]) -> None:
    """A unit that cannot be read: an error, or counted where bad records are skipped."""
    if not reader.skip_bad_records:
        raise InputError(
            f"{path}: byte {offset}: {problem} (--skip-bad-records skips such records)"
        )
    bad.append(str(offset))


def _report(path: Path, reader: RecordReader, skipped: Counter[str], bad: list[str]) -> None:
    if skipped:
        kinds = ", ".join(counted(n, why) for why, n in sorted(skipped.items()))
        reader.stats.skipped.append(
            f"skipped {counted(sum(skipped.values()), 'record')} of {path} that "
            f"{'is not an HTML page' if sum(skipped.values()) == 1 else 'are not HTML pages'}: "
            f"{kinds}"
        )
    if bad:
        reader.stats.skipped.append(
            f"skipped {counted(len(bad), 'bad record')} of {path} "
            f"(truncated or corrupt) at byte {'offset' if len(bad) == 1 else 'offsets'} "
            f"{listed(bad)}"
        )


def _parsed(warc: Any, unit: Unit) -> list[Any] | str:
    """The records of a unit (their payloads read), or why it cannot be read."""
    if unit.problem is not None:
        return unit.problem
    records = []
    try:
        for record in warc.ArchiveIterator(
            io.BytesIO(unit.data), parse_http=True, stream_detect=False, auto_decode="none"
        ):
            payload = record.reader.read()
            if len(payload) < record.content_length:
                return "WARC record cut short (truncated file?)"
            records.append((record, payload))
    except OSError as error:  # FastWARC's word for a header it cannot parse
        return f"not a WARC record ({str(error).lower() or 'unreadable'})"
    if not records:
        return "not a WARC record"
    return records


def _content(warc: Any, parsed: tuple[Any, bytes]) -> tuple[str | None, bytes | None]:
    """('html', page bytes) for an HTML page, ('text', bytes) for a WET conversion record,
    (None, None) for anything else."""
    record, payload = parsed
    kind = record.record_type
    if kind == warc.WarcRecordType.conversion:
        return "text", payload
    if kind not in (warc.WarcRecordType.response, warc.WarcRecordType.resource):
        return None, None
    if record.is_http:
        status = record.http_headers.status_code
        content_type = record.http_content_type or ""
        if status is None or not 200 <= status < 300:
            return "status", None
        payload = _decoded(record.http_headers, payload)
    else:
        content_type = (record.headers.get("Content-Type") or "").split(";")[0].strip()
    if content_type.lower() not in _HTML_TYPES:
        return "type", None
    return ("html", payload) if payload is not None else ("encoding", None)


def _decoded(headers: Any, payload: bytes) -> bytes | None:
    """The HTTP body without its transfer and content encodings, or None where one is unknown
    or broken (most crawlers store bodies decoded; some keep them as sent)."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        payload = _dechunked(payload)
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(payload, 47)  # 32 + 15: a gzip or zlib header
        if encoding == "deflate":
            try:
                return zlib.decompress(payload)
            except zlib.error:
                return zlib.decompress(payload, -15)  # raw deflate, as some servers send
    except zlib.error:
        return None
    return payload if encoding in ("identity", "") else None


def _dechunked(payload: bytes) -> bytes:
    """A chunked HTTP body joined (a body that is not chunked after all is kept as it is)."""
    parts = []
    at = 0
    while True:
        end = payload.find(b"\r\n", at)
        try:
            size = int(payload[at:end].split(b";")[0], 16)
        except ValueError:
            return payload if not parts else b"".join(parts)
        if size == 0 or end < 0:
            return b"".join(parts)
        parts.append(payload[end + 2 : end + 2 + size])
        at = end + 2 + size + 2


def _why_skipped(parsed: tuple[Any, bytes], kind: str | None) -> str:
    """How a skipped record is counted: its type, or why a response is not a page."""
    record, _ = parsed
    if kind == "status":
        return "non-2xx response"
    if kind == "type":
        return "non-HTML response"
    if kind == "encoding":
        return "response in an unknown content encoding"
    return f"{str(record.record_type).rsplit('.', 1)[-1]} record"


def _unique_id(parsed: tuple[Any, bytes], reader: RecordReader) -> str:
    """The target URI, and the record id after it where the URI was read before."""
    record, _ = parsed
    uri = record.headers.get("WARC-Target-URI") or record.record_id or ""
    if uri in reader.page_ids:
        uri = f"{uri} {record.record_id}"
    reader.page_ids.add(uri)
    return uri


# -- cutting a file into units ------------------------------------------------------------------


def _units(path: Path) -> Iterator[Unit]:
    """The gzip members of a compressed file, the records of a plain one."""
    try:
        with path.open("rb") as handle:
            if path.stat().st_size == 0:
                return
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                # A plain WARC named .gz (some crawlers write them) is read as the plain one it is.
                if path.name.lower().endswith(".gz") and data[:5] != _WARC_MAGIC:
                    yield from _gzip_members(data)
                else:
                    yield from _plain_records(data)
    except OSError as error:
        raise cannot_read(path, error) from None


def _gzip_members(data: mmap.mmap) -> Iterator[Unit]:
    """Each gzip member, decompressed; after a bad one, reading goes on at the next member."""
    at = 0
    while at < len(data):
        end, unit = _gzip_member(data, at)
        yield unit
        if unit.problem is not None:
            end = data.find(_GZIP_MAGIC, at + 1)
            if end < 0:
                return
        at = end


def _gzip_member(data: mmap.mmap, at: int) -> tuple[int, Unit]:
    """(where the next member starts, this member) for the member at byte `at`."""
    if data[at : at + 3] != _GZIP_MAGIC:
        return at, Unit(at, problem="not a gzip member (corrupt file?)")
    inflate = zlib.decompressobj(31)
    parts = []
    position = at
    try:
        while not inflate.eof:
            if position >= len(data):
                return position, Unit(at, problem="truncated gzip member")
            chunk = data[position : position + CHUNK]
            parts.append(inflate.decompress(chunk))
            position += len(chunk)
    except zlib.error as error:
        return position, Unit(at, problem=f"corrupt gzip member ({error})")
    end = position - len(inflate.unused_data)
    return end, Unit(at, b"".join(parts))


def _plain_records(data: mmap.mmap) -> Iterator[Unit]:
    """Each record of an uncompressed file, by its Content-Length; after a bad one, reading goes
    on at the next `WARC/` header."""
    at = _skip_blank(data, 0)
    while at < len(data):
        unit = _plain_record(data, at)
        yield unit
        if unit.problem is None:
            at = _skip_blank(data, at + len(unit.data))
        else:
            found = data.find(b"\n" + _WARC_MAGIC, at + 1)
            if found < 0:
                return
            at = found + 1


def _plain_record(data: mmap.mmap, at: int) -> Unit:
    if data[at : at + len(_WARC_MAGIC)] != _WARC_MAGIC:
        return Unit(at, problem="not a WARC record")
    head_end = data.find(b"\r\n\r\n", at)
    length = _CONTENT_LENGTH.search(data[at : head_end + 2]) if head_end >= 0 else None
    if length is None:
        return Unit(at, problem="WARC header without Content-Length (truncated file?)")
    end = head_end + 4 + int(length.group(1))
    if end > len(data):
        return Unit(at, problem="WARC record cut short (truncated file?)")
    return Unit(at, data[at:end])


def _skip_blank(data: mmap.mmap, at: int) -> int:
    """Past the blank lines that end a record."""
    while at < len(data) and data[at : at + 1] in (b"\r", b"\n"):
        at += 1
    return at
