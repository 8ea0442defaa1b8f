"""Pages extracted once a run (`io/spool.py`): errors name the files the pages were read from,
never the temporary spool, and only records that JSONL gives back as they were are spooled."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import neardup
from web_pages import EARLIER_PAGE, LATER_PAGE, PAGES

import neardup as nd
from neardup.errors import InputError
from neardup.io import html, read, warc
from neardup.io.progress import Reporter
from neardup.io.read import RecordReader, read_paths, read_paths_at
from neardup.io.spool import extracted_once, spooled

pytest.importorskip("trafilatura", reason="needs trafilatura: pip install neardup[html]")


def _error(*args: object) -> str:
    run = neardup(*args)
    assert run.returncode == 2 and run.stdout == ""
    return run.stderr


def test_a_duplicate_id_in_two_folders_of_pages_names_the_pages(tmp_path: Path) -> None:
    first, second = tmp_path / "h1", tmp_path / "h2"
    for folder, page in ((first, EARLIER_PAGE), (second, LATER_PAGE)):
        folder.mkdir()
        shutil.copy(page, folder / "a.html")
    stderr = _error("find", first, second, "--glob", "*.html", "-o", tmp_path / "p.jsonl")
    assert stderr == (
        f"neardup: error: {second}/a.html: duplicate id 'a.html' (first at {first}/a.html)\n"
    )


def test_an_error_of_a_later_pass_names_where_a_spooled_record_was_read(tmp_path: Path) -> None:
    # A page's id found again in a file that is not spooled: found by the sketching pass.
    (tmp_path / "h").mkdir()
    shutil.copy(EARLIER_PAGE, tmp_path / "h" / "a.html")
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "a.html", "text": "a text"}\n')
    stderr = _error("find", tmp_path / "h", other, "--glob", "*.html", "-o", tmp_path / "p.jsonl")
    assert stderr == (
        f"neardup: error: {other}:1: duplicate id 'a.html' (first at {tmp_path}/h/a.html)\n"
    )
    # A date that is not one, in a record whose page was extracted into the spool.
    source = tmp_path / "pages.jsonl"
    page = EARLIER_PAGE.read_text(encoding="utf-8")
    rows = [{"id": "x", "html": page, "published": "2020-01-01"}, {"id": "y", "html": page}]
    rows[1]["published"] = "yesterday"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    stderr = _error(
        "dedup", source, "--html-field", "html", "--keep", "newest", "--date-field", "published",
        "-o", tmp_path / "kept.jsonl",
    )  # fmt: skip
    assert stderr == (
        f"neardup: error: {source}:2: date field 'published' is not an ISO 8601 date: 'yesterday'\n"
    )


def test_spooled_records_are_named_by_where_they_were_read() -> None:
    reader = RecordReader("id", "text", glob="*.html")
    spool = extracted_once([PAGES], reader, Reporter(False))
    assert spool.inputs != [PAGES] and spool.reader.places
    wheres = [f"{PAGES}/000_fc1c69b70c19711e.html", f"{PAGES}/002_137d3eabac6a834f.html"]
    assert [r.where for r in read_paths(spool.inputs, spool.reader.fresh())] == wheres
    found = read_paths_at(spool.inputs, spool.reader.fresh(), {1})
    assert [(p, r.id, r.where) for p, r in found] == [(1, "002_137d3eabac6a834f.html", wheres[1])]


def test_only_records_that_jsonl_gives_back_are_spooled(tmp_path: Path) -> None:
    with_field = RecordReader("id", "text", html_field="html")
    for name, spools in (("a.jsonl", True), ("a.csv.gz", True), ("a.parquet", False)):
        assert spooled(tmp_path / name, with_field) is spools, name
    assert spooled(EARLIER_PAGE, RecordReader("id", "text")) is True
    (tmp_path / "mixed").mkdir()
    shutil.copy(EARLIER_PAGE, tmp_path / "mixed" / "a.html")
    assert spooled(tmp_path / "mixed", RecordReader("id", "text", glob="*")) is True
    (tmp_path / "mixed" / "b.parquet").write_bytes(b"")
    assert spooled(tmp_path / "mixed", RecordReader("id", "text", glob="*")) is False


def test_pages_in_parquet_keep_the_types_of_their_records(tmp_path: Path) -> None:
    source, kept = tmp_path / "crawl.parquet", tmp_path / "kept.parquet"
    fetched = [datetime.datetime(2024, 1, 1, 12), datetime.datetime(2024, 1, 2, 12)]
    table = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "html": pa.array([EARLIER_PAGE.read_bytes(), LATER_PAGE.read_bytes()], pa.binary()),
            "fetched": pa.array(fetched, pa.timestamp("us")),
        }
    )
    pq.write_table(table, source)
    summary = nd.deduplicate_files([source], kept, html_field="html", progress=False)
    assert (summary.documents, summary.removed, summary.pairs) == (2, 1, {"contains": 1})
    written = pq.read_table(kept)
    assert [written.schema.field(f.name).type for f in table.schema] == [
        pa.int64(),
        pa.binary(),
        pa.timestamp("us"),
    ]
    (row,) = written.to_pylist()
    assert (row["id"], row["html"], row["fetched"]) == (2, LATER_PAGE.read_bytes(), fetched[1])


def test_an_html_field_of_inputs_without_records_is_an_error(tmp_path: Path) -> None:
    said = "--html-field reads the records of .jsonl, .csv and .parquet files (and saved datasets)"
    texts = tmp_path / "texts"
    texts.mkdir()
    for name in ("a.txt", "b.txt"):
        (texts / name).write_text("a text")
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(b"")
    cases = [
        (texts, f"{texts}/: {said}, not text files (a.txt, b.txt)"),
        (EARLIER_PAGE, f"{EARLIER_PAGE}: {said}, not an HTML page"),
        (crawl, f"{crawl}: {said}, not a WARC file"),
        (texts / "a.txt", f"{texts}/a.txt: {said}, not a text file"),
    ]
    for path, message in cases:
        with pytest.raises(InputError) as raised:
            nd.find_files([path], tmp_path / "p.jsonl", html_field="html", progress=False)
        assert str(raised.value) == message
    # A folder of records and pages, in the command line: one line.
    (texts / "c.jsonl").write_text('{"id": "c", "html": "<p>c</p>"}\n')
    shutil.copy(EARLIER_PAGE, texts / "d.html")
    stderr = _error(
        "find", texts, "--glob", "*", "--html-field", "html", "-o", tmp_path / "p.jsonl"
    )
    assert stderr == (
        f"neardup: error: {texts}/: {said}, not text files and HTML pages (a.txt, b.txt, d.html)\n"
    )


def test_the_readers_share_one_list_of_endings() -> None:
    assert html.HTML_SUFFIXES is read.HTML_SUFFIXES
    assert warc.WARC_SUFFIXES is read.WARC_SUFFIXES
    kinds = [read._file_kind(Path(name)) for name in ("a.HTM", "b.wet.gz", "c.ndjson", "d.md")]
    assert kinds == ["html", "warc", "records", "text"]
