"""The native read of plain JSONL files gives what the Python read gives: the same records, the
same counts and repairs, the same first error, and so the same furniture, sketches and pairs."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import orjson
import pyarrow.parquet as pq
import pytest
from fuzz_strategies import WORDS, damaged, encode, mostly, record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neardup
from neardup.core import kernel
from neardup.engine import local
from neardup.engine.local import match, read_corpus
from neardup.engine.local_files import read_kept
from neardup.errors import InputError
from neardup.io import native_jsonl
from neardup.io.progress import Reporter
from neardup.io.read import RecordReader, read_paths, read_paths_at
from neardup.io.write import JsonLines, jsonl_line
from neardup.options import Options

#: Lines that the furniture patterns strip or that Python's steps before the native ones change
#: (a character reference, what NFKC changes), among words of news copy.
_ODD_LINES = (
    "SEE ALSO: Storm Hits TownThe council met",
    "Advertisement",
    "© 2024 Reuters",
    "ſhare",
    "Q&amp;A at the council",
    "cafe\u0301 e\u0301te\u0301",
    "ﬁnal ２０２４ score",
    "Follow us on Facebook",
)


def _outcome(paths: list[Path], options: Options, *, native: bool) -> Any:
    """What a run makes of `paths` by one read or the other: the error, or the ids, counts,
    furniture, sketches and pairs."""
    reader = RecordReader("id", "text")
    read = functools.partial(read_paths, paths)
    if native:
        assert native_jsonl.reads_natively(paths, reader)
    try:
        corpus = read_corpus(read, reader, options, Reporter(False), paths=paths if native else ())
    except InputError as error:
        return str(error)
    pairs = match(corpus, options)
    return {
        "ids": corpus.ids,
        "documents": reader.stats.documents,
        "invalid_utf8_ids": reader.stats.invalid_utf8_ids,
        "furniture": corpus.furniture,
        "sketches": _arrays(corpus.sketches),
        "pairs": _arrays(pairs),
    }


def _arrays(value: Any) -> dict[str, Any]:
    return {
        f.name: None if (a := getattr(value, f.name)) is None else np.asarray(a).tolist()
        for f in dataclasses.fields(value)
    }


def _records(paths: list[Path], *, native: bool) -> tuple[list[tuple[str, str]], str | None, int]:
    """The (id, text) of each record read, the error that ends the read, and the count."""
    reader = RecordReader("id", "text")
    got: list[tuple[str, str]] = []
    failure = None
    if native:
        for chunk in native_jsonl.read_chunks(paths, reader):
            for r, doc_id in enumerate(chunk.ids):
                text = chunk.made.get(r)
                if text is None:
                    text = chunk.data[chunk.offsets[r] : chunk.offsets[r + 1]].tobytes().decode()
                assert chunk.chars[r] == len(text)
                got.append((doc_id, text))
            failure = None if chunk.failure is None else str(chunk.failure)
    else:
        try:
            got.extend((r.id, r.text) for r in read_paths(paths, reader))
        except InputError as error:
            failure = str(error)
    return got, failure, reader.stats.documents


@contextmanager
def _small(chunk_bytes: int, batch_chars: int) -> Iterator[None]:
    """Chunks and batches of these sizes, so that a few lines cross their ends (some within a
    buffer's room for them, some not)."""
    with (
        mock.patch.object(native_jsonl, "CHUNK_BYTES", chunk_bytes),
        mock.patch.object(native_jsonl, "LINE_ROOM", 40),
        mock.patch.object(local, "BATCH_CHARS", batch_chars),
    ):
        yield


def _same_both_ways(paths: list[Path], options: Options) -> Any:
    python = _outcome(paths, options, native=False)
    assert _outcome(paths, options, native=True) == python
    assert _records(paths, native=True) == _records(paths, native=False)
    return python


# -- generated files --------------------------------------------------------------------------

_parts = mostly(st.sampled_from(WORDS), st.sampled_from(_ODD_LINES).map("\n{}\n".format), 8)
_texts = st.lists(_parts, max_size=40).map(" ".join)
_any_texts = mostly(_texts, st.text(), 4)


@st.composite
def _line(draw: st.DrawFn, number: int) -> bytes:
    """One line of a JSONL file: a record (its escapes, a BOM, its line end as drawn), a blank
    line, or a line that is not JSON."""
    kind = draw(st.sampled_from(["record"] * 8 + ["blank", "malformed"]))
    if kind == "blank":
        return draw(st.sampled_from([b"\n", b" \t\r\n", b"\r\n"]))
    if kind == "malformed":
        return b'{"id": "x", "text": \n'
    fields = draw(record(number, draw(_any_texts)))
    line = encode(json.dumps(fields, ensure_ascii=draw(st.booleans())))
    if draw(st.integers(0, 9)) == 9:
        line = b"\xef\xbb\xbf" + line
    return line + draw(st.sampled_from([b"\n", b"\r\n"]))


@st.composite
def _jsonl(draw: st.DrawFn) -> bytes:
    lines = [draw(_line(n)) for n in range(draw(st.integers(0, 12)))]
    data = b"".join(lines)
    if draw(st.booleans()):
        data = data.rstrip(b"\n")  # no line end after the last line
    return draw(mostly(st.just(data), damaged(data), 4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_jsonl(), min_size=1, max_size=2),
    st.sampled_from([1, 60, 500, 2**20]),
    st.sampled_from([1, 200, 4_000_000]),
    st.booleans(),
)
def test_generated_files_read_natively_as_python_reads_them(
    files: list[bytes], chunk_bytes: int, batch_chars: int, ignore_furniture: bool
) -> None:
    options = Options(ignore_furniture=ignore_furniture, furniture_min_docs=2)
    with tempfile.TemporaryDirectory() as folder, _small(chunk_bytes, batch_chars):
        paths = [Path(folder) / f"{n}.jsonl" for n in range(len(files))]
        for path, data in zip(paths, files, strict=True):
            path.write_bytes(data)
        _same_both_ways(paths, options)


def _first_read(paths: list[Path]) -> tuple[native_jsonl.Places, list[str]]:
    """Where the records of a native first read are, and their ids, up to the first record it
    cannot read (`read_chunks` ends with the chunk cut there)."""
    places, ids = native_jsonl.Places(), []
    for chunk in native_jsonl.read_chunks(paths, RecordReader("id", "text")):
        places.add(len(ids), chunk.lines)
        ids += chunk.ids
    return places, ids


def _texts_at(paths: list[Path], read: Any, positions: set[int], *, native: bool) -> Any:
    """The texts at these positions read again natively (where the first `read` found them) or
    by Python (or the error the read ends with)."""
    reader = RecordReader("id", "text")
    try:
        if native:
            return native_jsonl.texts_at(*read, reader, positions)
        return {p: r.text for p, r in read_paths_at(paths, reader, positions)}
    except InputError as error:
        return str(error)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_jsonl(), min_size=1, max_size=3),
    st.sets(st.integers(0, 40), max_size=12),
    st.sampled_from([1, 60, 500, 2**20]),
)
def test_texts_read_again_where_the_first_read_found_them_are_python_s(
    files: list[bytes], positions: set[int], chunk_bytes: int
) -> None:
    """The second look's texts: the lines the first read found, read again where they are and
    parsed natively (Python reading what the native core leaves), are Python's texts."""
    with tempfile.TemporaryDirectory() as folder, _small(chunk_bytes, 1):
        paths = [Path(folder) / f"{n}.jsonl" for n in range(len(files))]
        for path, data in zip(paths, files, strict=True):
            path.write_bytes(data)
        read = _first_read(paths)
        positions = {p for p in positions if p < len(read[1])}
        native = _texts_at(paths, read, positions, native=True)
        assert native == _texts_at(paths, read, positions, native=False)


