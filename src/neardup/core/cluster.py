"""Clusters of copies and the document that represents each.

Greedy centres guard against chaining: documents are visited in the order of the keep policy;
an unassigned document becomes a representative, and takes into its cluster every unassigned
document that is directly related to it. So every member relates to its representative, not
only to some other member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from neardup.core.verify import CONTAINS, REWRITE, ScoredPairs, is_copy_relation
from neardup.errors import OptionsError
from neardup.options import KEEP_POLICIES


@dataclass(frozen=True)
class Clusters:
    """Per document: its cluster (-1: none), its representative, and how it relates to it."""

    cluster_id: np.ndarray  # int64
    representative: np.ndarray  # int64, the document's own index for representatives
    relation: np.ndarray  # uint8 relation code to the representative (0 for representatives)
    similarity: np.ndarray  # float64 score of that relation (1.0 for representatives)

    @property
    def removed(self) -> np.ndarray:
        """Boolean mask of the documents that are copies of a kept one."""
        return (self.cluster_id >= 0) & (self.representative != np.arange(self.cluster_id.size))

    @property
    def count(self) -> int:
        return int(self.cluster_id.max(initial=-1)) + 1


def keep_order(
    keep: str, token_counts: np.ndarray, dates: Sequence[datetime | None] | None = None
) -> np.ndarray:
    """Document indices, most preferred representative first; ties go to the earlier document."""
    index = np.arange(token_counts.size)
    if keep == "longest":
        return np.lexsort((index, -token_counts))
    if keep == "first":
        return index
    if keep in ("newest", "oldest"):
        if dates is None:
            raise OptionsError(f"keep '{keep}' needs a date field")
        stamps = np.array([np.nan if d is None else d.timestamp() for d in dates], dtype=float)
        # Missing dates sort last either way (lexsort puts NaN last).
        return np.lexsort((index, -stamps if keep == "newest" else stamps))
    raise OptionsError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got '{keep}'")


def cluster(pairs: ScoredPairs, order: np.ndarray, *, numbers_matter: bool = True) -> Clusters:
    """Cluster the documents joined by duplicate relations, representatives chosen by `order`.

    Where `numbers_matter`, pairs that differ only in their numbers report different facts and
    join no cluster; pairs whose other facts differ (flagged only where facts matter) join none.
    A `rewrite` joins as a copy, and `longest` keeps the fullest version of the story.
    """
    n = order.size
    joins = is_copy_relation(
        pairs.relation,
        pairs.differ_in_numbers,
        pairs.differ_in_facts,
        numbers_matter=numbers_matter,
    )
    accepted = pairs.take(np.flatnonzero(joins))
    similarity = np.where(
        np.isin(accepted.relation, (CONTAINS, REWRITE)),
        np.maximum(accepted.containment_left_in_right, accepted.containment_right_in_left),
        accepted.jaccard,
    )
    neighbours: dict[int, list[int]] = {}
    for edge, (a, b) in enumerate(
        zip(accepted.left.tolist(), accepted.right.tolist(), strict=True)
    ):
        neighbours.setdefault(a, []).append(edge)
        neighbours.setdefault(b, []).append(edge)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    representative = np.arange(n)
    relation = np.zeros(n, dtype=np.uint8)
    best = np.ones(n, dtype=float)
    assigned = np.zeros(n, dtype=bool)
    is_centre = np.zeros(n, dtype=bool)
    for doc in sorted(neighbours, key=rank.__getitem__):
        if assigned[doc]:
            continue
        assigned[doc] = is_centre[doc] = True
        for edge in neighbours[doc]:
            other = int(accepted.left[edge] + accepted.right[edge]) - doc
            if not assigned[other]:
                assigned[other] = True
                representative[other] = doc
                relation[other] = accepted.relation[edge]
                best[other] = similarity[edge]
    members = assigned & ~is_centre
    # A centre whose neighbours were all taken by earlier centres stays on its own.
    has_members = np.zeros(n, dtype=bool)
    has_members[representative[members]] = True
    centres = np.flatnonzero(is_centre & has_members)
    cluster_id = np.full(n, -1, dtype=np.int64)
    cluster_id[centres] = np.arange(centres.size)
    cluster_id[members] = cluster_id[representative[members]]
    return Clusters(cluster_id, representative, relation, best)
