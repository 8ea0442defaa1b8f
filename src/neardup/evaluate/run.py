"""Run neardup and the baseline on a labelled set, and measure both the same way.

A pair counts as found by neardup when it is a copy by the rule neardup clusters by
(`verify.is_copy_relation`): reported as `exact`, `near-duplicate`, `contains` or `rewrite` (not
`overlap`), and not flagged `differs_only_in: numbers` while numbers matter (the default) nor
`facts` (flagged only while facts matter): those pairs report different facts. Clusters are
neardup's (greedy centres) and the baseline's (connected components).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from neardup.api import deduplicate
from neardup.core.furniture import KEEP, Furniture, furniture_of
from neardup.core.sketch import sketch_texts
from neardup.core.verify import DUPLICATE_RELATIONS, RELATIONS, is_copy_pair, score
from neardup.evaluate.baseline import NGRAM, minhash_lsh
from neardup.evaluate.metrics import (
    Pair,
    adjusted_rand_index,
    best_threshold_accuracy,
    cluster_pairs,
    pair_key,
    pair_scores,
    roc_auc,
)
from neardup.evaluate.sets import LabelledSet
from neardup.evaluate.table import Table
from neardup.options import Options

#: The names of the duplicate relations (`verify.DUPLICATE_RELATIONS`).
DUPLICATES = frozenset(RELATIONS[r] for r in DUPLICATE_RELATIONS)
BASELINE = "baseline"
#: What the baseline is, under each table that shows it.
BASELINE_NOTE = (
    "baseline: MinHash-LSH of word 5-grams, 14 bands × 8 rows, pairs verified at Jaccard ≥ 0.8,"
    " clusters = connected components"
)


@dataclass(frozen=True)
class Prediction:
    """What one system says: the duplicate pairs, and a cluster label for every document."""

    system: str
    pairs: frozenset[Pair]
    clusters: dict[str, str]
    seconds: float


def predict_neardup(documents: Sequence[dict[str, str]], options: Options) -> Prediction:
    """neardup's duplicate pairs and clusters (the representative kept is the longest).

    >>> story = "the river rose overnight and the town council closed the old bridge"
    >>> found = predict_neardup([{"id": "a", "text": story}, {"id": "b", "text": story + " again"},
    ...                          {"id": "c", "text": "nothing like it at all"}], Options())
    >>> sorted(found.pairs), found.clusters["a"] == found.clusters["b"] != found.clusters["c"]
    ([('a', 'b')], True)
    """
    started = time.perf_counter()
    result = deduplicate(list(documents), options=options)
    pairs = frozenset(
        pair_key(p.id_a, p.id_b)
        for p in result.pairs
        if is_copy_pair(p.relation, p.differs_only_in, numbers_matter=options.numbers_matter)
    )
    # Prefixes keep a user's id from ever equalling a cluster's label.
    clusters = {d["id"]: f"doc:{d['id']}" for d in documents}
    clusters.update({m.id: f"cluster:{m.cluster_id}" for m in result.clusters})
    return Prediction("neardup", pairs, clusters, time.perf_counter() - started)


def predict_baseline(documents: Sequence[dict[str, str]]) -> Prediction:
    """The baseline's verified pairs and connected components."""
    started = time.perf_counter()
    ids = [d["id"] for d in documents]
    found = minhash_lsh([d["text"] for d in documents])
    pairs = frozenset(
        pair_key(ids[a], ids[b])
        for a, b in zip(found.left.tolist(), found.right.tolist(), strict=True)
    )
    clusters = {doc: ids[root] for doc, root in zip(ids, found.cluster.tolist(), strict=True)}
    return Prediction(BASELINE, pairs, clusters, time.perf_counter() - started)


def evaluate(labelled: LabelledSet, options: Options | None = None) -> list[Table]:
    """Tables comparing neardup (with `options`) and the baseline on a labelled set.

    Overall pairwise precision, recall, F1 and ARI; per category the share of labelled pairs
    found (recall for copies, false-positive rate for look-alikes); for graded sets, ROC AUC
    and best-threshold accuracy of the scores.

    >>> story = "the river rose overnight and the town council closed the old bridge "
    >>> docs = [{"id": "a", "text": story * 2}, {"id": "b", "text": story * 2 + "for a week"},
    ...         {"id": "c", "text": "an unrelated note about the weather in the hills today"}]
    >>> labelled = LabelledSet("tiny", docs, clusters={"a": "1", "b": "1", "c": "2"})
    >>> [(row[0], row[4]) for row in evaluate(labelled)[0].rows]  # system, F1
    [('neardup', 1.0), ('baseline', 1.0)]
    """
    options = options or Options()
    predictions = [
        predict_neardup(labelled.documents, options),
        predict_baseline(labelled.documents),
    ]
    tables = [_overall(labelled, predictions)]
    if labelled.pairs:
        tables.append(_by_category(labelled, predictions))
    if labelled.graded:
        tables.append(_graded(labelled, options))
    return tables


