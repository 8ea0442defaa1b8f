"""Web pages as documents: the article's main text of an HTML page, with its title, URL and
publication date, extracted by trafilatura (the extractor datatrove and NeMo Curator run).

Navigation, related links, footers and cookie notices stay out of the text; paragraphs are
lines, so that the furniture rules and the sentence alignment see the page as it reads. The
page's headline is its `title` field, not the text's first line: a plain scraped text has no
headline either, and two versions of a story often differ there first.

Extraction costs milliseconds a page, parsing microseconds: pages are extracted in batches on
every core (a process pool, reused by every read of a run) once there are enough of them to pay
for starting it, and in order, so that every read of the same input gives the same records.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import sys
import types
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from neardup.errors import EngineUnavailable, InputError
from neardup.io.read import HTML_SUFFIXES, Record, RecordReader, cannot_read, counted, listed

T = TypeVar("T")

#: The fields of a page's record besides the id and the text, in the order they are written.
PAGE_FIELDS = ("url", "date", "title")
#: Pages a worker extracts per task: enough to make a task's pickling cheap beside its work.
TASK_PAGES = 16
#: Below this many pages a read extracts in this process: starting workers costs about a second.
POOL_PAGES = 64
INSTALL_HINT = "reading HTML needs trafilatura: pip install 'neardup[html]'"


@dataclass(frozen=True)
class Page:
    """What extraction found in one page: the main text (paragraphs as lines; empty where the
    page has no article text), and the title, canonical URL and publication date (ISO 8601
    day) where the page gives them."""

    text: str
    title: str | None = None
    url: str | None = None
    date: str | None = None


def extractor() -> Any:
    """trafilatura's `bare_extraction`, or an error naming the extra to install."""
    try:
        from trafilatura import bare_extraction
    except ImportError:  # trafilatura itself, or lxml_html_clean that its import needs
        raise EngineUnavailable(INSTALL_HINT) from None
    return bare_extraction


