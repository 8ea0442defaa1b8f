"""The compiled kernel against the plain-Python reference, on random and real text."""

import re
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.core import kernel, reference
from neardup.core.keys import _bucketed
from neardup.core.normalize import normalize
from neardup.core.sketch import sketch_texts
from neardup.core.tokens import tokens

words = st.sampled_from(["nato", "Kyiv", "“troops”", "東京", "café", "0.25", "—", "…", "a", "ß"])
texts = st.lists(words, max_size=40).map(" ".join) | st.text(max_size=200)


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, min_size=1, max_size=6), st.integers(1, 6))
def test_shingles_and_signatures_equal_reference(batch: list[str], ngram: int) -> None:
    sketches = sketch_texts(batch, ngram=ngram, num_perm=16, seed=7)
    for d, text in enumerate(batch):
        expected = reference.shingle_hashes(text, ngram, 7)
        got = sketches.shingles[sketches.starts[d] : sketches.starts[d + 1]].tolist()
        assert got == expected
        assert sketches.token_counts[d] == len(tokens(normalize(text)))
        assert sketches.signatures[d].tolist() == reference.minhash(expected, 16, 7)


def test_real_text_equals_reference(seed_texts: tuple[str, str]) -> None:
    sketches = sketch_texts(list(seed_texts), ngram=5, num_perm=8, seed=1)
    for d, text in enumerate(seed_texts):
        got = sketches.shingles[sketches.starts[d] : sketches.starts[d + 1]].tolist()
        assert got == reference.shingle_hashes(text, 5, 1)
        assert len(got) == len(reference.shingle_set(text, 5))


def test_unspaced_scripts_become_character_tokens() -> None:
    sketches = sketch_texts(["東京は晴れ", "hello world"], ngram=2, num_perm=8, seed=1)
    assert sketches.token_counts.tolist() == [5, 2]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sets(st.integers(0, 60), max_size=40), min_size=2, max_size=8))
def test_intersection_sizes_equal_sets(sets: list[set[int]]) -> None:
    hashes = np.concatenate([np.array(sorted(s), dtype=np.uint64) for s in sets])
    starts = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in sets], out=starts[1:])
    left, right = np.triu_indices(len(sets), k=1)
    got = kernel.intersection_sizes(hashes, starts, left.astype(np.int64), right.astype(np.int64))
    assert got.tolist() == [len(sets[i] & sets[j]) for i, j in zip(left, right, strict=True)]


def _partners(
    keys: np.ndarray, docs: np.ndarray, bits: int, max_group: int, lo: int, hi: int
) -> list[tuple[int, int]]:
    begin = np.arange(keys.size, dtype=np.int64)
    packed, bounds = _bucketed(keys, begin, begin + 1, docs, bits)
    groups = (packed, bounds, kernel.sort_buckets(packed, bounds, bits), bits, max_group)
    work = kernel.left_work(groups, 1 << bits)
    offsets = np.r_[0, np.cumsum(work)]
    found = np.empty(offsets[hi] - offsets[lo], dtype=np.uint32)
    fill = offsets[lo:hi] - offsets[lo]
    kernel.partners_in_groups(groups, lo, hi, fill, found)
    assert fill.tolist() == (offsets[lo + 1 : hi + 1] - offsets[lo]).tolist()  # each list full
    owner = np.repeat(np.arange(lo, hi), np.diff(offsets[lo : hi + 1]))
    return sorted(zip(owner.tolist(), found.tolist(), strict=True))


