"""Hypothesis strategies for the fuzz tests: records as users have them, the files that hold
them (JSONL, .jsonl.gz, CSV, Parquet, folders of .txt files, HTML pages, .warc.gz files), and the
damage such files suffer.

Records start valid and related (copies, excerpts, expansions, typos, other numbers, so that the
whole pipeline runs: candidates, verification, the second look, clusters); a few values are odd
(arbitrary Unicode with lone surrogates, NUL bytes, huge tokens, empty strings, repeated ids,
missing fields, ids and texts that are numbers, null or lists). Files are then damaged at the
byte level: truncated, bytes flipped, inserted or deleted, invalid UTF-8, a broken CSV quote, a
truncated gzip member, a truncated Parquet footer.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

T = TypeVar("T")

#: Words of news copy, numbers and a script written without spaces: generated texts share
#: n-grams, so pairs are found, numbers differ, and character shingles are used.
_NEWS = """
the council closed old bridge river rose overnight town after storm minister said copper price
lowers ct reuters year shares market police report SEE ALSO: Advertisement 0.25 0.50 1987 12
$100m-share a&b. “quoted” it’s U.S. 北京 市政府 宣布 東京 ニュース 。 ！ — …
"""
WORDS = (*_NEWS.split(), "\n")

#: Bytes that are not UTF-8, or that break a line or a quoted field.
BAD_BYTES = (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00", b"\r", b'"', b"\n")


def mostly(usual: SearchStrategy[T], rare: SearchStrategy[Any], one_in: int) -> SearchStrategy[Any]:
    """`usual`, but `rare` about one time in `one_in` (shrinking towards `usual`)."""
    return st.integers(0, one_in - 1).flatmap(lambda n: rare if n == one_in - 1 else usual)


# -- texts and records ------------------------------------------------------------------------

story_words = st.lists(st.sampled_from(WORDS), max_size=60)


@st.composite
def variant(draw: DrawFn, words: list[str]) -> str:
    """A copy of a story as news sites make them: as is, excerpted, expanded, reworded (at times
    a number for another), with a typo, in capitals."""
    words = list(words)
    for _ in range(draw(st.integers(0, 2))):
        edit = draw(st.sampled_from(("excerpt", "expand", "reword", "typo", "upper")))
        if edit == "excerpt" and words:
            start = draw(st.integers(0, len(words) - 1))
            words = words[start : start + draw(st.integers(1, len(words)))]
        elif edit == "expand":
            words = draw(story_words) + words + draw(story_words)
        elif edit == "reword" and words:
            words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(WORDS))
        elif edit == "typo" and words:
            at = draw(st.integers(0, len(words) - 1))
            words[at] = words[at][:-1] + draw(st.characters(codec="utf-8"))
        elif edit == "upper":
            words = [w.upper() for w in words]
    return " ".join(words)


huge_tokens = st.builds(
    lambda char, size: char * size, st.sampled_from("xé北\x00"), st.integers(1_000, 50_000)
)

odd_texts = st.one_of(
    st.text(),  # any code point, lone surrogates included
    st.text(alphabet="\x00 \n\r\t\"',.ab", max_size=40),
    huge_tokens,
    st.just(""),
)

#: Any text: mostly news-like, sometimes odd.
texts = mostly(story_words.map(" ".join), odd_texts, 3)


@st.composite
def corpus_texts(draw: DrawFn, max_size: int) -> list[str]:
    """Texts of a small corpus: copies of one story among other texts."""
    story = draw(story_words)
    copies = [draw(variant(story)) for _ in range(draw(st.integers(0, max_size)))]
    others = draw(st.lists(texts, max_size=max_size - len(copies)))
    return draw(st.permutations(copies + others))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=4,
)

#: Ids that are any string, no string at all, or the first record's.
odd_ids = st.one_of(st.text(), json_values, st.just("doc0"))
dates = mostly(st.dates().map(str), st.text(max_size=12) | json_values, 4)


@st.composite
def record(draw: DrawFn, number: int, text: str) -> dict[str, Any]:
    """One record: an id, a text, maybe a date and another field; rarely odd or incomplete."""
    fields: dict[str, Any] = {
        "id": draw(mostly(st.just(f"doc{number}"), odd_ids, 10)),
        "text": draw(mostly(st.just(text), json_values, 12)),
    }
    if draw(st.booleans()):
        fields["date"] = draw(dates)
    if draw(st.booleans()):
        fields["source"] = draw(json_values)
    for name in ("id", "text"):
        if draw(st.integers(0, 24)) == 24:
            del fields[name]
    return fields


@st.composite
def records(draw: DrawFn, max_size: int = 8) -> list[Any]:
    """The records of a small corpus; rarely a record repeats an earlier one's id (whatever it
    is), or is not an object at all."""
    rows = [draw(record(n, text)) for n, text in enumerate(draw(corpus_texts(max_size)))]
    if len(rows) > 1 and draw(st.integers(0, 9)) == 9:
        first, later = sorted(
            draw(st.lists(st.integers(0, len(rows) - 1), min_size=2, max_size=2, unique=True))
        )
        if "id" in rows[first]:
            rows[later]["id"] = rows[first]["id"]
    if rows and draw(st.integers(0, 9)) == 9:
        rows[draw(st.integers(0, len(rows) - 1))] = draw(json_values)
    return rows


#: Records with distinct ids and texts only, whatever the texts hold.
sound_records = corpus_texts(8).map(
    lambda texts: [{"id": f"doc{n}", "text": text} for n, text in enumerate(texts)]
)


# -- damage -----------------------------------------------------------------------------------


@st.composite
def damaged(draw: DrawFn, data: bytes, *extra: Callable[[DrawFn, bytes], bytes]) -> bytes:
    """The bytes as they are, or (half the time) after one to three byte-level accidents."""
    accidents = (truncate, flip, insert, delete, *extra)
    for _ in range(draw(mostly(st.just(0), st.integers(1, 3), 2))):
        data = draw(st.sampled_from(accidents))(draw, data)
    return data


def _position(draw: DrawFn, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def truncate(draw: DrawFn, data: bytes) -> bytes:
    return data[: _position(draw, data)]


def flip(draw: DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]


def insert(draw: DrawFn, data: bytes) -> bytes:
    at = _position(draw, data)
    return (
        data[:at] + draw(st.sampled_from(BAD_BYTES) | st.binary(min_size=1, max_size=8)) + data[at:]
    )


def delete(draw: DrawFn, data: bytes) -> bytes:
    start = _position(draw, data)
    return data[:start] + data[draw(st.integers(start, len(data))) :]


def broken_quote(draw: DrawFn, data: bytes) -> bytes:
    """A quote opened at the start of a CSV field and never closed where it should be."""
    starts = [0] + [i + 1 for i, byte in enumerate(data) if byte in b",\n"]
    at = draw(st.sampled_from(starts))
    return data[:at] + b'"' + data[at:]


def truncated_tail(draw: DrawFn, data: bytes) -> bytes:
    """Cut into the end of the file: a Parquet footer, the last member of a gzip file."""
    return data[: max(0, len(data) - draw(st.integers(1, 300)))]


# -- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputFile:
    """One input file, with the bytes it holds."""

    name: str
    data: bytes

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_bytes(self.data)
        return path


@dataclass(frozen=True)
class TextFolder:
    """A folder of text files (relative path, bytes), and links to files that do not exist."""

    name: str
    files: tuple[tuple[str, bytes], ...]
    dangling_links: tuple[str, ...] = ()

    def write(self, folder: Path) -> Path:
        root = folder / self.name
        root.mkdir()
        for relative, data in self.files:
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for relative in self.dangling_links:
            (root / relative).symlink_to(root / "gone.txt")
        return root


Input = InputFile | TextFolder


def encode(text: str) -> bytes:
    """UTF-8; a lone surrogate becomes the invalid UTF-8 a careless writer leaves."""
    return text.encode("utf-8", "surrogatepass")


def _jsonl(rows: list[Any], ascii_only: bool) -> bytes:
    return b"".join(encode(json.dumps(row, ensure_ascii=ascii_only)) + b"\n" for row in rows)


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else json.dumps(value)


def csv_bytes(rows: list[dict[str, Any]], line_end: str) -> bytes:
    columns = list(dict.fromkeys(["id", "text", *(name for row in rows for name in row)]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(columns)
    writer.writerows([_cell(row.get(name)) for name in columns] for row in rows)
    return encode(out.getvalue())


def _parquet(rows: list[dict[str, Any]]) -> bytes:
    """The rows as Parquet, with their types where Parquet can hold them, else as strings."""
    try:
        return parquet_bytes(rows)
    except (pa.ArrowException, UnicodeError, OverflowError, ValueError, TypeError):
        return parquet_bytes([{k: _as_utf8(_cell(v)) for k, v in r.items()} for r in rows])


def parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), out)
    return out.getvalue()


def _as_utf8(text: str) -> str:
    return text.encode("utf-8", "replace").decode()


@st.composite
def jsonl_file(draw: DrawFn, name: str, rows: list[Any]) -> InputFile:
    return InputFile(f"{name}.jsonl", draw(damaged(_jsonl(rows, draw(st.booleans())))))


@st.composite
def jsonl_gz_file(draw: DrawFn, name: str, rows: list[Any]) -> InputFile:
    lines = draw(damaged(_jsonl(rows, draw(st.booleans()))))
    return InputFile(
        f"{name}.jsonl.gz", draw(damaged(gzip.compress(lines, mtime=0), truncated_tail))
    )


@st.composite
def csv_file(draw: DrawFn, name: str, rows: list[Any]) -> InputFile:
    data = csv_bytes(rows, draw(st.sampled_from(("\r\n", "\n"))))
    return InputFile(f"{name}.csv", draw(damaged(data, broken_quote)))


@st.composite
def parquet_file(draw: DrawFn, name: str, rows: list[Any]) -> InputFile:
    return InputFile(f"{name}.parquet", draw(damaged(_parquet(rows), truncated_tail)))


file_names = st.text(st.characters(exclude_characters="/\x00"), min_size=1, max_size=12)
extensions = mostly(st.just(".txt"), st.sampled_from((".TXT", ".md", "")), 6)


@st.composite
def text_folder(draw: DrawFn, name: str, rows: list[Any]) -> TextFolder:
    """The records' texts as files, some in a subfolder, a few with other extensions or with a
    name that is not UTF-8 (as old archives have). A file name starts with its row number, so
    that names are distinct and no name is also a subfolder's."""
    files = []
    for number, row in enumerate(rows):
        stem = f"{number}-{draw(file_names)}"
        if draw(st.integers(0, 5)) == 5:
            stem = f"{number}/{stem}"
        elif draw(st.integers(0, 9)) == 9:
            stem = os.fsdecode(os.fsencode(stem) + b"\xff")
        text = row.get("text")
        data = encode(text) if isinstance(text, str) else encode(draw(texts))
        files.append((stem + draw(extensions), draw(damaged(data))))
    links = draw(mostly(st.just(()), st.just(("dangling.txt",)), 8))
    return TextFolder(name, tuple(files), links)


