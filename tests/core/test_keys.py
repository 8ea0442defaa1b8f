import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.core.bands import TARGET_RECALL_AT_THRESHOLD, candidate_probability, choose_bands
from neardup.core.keys import _bucketed, pairs_sharing_keys, pairs_sharing_segments


@pytest.mark.parametrize("threshold", [0.5, 0.6, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_bands_reach_target_recall_at_threshold(threshold: float, num_perm: int) -> None:
    bands, rows = choose_bands(threshold, num_perm)
    assert bands * rows <= num_perm
    assert candidate_probability(threshold, bands, rows) >= TARGET_RECALL_AT_THRESHOLD
    # and of the settings that reach the target, none lets fewer dissimilar pairs through
    below = np.linspace(0, threshold, 201)
    area = np.trapezoid(candidate_probability(below, bands, rows), below)
    for r in range(1, num_perm + 1):
        b = num_perm // r
        if candidate_probability(threshold, b, r) >= TARGET_RECALL_AT_THRESHOLD:
            assert np.trapezoid(candidate_probability(below, b, r), below) >= area


def test_pairs_sharing_keys_counts_shared_keys() -> None:
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 30, size=300).astype(np.uint64)
    docs = rng.integers(0, 40, size=300).astype(np.int64)
    keep = np.unique(np.stack([keys, docs.astype(np.uint64)]), axis=1)  # one key per doc once
    keys, docs = keep[0], keep[1].astype(np.int64)
    pairs, counts = pairs_sharing_keys(keys, docs)
    got = dict(zip(pairs.tolist(), counts.tolist(), strict=True))
    # in chunks of little work, the same answer
    chunked = pairs_sharing_keys(keys, docs, budget=7)
    assert dict(zip(chunked[0].tolist(), chunked[1].tolist(), strict=True)) == got
    holders: dict[int, set[int]] = {}
    for k, d in zip(keys.tolist(), docs.tolist(), strict=True):
        holders.setdefault(d, set()).add(k)
    expected = {}
    for i, j in itertools.combinations(sorted(holders), 2):
        if shared := len(holders[i] & holders[j]):
            expected[(i << 32) | j] = shared
    assert got == expected


def test_pairs_sharing_keys_of_nothing() -> None:
    pairs, counts = pairs_sharing_keys(np.empty(0, np.uint64), np.empty(0, np.int64), budget=1)
    assert pairs.size == counts.size == 0


def _segments(by_doc: dict[int, set[int]]) -> tuple[np.ndarray, ...]:
    """(values, begin, end, owners): each document's keys sorted, the documents in reverse
    order after a gap, as fingerprint candidates pass a subset of the sketches."""
    owners = np.array(sorted(by_doc), dtype=np.int64)
    pieces, begin, offset = [np.zeros(3, np.uint64)], np.zeros(owners.size, np.int64), 3
    for k in reversed(range(owners.size)):
        keys = np.array(sorted(by_doc[int(owners[k])]), dtype=np.uint64)
        begin[k], offset = offset, offset + keys.size
        pieces.append(keys)
    end = begin + np.array([len(by_doc[int(d)]) for d in owners], dtype=np.int64)
    return np.concatenate(pieces), begin, end, owners


def test_only_kept_pairs_are_returned_whatever_the_chunks() -> None:
    rng = np.random.default_rng(5)
    pool = rng.integers(0, 2**64 - 1, 40, dtype=np.uint64, endpoint=True)
    by_doc: dict[int, set[int]] = {}
    for k, d in zip(rng.choice(pool, 400), rng.integers(0, 60, 400), strict=True):
        by_doc.setdefault(int(d), set()).add(int(k))
    segments = _segments(by_doc)
    pairs, shared = pairs_sharing_segments(*segments, max_group=12)
    assert pairs.size and (shared >= 2).any() and (shared == 1).any()
    sizes = np.array([len(by_doc.get(d, ())) for d in range(60)], dtype=np.int64)
    smaller = np.minimum(sizes[pairs >> 32], sizes[pairs & 0xFFFFFFFF])
    wanted = shared >= 0.3 * smaller
    assert 0 < wanted.sum() < wanted.size
    for budget in (5, 10_000):
        kept = pairs_sharing_segments(
            *segments, max_group=12, budget=budget, sizes=sizes, min_share=0.3
        )
        assert np.array_equal(kept[0], pairs[wanted])
        assert np.array_equal(kept[1], shared[wanted])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3).map(lambda low: low | (1 << 40)),  # a few low parts...
            st.integers(0, 2**23 - 1),  # ...under many top parts
            st.integers(0, 70),
        ),
        max_size=300,
    )
)
def test_pairs_sharing_segments_match_brute_force(held: list[tuple[int, int, int]]) -> None:
    by_doc: dict[int, set[int]] = {}
    for low, top, doc in held:
        by_doc.setdefault(doc, set()).add(low | (top << 41))
    flat, begin, end, owners = _segments(by_doc)
    pairs, shared = pairs_sharing_segments(flat, begin, end, owners, budget=3)
    expected = {}
    for i, j in itertools.combinations(sorted(by_doc), 2):
        if common := len(by_doc[i] & by_doc[j]):
            expected[(i << 32) | j] = common
    assert dict(zip(pairs.tolist(), shared.tolist(), strict=True)) == expected


