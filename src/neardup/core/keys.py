"""Pairs of documents that share keys (LSH band keys, fingerprints, exact keys), counted on both
cores. The banding parameters are in `bands.py`."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from neardup.core import kernel
from neardup.core.sketch import release_pages


def signed(values: np.ndarray | list[int]) -> np.ndarray:
    """64-bit keys as the signed 64-bit integers that Spark's longs and SQLite's integers hold
    (the same bits)."""
    return np.asarray(values, dtype=np.uint64).view(np.int64)


#: Partner entries (a document, once for each key it shares with a smaller one) listed at once:
#: four bytes each, and as many again to count them (eight bytes each where pairs must share
#: enough keys). Each range of documents costs one scan of all keys, so the ranges are few.
PAIRS_PER_CHUNK = 50_000_000


def pairs_sharing_keys(
    keys: np.ndarray, docs: np.ndarray, *, max_group: int = 0, budget: int = PAIRS_PER_CHUNK
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs of documents sharing keys, encoded i * 2**32 + j, and how many they share.

    `keys[i]` belongs to document `docs[i]`. Keys held by more than `max_group` documents are
    ignored (0: none is).
    """
    begin = np.arange(keys.size, dtype=np.int64)
    return pairs_sharing_segments(keys, begin, begin + 1, docs, max_group=max_group, budget=budget)