def _page(text: str, title: str) -> bytes:
    """A news page around the text: navigation, the article, related links, a footer."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    return encode(
        f"<html><head><title>{html.escape(title)}</title></head><body><nav><a href='/'>Home"
        f"</a> <a href='/world'>World</a></nav><article><h1>{html.escape(title)}</h1>"
        f"{paragraphs}</article><aside><a href='/r'>Related story</a></aside>"
        "<footer>Copyright. All rights reserved.</footer></body></html>"
    )


#: Markup as broken pages have it: unclosed and stray tags, comments, scripts, odd encodings.
html_noise = st.sampled_from(
    (b"<p>", b"</div>", b"<!--", b"<script>", b"<![CDATA[", b"&#x0;", b"<meta charset='latin-1'>")
)


@st.composite
def html_file(draw: DrawFn, name: str, rows: list[Any]) -> InputFile:
    """One page: the first record's text in a page, maybe with broken markup, maybe damaged."""
    text = next((r["text"] for r in rows if isinstance(r.get("text"), str)), draw(texts))
    page = _page(text, draw(st.text(max_size=20)))
    at = draw(st.integers(0, len(page)))
    if draw(st.booleans()):
        page = page[:at] + draw(html_noise) + page[at:]
    return InputFile(f"{name}.html", draw(damaged(page)))


