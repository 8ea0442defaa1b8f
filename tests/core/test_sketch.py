"""MinHash estimates stay within their statistical error of the exact scores.

The signatures come from one permutation, densified (`kernel.minhash`): unbiased, with a spread
close to that of independent permutations. Measured over 400 trials each, it is 0.9-1.0× theirs
when the sets fill the signature's bins and up to 1.3× when they are smaller than it (20 items
in 256 bins): the bounds below allow for SPREAD times theirs."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.core import kernel
from neardup.core.bands import candidate_probability
from neardup.core.candidates import fingerprint_candidates
from neardup.core.sketch import SketchSpool, release_pages, sketch_texts, sketch_utf8, sketch_with
from neardup.options import Options

NUM_PERM = 256
SPREAD = 1.35


def _signature(items: np.ndarray) -> np.ndarray:
    hashes = np.unique(items.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    return kernel.minhash(hashes, np.array([0, hashes.size]), NUM_PERM, np.uint64(3))[0]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(20, 2000),  # shared items
    st.integers(0, 2000),  # only in A
    st.integers(0, 2000),  # only in B
    st.integers(0, 2**40),
)
def test_jaccard_estimate_within_error(common: int, only_a: int, only_b: int, base: int) -> None:
    shared = np.arange(base, base + common)
    a = np.concatenate([shared, np.arange(base + 10_000, base + 10_000 + only_a)])
    b = np.concatenate([shared, np.arange(base + 20_000, base + 20_000 + only_b)])
    exact = common / (common + only_a + only_b)
    estimate = float(np.mean(_signature(a) == _signature(b)))
    # 5 standard errors: a false alarm about once in 3 million examples. Near 0 the count of
    # agreeing rows is Poisson-like, not normal: its spread is taken at 5% at least.
    spread = max(exact, 0.05) * (1 - exact)
    bound = 5 * SPREAD * math.sqrt(spread / NUM_PERM) + 1 / NUM_PERM
    assert abs(estimate - exact) <= bound


@settings(max_examples=40, deadline=None)
@given(st.integers(50, 1500), st.integers(1, 4), st.integers(0, 2**40))
def test_containment_estimate_from_sketch_and_sizes(small: int, ratio: int, base: int) -> None:
    inner = np.arange(base, base + small)
    outer = np.arange(base, base + small * (ratio + 1))  # contains `inner` entirely
    jaccard = float(np.mean(_signature(inner) == _signature(outer)))
    size_a, size_b = small, small * (ratio + 1)
    estimate = jaccard * (size_a + size_b) / (size_a * (1 + jaccard))
    exact_j = size_a / size_b
    error_j = 5 * SPREAD * math.sqrt(exact_j * (1 - exact_j) / NUM_PERM) + 1 / NUM_PERM

    # C = J(|A|+|B|)/(|A|(1+J)) is increasing in J: bound it by the Jaccard bounds.
    def c(j: float) -> float:
        return j * (size_a + size_b) / (size_a * (1 + j))

    assert c(max(exact_j - error_j, 0)) <= estimate <= c(min(exact_j + error_j, 1)) + 1e-9


def test_a_spool_joins_batches_in_order_and_its_maps_survive_release() -> None:
    texts = [f"story {n} " + " ".join(f"w{n}x{k}" for k in range(30)) for n in range(6)]
    kwargs = {"ngram": 5, "num_perm": 16, "seed": 1}
    whole = sketch_texts(texts, **kwargs)
    spool = SketchSpool(16)
    for batch in (texts[:2], texts[2:3], texts[3:]):
        spool.add(sketch_texts(batch, **kwargs))
    joined = spool.sketches()
    for name in ("shingles", "starts", "prints", "print_starts", "signatures", "exact_keys"):
        assert np.array_equal(getattr(joined, name), getattr(whole, name)), name
    release_pages(joined.shingles)  # the pages are read from the file again
    release_pages(whole.shingles)  # an array in memory is left alone
    assert np.array_equal(joined.shingles, whole.shingles)


@pytest.mark.parametrize("size", [30, 600])
@pytest.mark.parametrize("jaccard", [0.5, 0.8])
def test_bands_of_densified_signatures_follow_the_lsh_curve(size: int, jaccard: float) -> None:
    # Bins copied into empty ones are not independent: check that LSH bands of 6 rows still
    # collide as often as the theory for independent permutations says, small sets included.
    bands, rows, trials = 21, 6, 600
    common = round(2 * size * jaccard / (1 + jaccard))
    exact = common / (2 * size - common)
    hits = 0
    for trial in range(trials):
        base = trial * 10**6
        shared = np.arange(base, base + common)
        a = np.concatenate([shared, np.arange(base + 10**5, base + 10**5 + size - common)])
        b = np.concatenate([shared, np.arange(base + 2 * 10**5, base + 2 * 10**5 + size - common)])
        rows_a = _signature(a)[: bands * rows].reshape(bands, rows)
        rows_b = _signature(b)[: bands * rows].reshape(bands, rows)
        hits += bool((rows_a == rows_b).all(axis=1).any())
    expected = float(candidate_probability(exact, bands, rows))
    spread = math.sqrt(expected * (1 - expected) / trials)
    assert abs(hits / trials - expected) <= max(4 * spread, 0.01)


def test_band_keys_kept_by_a_spool_are_those_of_the_signatures() -> None:
    """A spool keeps band keys in place of signatures; every user of band keys (candidates, an
    index's query) gets them from `lsh_keys`, whichever the sketches hold."""
    texts = [f"story {i} of the day with its many words" for i in range(5)]
    part = sketch_texts(texts, ngram=2, num_perm=16, seed=3)
    spool = SketchSpool(16, (4, 4))
    spool.add(part)
    spooled = spool.sketches()
    assert spooled.signatures.shape == (5, 0)
    for docs in (slice(1, 2), np.array([4, 0, 2])):
        expected = kernel.band_keys(part.signatures[docs], 4, 4).T
        assert spooled.lsh_keys(docs, (4, 4)).tolist() == expected.tolist()
        assert part.lsh_keys(docs, (4, 4)).tolist() == expected.tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(st.sampled_from("ab c.1é北\n"), max_size=300), min_size=1, max_size=6),
    st.integers(1, 6),
    st.integers(1, 5),
)
def test_fingerprints_leading_the_shingles_are_the_same_sets(
    texts: list[str], ngram: int, window: int
) -> None:
    """With `prints_lead`, each document's segment is its fingerprints, sorted, then its other
    shingles, sorted; all else is as without it, from str and from UTF-8 bytes alike."""
    kwargs = {"ngram": ngram, "num_perm": 8, "seed": 2, "window": window}
    apart = sketch_texts(texts, **kwargs)
    encoded = [t.encode() for t in texts]
    offsets = np.cumsum([0] + [len(e) for e in encoded])
    data = np.frombuffer(b"".join(encoded), np.uint8)
    for lead in (
        sketch_texts(texts, prints_lead=True, **kwargs),
        sketch_utf8(data, offsets, {}, prints_lead=True, **kwargs),
    ):
        assert lead.prints_lead and lead.prints.size == 0
        for name in ("starts", "print_starts", "signatures", "exact_keys", "token_counts"):
            assert np.array_equal(getattr(lead, name), getattr(apart, name)), name
        for d in range(len(texts)):
            prints, shingles = apart.prints_of(d), apart.shingles_of(d)
            segment = lead.shingles[lead.starts[d] : lead.starts[d + 1]]
            assert segment[: prints.size].tolist() == prints.tolist()
            assert segment[prints.size :].tolist() == np.setdiff1d(shingles, prints).tolist()
            assert lead.prints_of(d).tolist() == prints.tolist()
            assert lead.shingles_of(d).tolist() == shingles.tolist()


