"""The baseline neardup is measured against: MinHash-LSH Jaccard deduplication as data pipelines
run it (word 5-grams, 14 bands × 8 rows = 112 MinHash values, candidates verified at Jaccard ≥ 0.8,
clusters as connected components).

It reuses neardup's kernel for what is not the point of the comparison (the same normalization,
tokens, shingle hashes and MinHash signatures; those are one-permutation hashing, densified,
whose values agree with the probability that independent permutations' do), so the two systems
differ only in what neardup adds: containment, fingerprint candidates, page furniture, number
look-alikes and chain-free clusters.
Data pipelines normalize much the same way (datatrove: lowercase, punctuation removed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neardup.core.candidates import band_candidates
from neardup.core.sketch import sketch_texts
from neardup.core.verify import score
from neardup.options import Options

NGRAM = 5
BANDS = 14
ROWS = 8
JACCARD = 0.8


@dataclass(frozen=True)
class BaselinePairs:
    """Verified pairs of document indices (left < right) and the cluster of every document."""

    left: np.ndarray
    right: np.ndarray
    jaccard: np.ndarray
    cluster: np.ndarray  # int64: the smallest document index of the document's component


def minhash_lsh(texts: list[str], *, seed: int = 1) -> BaselinePairs:
    """Pairs sharing an LSH band whose exact Jaccard of word 5-grams is at least 0.8.

    >>> story = "the river rose overnight and the town council closed the old bridge again"
    >>> found = minhash_lsh([story, story + " today", "an unrelated text of some words"])
    >>> found.left.tolist(), found.right.tolist(), found.cluster.tolist()
    ([0], [1], [0, 0, 2])
    """
    options = Options(
        ngram=NGRAM, num_perm=BANDS * ROWS, bands=BANDS, rows=ROWS, jaccard=JACCARD, seed=seed
    )
    sketches = sketch_texts(texts, ngram=NGRAM, num_perm=options.num_perm, seed=seed)
    candidates = band_candidates(sketches, np.flatnonzero(sketches.shingle_counts > 0), options)
    left, right = candidates >> 32, candidates & 0xFFFFFFFF
    jaccard, _, _ = score(sketches, left, right)
    keep = jaccard >= JACCARD
    left, right = left[keep], right[keep]
    return BaselinePairs(left, right, jaccard[keep], _components(len(texts), left, right))


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components by union-find: pipelines remove all but one of each component."""
    parent = np.arange(n)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([root(x) for x in range(n)], dtype=np.int64)