def test_texts_read_again_skip_blank_lines_and_find_a_changed_input(tmp_path: Path) -> None:
    first = _write(
        tmp_path, b'\n{"id": "a", "text": "x"}\r\n  \n{"id": "b", "text": "y\\u00e9"}', "1.jsonl"
    )
    second = _write(tmp_path, b'{"id": "c", "text": "z"}\n{"id": "d", "text": "w"}\n', "2.jsonl")
    paths = first + second
    read = _first_read(paths)
    assert _texts_at(paths, read, {1, 2}, native=True) == {1: "y\u00e9", 2: "z"}
    assert _texts_at(paths, read, {0, 3}, native=True) == {0: "x", 3: "w"}
    assert _texts_at(paths, read, set(), native=True) == {}
    # Another id where a record was, a line cut in two, a line that can no longer be read, a
    # file gone: each is an error naming where.
    changed = "the input changed while neardup was reading it"
    second[0].write_bytes(b'{"id": "e", "text": "z"}\n{"id": "d", "text": "w"}\n')
    assert _texts_at(paths, read, {0, 2}, native=True) == f"{second[0]}:1: {changed}"
    second[0].write_bytes(b'{"id": "c",\n"text": "z"}\n{"id": "d", "text": "w"}\n')
    assert _texts_at(paths, read, {2}, native=True) == f"{second[0]}:1: {changed}"
    second[0].write_bytes(b'{"id": "c", "tex": "z"}\n')
    assert _texts_at(paths, read, {2}, native=True) == (
        f"{second[0]}:1: no text field 'text' (choose it with --text-field)"
    )
    second[0].unlink()
    assert _texts_at(paths, read, {1}, native=True) == {1: "y\u00e9"}
    assert _texts_at(paths, read, {3}, native=True) == f"{second[0]}: no such file or folder"