def test_partners_are_listed_once_per_shared_key() -> None:
    # Key 5 and key 5 + 2**63 differ only in the bit that picks their bucket: two groups.
    keys = np.array([1, 1, 1, 5, 5, 3, 5 + (1 << 63), 5 + (1 << 63)], dtype=np.uint64)
    docs = np.array([4, 0, 2, 0, 4, 9, 1, 3], dtype=np.int64)
    assert _partners(keys, docs, 4, 0, 0, 16) == [(0, 2), (0, 4), (0, 4), (1, 3), (2, 4)]
    assert _partners(keys, docs, 4, 2, 0, 16) == [(0, 4), (1, 3)]  # the group of three skipped
    assert _partners(keys, docs, 4, 0, 1, 3) == [(1, 3), (2, 4)]  # smaller document 1 or 2


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 15), st.integers(0, 7)), max_size=60),
    st.integers(0, 4),
)
def test_pairs_per_bucket_are_the_partners_listed_from_each_bucket(
    held: list[tuple[int, int]], max_group: int
) -> None:
    """The work by which the buckets are shared between cores: a bucket's count is the number
    of partners listed from its keys, each shared key's documents counted once."""
    bits = 3
    keys = np.array([k << 60 for k, _ in held], dtype=np.uint64)  # top bits: 8 buckets
    docs = np.array([d for _, d in held], dtype=np.int64)
    begin = np.arange(keys.size, dtype=np.int64)
    packed, bounds = _bucketed(keys, begin, begin + 1, docs, bits)
    lengths = kernel.sort_buckets(packed, bounds, bits)
    holders: dict[int, set[int]] = {}
    for key, doc in held:
        holders.setdefault(key, set()).add(doc)
    expected = [0] * (1 << bits)
    for key, group in holders.items():
        if len(group) >= 2 and (max_group == 0 or len(group) <= max_group):
            expected[key >> 1] += len(group) * (len(group) - 1) // 2
    got = kernel.pairs_per_bucket((packed, bounds, lengths, bits, max_group))
    assert got.tolist() == expected


def test_a_key_a_document_holds_twice_counts_once() -> None:
    keys = np.array([7, 7, 7], dtype=np.uint64)
    docs = np.array([1, 1, 0], dtype=np.int64)
    assert _partners(keys, docs, 1, 0, 0, 2) == [(0, 1)]


def test_shared_partners_counts_each_partner() -> None:
    partners = np.array([5, 3, 5, 5, 4, 3], dtype=np.uint32)  # doc 1: 5, 3, 5; doc 2: 5, 4, 3
    offsets = np.array([0, 0, 3, 6, 6, 6, 6], dtype=np.int64)
    pairs, shared = kernel.shared_partners(partners.copy(), offsets, 1, 3)
    assert pairs.tolist() == [
        (1 << 32) | 3,
        (1 << 32) | 5,
        (2 << 32) | 3,
        (2 << 32) | 4,
        (2 << 32) | 5,
    ]
    assert shared.tolist() == [1, 2, 1, 1, 1]


numbery = st.lists(
    st.sampled_from(["price", "rose", "to", "1.5", "6-3/16", "six", "two", "dlrs", "0.25", "ct"]),
    max_size=12,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(numbery, numbery)
def test_number_masking_equals_reference(a: str, b: str) -> None:
    from neardup.core.sketch import NUMBER_WORDS

    sketches = sketch_texts([a, b], ngram=2, num_perm=8, seed=1)
    words = set(NUMBER_WORDS)
    same_masked = reference.masked_tokens(a, words) == reference.masked_tokens(b, words)
    same_words = tokens(normalize(a)) == tokens(normalize(b))
    assert (sketches.masked_keys[0] == sketches.masked_keys[1]) == same_masked
    assert (sketches.exact_keys[0] == sketches.exact_keys[1]) == same_words


@settings(max_examples=100, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4), st.integers(1, 5), st.integers(1, 6))
def test_fingerprints_equal_reference(batch: list[str], ngram: int, window: int) -> None:
    sketches = sketch_texts(batch, ngram=ngram, num_perm=8, seed=3, window=window)
    for d, text in enumerate(batch):
        got = sketches.prints[sketches.print_starts[d] : sketches.print_starts[d + 1]].tolist()
        assert got == reference.fingerprints(text, ngram, 3, window)


def test_the_stub_declares_what_the_native_core_defines() -> None:
    """`kernel.pyi` (what type checkers and readers see) names every function, class and constant of
    the extension, and nothing else."""
    stub = (Path(kernel.__file__).parent / "kernel.pyi").read_text()
    declared = set(re.findall(r"^(?:def |class )?([A-Za-z_]\w*)[(:]", stub, re.MULTILINE))
    defined = {name for name in dir(kernel) if not name.startswith("_")}
    assert declared == defined
