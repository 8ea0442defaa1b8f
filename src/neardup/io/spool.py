"""Web pages extracted once a run.

A run reads its inputs several times (the furniture pre-pass, sketching, the second look, the
kept records); extracting a page's main text costs far more than parsing a JSONL line, so the
inputs that hold pages (HTML files, folders with HTML files, WARC/WET files, any input read with
an html field) are extracted in one first pass into a JSONL file of their records (id, url,
date, title, text) in a temporary folder, and every later pass reads that file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from neardup.io.html import is_html
from neardup.io.progress import Reporter
from neardup.io.read import ReadStats, RecordReader, folder_files, read_path
from neardup.io.saved_dataset import is_saved_dataset
from neardup.io.warc import is_warc
from neardup.io.write import jsonl_line


@dataclass
class Spooled:
    """The inputs to read, pages replaced by their extracted records, and the reader for them.

    The temporary folder lives as long as this object (a run keeps it for its last pass)."""

    inputs: list[Path]
    reader: RecordReader
    folder: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)


def holds_pages(path: Path, reader: RecordReader) -> bool:
    """Whether reading `path` extracts web pages."""
    if reader.html_field is not None or is_html(path) or is_warc(path):
        return True
    if not path.is_dir() or is_saved_dataset(path):
        return False
    return any(is_html(p) or is_warc(p) for p in folder_files(path, reader.glob)[0])


def extracted_once(
    inputs: Sequence[str | Path], reader: RecordReader, reporter: Reporter
) -> Spooled:
    """`inputs` with each one that holds pages read once, its records written to a spool; the
    notices of that pass (skipped records, pages without text, repaired bytes) are carried by
    the reader returned, which reads the spools as they were written."""
    paths = [Path(p) for p in inputs]
    if not any(holds_pages(p, reader) for p in paths):
        return Spooled(paths, reader)
    folder = tempfile.TemporaryDirectory(prefix="neardup-pages-")
    spooled: list[Path] = []
    first = reader.fresh()  # one reader for all: a URI crawled again in another file is seen
    with reporter.stage("extracting web pages") as advance:
        for number, path in enumerate(paths):
            if not holds_pages(path, reader):
                spooled.append(path)
                continue
            spool = Path(folder.name) / f"{number}.jsonl"
            with spool.open("wb") as out:
                for record in read_path(path, first):
                    out.write(jsonl_line(record.fields))
                    advance(1)
            spooled.append(spool)
    stats = ReadStats(invalid_utf8_ids=first.stats.invalid_utf8_ids, skipped=first.stats.skipped)
    again = RecordReader(
        reader.id_field, reader.text_field, stats, glob=reader.glob, parallel=reader.parallel
    )
    return Spooled(spooled, again, folder)
