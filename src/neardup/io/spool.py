"""Web pages extracted once a run.

A run reads its inputs several times (the furniture pre-pass, sketching, the second look, the
kept records); extracting a page's main text costs far more than parsing a JSONL line, so the
inputs that hold pages (HTML files, folders with HTML or WARC files, WARC/WET files, JSONL and
CSV files read with an html field) are extracted in one first pass into a JSONL file of their
records (id, url, date, title, text, or the record's fields) in a temporary folder, and every
later pass reads that file. Next to it, a file of where each record was read lets an error of a
later pass name that place, not the spool.

Only records that JSONL gives back as they were are spooled: a Parquet file's (or a saved
dataset's) typed values would come back as strings, so such inputs with an html field, and
folders holding Parquet files, are extracted again on each pass.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from neardup.io.html import is_html
from neardup.io.progress import Reporter
from neardup.io.read import (
    CSV_SUFFIXES,
    JSONL_SUFFIXES,
    ReadStats,
    RecordReader,
    check_html_field,
    folder_files,
    place_line,
    read_path,
    unique_ids,
)
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


def spooled(path: Path, reader: RecordReader) -> bool:
    """Whether `path` is extracted once into a spool: it holds pages, and its records come back
    from JSONL as they were read (not a Parquet file's, nor a saved dataset's)."""
    if is_html(path) or is_warc(path):
        return True
    if path.is_dir():
        if is_saved_dataset(path):
            return False
        files = folder_files(path, reader.glob)[0]
        if any(p.name.lower().endswith(".parquet") for p in files):
            return False
        return reader.html_field is not None or any(is_html(p) or is_warc(p) for p in files)
    round_trip = (*JSONL_SUFFIXES, *CSV_SUFFIXES)  # not Parquet's types
    return reader.html_field is not None and path.name.lower().endswith(round_trip)


def extracted_once(
    inputs: Sequence[str | Path], reader: RecordReader, reporter: Reporter
) -> Spooled:
    """`inputs` with each one that holds pages read once, its records written to a spool; the
    notices of that pass (skipped records, pages without text, repaired bytes) are carried by
    the reader returned, which reads the spools as they were written. An id found twice in the
    spooled inputs is an error of that pass."""
    paths = [Path(p) for p in inputs]
    if reader.html_field is not None:  # before any page is extracted
        for path in paths:
            check_html_field(path, reader.glob)
    chosen = [spooled(p, reader) for p in paths]
    if not any(chosen):
        return Spooled(paths, reader)
    folder = tempfile.TemporaryDirectory(prefix="neardup-pages-")
    inputs_now: list[Path] = []
    places: dict[Path, Path] = {}
    seen: dict[str, str] = {}
    first = reader.fresh()  # one reader for all: a URI crawled again in another file is seen
    with reporter.stage("extracting web pages") as advance:
        for number, (path, spool_it) in enumerate(zip(paths, chosen, strict=True)):
            if not spool_it:
                inputs_now.append(path)
                continue
            spool = Path(folder.name) / f"{number}.jsonl"
            places[spool] = spool.with_suffix(".places")
            with spool.open("wb") as out, places[spool].open("wb") as wheres:
                for record in unique_ids(read_path(path, first), seen):
                    out.write(jsonl_line(record.fields))
                    wheres.write(place_line(record.where))
                    advance(1)
            inputs_now.append(spool)
    stats = ReadStats(invalid_utf8_ids=first.stats.invalid_utf8_ids, skipped=first.stats.skipped)
    again = RecordReader(
        reader.id_field,
        reader.text_field,
        stats,
        glob=reader.glob,
        # The inputs not spooled are read with the html field on each pass.
        html_field=None if all(chosen) else reader.html_field,
        skip_bad_records=reader.skip_bad_records,
        parallel=reader.parallel,
        places=places,
    )
    return Spooled(inputs_now, again, folder)
