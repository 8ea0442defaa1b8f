"""HTML pages as documents: the main text of a page (trafilatura), its title, URL and date, from
.html files, folders of them and an html field, on the local engine and the index CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EARLIER, LATER, neardup
from web_pages import EARLIER_PAGE, LATER_PAGE, PAGES, news_page

import neardup as nd
from neardup.errors import EngineUnavailable
from neardup.io.html import extract
from neardup.io.read import RecordReader, read_paths

pytest.importorskip("trafilatura", reason="needs trafilatura: pip install neardup[html]")


def test_a_seed_page_gives_the_plain_seed_text_and_its_fields() -> None:
    for page, plain in ((EARLIER_PAGE, EARLIER), (LATER_PAGE, LATER)):
        found = extract(page.read_bytes())
        # Navigation, related links, footer and cookie notice stay out; paragraphs are lines.
        assert found.text == plain.read_text(encoding="utf-8")
    later = extract(LATER_PAGE.read_bytes())
    assert later.title == (
        "NATO Will Not Send Combat Troops To Ukraine; Britain Readies Wider Sanctions"
    )
    assert later.date == "2022-01-31"
    assert later.url == "https://news.example.org/a/nato-ukraine-britain-sanctions/31685527.html"


def test_seed_pages_compare_as_contains_with_the_plain_alignment() -> None:
    plain = nd.compare(EARLIER.read_text(encoding="utf-8"), LATER.read_text(encoding="utf-8"))
    records = list(read_paths([EARLIER_PAGE, LATER_PAGE], RecordReader("id", "text")))
    pages = nd.compare(records[0].text, records[1].text)
    assert pages.relation == "contains"
    assert pages.alignment == plain.alignment
    assert (pages.jaccard, pages.containment_a_in_b) == (plain.jaccard, plain.containment_a_in_b)


def test_a_folder_of_pages_deduplicated_keeps_the_newest(tmp_path: Path) -> None:
    kept, pairs = tmp_path / "kept.jsonl", tmp_path / "pairs.jsonl"
    run = neardup(
        "dedup", PAGES, "--glob", "*.htm*", "-o", kept, "--pairs", pairs,
        "--keep", "newest", "--date-field", "date", "-q",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in kept.read_text().splitlines()]
    assert [(r["id"], r["date"]) for r in rows] == [("002_137d3eabac6a834f.html", "2022-01-31")]
    assert list(rows[0]) == ["id", "url", "date", "title", "text"]
    assert rows[0]["text"] == LATER.read_text(encoding="utf-8")
    found = [json.loads(line) for line in pairs.read_text().splitlines()]
    assert [(p["id_a"], p["id_b"], p["relation"]) for p in found] == [
        ("000_fc1c69b70c19711e.html", "002_137d3eabac6a834f.html", "contains")
    ]


def test_an_html_field_of_jsonl_records(tmp_path: Path) -> None:
    source = tmp_path / "pages.jsonl"
    rows = [
        {"id": "a", "html": EARLIER_PAGE.read_text(encoding="utf-8"), "source": "wire"},
        {"id": "b", "html": LATER_PAGE.read_text(encoding="utf-8"), "date": "2022-02-01"},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    summary = nd.deduplicate_files(
        [source], tmp_path / "kept.jsonl", html_field="html", keep="newest", date_field="date"
    )
    assert summary.pairs == {"contains": 1}
    kept = [json.loads(line) for line in (tmp_path / "kept.jsonl").read_text().splitlines()]
    # The record as read, with the page's text, and its url and title (its own date wins).
    assert [(r["id"], r["date"], r["text"] == LATER.read_text(encoding="utf-8")) for r in kept] == [
        ("b", "2022-02-01", True)
    ]
    assert kept[0]["url"].endswith("/31685527.html") and kept[0]["html"] == rows[1]["html"]
    missing = neardup("find", source, "-o", tmp_path / "p.jsonl", "--html-field", "page")
    assert missing.returncode == 2
    assert missing.stderr == (
        f"neardup: error: {source}:1: no html field 'page' (choose it with --html-field)\n"
    )


def test_a_page_with_no_article_text_is_an_empty_document(tmp_path: Path) -> None:
    (tmp_path / "gallery.html").write_text(
        "<html><head><title>Gallery</title></head><body><img src='a.jpg'></body></html>"
    )
    (tmp_path / "story.html").write_text(news_page("Story", "word " * 200))
    summary = nd.find_files([tmp_path], tmp_path / "pairs.jsonl", glob="*.html")
    assert (summary.documents, summary.empty) == (2, 1)
    assert summary.skipped == [
        f"1 page in {tmp_path}/ has no article text, read as an empty document (kept, never "
        "matched): gallery.html"
    ]


def test_index_add_and_query_read_pages(tmp_path: Path) -> None:
    index = tmp_path / "news.ndx"
    assert neardup("index", "create", index).returncode == 0
    added = neardup("index", "add", index, EARLIER_PAGE)
    assert added.returncode == 0 and added.stdout == "added 1; documents in the index: 1\n"
    query = neardup("index", "query", index, LATER_PAGE)
    rows = [json.loads(line) for line in query.stdout.splitlines()]
    assert [(r["query_id"], r["id"], r["relation"]) for r in rows] == [
        ("002_137d3eabac6a834f.html", "000_fc1c69b70c19711e.html", "contains")
    ]


def test_a_missing_extractor_is_one_line_with_the_install_hint(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['trafilatura'] = None\n"  # as if it were not installed
        "from neardup.cli import main; main()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, "find", str(EARLIER_PAGE), "-o", str(tmp_path / "p.jsonl")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert run.stderr == (
        "neardup: error: reading HTML needs trafilatura: pip install 'neardup[html]'\n"
    )
    assert issubclass(EngineUnavailable, nd.NeardupError)


def test_a_run_extracts_each_page_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run reads its inputs several times (furniture, sketches, the second look, the kept
    records, the report): the pages are extracted in the first read only, and the later ones
    read that."""
    from neardup.io import html

    extracted: list[int] = []
    real = html.extract_many

    def counted(sources, *, parallel):  # type: ignore[no-untyped-def]
        for source, page in real(sources, parallel=parallel):
            extracted.append(1)
            yield source, page

    monkeypatch.setattr(html, "extract_many", counted)
    kept = tmp_path / "kept.jsonl"
    result = nd.deduplicate_files(
        [PAGES],
        kept,
        pairs=tmp_path / "pairs.jsonl",
        report=tmp_path / "report.html",
        glob="*.htm*",
        progress=False,
    )
    assert len(extracted) == 2
    assert (result.documents, result.removed) == (2, 1)
    rows = [json.loads(line) for line in kept.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["002_137d3eabac6a834f.html"]


def test_compare_reads_pages_as_find_does() -> None:
    plain = neardup("compare", EARLIER, LATER, "--json")
    pages = neardup("compare", EARLIER_PAGE, LATER_PAGE, "--json")
    assert pages.returncode == 0, pages.stderr
    assert json.loads(pages.stdout) == json.loads(plain.stdout)


def test_an_html_field_of_bytes_in_parquet(tmp_path: Path) -> None:
    """Crawl exports often hold pages as bytes: the extractor decodes them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "crawl.parquet"
    pages = [EARLIER_PAGE.read_bytes(), LATER_PAGE.read_bytes()]
    table = pa.table({"id": ["e", "l"], "html": pa.array(pages, pa.binary())})
    pq.write_table(table, source)
    nd.find_files([source], tmp_path / "pairs.jsonl", html_field="html", progress=False)
    (pair,) = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    assert (pair["id_a"], pair["id_b"], pair["relation"]) == ("e", "l", "contains")
    plain = nd.compare(EARLIER.read_text(encoding="utf-8"), LATER.read_text(encoding="utf-8"))
    assert pair["containment_a_in_b"] == round(plain.containment_a_in_b, 6)
