"""The public Python API: compare two texts, find related pairs, deduplicate a corpus.

Records are dicts (or the rows of a pyarrow Table, a pandas or polars DataFrame, or a Hugging
Face Dataset) with an id and a text field. The `*_files` functions, which read and write files
as the CLI does, are the file driver's (`engine/files.py`), for every engine.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neardup.core.align import align
from neardup.core.candidates import has_text, matchable
from neardup.core.charlook import second_look
from neardup.core.facts import compare_facts, facts_from_texts, facts_look
from neardup.core.furniture import furniture_of
from neardup.core.sketch import sketch_texts
from neardup.core.verify import EXACT, RELATIONS, score_pairs
from neardup.engine.files import deduplicate_files, find_files
from neardup.engine.local import (
    TextsOf,
    cluster_corpus,
    match,
    read_corpus,
    reread_texts,
    summary,
)
from neardup.errors import InputError
from neardup.io.frames import kept_records, reiterable
from neardup.io.progress import Reporter
from neardup.io.read import Record, RecordReader, read_records, records_at
from neardup.options import Options, dated_keep, options_of
from neardup.results import (
    ClusterMember,
    Comparison,
    Pair,
    Summary,
    cluster_rows,
    differs_only_in,
    pair_rows,
)


def compare(
    a: str, b: str, *, explain: bool = True, options: Options | None = None, **overrides: Any
) -> Comparison:
    """How text `b` relates to text `a`, with exact scores and (`explain`) a sentence alignment.

    >>> result = compare("“The quick brown fox” jumps over the lazy dog… " * 3,
    ...                  '"THE QUICK BROWN FOX" jumps over the lazy dog... ' * 3)
    >>> result.relation
    'exact'
    """
    options = options_of(options, overrides)
    furniture = furniture_of(options)
    sketches = sketch_texts(
        [a, b], ngram=options.ngram, num_perm=8, seed=options.seed, furniture=furniture
    )
    alignment = align(a, b) if explain else ()
    if has_text(sketches.exact_keys[0]) and sketches.exact_keys[0] == sketches.exact_keys[1]:
        return Comparison(
            relation=RELATIONS[EXACT],
            jaccard=1.0,
            containment_a_in_b=1.0,
            containment_b_in_a=1.0,
            alignment=alignment,
        )
    left, right = np.array([0]), np.array([1])
    scored = score_pairs(sketches, left, right, options, report_overlap=True)
    texts = {0: a, 1: b}
    scored = second_look(scored, lambda _: texts, options, furniture)
    facts = facts_from_texts(lambda _: texts, furniture)(set(texts))
    scored = facts_look(scored, lambda _: facts, options)
    # Too short (or empty) texts are matched only when identical, as in a corpus.
    relation = scored.relation[0] if matchable(sketches, options).all() else 0
    compared = compare_facts(facts[0].facts, facts[1].facts) if explain else None
    return Comparison(
        relation=RELATIONS[relation],
        jaccard=round(float(scored.jaccard[0]), 6),
        containment_a_in_b=round(float(scored.containment_left_in_right[0]), 6),
        containment_b_in_a=round(float(scored.containment_right_in_left[0]), 6),
        differs_only_in=differs_only_in(scored, 0) if relation else None,
        alignment=alignment,
        facts_differ=compared.differ if compared else (),
        facts_agree=compared.agree if compared else (),
    )


@dataclass
class Deduplication:
    """The result of :func:`deduplicate`: what is kept, and why the rest is not."""

    #: The same kind of container as the input: list of dicts, pyarrow.Table, pandas or polars
    #: DataFrame, Hugging Face Dataset.
    kept: Any
    pairs: list[Pair]
    clusters: list[ClusterMember]
    summary: Summary = field(default_factory=Summary)


def find_pairs(
    records: Any,
    *,
    id_field: str = "id",
    text_field: str = "text",
    report_overlap: bool = False,
    options: Options | None = None,
    progress: bool = False,
    **overrides: Any,
) -> list[Pair]:
    """Every pair of related records, with exact scores, in input order.

    >>> story = "the river rose overnight and the town council closed the old bridge"
    >>> docs = [{"id": "a", "text": story}, {"id": "b", "text": story.upper()}]
    >>> [(p.id_a, p.id_b, p.relation) for p in find_pairs(docs)]
    [('a', 'b', 'exact')]
    """
    options = options_of(options, overrides)
    reader = RecordReader(id_field, text_field)
    records = _in_memory(records, "find_pairs", "find_files")
    read = functools.partial(read_records, records)
    reporter = Reporter(progress)
    corpus = read_corpus(read, reader, options, reporter)
    pairs = match(
        corpus,
        options,
        report_overlap=report_overlap,
        texts=_texts(read, reader),
        reporter=reporter,
    )
    return list(pair_rows(corpus.ids, pairs))


def deduplicate(
    records: Any,
    *,
    id_field: str = "id",
    text_field: str = "text",
    keep: str = "longest",
    date_field: str | None = None,
    add_cluster_id: bool = False,
    options: Options | None = None,
    progress: bool = False,
    **overrides: Any,
) -> Deduplication:
    """Keep one record of each cluster of copies (by the `keep` policy), in input order.

    `keep` is `longest` (most words), `first`, `newest` or `oldest` (by `date_field`, ISO 8601).

    >>> story = "the river rose overnight and the town council closed the old bridge"
    >>> docs = [{"id": "a", "text": story}, {"id": "b", "text": story + " until friday"}]
    >>> [d["id"] for d in deduplicate(docs).kept]
    ['b']
    """
    options = options_of(options, overrides)
    started = time.perf_counter()
    records = _in_memory(records, "deduplicate", "deduplicate_files")
    reader = RecordReader(id_field, text_field)
    read = functools.partial(read_records, records)
    reporter = Reporter(progress)
    corpus = read_corpus(read, reader, options, reporter, date_field=dated_keep(keep, date_field))
    pairs = match(corpus, options, texts=_texts(read, reader), reporter=reporter)
    clusters = cluster_corpus(corpus, pairs, keep, numbers_matter=options.numbers_matter)
    kept = kept_records(records, ~clusters.removed, clusters.cluster_id if add_cluster_id else None)
    found = summary(corpus, reader, options, pairs, clusters)
    found.seconds = time.perf_counter() - started
    return Deduplication(
        kept=kept,
        pairs=list(pair_rows(corpus.ids, pairs)),
        clusters=list(cluster_rows(corpus.ids, clusters)),
        summary=found,
    )


def _texts(read: Callable[[RecordReader], Iterable[Record]], reader: RecordReader) -> TextsOf:
    """The texts of a set of documents by one more read of in-memory records (the second look)."""
    return reread_texts(lambda positions: records_at(read(reader.fresh()), positions))


def _in_memory(records: Any, function: str, files_function: str) -> Any:
    """The records as a container that can be read more than once; a file name is an error
    naming the function that reads files."""
    if isinstance(records, str | os.PathLike):
        raise InputError(
            f"{function} takes records (dicts, a pyarrow Table or a pandas DataFrame), not the "
            f"file name '{os.fspath(records)}': use neardup.{files_function} to read files"
        )
    return reiterable(records)


__all__ = [
    "Deduplication",
    "compare",
    "deduplicate",
    "deduplicate_files",
    "find_files",
    "find_pairs",
]
