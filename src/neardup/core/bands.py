"""LSH banding parameters: how many bands of how many rows a signature is cut into.

Plain Python: `Options` computes its bands on creation, and `import neardup.options` (which
every command does, `--help` too) must load neither numpy nor the native core.
"""

from __future__ import annotations

from typing import TypeVar

#: A float, or a numpy array of them: the same arithmetic serves both.
Jaccard = TypeVar("Jaccard")
#: The chance that a pair at the Jaccard threshold shares at least one band.
TARGET_RECALL_AT_THRESHOLD = 0.995


def candidate_probability(jaccard: Jaccard, bands: int, rows: int) -> Jaccard:
    """P(two documents with this Jaccard similarity share at least one of `bands` bands)."""
    return 1.0 - (1.0 - jaccard**rows) ** bands  # type: ignore[operator]


def choose_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that catch pairs at `threshold` with high probability and few false positives.

    Among the settings whose candidate probability at the threshold reaches
    TARGET_RECALL_AT_THRESHOLD, take the one with the least false-positive area below it (as
    datasketch does, but with recall as a constraint rather than a weight).

    >>> choose_bands(0.7, 128)
    (32, 4)
    """
    steps = 200
    below = [threshold * i / steps for i in range(steps + 1)]
    best: tuple[float, int, int] | None = None
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if candidate_probability(threshold, bands, rows) < TARGET_RECALL_AT_THRESHOLD:
            continue
        heights = [candidate_probability(j, bands, rows) for j in below]
        # The trapezoid rule on an even grid.
        false_positive_area = threshold / steps * (sum(heights) - (heights[0] + heights[-1]) / 2)
        if best is None or false_positive_area < best[0]:
            best = (false_positive_area, bands, rows)
    if best is None:  # a threshold so low that only one row per band reaches the target
        return num_perm, 1
    return best[1], best[2]