# -- each odd case ----------------------------------------------------------------------------

_STORY = "The council closed the old bridge after the river rose overnight in the storm"
_GOOD = b'{"id": "a", "text": "%s"}\n{"id": "b", "text": "%s today"}\n' % (
    _STORY.encode(),
    _STORY.encode(),
)


def _write(tmp_path: Path, data: bytes, name: str = "d.jsonl") -> list[Path]:
    path = tmp_path / name
    path.write_bytes(data)
    return [path]


@pytest.mark.parametrize(
    ("data", "records", "documents"),
    [
        (b"\xef\xbb\xbf" + _GOOD, [("a", _STORY), ("b", f"{_STORY} today")], 2),
        (_GOOD.replace(b"\n", b"\r\n"), [("a", _STORY), ("b", f"{_STORY} today")], 2),
        (
            b"\n  \n" + _GOOD.replace(b"\n", b"\n\t\r\n"),
            [("a", _STORY), ("b", f"{_STORY} today")],
            2,
        ),
        (b'{"id": "a", "text": "caf\xe9 \xff"}\n', [("a", "caf\ufffd \ufffd")], 1),
        (b'{"id": "a", "text": "x\\ud800y"}\n', [("a", "x\ufffdy")], 1),
        (b'{"id": 7, "text": "x"}\n{"id": -1, "text": null}\n', [("7", "x"), ("-1", "")], 2),
        (
            b'{"id": 1.5, "text": "x"}\n{"id": true, "text": "y"}\n',
            [("1.5", "x"), ("True", "y")],
            2,
        ),
        (b'{"id": "a", "text": "x", "id": "b"}\n', [("b", "x")], 1),
        # Deeper than the native parse goes, longer than a 64-bit integer: Python reads them.
        (
            b'{"id": "a", "n": %s, "m": %s, "text": "x"}\n' % (b"[" * 500 + b"]" * 500, b"9" * 400),
            [("a", "x")],
            1,
        ),
        (b"", [], 0),
    ],
    ids=[
        "bom",
        "crlf",
        "blank-lines",
        "invalid-utf8",
        "lone-surrogate",
        "numeric-ids",
        "other-ids",
        "field-given-twice",
        "deep-and-long-other-fields",
        "empty-file",
    ],
)
def test_odd_records_are_read_as_python_reads_them(
    tmp_path: Path, data: bytes, records: list[tuple[str, str]], documents: int
) -> None:
    paths = _write(tmp_path, data)
    assert _records(paths, native=True) == (records, None, documents)
    outcome = _same_both_ways(paths, Options())
    assert outcome["ids"] == [doc_id for doc_id, _ in records]


