"""Accuracy measures: pairwise precision/recall/F1, the adjusted Rand index, ROC AUC.

Everything is computed with numpy from counts (a contingency table, ranks), so no statistics
package is needed.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

Pair = tuple[str, str]


def pair_key(a: str, b: str) -> Pair:
    """An unordered pair of ids, in one canonical order.

    >>> pair_key("b", "a")
    ('a', 'b')
    """
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class PairScores:
    """Pairwise counts and the precision, recall and F1 made of them."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        truth = self.true_positives + self.false_negatives
        return self.true_positives / truth if truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pair_scores(predicted: Collection[Pair], truth: Collection[Pair]) -> PairScores:
    """Compare predicted duplicate pairs with the true ones (both as :func:`pair_key` pairs).

    >>> s = pair_scores({("a", "b"), ("a", "c")}, {("a", "b"), ("c", "d")})
    >>> (s.precision, s.recall, s.f1)
    (0.5, 0.5, 0.5)
    """
    predicted, truth = set(predicted), set(truth)
    hits = len(predicted & truth)
    return PairScores(hits, len(predicted) - hits, len(truth) - hits)


def cluster_pairs(labels: Iterable[tuple[str, Hashable]]) -> set[Pair]:
    """Every pair of ids that share a cluster label, from (id, label) items.

    >>> sorted(cluster_pairs([("a", 1), ("b", 1), ("c", 2), ("d", 1)]))
    [('a', 'b'), ('a', 'd'), ('b', 'd')]
    """
    members: dict[Hashable, list[str]] = {}
    for doc, label in labels:
        members.setdefault(label, []).append(doc)
    return {pair_key(a, b) for ids in members.values() for a, b in combinations(ids, 2)}


def _pairs_within(counts: np.ndarray) -> float:
    counts = counts.astype(np.float64)
    return float((counts * (counts - 1) / 2).sum())


def adjusted_rand_index(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Hubert and Arabie's adjusted Rand index of two labellings of the same items.

    1.0 for identical partitions, about 0 for independent ones. Computed from the contingency
    table: index = sum over cells of C(n_ij, 2), corrected by its expectation under chance.

    >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.5714
    """
    if len(truth) != len(predicted):
        raise ValueError("both labellings must cover the same items")
    n = len(truth)
    if n < 2:
        return 1.0
    _, t = np.unique(np.asarray(truth, dtype=object).astype(str), return_inverse=True)
    _, p = np.unique(np.asarray(predicted, dtype=object).astype(str), return_inverse=True)
    _, cells = np.unique(t.astype(np.int64) * (p.max() + 1) + p, return_counts=True)
    index = _pairs_within(cells)
    rows = _pairs_within(np.bincount(t))
    columns = _pairs_within(np.bincount(p))
    expected = rows * columns / (n * (n - 1) / 2)
    maximum = (rows + columns) / 2
    if maximum == expected:  # both partitions all singletons, or both one cluster
        return 1.0
    return (index - expected) / (maximum - expected)


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Area under the ROC curve: the chance that a positive scores above a negative (ties: half).

    The Mann-Whitney rank statistic with average ranks for ties.

    >>> roc_auc([0.9, 0.8, 0.3, 0.1], [True, False, True, False])
    0.75
    """
    values = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if not n_pos or not n_neg:
        raise ValueError("ROC AUC needs both positives and negatives")
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    # The average rank (1-based) of each distinct value: its tied run's first and last rank.
    last = np.cumsum(counts)
    average_rank = last - (counts - 1) / 2
    rank_sum = float(average_rank[inverse][labels].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def best_threshold_accuracy(
    scores: Sequence[float], positive: Sequence[bool]
) -> tuple[float, float]:
    """(accuracy, threshold) of the best rule "positive when score >= threshold".

    >>> best_threshold_accuracy([0.9, 0.8, 0.3, 0.1], [True, True, False, False])
    (1.0, 0.8)
    """
    values = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(positive, dtype=bool)
    if not values.size:
        raise ValueError("no scores")
    best = (float((~labels).mean()), float("inf"))  # nothing called positive
    for threshold in np.unique(values).tolist():
        accuracy = float(((values >= threshold) == labels).mean())
        if accuracy > best[0]:
            best = (accuracy, threshold)
    return best
