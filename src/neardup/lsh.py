"""LSH banding parameters and candidate pairs from shared keys."""

from __future__ import annotations

import numpy as np

from neardup import kernel

#: The chance that a pair at the Jaccard threshold shares at least one band.
TARGET_RECALL_AT_THRESHOLD = 0.995


def candidate_probability(jaccard: float | np.ndarray, bands: int, rows: int) -> np.ndarray:
    """P(two documents with this Jaccard similarity share at least one of `bands` bands)."""
    return 1.0 - (1.0 - np.asarray(jaccard, dtype=float) ** rows) ** bands


def choose_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that catch pairs at `threshold` with high probability and few false positives.

    Among the settings whose candidate probability at the threshold reaches
    TARGET_RECALL_AT_THRESHOLD, take the one with the least false-positive area below it (as
    datasketch does, but with recall as a constraint rather than a weight).

    >>> choose_bands(0.7, 128)
    (32, 4)
    """
    below = np.linspace(0.0, threshold, 201)
    best: tuple[float, int, int] | None = None
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if candidate_probability(threshold, bands, rows) < TARGET_RECALL_AT_THRESHOLD:
            continue
        false_positive_area = float(np.trapezoid(candidate_probability(below, bands, rows), below))
        if best is None or false_positive_area < best[0]:
            best = (false_positive_area, bands, rows)
    if best is None:  # a threshold so low that only one row per band reaches the target
        return num_perm, 1
    return best[1], best[2]


def pairs_sharing_keys(
    keys: np.ndarray, docs: np.ndarray, *, max_group: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs of documents sharing keys, encoded i * 2**32 + j, and how many they share.

    `keys[i]` belongs to document `docs[i]`. Keys held by more than `max_group` documents are
    ignored (0: none is).
    """
    order = np.argsort(keys, kind="stable")
    encoded = kernel.pairs_in_groups(keys[order], docs[order], max_group)
    return np.unique(encoded, return_counts=True)