def test_invalid_utf8_is_counted_by_id(tmp_path: Path) -> None:
    paths = _write(tmp_path, b'{"id": "a", "text": "ok"}\n{"id": "b\xff", "text": "x\xffy"}\n')
    outcome = _same_both_ways(paths, Options())
    assert outcome["invalid_utf8_ids"] == ["b\ufffd"]
    assert outcome["documents"] == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b'{"id": "a", "text": "x"}\n{"id": "b"}\n', "{path}:2: no text field 'text'"),
        (b'{"text": "x"}\n', "{path}:1: no id field 'id'"),
        (b'{"id": "a", "text": 3}\n', "{path}:1: text field 'text' is an integer, not a string"),
        (b'{"id": "a", "text": "x"}\n\n{"id": "b", "text": \n', "{path}:3: malformed JSON"),
        (b'["a", "x"]\n', "{path}:1: expected an object with fields, got list"),
        (b'{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', "{path}:2: duplicate id 'a'"),
        (
            b'{"id": "a", "text": "x"}\n{"id": "b", "text": "y", "n": %s}\n'
            % (b"[" * 3000 + b"]" * 3000),
            "{path}:2: malformed JSON (nested too deeply)",
        ),
        (
            b'{"id": "a", "text": "x", "n": %s}\n' % (b"9" * 5000),
            "{path}:1: malformed JSON (an integer of more than 4300 digits)",
        ),
        (
            b'{"id": %s, "text": "x"}\n' % (b"9" * 5000),
            "{path}:1: malformed JSON (an integer of more than 4300 digits)",
        ),
    ],
    ids=[
        "missing-text",
        "missing-id",
        "number-as-text",
        "malformed",
        "not-an-object",
        "dup-id",
        "nested-too-deeply",
        "long-integer",
        "long-integer-id",
    ],
)
def test_a_record_python_cannot_read_is_the_same_error(
    tmp_path: Path, data: bytes, error: str
) -> None:
    paths = _write(tmp_path, data)
    for furniture in (True, False):
        got = _same_both_ways(paths, Options(ignore_furniture=furniture))
        assert got.startswith(error.format(path=paths[0]))


def test_the_first_error_in_file_order_is_raised_across_files(tmp_path: Path) -> None:
    first = _write(tmp_path, b'{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n', "1.jsonl")
    second = _write(tmp_path, b'{"id": "c", "text": "z"}\n{"id": "a", "text": "w"}\n', "2.ndjson")
    assert _same_both_ways(first + second, Options()) == (
        f"{second[0]}:2: duplicate id 'a' (first at {first[0]}:1)"
    )


@pytest.mark.parametrize("batch_chars", [1, 5, 4_000_000])
def test_a_duplicate_id_and_a_later_bad_line_fail_in_python_s_order(
    tmp_path: Path, batch_chars: int
) -> None:
    # Python checks ids once a batch is read: a bad line in the same batch fails first.
    data = (
        b"".join(b'{"id": "%d", "text": "abc"}\n' % (n % 3 if n < 4 else n) for n in range(8))
        + b"{\n"
    )
    paths = _write(tmp_path, data)
    with _small(40, batch_chars):
        got = _same_both_ways(paths, Options(ignore_furniture=False))
    first_batch_ends_after_the_duplicate = batch_chars <= 5
    expected = "duplicate id '0'" if first_batch_ends_after_the_duplicate else "malformed JSON"
    assert expected in got


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 2**20])
def test_lines_longer_than_a_chunk_are_read_whole(tmp_path: Path, chunk_bytes: int) -> None:
    long = " ".join(f"w{n}" for n in range(500))
    data = (
        b'{"id": "a", "text": "%s"}\n\n{"id": "b", "text": "%s x"}\r\n{"id": "c", "text": ""}'
        % (
            long.encode(),
            long.encode(),
        )
    )
    paths = _write(tmp_path, data)
    with _small(chunk_bytes, 100):
        assert _records(paths, native=True) == (
            [("a", long), ("b", f"{long} x"), ("c", "")],
            None,
            3,
        )
        outcome = _same_both_ways(paths, Options())
        malformed = _write(tmp_path, data + b"\n" + b"x" * 300 + b"\n", "e.jsonl")
        assert _same_both_ways(malformed, Options()).startswith(f"{malformed[0]}:5: malformed JSON")
    assert outcome["ids"] == ["a", "b", "c"]
    assert outcome["pairs"]["left"] == [0]
    assert outcome["pairs"]["right"] == [1]


@pytest.mark.parametrize("line", _ODD_LINES)
def test_a_line_python_changes_is_changed_both_ways(tmp_path: Path, line: str) -> None:
    rows = [{"id": "a", "text": _STORY}, {"id": "b", "text": f"{_STORY}\n{line}\nThe end."}]
    paths = _write(tmp_path, "".join(json.dumps(r) + "\n" for r in rows).encode())
    for furniture in (True, False):
        assert _same_both_ways(paths, Options(ignore_furniture=furniture))["ids"] == ["a", "b"]


