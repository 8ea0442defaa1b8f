"""The native character alignment (`kernel.char_alignment`) is rapidfuzz's, match for match.

The second look's scores depend on which of the many optimal alignments is taken, so the
native one must take rapidfuzz's on every input: these tests hold the whole array equal to the
one `Levenshtein.editops(a, b).as_matching_blocks()` gives, on small alphabets (many ties),
arbitrary code points, and news texts of 1,000-6,000 characters (the cut of large problems in
two, the banded matrices) as near copies, noisy copies, and other texts that share sentences.
"""

from __future__ import annotations

import functools
import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from neardup.core.kernel import char_alignment
from neardup.core.tokens import words

NEWS = Path(__file__).resolve().parents[2] / "examples" / "news.jsonl"


def rapidfuzz_alignment(a: str, b: str) -> np.ndarray:
    """For each character of `a`, the character of `b` rapidfuzz matches it with, or -1."""
    a_to_b = np.full(len(a), -1, dtype=np.int64)
    for block in Levenshtein.editops(a, b).as_matching_blocks():
        a_to_b[block.a : block.a + block.size] = np.arange(block.b, block.b + block.size)
    return a_to_b


def assert_same_alignment(a: str, b: str) -> None:
    got = char_alignment(a, b)
    assert got.dtype == np.int64
    expected = rapidfuzz_alignment(a, b)
    if not np.array_equal(got, expected):
        first = int(np.flatnonzero(got != expected)[0]) if got.shape == expected.shape else -1
        pytest.fail(f"alignments differ (lengths {len(a)}, {len(b)}), first at a[{first}]")


# Few distinct characters: many optimal alignments, so every tie-break is exercised.
TIES = st.text(alphabet="ab ", max_size=150)
FEW = st.text(alphabet="abc", max_size=150)
# NUL, astral characters and a lone surrogate among ordinary ones.
ODD = st.text(alphabet=["a", "b", "\0", "\U0001d11e", "\U0010ffff", "\ud800", "é"], max_size=120)
ANY = st.text(st.characters(codec=None, exclude_categories=()), max_size=100)


@settings(max_examples=2000, deadline=None)
@given(TIES, TIES)
@example("", "")
@example("ab", "")
@example("", "ab")
def test_small_alphabet_ties(a: str, b: str) -> None:
    assert_same_alignment(a, b)


@settings(max_examples=1000, deadline=None)
@given(FEW, FEW)
def test_three_letters(a: str, b: str) -> None:
    assert_same_alignment(a, b)


@settings(max_examples=500, deadline=None)
@given(ODD, ODD)
@example("\0", "\0\0")
@example("\ud800\udc00", "\U00010000")
def test_astral_nul_and_surrogates(a: str, b: str) -> None:
    assert_same_alignment(a, b)


@settings(max_examples=500, deadline=None)
@given(ANY, ANY)
def test_any_code_points(a: str, b: str) -> None:
    assert_same_alignment(a, b)


@st.composite
def edited(draw: st.DrawFn, alphabet: str, longest: int) -> tuple[str, str]:
    """A text and a copy of it with a few random edits (a few ties near each edit)."""
    a = draw(st.text(alphabet=alphabet, min_size=1, max_size=longest))
    rng = random.Random(draw(st.integers(0, 2**32)))
    chars = list(a)
    for _ in range(draw(st.integers(0, 40))):
        at = rng.randrange(len(chars) + 1)
        kind = rng.random()
        if kind < 0.4 and at < len(chars):
            chars[at] = rng.choice(alphabet)
        elif kind < 0.7:
            chars.insert(at, rng.choice(alphabet))
        elif at < len(chars):
            del chars[at]
    return a, "".join(chars)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited("ab ", 600))
def test_near_copies_on_small_alphabets(pair: tuple[str, str]) -> None:
    """Longer than a word of bits, a few edits apart: the narrow band's matrix."""
    assert_same_alignment(*pair)
    assert_same_alignment(*reversed(pair))


@functools.cache
def news() -> list[list[str]]:
    """The sentences of the example news texts, each as the second look aligns text: its
    tokens joined by spaces."""
    texts = []
    with NEWS.open(encoding="utf-8") as lines:
        for line in lines:
            raw = json.loads(line)["text"].replace("\n", ". ").split(". ")
            sentences = [" ".join(words(sentence)) for sentence in raw]
            texts.append([sentence for sentence in sentences if sentence])
    return [text for text in texts if len(text) > 3]


def long_text(rng: random.Random, length: int) -> list[str]:
    """Sentences of news texts taken at random (each from its start), about `length`
    characters."""
    out: list[str] = []
    while sum(map(len, out)) + len(out) < length:
        out.extend(rng.choice(news()))
    while len(out) > 1 and sum(map(len, out)) + len(out) > length:
        out.pop()
    return out