def warc_record(uri: str, kind: str, content_type: str, body: bytes) -> bytes:
    """One WARC record; a response holds an HTTP response of that content type."""
    if kind == "response":
        body = encode(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n") + body
        content_type = "application/http; msgtype=response"
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
        f"WARC-Record-ID: <urn:uuid:{zlib.crc32(encode(uri) + body):032x}>\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return encode(head) + body + b"\r\n\r\n"


@st.composite
def warc_file(draw: DrawFn, name: str, rows: list[Any]) -> InputFile:
    """The records' texts as pages in a .warc.gz (one gzip member a record), among request and
    non-HTML records, URIs sometimes repeated; headers and members damaged."""
    members = []
    for number, row in enumerate(rows):
        text = row.get("text") if isinstance(row.get("text"), str) else draw(texts)
        uri = f"https://example.org/{draw(st.integers(0, max(1, len(rows))))}"
        kind, content_type, body = draw(
            st.sampled_from(
                (
                    ("response", "text/html; charset=utf-8", _page(text, f"story {number}")),
                    ("request", "application/http; msgtype=request", b"GET / HTTP/1.1\r\n\r\n"),
                    ("response", "application/pdf", b"%PDF-1.4"),
                    ("conversion", "text/plain", encode(text)),
                )
            )
        )
        record = draw(damaged(warc_record(uri, kind, content_type, body)))
        members.append(gzip.compress(record, mtime=0))
    data = draw(damaged(b"".join(members), truncated_tail))
    return InputFile(f"{name}.warc.gz", data)


FILE_KINDS = {
    "jsonl": jsonl_file,
    "jsonl.gz": jsonl_gz_file,
    "csv": csv_file,
    "parquet": parquet_file,
    "folder": text_folder,
    "html": html_file,
    "warc.gz": warc_file,
}


@st.composite
def inputs(draw: DrawFn, prefix: str = "in") -> list[Input]:
    """One to three input files or folders (named `prefix0`, …) holding a corpus between them."""
    rows = draw(records())
    files = []
    count = draw(st.integers(1, 3))
    for n in range(count):
        kind = draw(st.sampled_from(list(FILE_KINDS)))
        part = rows[n::count]
        if kind not in ("jsonl", "jsonl.gz"):  # only JSON holds a row that is no object
            part = [row for row in part if isinstance(row, dict)]
        files.append(draw(FILE_KINDS[kind](f"{prefix}{n}", part)))
    return files


@st.composite
def text_file(draw: DrawFn, name: str) -> InputFile:
    """A text file for `compare`: a text, maybe damaged."""
    return InputFile(name, draw(damaged(encode(draw(texts)))))


# -- options ----------------------------------------------------------------------------------

#: Matching options: every CLI flag with a value a user would try, and keyword options of the
#: API, a few out of range.
MATCHING_FLAGS = (
    ("--ngram", "1"),
    ("--ngram", "3"),
    ("--min-words", "0"),
    ("--min-words", "3"),
    ("--jaccard", "0.5"),
    ("--containment", "0.6"),
    ("--char-errors", "0"),
    ("--char-errors", "0.5"),
    ("--numbers-dont-matter",),
    ("--keep-boilerplate",),
)
matching_flags = st.lists(
    st.sampled_from(MATCHING_FLAGS), max_size=3, unique_by=lambda f: f[0]
).map(lambda flags: [part for flag in flags for part in flag])

usual_options = st.fixed_dictionaries(
    {},
    optional={
        "ngram": st.integers(1, 6),
        "min_words": st.integers(0, 12),
        "jaccard": st.sampled_from((0.5, 0.7, 1.0)),
        "containment": st.sampled_from((0.6, 0.8, 1.0)),
        "char_errors": st.sampled_from((0.0, 0.34, 0.9)),
        "numbers_matter": st.booleans(),
        "ignore_boilerplate": st.booleans(),
        "boilerplate_min_docs": st.integers(2, 3),
        "num_perm": st.sampled_from((8, 64, 128)),
    },
)
out_of_range = st.sampled_from(
    (
        {"ngram": 0},
        {"min_words": -1},
        {"jaccard": 0.0},
        {"jaccard": 1.5},
        {"num_perm": 4},
        {"char_errors": 1.0},
        {"boilerplate_min_docs": 1},
        {"bands": 3},
        {"colour": "red"},
    )
)
#: Keyword options of the API: usual values, rarely one out of range or unknown.
api_options = mostly(usual_options, out_of_range, 10)
