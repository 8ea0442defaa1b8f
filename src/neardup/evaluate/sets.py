"""Labelled sets: documents with the truth about which are copies, and the loaders that make them.

A set has its documents, pairs labelled with a category and whether they are duplicates, and
(where the source says so) the true cluster of every document. Pairs in one true cluster are
duplicates; with no clusters, only the labelled pairs are judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neardup.errors import InputError, shortened
from neardup.evaluate.datasets import read_clough_stevenson
from neardup.io.read import RecordReader, read_paths


@dataclass(frozen=True)
class LabelledPair:
    """Two documents, the category of their relation, and whether that makes them duplicates."""

    id_a: str
    id_b: str
    category: str
    duplicate: bool


@dataclass
class LabelledSet:
    """Documents (id, text) and the truth about them."""

    name: str
    documents: list[dict[str, str]]
    pairs: list[LabelledPair] = field(default_factory=list)
    #: The true cluster of every document; None: only the labelled pairs are judged.
    clusters: dict[str, str] | None = None
    #: Whether the labelled pairs are graded by a score (ROC AUC), not only by a decision.
    graded: bool = False


def from_records(
    name: str, records: Iterable[Mapping[str, Any]], *, id_field: str = "id"
) -> LabelledSet:
    """A set from records with id, text and cluster, and optionally category and source.

    `source` names the document a record was made from, `category` how: each such record
    gives a labelled pair, a duplicate when both share a cluster. This is the format
    `neardup eval news-benchmark --write` writes.

    >>> s = from_records("t", [{"id": "a", "text": "x", "cluster": "1"},
    ...     {"id": "b", "text": "y", "cluster": "1", "category": "edit", "source": "a"}])
    >>> s.pairs
    [LabelledPair(id_a='a', id_b='b', category='edit', duplicate=True)]
    """
    documents: list[dict[str, str]] = []
    clusters: dict[str, str] = {}
    made: list[tuple[str, str, str]] = []
    for record in records:
        doc_id = str(record[id_field])
        if record.get("cluster") is None:
            raise InputError(
                f"{name}: record '{shortened(doc_id)}' has no cluster (the truth to measure)"
            )
        documents.append({"id": doc_id, "text": record["text"]})
        clusters[doc_id] = str(record["cluster"])
        if record.get("source"):
            made.append((str(record["source"]), doc_id, str(record.get("category") or "copy")))
    pairs = []
    for source, doc_id, category in made:
        if source not in clusters:
            raise InputError(
                f"{name}: record '{shortened(doc_id)}' names a source '{shortened(source)}' "
                "not in the set"
            )
        pairs.append(LabelledPair(source, doc_id, category, clusters[source] == clusters[doc_id]))
    return LabelledSet(name, documents, pairs, clusters)


def labelled_files(
    paths: list[Path], *, id_field: str = "id", text_field: str = "text"
) -> LabelledSet:
    """A set from .jsonl/.parquet/.csv files with a `cluster` field (see :func:`from_records`)."""
    reader = RecordReader(id_field, text_field)
    records = ({**r.fields, "id": r.id, "text": r.text} for r in read_paths(paths, reader))
    return from_records(", ".join(map(str, paths)), records)


def news_copy(paths: list[Path]) -> LabelledSet:
    """NEWS-COPY (Silcock et al. 2022) as published: Parquet with `article` and `cluster` columns.

    Ids are the `id` column where there is one, else the row number over all files.
    """
    records = []
    for path in paths:
        try:
            import pyarrow.parquet as pq  # only NEWS-COPY sets are Parquet

            table = pq.read_table(path)
        except (OSError, ValueError) as error:
            raise InputError(f"{path}: not a readable Parquet file ({error})") from None
        missing = {"article", "cluster"} - set(table.column_names)
        if missing:
            raise InputError(f"{path}: no {' or '.join(sorted(missing))} column (NEWS-COPY)")
        ids = table.column("id").to_pylist() if "id" in table.column_names else None
        for n, (text, cluster) in enumerate(
            zip(
                table.column("article").to_pylist(),
                table.column("cluster").to_pylist(),
                strict=True,
            )
        ):
            doc_id = str(ids[n]) if ids else str(len(records))
            records.append({"id": doc_id, "text": text or "", "cluster": cluster})
    return from_records(", ".join(map(str, paths)), records)


def clough_stevenson(folder: Path) -> LabelledSet:
    """Each answer paired with its task's source: `cut`, `light`, `heavy` are copies, `non` not.

    The answers of one task may copy each other too, so only these labelled pairs are judged.
    """
    records = list(read_clough_stevenson(folder))
    sources = {r["task"]: r["id"] for r in records if r["category"] == "orig"}
    missing = sorted({r["task"] for r in records} - set(sources))
    if missing:
        raise InputError(f"{folder}: no source text (orig) for task {', '.join(missing)}")
    pairs = [
        LabelledPair(sources[r["task"]], r["id"], r["category"], r["category"] != "non")
        for r in records
        if r["category"] != "orig"
    ]
    documents = [{"id": r["id"], "text": r["text"]} for r in records]
    return LabelledSet(f"Clough & Stevenson ({folder})", documents, pairs, graded=True)
