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


#: Pair occurrences listed at once; keys are taken in chunks of about this much work, so that
#: memory follows the distinct pairs, not every (pair, shared key) occurrence.
PAIRS_PER_CHUNK = 20_000_000
#: Keys sorted at once: more are split by key range (equal keys stay together), so that the sort
#: needs memory for a part of the keys only.
KEYS_PER_PART = 32_000_000


def pairs_sharing_keys(
    keys: np.ndarray, docs: np.ndarray, *, max_group: int = 0, budget: int = PAIRS_PER_CHUNK
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs of documents sharing keys, encoded i * 2**32 + j, and how many they share.

    `keys[i]` (uint64, well mixed) belongs to document `docs[i]`. Keys held by more than
    `max_group` documents are ignored (0: none is).
    """
    parts = -(-keys.size // KEYS_PER_PART)
    if parts <= 1:
        return _merge(_pairs_by_chunk(keys, docs, max_group, budget))
    bits = int(np.ceil(np.log2(parts)))
    ranges = (keys >> np.uint64(64 - bits)).astype(np.uint8 if bits <= 8 else np.uint32)
    found = []
    for part in range(1 << bits):
        mine = ranges == part
        found += _pairs_by_chunk(keys[mine], docs[mine], max_group, budget)
    return _merge(found)


def _pairs_by_chunk(
    keys: np.ndarray, docs: np.ndarray, max_group: int, budget: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(distinct pairs, shared keys) for chunks of the key groups, each about `budget` pairs."""
    order = np.argsort(keys, kind="stable")
    keys, docs = keys[order], docs[order]
    del order
    group_starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
    sizes = np.diff(np.r_[group_starts, keys.size])
    work = np.where((max_group <= 0) | (sizes <= max_group), sizes * (sizes - 1) // 2, 0)
    done = np.cumsum(work)
    total = int(done[-1]) if done.size else 0
    cuts = np.searchsorted(done, np.arange(budget, total, budget), side="right")
    bounds = np.r_[group_starts[np.unique(cuts[cuts < group_starts.size])], keys.size]
    found = []
    start = 0
    for end in bounds.tolist():
        encoded = kernel.pairs_in_groups(keys[start:end], docs[start:end], max_group)
        found.append(np.unique(encoded, return_counts=True))
        start = end
    return found


def _merge(found: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """One (pairs, counts) from several, the counts of a pair found in several added up."""
    if len(found) == 1:
        return found[0]
    pairs = np.concatenate([p for p, _ in found])
    counts = np.concatenate([c for _, c in found])
    order = np.argsort(pairs, kind="stable")
    pairs, counts = pairs[order], counts[order]
    first = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    return pairs[first], np.add.reduceat(counts, first)