def pairs_sharing_segments(
    values: np.ndarray,
    begin: np.ndarray,
    end: np.ndarray,
    owners: np.ndarray,
    *,
    max_group: int = 0,
    budget: int = PAIRS_PER_CHUNK,
    sizes: np.ndarray | None = None,
    min_share: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`pairs_sharing_keys`, for the keys `values[begin[i]:end[i]]` of `owners[i]`.

    The keys are never copied with a document number beside each: every key and its document
    share one uint64 in buckets of a few hundred keys, sorted on both cores (memory: 8 bytes a
    key, where an argsort took about 20). Then each document's partners are listed, as many
    documents at a time as `budget` partner entries allow, and counted per document.

    With `sizes` (one per document) and a `min_share` above 0, only the pairs sharing at least
    `min_share * min(sizes[i], sizes[j])` keys are returned, found by prefix filtering
    (`kernel.pairs_sharing_enough`): a document lists as partners only the holders of its
    rarest keys, as many as it could not share and still share enough, and each pair listed is
    then counted whole. Listing every pair would list the documents of a sentence that recurs
    across a corpus with each other, to keep none of them.
    """
    n_docs = int(owners.max()) + 1 if owners.size else 0
    bits = max(1, (n_docs - 1).bit_length())
    packed, bounds = _bucketed(values, begin, end, owners, bits)
    groups = Groups(packed, bounds, kernel.sort_buckets(packed, bounds, bits), bits, max_group)
    if sizes is None or min_share <= 0:
        return _all_pairs(groups, n_docs, budget)
    return kernel.pairs_sharing_enough(groups, n_docs, sizes, min_share, budget)


class Groups(NamedTuple):
    """Sorted buckets read as groups of equal keys, as the kernels take them (`kernel.Groups`):
    a bucket b's keys that two or more documents hold are
    `packed[bounds[b]:bounds[b] + lengths[b]]`, and groups longer than `max_group` are passed
    over (0: none is)."""

    packed: np.ndarray
    bounds: np.ndarray
    lengths: np.ndarray
    bits: int
    max_group: int

    def buckets(self, first: int, end: int) -> Groups:
        """The groups of buckets `first` to `end` (excluded)."""
        return self._replace(bounds=self.bounds[first:end], lengths=self.lengths[first:end])


def _all_pairs(groups: Groups, n_docs: int, budget: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair that shares a key of the groups, and how many keys it shares."""
    # The buckets are scanned on a core each, cut where half the partners are listed before:
    # fingerprints, the least hash of a window, crowd the low buckets (15 in 16 are below
    # 2**63). In every document's list the partners from the first part come first, as in one
    # scan of all buckets.
    listed = np.cumsum(kernel.pairs_per_bucket(groups))
    middle = int(np.searchsorted(listed, listed[-1] // 2))
    parts = [groups.buckets(0, middle), groups.buckets(middle, groups.lengths.size)]
    with ThreadPoolExecutor(2) as cores:
        work = [job.result() for job in [cores.submit(kernel.left_work, p, n_docs) for p in parts]]
        offsets = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(work[0] + work[1], out=offsets[1:])
        cuts = np.searchsorted(offsets, np.arange(budget, offsets[-1], budget), side="right") - 1
        ranges = np.unique(np.r_[0, cuts, n_docs]).tolist()
        found = [(np.empty(0, np.int64), np.empty(0, np.int64))]
        for lo, hi in itertools.pairwise(ranges):
            partners = np.empty(offsets[hi] - offsets[lo], dtype=np.uint32)
            first = offsets[lo:hi] - offsets[lo]
            fills = [first, first + work[0][lo:hi]]
            scans = [
                cores.submit(kernel.partners_in_groups, part, lo, hi, fill, partners)
                for part, fill in zip(parts, fills, strict=True)
            ]
            for scan in scans:
                scan.result()
            found.append(kernel.shared_partners(partners, offsets, lo, hi))
    # Ranges ascend by the smaller document: joined in order, the pairs stay sorted and distinct.
    return np.concatenate([p for p, _ in found]), np.concatenate([c for _, c in found])


#: Values spanned by the keys read at a time when they are packed: a spooled array's pages are
#: given back after each.
KEYS_PER_SLICE = 8_000_000


def _bucketed(
    values: np.ndarray,
    begin: np.ndarray,
    end: np.ndarray,
    owners: np.ndarray,
    bits: int,
    keys_per_slice: int = KEYS_PER_SLICE,
) -> tuple[np.ndarray, np.ndarray]:
    """The keys packed with their documents into 2**bits buckets, and the bucket bounds.

    The two halves of the documents (by keys) are counted and packed on a core each: the second
    half's keys go after the first half's in every bucket, so the order within a bucket is the
    documents' order, as in one pass. Keys mapped from a spool are read a slice of documents at
    a time and their pages given back after each, so that they are never resident beside all of
    the packed array.
    """
    done = np.cumsum(end - begin)
    total = int(done[-1]) if done.size else 0
    middle = int(np.searchsorted(done, total // 2))
    # A slice is cut by the values it spans (those it maps), not only the keys it packs: a
    # spool's fingerprints lead each document's shingles, which lie between them.
    spanned = end - (begin[0] if begin.size else 0)
    last = int(spanned[-1]) if spanned.size else 0
    cuts = np.searchsorted(spanned, np.arange(keys_per_slice, last, keys_per_slice))
    slices = list(itertools.pairwise(np.unique(np.r_[0, cuts, middle, owners.size]).tolist()))
    halves = [[s for s in slices if s[1] <= middle], [s for s in slices if s[0] >= middle]]

    def count(half: list[tuple[int, int]]) -> np.ndarray:
        counts = np.zeros((1 << bits) + 1, dtype=np.int64)
        for lo, hi in half:
            kernel.count_buckets(values, begin[lo:hi], end[lo:hi], bits, counts)
            release_pages(values)
        return counts

    def fill(half: list[tuple[int, int]], cursor: np.ndarray) -> None:
        for lo, hi in half:
            kernel.fill_buckets(
                values, begin[lo:hi], end[lo:hi], owners[lo:hi], bits, packed, cursor
            )
            release_pages(values)

    with ThreadPoolExecutor(2) as cores:
        first, second = cores.map(count, halves)
        bounds = np.cumsum(first + second)
        packed = np.empty(int(bounds[-1]), dtype=np.uint64)
        cursors = [bounds[:-1].copy(), bounds[:-1] + first[1:]]
        list(cores.map(fill, halves, cursors))
    return packed, bounds