def test_a_spool_whose_fingerprints_lead_gives_the_same_fingerprint_candidates() -> None:
    options = Options()
    words = [f"w{k}" for k in range(400)]
    # Documents that hold a passage of another, with words of their own around it.
    texts = [
        " ".join(words[(37 * n) % 300 : (37 * n) % 300 + 90] + [f"own{n}x{k}" for k in range(n)])
        for n in range(30)
    ]

    def spooled(prints_lead: bool) -> SketchSpool:
        spool = SketchSpool(options.num_perm, options.lsh, prints_lead=prints_lead)
        for start in range(0, len(texts), 7):
            spool.add(sketch_with(options, texts[start : start + 7], prints_lead=prints_lead))
        return spool.sketches()

    apart, lead = spooled(False), spooled(True)
    docs = np.arange(len(texts))
    expected = fingerprint_candidates(apart, docs, options, report_overlap=True)
    assert expected.size > 0
    found = fingerprint_candidates(lead, docs, options, report_overlap=True)
    assert found.tolist() == expected.tolist()


def test_a_spool_refuses_a_batch_laid_out_otherwise() -> None:
    spool = SketchSpool(16, prints_lead=True)
    with pytest.raises(ValueError, match="laid out otherwise"):
        spool.add(sketch_texts(["a few words of a text"], ngram=2, num_perm=16, seed=1))