def _overall(labelled: LabelledSet, predictions: list[Prediction]) -> Table:
    labelled_keys = {pair_key(p.id_a, p.id_b) for p in labelled.pairs}
    truth = {pair_key(p.id_a, p.id_b) for p in labelled.pairs if p.duplicate}
    if labelled.clusters is not None:
        truth |= cluster_pairs(labelled.clusters.items())
    ids = [d["id"] for d in labelled.documents]
    columns = ["system", "pairs found", "precision", "recall", "F1", "ARI", "seconds"]
    title = f"{labelled.name}: {len(ids)} documents, {len(truth)} true pairs"
    table = Table(title, columns, note=BASELINE_NOTE)
    for prediction in predictions:
        # Without true clusters only the labelled pairs are judged.
        found = (
            prediction.pairs if labelled.clusters is not None else prediction.pairs & labelled_keys
        )
        scores = pair_scores(found, truth)
        ari = None
        if labelled.clusters is not None:
            ari = adjusted_rand_index(
                [labelled.clusters[i] for i in ids], [prediction.clusters[i] for i in ids]
            )
        table.rows.append(
            [
                prediction.system,
                len(found),
                scores.precision,
                scores.recall,
                scores.f1,
                ari,
                prediction.seconds,
            ]
        )
    return table


def _by_category(labelled: LabelledSet, predictions: list[Prediction]) -> Table:
    categories: dict[str, list[Pair]] = {}
    duplicate: dict[str, bool] = {}
    for pair in labelled.pairs:
        categories.setdefault(pair.category, []).append(pair_key(pair.id_a, pair.id_b))
        duplicate[pair.category] = pair.duplicate
    columns = ["category", "kind", "pairs", *(p.system for p in predictions)]
    table = Table(
        "Share of labelled pairs found: recall for copies, false-positive rate for look-alikes",
        columns,
    )
    order = sorted(categories, key=lambda c: (not duplicate[c], c))
    for category in order:
        pairs = categories[category]
        shares = [sum(p in pr.pairs for p in pairs) / len(pairs) for pr in predictions]
        kind = "copy (recall)" if duplicate[category] else "look-alike (FPR)"
        table.rows.append([category, kind, len(pairs), *shares])
    return table


def pair_similarities(
    documents: Sequence[dict[str, str]],
    pairs: Sequence[tuple[str, str]],
    *,
    ngram: int,
    furniture: Furniture,
) -> tuple[np.ndarray, np.ndarray]:
    """(Jaccard, the larger containment) of each pair of document ids, exactly."""
    index = {d["id"]: n for n, d in enumerate(documents)}
    sketches = sketch_texts(
        [d["text"] for d in documents],
        ngram=ngram,
        num_perm=8,
        seed=1,
        furniture=furniture,
    )
    left = np.array([index[a] for a, _ in pairs], dtype=np.int64)
    right = np.array([index[b] for _, b in pairs], dtype=np.int64)
    jaccard, in_right, in_left = score(sketches, left, right)
    return jaccard, np.maximum(in_right, in_left)


def _graded(labelled: LabelledSet, options: Options) -> Table:
    """How well each system's score separates each copy category from the non-copies."""
    pairs = [(p.id_a, p.id_b) for p in labelled.pairs]
    _, containment = pair_similarities(
        labelled.documents,
        pairs,
        ngram=options.ngram,
        furniture=furniture_of(options),
    )
    jaccard, _ = pair_similarities(labelled.documents, pairs, ngram=NGRAM, furniture=KEEP)
    category = np.array([p.category for p in labelled.pairs])
    duplicate = np.array([p.duplicate for p in labelled.pairs])
    negatives = ~duplicate
    columns = [
        "copies vs non-copies",
        "pairs",
        "neardup AUC",
        "neardup accuracy",
        "at containment",
        "baseline AUC",
        "baseline accuracy",
        "at Jaccard",
    ]
    table = Table(
        "Separation by score: neardup's containment of the smaller text, the baseline's Jaccard "
        "(ROC AUC; best-threshold accuracy)",
        columns,
    )
    groups = [(c, category == c) for c in sorted(set(category[duplicate].tolist()))]
    for name, chosen in [*groups, ("all copies", duplicate)]:
        subset = chosen | negatives
        row: list[object] = [name, int(subset.sum())]
        for values in (containment, jaccard):
            accuracy, threshold = best_threshold_accuracy(values[subset], duplicate[subset])
            row += [roc_auc(values[subset], duplicate[subset]), accuracy, threshold]
        table.rows.append(row)
    return table