def test_recurring_lines_are_the_corpus_furniture_both_ways(tmp_path: Path) -> None:
    rows = [
        {"id": n, "text": f"Story {n} of {_STORY}\nFollow us on Facebook\nIt ends {n % 3}."}
        for n in range(30)
    ]
    paths = _write(tmp_path, "".join(json.dumps(r) + "\n" for r in rows).encode())
    outcome = _same_both_ways(paths, Options(furniture_min_docs=5))
    assert len(outcome["furniture"].lines) == 4  # the Facebook line and the three endings


def test_only_plain_jsonl_files_are_read_natively(tmp_path: Path) -> None:
    reader = RecordReader("id", "text")
    jsonl, ndjson = _write(tmp_path, b"", "a.JSONL") + _write(tmp_path, b"", "b.ndjson")
    gz, csv = _write(tmp_path, b"", "c.jsonl.gz") + _write(tmp_path, b"", "d.csv")
    assert native_jsonl.reads_natively([jsonl, ndjson], reader)
    assert not native_jsonl.reads_natively([], reader)
    assert not native_jsonl.reads_natively([jsonl, gz], reader)
    assert not native_jsonl.reads_natively([csv], reader)
    assert not native_jsonl.reads_natively([tmp_path / "gone.jsonl"], reader)
    assert not native_jsonl.reads_natively([jsonl], RecordReader("id", "t", html_field="html"))
    spooled = RecordReader("id", "text", places={jsonl: tmp_path / "places"})
    assert not native_jsonl.reads_natively([jsonl], spooled)


# -- kept records -----------------------------------------------------------------------------


def _kept(
    paths: list[Path], removed: np.ndarray, cluster_ids: np.ndarray | None, *, native: bool
) -> tuple[bytes, int, int] | str:
    """What `dedup` writes of the kept records of `paths` by one read or the other: the bytes,
    how many records, and how many the native core wrote; or the error."""
    ids = [doc_id for doc_id, _ in _records(paths, native=False)[0]]
    removed, ids = removed[: len(ids)], ids[: len(removed)]
    cluster_ids = None if cluster_ids is None else cluster_ids[: len(ids)]
    written, count, natively = [], 0, 0
    try:
        reader = RecordReader("id", "text")
        for row in read_kept(paths, reader, ids, removed, cluster_ids, native):
            if isinstance(row, JsonLines):
                written.append(bytes(row.data))
                count, natively = count + row.count, natively + row.count
            else:
                written.append(jsonl_line(row))
                count += 1
    except InputError as error:
        return str(error)
    return b"".join(written), count, natively


def _kept_both_ways(
    paths: list[Path], removed: np.ndarray, cluster_ids: np.ndarray | None
) -> tuple[bytes, int, int] | str:
    python = _kept(paths, removed, cluster_ids, native=False)
    native = _kept(paths, removed, cluster_ids, native=True)
    if isinstance(python, str):
        assert native == python
        return native
    assert not isinstance(native, str), native
    assert native[:2] == python[:2]
    assert native[1] == python[0].count(b"\n")
    return native


def _styled(line: bytes, style: str) -> bytes:
    """A JSON line as another writer writes it: `\\/` for `/` (pandas), uppercase escapes."""
    if style == "slashes":
        return line.replace(b"/", b"\\/")
    if style == "upper":
        return re.sub(rb"\\u([0-9a-f]{4})", lambda m: b"\\u" + m[1].upper(), line)
    return line


@st.composite
def _kept_files(draw: st.DrawFn) -> tuple[list[bytes], np.ndarray, np.ndarray | None]:
    files = [draw(_jsonl()) for _ in range(draw(st.integers(1, 2)))]
    style = draw(st.sampled_from(["as-is", "slashes", "upper"]))
    files = [_styled(data, style) for data in files]
    records = sum(data.count(b"\n") + 1 for data in files)
    removed = np.array(draw(st.lists(st.booleans(), min_size=records, max_size=records)))
    clusters = st.lists(st.integers(-1, 3), min_size=records, max_size=records)
    cluster_ids = draw(st.none() | clusters.map(lambda c: np.array(c, np.int64)))
    return files, removed, cluster_ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_kept_files(), st.sampled_from([1, 60, 500, 2**20]))