def character_noise(rng: random.Random, text: str, rate: float) -> str:
    """Each character replaced, dropped or doubled, or a letter put after it, at `rate`."""
    out = []
    for c in text:
        if rng.random() >= rate:
            out.append(c)
            continue
        kind = rng.randrange(4)
        if kind == 0:
            out.append(rng.choice("etaoinsrhl rnm"))
        elif kind == 2:
            out.append(c + c)
        elif kind == 3:
            out.append(c + rng.choice("aeiou "))
    return "".join(out)


def sentence_edits(rng: random.Random, sentences: list[str], donor: list[str]) -> list[str]:
    """Sentences dropped, moved, or taken from `donor`, and words swapped."""
    parts = list(sentences)
    for _ in range(rng.randrange(1, 6)):
        kind = rng.randrange(4)
        if kind == 0 and len(parts) > 1:
            del parts[rng.randrange(len(parts))]
        elif kind == 1 and len(parts) > 1:
            parts.insert(rng.randrange(len(parts)), parts.pop(rng.randrange(len(parts))))
        elif kind == 2:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(donor))
        else:
            at = rng.randrange(len(parts))
            tokens = parts[at].split(" ")
            if len(tokens) > 1:
                i = rng.randrange(len(tokens) - 1)
                tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
            parts[at] = " ".join(tokens)
    return parts


def long_pair(seed: int) -> tuple[str, str]:
    """A pair like those of the second look's band, of 1,000-6,000 characters."""
    rng = random.Random(seed)
    a = long_text(rng, rng.randrange(1000, 6000))
    kind = seed % 5
    if kind == 0:  # a light copy: some typos
        b = character_noise(rng, " ".join(a), rng.choice([0.002, 0.01, 0.03]))
    elif kind == 1:  # a noisy copy (OCR of poor print)
        b = character_noise(rng, " ".join(a), rng.choice([0.08, 0.15, 0.3]))
    elif kind == 2:  # an edited copy, then noised
        edited = " ".join(sentence_edits(rng, a, long_text(rng, 2000)))
        b = character_noise(rng, edited, rng.choice([0.0, 0.01, 0.05]))
    elif kind == 3:  # another text
        b = " ".join(long_text(rng, rng.randrange(1000, 6000)))
    else:  # another text that shares a few sentences with it
        parts = long_text(rng, rng.randrange(1000, 5000))
        for sentence in rng.sample(a, k=min(4, len(a))):
            parts.insert(rng.randrange(len(parts) + 1), sentence)
        b = character_noise(rng, " ".join(parts), rng.choice([0.0, 0.01]))
    return " ".join(a), b


@pytest.mark.parametrize("seed", range(100))
def test_long_news_pairs(seed: int) -> None:
    a, b = long_pair(seed)
    assert_same_alignment(a, b)
    assert_same_alignment(b, a)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(100, 2**32))
def test_more_long_news_pairs(seed: int) -> None:
    assert_same_alignment(*long_pair(seed))


@pytest.mark.parametrize("length", [1, 63, 64, 65, 128, 129, 640, 3000])
def test_lengths_at_word_edges(length: int) -> None:
    """Texts whose lengths fall at the edges of 64-bit words, with a change in the middle or at
    either end."""
    a = " ".join(long_text(random.Random(length), 2 * length))[:length]
    for b in (a[: length // 2] + "#" + a[length // 2 + 1 :], "#" + a, a + "#", a[1:], a[:-1]):
        assert_same_alignment(a, b)
        assert_same_alignment(b, a)


def test_identical_and_disjoint_texts() -> None:
    a = " ".join(long_text(random.Random(1), 4000))
    assert char_alignment(a, a).tolist() == list(range(len(a)))
    assert (char_alignment(a, "#" * 3000) == -1).all()
    assert_same_alignment(a, a.upper())


def test_arguments_must_be_strings() -> None:
    with pytest.raises(TypeError):
        char_alignment(b"ab", "ab")  # type: ignore[arg-type]


def test_texts_of_very_many_distinct_characters() -> None:
    """40,000 distinct characters in 80,000: too many for a dense table of each character's
    blocks (it would take 400 MB), so most are kept sparse, and read the same."""
    rng = random.Random(40_000)
    chars = [chr(0x20000 + k) for k in range(40_000)]
    a = " ".join(chars)
    swapped = list(chars)
    for _ in range(4_000):
        i, j = rng.randrange(len(swapped)), rng.randrange(len(swapped))
        swapped[i], swapped[j] = swapped[j], swapped[i]
    assert_same_alignment(a, " ".join(swapped))
