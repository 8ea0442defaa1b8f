"""Candidate pairs: documents that may be near-duplicates or contain one another.

Two generators, both over keys that similar documents share:
- LSH bands of the MinHash signatures catch pairs above the Jaccard threshold;
- winnowed fingerprints (the smallest shingle hash of every window of consecutive shingles, the
  same choice in every document) catch pairs where most of the smaller document is inside the
  larger one, whatever their size ratio and so whatever their Jaccard: any shared run of
  `window` shingles yields a shared fingerprint.
Exact copies are grouped before (`copies.py`) and only one document of each group takes part.

The rules that every engine, the index and `compare` share are here: which documents are matched
by more than their exact text (:func:`matchable`), the lowest score a reported pair may have
(:func:`lowest_threshold`), and how many fingerprints a fingerprint candidate shares
(:func:`print_share`, :func:`enough_prints`).
"""

from __future__ import annotations

import numpy as np

from neardup.core import kernel
from neardup.core.keys import pairs_sharing_segments
from neardup.core.sketch import Sketches
from neardup.options import Options


def has_text(exact_keys: np.ndarray) -> np.ndarray:
    """Which documents have a text: an empty one is never matched, not even as an exact copy."""
    return exact_keys != kernel.EMPTY_KEY


def matchable(sketches: Sketches, options: Options) -> np.ndarray:
    """Which documents are matched by more than their exact text: some text, at least
    `min_words` words and some shingles. The others are matched only when identical."""
    return (
        has_text(sketches.exact_keys)
        & (sketches.token_counts >= options.min_words)
        & (sketches.shingle_counts > 0)
    )


def lowest_threshold(options: Options, *, report_overlap: bool) -> float:
    """The lowest score a reported pair may have: the Jaccard or the containment threshold, or
    the overlap one where overlaps are reported."""
    thresholds = [options.jaccard, options.containment]
    if report_overlap and options.overlap is not None:
        thresholds.append(options.overlap)
    return min(thresholds)


def print_share(options: Options, *, report_overlap: bool) -> float:
    """The share of the smaller fingerprint set that two documents must share to be a
    fingerprint candidate: half the lowest threshold, a margin wide enough for short documents."""
    return 0.5 * lowest_threshold(options, report_overlap=report_overlap)


def enough_prints(shared: np.ndarray, smaller: np.ndarray, share: float) -> np.ndarray:
    """Which pairs share enough fingerprints: `shared` of the `smaller` set's count, at least
    `share` of it (`kernel.pairs_sharing_enough` applies the same test)."""
    return shared >= share * smaller


def band_candidates(sketches: Sketches, docs: np.ndarray, options: Options) -> np.ndarray:
    """Encoded pairs of `docs` that agree on at least one LSH band."""
    bands, _ = options.lsh
    keys = sketches.lsh_keys(docs, options.lsh)
    starts = np.arange(docs.size, dtype=np.int64) * bands
    pairs, _ = pairs_sharing_segments(keys.ravel(), starts, starts + bands, docs)
    return pairs


def fingerprint_candidates(
    sketches: Sketches, docs: np.ndarray, options: Options, *, report_overlap: bool
) -> np.ndarray:
    """Encoded pairs of `docs` whose shared fingerprints suggest containment (:func:`print_share`
    of the smaller fingerprint set)."""
    pairs, _ = pairs_sharing_segments(
        *sketches.print_segments(docs),
        docs,
        max_group=options.max_shingle_df,
        sizes=np.diff(sketches.print_starts),
        min_share=print_share(options, report_overlap=report_overlap),
    )
    return pairs


def candidate_pairs(
    sketches: Sketches, docs: np.ndarray, options: Options, *, report_overlap: bool
) -> np.ndarray:
    """Distinct encoded candidate pairs (i * 2**32 + j, i < j) among `docs`."""
    if docs.size < 2:
        return np.empty(0, dtype=np.int64)
    return np.union1d(
        band_candidates(sketches, docs, options),
        fingerprint_candidates(sketches, docs, options, report_overlap=report_overlap),
    )
