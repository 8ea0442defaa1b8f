"""Web pages and WARC files made in the tests: a news page template with its furniture, and a
WARC writer (warcio) for response, request and resource records."""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from conftest import FIXTURES

PAGES = FIXTURES / "html"
EARLIER_PAGE = PAGES / "000_fc1c69b70c19711e.html"
LATER_PAGE = PAGES / "002_137d3eabac6a834f.html"

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Daily Wire Service</title>
<meta property="article:published_time" content="{date}"></head>
<body>
<div class="cookie-notice">We use cookies to give you the best experience. By using this site you
accept our cookie policy. <button>OK</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/markets">Markets</a></li>
<li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article><h1>{title}</h1>
{paragraphs}
</article>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/r/1">Markets close higher as oil prices ease</a></li>
<li><a href="/r/2">Central bank holds rates steady</a></li></ul></aside></main>
<footer><p>Copyright 2026 The Daily Wire Service. All rights reserved.</p>
<a href="/privacy">Privacy</a> | <a href="/terms">Terms</a></footer>
</body></html>
"""


def news_page(title: str, text: str, date: str = "2026-03-01", words_a_paragraph: int = 60) -> str:
    """A news page holding `text` as paragraphs of about `words_a_paragraph` words each."""
    words = text.split()
    paragraphs = [
        " ".join(words[at : at + words_a_paragraph])
        for at in range(0, len(words), words_a_paragraph)
    ]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return TEMPLATE.format(title=html.escape(title), date=date, paragraphs=body)


@dataclass(frozen=True)
class WarcRecord:
    """A record to write: `response` (an HTTP response), `request` or `resource`."""

    uri: str
    body: bytes
    kind: str = "response"
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"


def write_warc(path: Path, records: Iterable[WarcRecord], *, gzip: bool = True) -> list[int]:
    """Write the records (one gzip member each when compressed); their byte offsets."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    offsets = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for record in records:
            offsets.append(handle.tell())
            headers = None
            if record.kind == "response":
                headers = StatusAndHeaders(
                    record.status,
                    [("Content-Type", record.content_type)],
                    protocol="HTTP/1.1",
                )
            made = writer.create_warc_record(
                record.uri,
                record.kind,
                payload=io.BytesIO(record.body),
                http_headers=headers,
                warc_content_type=record.content_type if record.kind == "resource" else "",
            )
            writer.write_record(made)
    return offsets


def seed_warc(path: Path) -> Path:
    """The two seed pages as responses (with a request record each) in one WARC file."""
    write_warc(
        path,
        [
            WarcRecord("https://news.example.org/earlier", EARLIER_PAGE.read_bytes()),
            WarcRecord(
                "https://news.example.org/earlier", b"GET /earlier HTTP/1.1\r\n\r\n", "request"
            ),
            WarcRecord("https://news.example.org/later", LATER_PAGE.read_bytes()),
        ],
        gzip=path.name.endswith(".gz"),
    )
    return path