def test_keys_packed_a_slice_at_a_time_are_packed_the_same() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**64 - 1, 500, dtype=np.uint64, endpoint=True)
    begin = np.sort(rng.choice(480, 40, replace=False)).astype(np.int64)
    end = begin + rng.integers(0, 20, 40)
    owners = rng.permutation(64)[:40].astype(np.int64)
    whole = _bucketed(values, begin, end, owners, 6)
    for size in (1, 7, 100):
        sliced = _bucketed(values, begin, end, owners, 6, keys_per_slice=size)
        assert np.array_equal(sliced[1], whole[1])
        assert np.array_equal(sliced[0], whole[0])  # the same order within each bucket, too


def _sharing_enough(
    by_doc: dict[int, set[int]], sizes: np.ndarray, min_share: float, max_group: int
) -> dict[int, int]:
    """By brute force: the pairs i * 2**32 + j sharing at least `min_share * min(sizes[i],
    sizes[j])` keys held by at most `max_group` documents (0: any number), and how many."""
    holders: dict[int, set[int]] = {}
    for d, keys in by_doc.items():
        for k in keys:
            holders.setdefault(k, set()).add(d)
    valid = {k for k, docs in holders.items() if max_group == 0 or len(docs) <= max_group}
    expected = {}
    for i, j in itertools.combinations(sorted(by_doc), 2):
        common = len(by_doc[i] & by_doc[j] & valid)
        if common and common >= min_share * min(sizes[i], sizes[j]):
            expected[(i << 32) | j] = common
    return expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(  # each document's keys, drawn from a pool where low numbers are common
        st.lists(st.integers(0, 60).map(lambda k: k * k // 60), max_size=14),
        min_size=2,
        max_size=40,
    ),
    st.lists(st.integers(-3, 3), min_size=40, max_size=40),  # sizes past the keys listed
    st.sampled_from([0.05, 0.2, 0.4, 0.5, 0.75, 1.0, 1.2]),  # min_share
    st.sampled_from([0, 2, 3, 6]),  # max_group
    st.sampled_from([1, 5, 10_000]),  # budget
)
def test_pairs_sharing_enough_keys_are_every_such_pair(
    held: list[list[int]], extra: list[int], min_share: float, max_group: int, budget: int
) -> None:
    """Prefix filtering (each document listing only the holders of its rarest keys) keeps every
    pair that shares enough, as counting every pair that shares a key does: with common keys
    that recur across the documents and rare ones that few share, sizes above and below the
    number of keys listed, groups past `max_group` left out, and ranges of a few documents."""
    by_doc = {d: {(k * 0x9E3779B97F4A7C15) % 2**64 for k in keys} for d, keys in enumerate(held)}
    sizes = np.array([max(0, len(by_doc[d]) + extra[d]) for d in by_doc], dtype=np.int64)
    pairs, shared = pairs_sharing_segments(
        *_segments(by_doc), max_group=max_group, budget=budget, sizes=sizes, min_share=min_share
    )
    expected = _sharing_enough(by_doc, sizes, min_share, max_group)
    assert dict(zip(pairs.tolist(), shared.tolist(), strict=True)) == expected
    assert pairs.tolist() == sorted(expected)


@pytest.mark.parametrize("max_group", [0, 100])
def test_pairs_sharing_enough_keys_among_groups_of_every_class(max_group: int) -> None:
    """Keys held by 2 to 300 documents (every class of group size, the largest past
    `max_group`): the pairs kept are those brute force keeps."""
    rng = np.random.default_rng(11)
    by_doc: dict[int, set[int]] = {}
    for d in range(300):
        keys = {(1 << 60) + d // g + (g << 20) for g in (2, 5, 33, 70, 150, 300)}
        keys |= {int(k) for k in rng.integers(0, 40, rng.integers(0, 6))}  # shared at random
        keys |= {(2 << 60) + d * 100 + u for u in range(rng.integers(0, 4))}  # the document's own
        by_doc[d] = {(k * 0x9E3779B97F4A7C15) % 2**64 for k in keys}
    sizes = np.array([len(by_doc[d]) for d in range(300)], dtype=np.int64)
    pairs, shared = pairs_sharing_segments(
        *_segments(by_doc), max_group=max_group, sizes=sizes, min_share=0.4
    )
    expected = _sharing_enough(by_doc, sizes, 0.4, max_group)
    assert len(expected) >= 300  # pairs found through small groups and through large ones
    assert dict(zip(pairs.tolist(), shared.tolist(), strict=True)) == expected
