"""Candidate pairs: documents that may be near-duplicates or contain one another.

Two generators, both over keys that similar documents share:
- LSH bands of the MinHash signatures catch pairs above the Jaccard threshold;
- winnowed fingerprints (the smallest shingle hash of every window of consecutive shingles, the
  same choice in every document) catch pairs where most of the smaller document is inside the
  larger one, whatever their size ratio and so whatever their Jaccard: any shared run of
  `window` shingles yields a shared fingerprint.
Exact copies are grouped before and only one document of each group takes part.
"""

from __future__ import annotations

import numpy as np

from neardup.core import kernel
from neardup.core.keys import pairs_sharing_segments
from neardup.core.sketch import Sketches
from neardup.options import Options


def band_candidates(sketches: Sketches, docs: np.ndarray, options: Options) -> np.ndarray:
    """Encoded pairs of `docs` that agree on at least one LSH band."""
    bands, rows = options.lsh
    if sketches.band_keys is None:
        keys = kernel.band_keys(sketches.signatures[docs], bands, rows).T
    else:
        keys = sketches.band_keys[docs]
    starts = np.arange(docs.size, dtype=np.int64) * bands
    pairs, _ = pairs_sharing_segments(keys.ravel(), starts, starts + bands, docs)
    return pairs


def fingerprint_candidates(
    sketches: Sketches, docs: np.ndarray, options: Options, min_containment: float
) -> np.ndarray:
    """Encoded pairs of `docs` whose shared fingerprints suggest containment.

    A pair is kept when the share of the smaller fingerprint set found in the other document is
    at least half of `min_containment`: a margin wide enough for short documents.
    """
    pairs, _ = pairs_sharing_segments(
        sketches.prints,
        sketches.print_starts[docs],
        sketches.print_starts[docs + 1],
        docs,
        max_group=options.max_shingle_df,
        sizes=np.diff(sketches.print_starts),
        min_share=0.5 * min_containment,
    )
    return pairs


def candidate_pairs(
    sketches: Sketches, docs: np.ndarray, options: Options, min_containment: float
) -> np.ndarray:
    """Distinct encoded candidate pairs (i * 2**32 + j, i < j) among `docs`."""
    if docs.size < 2:
        return np.empty(0, dtype=np.int64)
    return np.union1d(
        band_candidates(sketches, docs, options),
        fingerprint_candidates(sketches, docs, options, min_containment),
    )