def test_kept_records_are_written_natively_as_python_writes_them(
    kept: tuple[list[bytes], np.ndarray, np.ndarray | None], chunk_bytes: int
) -> None:
    files, removed, cluster_ids = kept
    with tempfile.TemporaryDirectory() as folder, _small(chunk_bytes, 200):
        paths = [Path(folder) / f"{n}.jsonl" for n in range(len(files))]
        for path, data in zip(paths, files, strict=True):
            path.write_bytes(data)
        _kept_both_ways(paths, removed, cluster_ids)


def _writers(row: dict[str, Any]) -> list[bytes]:
    """The row's line as common writers write it: Python's json (with and without its ASCII
    escapes), compact, orjson, pandas (`\\/` and ASCII escapes), with a CR LF line end."""
    return [
        json.dumps(row).encode(),
        json.dumps(row, ensure_ascii=False).encode(),
        json.dumps(row, separators=(",", ":")).encode(),
        orjson.dumps(row),
        json.dumps(row, separators=(",", ":")).replace("/", "\\/").encode(),
        json.dumps(row).encode() + b"\r",
    ]


_ROWS = [
    {"id": "a/1", "text": 'Café “quoted” — it’s 😀\n\t\x00\x1f\x7f\u2028 \\ "q"', "n": -12},
    {"id": 7, "text": None, "ok": True, "no": False, "none": None, "big": 10**17},
    {"id": "b", "text": "", "cluster_id": "theirs"},
]


@pytest.mark.parametrize("cluster_ids", [None, np.array([3, -1, 0] * 6, np.int64)])
def test_the_lines_of_common_writers_are_written_natively(
    tmp_path: Path, cluster_ids: np.ndarray | None
) -> None:
    rows = [{**row, "id": f"{row['id']}-{n}"} for n in range(6) for row in _ROWS]
    lines = [_writers(row)[n % 6] for n, row in enumerate(rows)]
    paths = _write(tmp_path, b"\n".join(lines) + b"\n")
    removed = np.array([False, False, False, True, False, False] * 3)
    data, count, natively = _kept_both_ways(paths, removed, cluster_ids)  # type: ignore[misc]
    kept = [row for row, gone in zip(rows, removed, strict=True) if not gone]
    if cluster_ids is not None:
        ids = (int(c) for c, gone in zip(cluster_ids, removed, strict=True) if not gone)
        kept = [
            {**row, "cluster_id": None if c < 0 else c} for row, c in zip(kept, ids, strict=True)
        ]
    assert data == b"".join(orjson.dumps(row) + b"\n" for row in kept)
    # Python writes only what the native core leaves: with cluster ids, the records that have
    # a cluster_id field of their own (which keeps its place).
    assert (count, natively) == (15, 9 if cluster_ids is not None else 15)


@pytest.mark.parametrize(
    "line",
    [
        b'{"id": "a", "text": "x", "score": 0.5}',
        b'{"id": "a", "text": "x", "tags": ["a", "b"], "meta": {"k": 1}}',
        b'{"id": "a", "text": "x\\ud800"}',
        b'{"id": "a", "text": "caf\xe9"}',
        b'\xef\xbb\xbf{"id": "a", "text": "x"}',
        b'{"id": "a", "text": "x", "text": "y"}',
        b'{"id": "a", "text": "x", "n": 123456789012345678901234567890}',
        b'{"id": "a", "text": "x", "n": -0}',
    ],
    ids=[
        "float",
        "nested",
        "lone-surrogate",
        "invalid-utf8",
        "bom",
        "field-given-twice",
        "big-integer",
        "minus-zero",
    ],
)
def test_lines_the_native_core_leaves_are_written_as_python_writes_them(
    tmp_path: Path, line: bytes
) -> None:
    paths = _write(tmp_path, line + b"\n")
    for cluster_ids in (None, np.array([2], np.int64)):
        _, count, natively = _kept_both_ways(paths, np.array([False]), cluster_ids)  # type: ignore[misc]
        assert count == 1
        assert natively == (1 if line.endswith(b"-0}") else 0)


