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


#: The fields that make a JSONL file a set of natural pairs (`natural_pairs`).
NATURAL_FIELDS = frozenset({"corpus", "id_a", "id_b", "half"})
#: Labels of natural pairs; only `same_story` is a copy.
NATURAL_LABELS = ("same_story", "template", "related")


@dataclass(frozen=True)
class NaturalPair(LabelledPair):
    """A natural pair of a corpus, in the part it belongs to (`tune`, `test` or `holdout`)."""

    half: str = "test"


def natural_pairs(path: Path, data: Path | None) -> LabelledSet:
    """Pairs of Reuters-21578 and BBC News stories labelled by reading them (one JSON line a
    pair: corpus, id_a, id_b, half, label), with the texts of their documents from `data` (the
    folder holding `reuters21578` and `bbc`). Ids become `corpus/id`, as the corpora's ids
    could meet."""
    import orjson  # a dependency already; the harness imports it only here

    if data is None:
        raise InputError(f"{path}: natural pairs name stories; give --data FOLDER (their corpora)")
    rows = []
    for number, line in enumerate(path.read_bytes().splitlines(), 1):
        if line.strip():
            row = orjson.loads(line)
            if row.get("label") not in NATURAL_LABELS:
                raise InputError(f"{path}:{number}: no label ({', '.join(NATURAL_LABELS)})")
            rows.append(row)
    wanted = {(r["corpus"], str(r[side])) for r in rows for side in ("id_a", "id_b")}
    documents = [
        {"id": f"{corpus}/{doc['id']}", "text": doc["text"]}
        for corpus, doc in _corpora(data)
        if (corpus, doc["id"]) in wanted
    ]
    missing = wanted - {tuple(d["id"].split("/", 1)) for d in documents}
    if missing:
        corpus, doc_id = sorted(missing)[0]
        raise InputError(f"{path}: {corpus} story {doc_id} is not in {data}")
    pairs: list[LabelledPair] = [
        NaturalPair(
            f"{r['corpus']}/{r['id_a']}",
            f"{r['corpus']}/{r['id_b']}",
            r["label"],
            r["label"] == "same_story",
            half=r["half"],
        )
        for r in rows
    ]
    return LabelledSet(f"natural pairs ({path})", documents, pairs)


def _corpora(data: Path) -> Iterable[tuple[str, dict[str, str]]]:
    from neardup.evaluate.datasets import read_bbc, read_reuters

    for story in read_reuters(data / "reuters21578"):
        yield "reuters", story
    for article in read_bbc(data / "bbc"):
        yield "bbc", article
