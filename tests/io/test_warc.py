"""WARC and WET files as documents: response records holding HTML pages, ids from their target
URIs, other records counted, bad gzip members and records named by their byte offset (or
skipped and counted with --skip-bad-records)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EARLIER, LATER, neardup
from synthetic import planted_corpus
from web_pages import LATER_PAGE, WarcRecord, news_page, seed_warc, write_warc

import neardup as nd
from neardup.errors import InputError
from neardup.io.read import RecordReader, read_paths

pytest.importorskip("fastwarc", reason="needs FastWARC: pip install neardup[warc]")
pytest.importorskip("trafilatura", reason="needs trafilatura: pip install neardup[html]")
pytest.importorskip("warcio", reason="the tests write WARC files with warcio")


def test_seed_pages_in_a_warc_compare_as_the_plain_texts(tmp_path: Path) -> None:
    warc = seed_warc(tmp_path / "seeds.warc.gz")
    reader = RecordReader("id", "text")
    earlier, later = read_paths([warc], reader)
    assert (earlier.id, later.id) == (
        "https://news.example.org/earlier",
        "https://news.example.org/later",
    )
    assert earlier.fields["url"] == "https://news.example.org/earlier"
    assert (earlier.fields["date"], later.fields["date"]) == ("2022-01-30", "2022-01-31")
    plain = nd.compare(EARLIER.read_text(encoding="utf-8"), LATER.read_text(encoding="utf-8"))
    pages = nd.compare(earlier.text, later.text)
    assert pages.relation == "contains" and pages.alignment == plain.alignment
    assert reader.stats.skipped == [
        f"skipped 1 record of {warc} that is not an HTML page: 1 request record"
    ]


def _corpus(count: int) -> list[dict[str, str]]:
    """Generated stories of 40 words or more, with planted copies among them."""
    return [r for r in planted_corpus(count, seed=5) if len(r["text"].split()) >= 40]


def test_a_crawl_round_trips_with_its_copies_and_bad_records(tmp_path: Path) -> None:
    stories = _corpus(400)
    assert len(stories) > 200
    records = [
        WarcRecord(
            f"https://wire.example.com/{r['id']}", news_page(f"Story {r['id']}", r["text"]).encode()
        )
        for r in stories
    ]
    pdf = WarcRecord(
        "https://wire.example.com/report.pdf", b"%PDF-1.4 ...", content_type="application/pdf"
    )
    gallery = WarcRecord(
        "https://wire.example.com/gallery", b"<html><body><img src='a.jpg'></body></html>"
    )
    warc = tmp_path / "crawl.warc.gz"
    offsets = write_warc(warc, [*records[:100], pdf, gallery, *records[100:]])
    data = warc.read_bytes()
    warc.write_bytes(data[:-40])  # the last page's gzip member is cut short
    last = offsets[-1]

    failed = neardup("find", warc, "-o", tmp_path / "pairs.jsonl")
    assert failed.returncode == 2
    assert failed.stderr == (
        f"neardup: error: {warc}: byte {last}: truncated gzip member "
        "(--skip-bad-records skips such records)\n"
    )
    summary = nd.find_files([warc], tmp_path / "pairs.jsonl", skip_bad_records=True)
    assert summary.documents == len(records)  # the pages but the cut one, and the empty gallery
    assert summary.empty == 1
    assert summary.skipped == [
        f"skipped 1 record of {warc} that is not an HTML page: 1 non-HTML response",
        f"skipped 1 bad record of {warc} (truncated or corrupt) at byte offset {last}",
        f"1 page in {warc} has no article text, read as an empty document (kept, never matched): "
        "https://wire.example.com/gallery",
    ]
    # The copies planted among the texts are found between the pages, under their URIs.
    expected = nd.find_pairs(
        [{"id": f"https://wire.example.com/{r['id']}", "text": r["text"]} for r in stories[:-1]]
    )
    found = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    assert found == [p.to_dict() for p in expected]
    assert len(found) > 20


def test_a_uri_crawled_twice_gets_its_record_id(tmp_path: Path) -> None:
    page = news_page("Story", "the council closed the old bridge after the storm " * 10).encode()
    warc = tmp_path / "twice.warc"
    write_warc(warc, [WarcRecord("https://a.example/x", page)] * 2, gzip=False)
    first, second = read_paths([warc], RecordReader("id", "text"))
    assert first.id == "https://a.example/x"
    assert second.id.startswith("https://a.example/x <urn:uuid:") and second.id.endswith(">")
    assert first.where == f"{warc}: byte 0"


def test_a_truncated_plain_warc_names_the_record(tmp_path: Path) -> None:
    page = news_page("Story", "the river rose overnight and the town was flooded " * 10).encode()
    warc = tmp_path / "cut.warc"
    offsets = write_warc(
        warc,
        [WarcRecord("https://a.example/1", page), WarcRecord("https://a.example/2", page)],
        gzip=False,
    )
    warc.write_bytes(warc.read_bytes()[:-100])
    with pytest.raises(InputError) as error:
        list(read_paths([warc], RecordReader("id", "text")))
    assert str(error.value) == (
        f"{warc}: byte {offsets[1]}: WARC record cut short (truncated file?) "
        "(--skip-bad-records skips such records)"
    )


def test_a_corrupt_gzip_member_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    page = news_page("Story", "the minister said the copper price rose this year " * 10).encode()
    warc = tmp_path / "corrupt.warc.gz"
    uris = [f"https://a.example/{n}" for n in range(3)]
    offsets = write_warc(warc, [WarcRecord(uri, page) for uri in uris])
    data = bytearray(warc.read_bytes())
    middle = (offsets[1] + offsets[2]) // 2
    data[middle : middle + 8] = b"\x00" * 8
    warc.write_bytes(bytes(data))
    reader = RecordReader("id", "text", skip_bad_records=True)
    assert [r.id for r in read_paths([warc], reader)] == [uris[0], uris[2]]
    assert reader.stats.skipped == [
        f"skipped 1 bad record of {warc} (truncated or corrupt) at byte offset {offsets[1]}"
    ]
    with pytest.raises(InputError, match=rf"^{warc}: byte {offsets[1]}: corrupt gzip member \("):
        list(read_paths([warc], RecordReader("id", "text")))


def test_wet_conversion_records_are_text_documents(tmp_path: Path) -> None:
    wet = tmp_path / "crawl.wet.gz"
    text = EARLIER.read_text(encoding="utf-8")
    write_warc(wet, [WarcRecord("https://a.example/s", text.encode(), "conversion", "text/plain")])
    (record,) = read_paths([wet], RecordReader("id", "text"))
    assert (record.id, record.text, record.fields["url"]) == (
        "https://a.example/s",
        text,
        "https://a.example/s",
    )


def test_a_missing_reader_is_one_line_with_the_install_hint(tmp_path: Path) -> None:
    import subprocess
    import sys

    warc = seed_warc(tmp_path / "seeds.warc.gz")
    script = "import sys; sys.modules['fastwarc'] = None\nfrom neardup.cli import main; main()\n"
    run = subprocess.run(
        [sys.executable, "-c", script, "find", str(warc), "-o", str(tmp_path / "p.jsonl")],
        capture_output=True,
        text=True,
    )
    assert (run.returncode, run.stderr) == (
        2,
        "neardup: error: reading WARC needs FastWARC: pip install 'neardup[warc]'\n",
    )


def test_a_plain_warc_named_gz_is_read_as_plain(tmp_path: Path) -> None:
    """Some crawlers write uncompressed WARC files under a .warc.gz name."""
    plain = seed_warc(tmp_path / "seeds.warc")
    named = plain.rename(tmp_path / "seeds.warc.gz")
    ids = [r.id for r in read_paths([named], RecordReader("id", "text"))]
    assert ids == ["https://news.example.org/earlier", "https://news.example.org/later"]


def test_a_folder_reads_each_file_by_its_kind(tmp_path: Path) -> None:
    """A folder read with --glob '*': its WARC files give their pages, its JSONL files their
    records, its HTML files their articles, and the rest are texts."""
    folder = tmp_path / "crawl"
    (folder / "day1").mkdir(parents=True)
    seed_warc(folder / "day1" / "seeds.warc.gz")
    (folder / "more.jsonl").write_text('{"id": "j1", "text": "a record"}\n', encoding="utf-8")
    (folder / "page.html").write_bytes(LATER_PAGE.read_bytes())
    (folder / "note.txt").write_text("a note", encoding="utf-8")
    records = list(read_paths([folder], RecordReader("id", "text", glob="*")))
    assert [r.id for r in records] == [
        "https://news.example.org/earlier",
        "https://news.example.org/later",
        "j1",
        "note.txt",
        "page.html",
    ]
    assert records[1].text == records[4].text == LATER.read_text(encoding="utf-8")