def extract(html: bytes | str, url: str | None = None) -> Page:
    """The main text and metadata of one page (bytes are decoded as the page declares).

    >>> extract("<html><body><nav>Home | World</nav><article><h1>Hi</h1><p>"
    ...         + "A sentence of the story. " * 20 + "</p></article></body></html>").title
    'Hi'
    """
    if not html:  # nothing to extract (a WET record's text needs none)
        return Page("", url=url)
    try:
        found = extractor()(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    except EngineUnavailable:
        raise
    except Exception:  # a page the extractor cannot parse has no article text, like an empty one
        found = None
    if found is None:
        return Page("", url=url)
    fields = found.as_dict() if hasattr(found, "as_dict") else dict(found)
    title = _clean(fields.get("title"))
    return Page(
        text=_without_headline(fields.get("text") or "", title),
        title=title,
        url=_clean(fields.get("url")) or url,
        date=_clean(fields.get("date")),
    )


def _clean(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _without_headline(text: str, title: str | None) -> str:
    """The text without its first line where that line is the title (the page's <h1>)."""
    first, _, rest = text.partition("\n")
    return rest if title and first.strip() == title else text


def _extract_batch(pages: list[tuple[bytes | str, str | None]]) -> list[Page]:
    return [extract(html, url) for html, url in pages]


_pool: ProcessPoolExecutor | None = None


def _workers() -> ProcessPoolExecutor:
    """The process pool of this process, started on first use and stopped at exit.

    Spawned, not forked: the reading process runs threads (a batch is sketched while the next
    is read), and a fork copies their locks in whatever state they are."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(os.cpu_count() or 1, mp_context=_context())
        atexit.register(_pool.shutdown, cancel_futures=True)
    return _pool


def _context() -> Any:
    return multiprocessing.get_context("spawn")


def extract_many(
    pages: Iterable[tuple[T, bytes | str, str | None]], *, parallel: bool = True
) -> Iterator[tuple[T, Page]]:
    """(tag, page) for each (tag, html, url), in order; extracted on every core when there are
    more than `POOL_PAGES` pages and `parallel` (a Spark executor extracts in its own task)."""
    extractor()  # a missing extra is said before any work, in this process
    items = iter(pages)
    first = list(itertools.islice(items, POOL_PAGES))
    if not parallel or len(first) < POOL_PAGES or (os.cpu_count() or 1) < 2:
        for tag, html, url in itertools.chain(first, items):
            yield tag, extract(html, url)
        return
    yield from _extract_on_workers(itertools.chain(first, items))


def _extract_on_workers(
    items: Iterator[tuple[T, bytes | str, str | None]],
) -> Iterator[tuple[T, Page]]:
    """Batches of pages extracted by the pool, a few tasks a worker ahead of the reader."""
    pool = _workers()
    ahead = 4 * (os.cpu_count() or 1)
    pending: list[tuple[list[T], Future[list[Page]]]] = []
    try:
        while True:
            while len(pending) < ahead and (batch := list(itertools.islice(items, TASK_PAGES))):
                tags = [tag for tag, _, _ in batch]
                with _main_hidden():  # a submit may start a worker
                    done = pool.submit(_extract_batch, [(h, u) for _, h, u in batch])
                pending.append((tags, done))
            if not pending:
                return
            tags, done = pending.pop(0)
            yield from zip(tags, done.result(), strict=True)
    except BrokenProcessPool:
        _forget_pool()
        raise InputError("a page extraction worker died (out of memory?)") from None
    finally:
        for _, future in pending:
            future.cancel()


@contextmanager
def _main_hidden() -> Iterator[None]:
    """No `__main__` module while workers start: a spawned worker runs the main script again
    unless it is guarded by `if __name__ == "__main__"`, and a user's script calling neardup at
    its top level would start workers without end. The workers need nothing of it (they run
    this module's functions)."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _forget_pool() -> None:
    global _pool
    _pool = None


def page_fields(doc_id: str, page: Page, reader: RecordReader) -> dict[str, Any]:
    """A page's record: id, url, date, title and text (under the reader's field names)."""
    return {
        reader.id_field: doc_id,
        "url": page.url,
        "date": page.date,
        "title": page.title,
        reader.text_field: page.text,
    }


class EmptyPages:
    """Notes the pages of one input that have no article text, for one notice at its end."""

    def __init__(self, where: str | Path) -> None:
        self.where = where
        self.ids: list[str] = []

    def note(self, doc_id: str, page: Page) -> None:
        if not page.text.strip():
            self.ids.append(doc_id)

    def report(self, reader: RecordReader) -> None:
        if self.ids:
            verb = "has" if len(self.ids) == 1 else "have"
            reader.stats.skipped.append(
                f"{counted(len(self.ids), 'page')} in {self.where} {verb} no article text, "
                f"read as {'an empty document' if len(self.ids) == 1 else 'empty documents'} "
                f"(kept, never matched): {listed(self.ids)}"
            )


def read_html_files(
    files: Iterable[tuple[Path, str]], reader: RecordReader, where: str | Path
) -> Iterator[Record]:
    """One document per HTML file, (path, id) in order; `where` names them in notices."""
    empty = EmptyPages(where)

    def sources() -> Iterator[tuple[tuple[Path, str], bytes, None]]:
        for path, doc_id in files:
            try:
                yield (path, doc_id), path.read_bytes(), None
            except OSError as error:
                raise cannot_read(path, error) from None

    for (path, doc_id), page in extract_many(sources(), parallel=reader.parallel):
        empty.note(doc_id, page)
        yield reader.make(page_fields(doc_id, page, reader), str(path))
    empty.report(reader)


def read_html_file(path: Path, reader: RecordReader) -> Iterator[Record]:
    """One HTML file as one document (id: its name)."""
    yield from read_html_files([(path, path.name)], reader, path)


def with_html_field(records: Iterable[Record], reader: RecordReader) -> Iterator[Record]:
    """Records whose html field (`reader.html_field`) is a page: the page's main text becomes
    the text field, and its url, date and title fill those fields where the record has none."""
    empty = EmptyPages("the html field")
    html_field = reader.html_field
    assert html_field is not None

    def sources() -> Iterator[tuple[Record, str, str | None]]:
        for record in records:
            html = record.fields.get(html_field)
            url = record.fields.get("url")
            yield record, html or "", url if isinstance(url, str) else None

    for record, page in extract_many(sources(), parallel=reader.parallel):
        empty.note(record.id, page)
        extracted = {k: v for k, v in page_fields(record.id, page, reader).items() if v is not None}
        fields = {**extracted, **record.fields, reader.text_field: page.text}
        yield Record(record.id, page.text, fields, record.where)
    empty.report(reader)


def is_html(path: Path) -> bool:
    return path.name.lower().endswith(HTML_SUFFIXES)