def test_an_input_changed_between_the_reads_is_an_error(tmp_path: Path) -> None:
    paths = _write(tmp_path, b'{"id": "a", "text": "x"}\n\n{"id": "c", "text": "y"}\n')
    for native in (True, False):
        got = _kept(paths, np.zeros(2, bool), None, native=native)
        assert got == (b'{"id":"a","text":"x"}\n{"id":"c","text":"y"}\n', 2, 2 if native else 0)
        reader = RecordReader("id", "text")
        with pytest.raises(InputError) as error:
            list(read_kept(paths, reader, ["a", "b"], np.zeros(2, bool), None, native))
        assert str(error.value) == f"{paths[0]}:3: the input changed while neardup was reading it"
        with pytest.raises(InputError) as error:
            list(read_kept(paths, reader, ["a"], np.zeros(1, bool), None, native))
        assert str(error.value) == f"{paths[0]}:3: the input changed while neardup was reading it"


@pytest.mark.parametrize("output", ["kept.jsonl", "kept.jsonl.gz", "kept.parquet"])
def test_dedup_writes_the_same_kept_records_whether_read_natively_or_not(
    tmp_path: Path, output: str
) -> None:
    stories = [f"Story {n}: {_STORY} and {n * 7} people were moved to safety" for n in range(8)]
    rows = [{**row, "id": f"{n}-{row['id']}"} for n, row in enumerate(_ROWS * 8)]
    rows += [{"id": f"s{n}", "text": story, "n": n} for n, story in enumerate(stories)]
    rows += [{"id": f"copy{n}", "text": story, "n": n} for n, story in enumerate(stories)]
    data = b"".join(_writers(row)[n % 6] + b"\n" for n, row in enumerate(rows))
    (tmp_path / "in.jsonl").write_bytes(data)
    (tmp_path / "in.jsonl.gz").write_bytes(gzip.compress(data))
    written = []
    for name in ("in.jsonl", "in.jsonl.gz"):
        out = tmp_path / name.removesuffix(".jsonl.gz").removesuffix(".jsonl") / output
        summary = neardup.deduplicate_files([tmp_path / name], out, add_cluster_id=True)
        # Removed: 7 of the 8 copies of _ROWS[0] and the 8 copies of stories (empty texts stay).
        assert (summary.removed, summary.kept) == (15, 25)
        if output.endswith(".parquet"):
            written.append(pq.read_table(out).to_pylist())
        else:
            written.append(
                gzip.decompress(out.read_bytes()) if output.endswith(".gz") else out.read_bytes()
            )
    assert written[0] == written[1]


@pytest.mark.parametrize(
    ("line", "ids", "text_field", "natively"),
    [
        (rb'{"id":"a\nb","text":"t"}', ["a\nb"], "text", 1),
        (rb'{"id":"a\"b\\c","text":"t"}', ['a"b\\c'], "text", 1),
        (rb'{"id":"a\nb","text":"t"}', ["a\\nb"], "text", None),  # another id: an error
        (rb'{"id":"a","t\nx":"s"}', ["a"], "t\\nx", None),  # no such text field: an error
        (rb'{"id":"a","t\\nx":"s"}', ["a"], "t\\nx", 1),
    ],
    ids=["escaped-id", "quoted-id", "other-id", "other-field", "escaped-field"],
)
def test_ids_and_field_names_are_compared_as_python_reads_them(
    tmp_path: Path, line: bytes, ids: list[str], text_field: str, natively: int | None
) -> None:
    paths = _write(tmp_path, line + b"\n")
    got = []
    for native in (True, False):
        reader = RecordReader("id", text_field)
        try:
            rows = list(read_kept(paths, reader, ids, np.zeros(1, bool), None, native))
        except InputError as error:
            got.append(str(error))
        else:
            assert len(rows) == 1
            row = rows[0]
            got.append((row.data.tobytes(), 1) if isinstance(row, JsonLines) else jsonl_line(row))
    if natively is None:
        assert got[0] == got[1] and got[0].startswith(f"{paths[0]}:1: ")
    else:
        assert got[0] == (got[1], 1)


def test_kept_lines_refuses_arrays_of_other_lengths() -> None:
    scan = kernel.scan_kept(np.frombuffer(b'{"id":"a","text":"x"}\n', np.uint8), "id", "text")
    for removed, cluster_ids in [(np.zeros(2, bool), None), (np.zeros(1, bool), np.zeros(2))]:
        with pytest.raises(InputError, match="must be as long"):
            kernel.kept_lines(scan, ["a"], 0, removed, cluster_ids)
    line_count, records, data, count, *_ = kernel.kept_lines(scan, ["a"], 0, np.zeros(1, bool))
    assert (line_count, records, data.tobytes(), count) == (1, 1, b'{"id":"a","text":"x"}\n', 1)
