"""Exact copies: grouped before matching, so that only the first copy of each group is matched,
and every pair found for it is then repeated for each of its copies.

Exact copies are judged on the whole normalized text, even one made only of page furniture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from neardup.core.keys import pairs_sharing_keys
from neardup.core.verify import EXACT, ScoredPairs


def exact_pairs(exact_keys: np.ndarray, docs: np.ndarray) -> ScoredPairs:
    """Every pair of `docs` (document numbers, their `exact_keys` beside) with equal keys."""
    encoded, _ = pairs_sharing_keys(exact_keys, docs)
    return exact_scores(encoded >> 32, encoded & 0xFFFFFFFF)


def exact_scores(left: np.ndarray, right: np.ndarray) -> ScoredPairs:
    """Pairs of exact copies as scored pairs: every score 1, no flag."""
    ones = np.ones(left.size)
    relation = np.full(left.size, EXACT, dtype=np.uint8)
    no = np.zeros(left.size, dtype=bool)
    return ScoredPairs(left, right, relation, ones, ones, ones, no)


def first_copies(exact: ScoredPairs, n: int) -> np.ndarray:
    """For each of `n` documents, the first document of its group of exact copies (itself if
    none), from the group's pairs."""
    first = np.arange(n)
    # Pairs are (left < right); the smallest left of each right is its group's first copy.
    np.minimum.at(first, exact.right, exact.left)
    return first


def copies_of(first: np.ndarray) -> dict[int, list[int]]:
    """The first copy of each group of two or more, and the group (itself first, in order)."""
    copies: dict[int, list[int]] = {}
    for doc in np.flatnonzero(first != np.arange(first.size)).tolist():
        copies.setdefault(int(first[doc]), [int(first[doc])]).append(doc)
    return copies


def expand_to_copies(pairs: ScoredPairs, copies: Mapping[int, Sequence[int]]) -> ScoredPairs:
    """Pairs between first copies, repeated for every exact copy of either side (`copies`: the
    group of each first copy that has copies, as :func:`copies_of` gives it)."""
    if not copies or not len(pairs):
        return pairs
    rows: list[int] = []
    left: list[int] = []
    right: list[int] = []
    flipped: list[bool] = []
    for row, (a, b) in enumerate(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)):
        for x in copies.get(a, [a]):
            for y in copies.get(b, [b]):
                rows.append(row)
                left.append(min(x, y))
                right.append(max(x, y))
                flipped.append(x > y)
    expanded = pairs.take(np.array(rows, dtype=np.int64))
    swapped = np.array(flipped, dtype=bool)
    # Where a copy swaps the sides, the containments swap too.
    in_right = np.where(
        swapped, expanded.containment_right_in_left, expanded.containment_left_in_right
    )
    in_left = np.where(
        swapped, expanded.containment_left_in_right, expanded.containment_right_in_left
    )
    return ScoredPairs(
        np.array(left, dtype=np.int64),
        np.array(right, dtype=np.int64),
        expanded.relation,
        expanded.jaccard,
        in_right,
        in_left,
        expanded.differ_in_numbers,
        expanded.by_characters,
        expanded.differ_in_facts,
    )
