"""An index's documents added from files, and the records of files queried against it, as the
CLI's `neardup index add` and `neardup index query` do."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neardup.io.read import DEFAULT_GLOB, ReadStats, Record, RecordReader, read_paths, unique_ids

if TYPE_CHECKING:  # the index is passed in: the CLI imports this module at start
    from neardup.index.store import Index

#: `add_files` commits every this many documents.
ADD_BATCH = 10_000


def add_files(
    index: Index,
    inputs: Sequence[str | Path],
    *,
    id_field: str = "id",
    text_field: str = "text",
    glob: str = DEFAULT_GLOB,
    html_field: str | None = None,
    skip_bad_records: bool = False,
    batch: int = ADD_BATCH,
    stats: ReadStats | None = None,
) -> int:
    """Add the records of input files (as `neardup dedup` reads them), one transaction per
    `batch` documents. A crash loses at most the batch in progress; adding again is idempotent.
    An id found twice in the inputs is an error naming both places. `stats`, when given,
    receives what reading found (files of a folder not read, invalid UTF-8, WARC records
    skipped). `html_field` and `skip_bad_records` are as in `neardup.find_files`."""
    reader = RecordReader(
        id_field,
        text_field,
        stats,
        glob=glob,
        html_field=html_field,
        skip_bad_records=skip_bad_records,
    )

    def batches() -> Iterator[list[Record]]:
        pending: list[Record] = []
        for record in unique_ids(read_paths(inputs, reader)):
            pending.append(record)
            if len(pending) >= batch:
                yield pending
                pending = []
        yield pending

    return index.add_batches(batches())


def query_files(
    index: Index,
    inputs: Sequence[str | Path],
    *,
    k: int = 10,
    id_field: str = "id",
    text_field: str = "text",
    glob: str = DEFAULT_GLOB,
    html_field: str | None = None,
    skip_bad_records: bool = False,
    report_overlap: bool = False,
    batch: int = 1000,
    stats: ReadStats | None = None,
) -> Iterator[dict[str, Any]]:
    """For each record of the inputs, its matches in the index as rows `{"query_id", "id", …}`;
    `stats`, when given, receives what reading found."""
    reader = RecordReader(
        id_field,
        text_field,
        stats,
        glob=glob,
        html_field=html_field,
        skip_bad_records=skip_bad_records,
    )
    records = read_paths(inputs, reader)
    while chunk := list(itertools.islice(records, batch)):
        results = index.query_many([r.text for r in chunk], k, report_overlap=report_overlap)
        for record, matches in zip(chunk, results, strict=True):
            for found in matches:
                yield {"query_id": record.id, **found.to_dict()}
