"""The native scores of the character-level second look (`kernel.char_look_scores`) held to
their plain-Python specification, `charlook_reference._scored`: the same None or the same three
floats, exactly, both given the alignment of `charlook_reference._alignment`, each pair in both
orders; and the whole native look at pairs of texts (`kernel.char_look_pairs`: words, alignment,
scores) held to `charlook_reference.char_scores`.

On hypothesis-generated noisy copies (characters replaced, added or dropped inside words, words
split and run together, numbers changed, number words swapped, sentences dropped and added), with
n-grams of 1 to 6 words and several error rates; on the examples of `char_scores`; on the news
of the example corpus and the fixtures, each paired with its noised, edited, renumbered,
excerpted and expanded versions and with another story; on texts of no word or one. Bad
arguments raise `InputError`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable

import numpy as np
import pytest
from conftest import ROOT, SEEDS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from neardup.core import charlook, charlook_reference, kernel
from neardup.core.furniture import furniture_of
from neardup.core.sketch import NUMBER_WORDS
from neardup.errors import InputError
from neardup.evaluate.transform import (
    Article,
    excerpt,
    expand,
    light_edits,
    ocr_noise,
    other_numbers,
)
from neardup.options import Options

Scores = tuple[float, float, float] | None


def _native(
    sa: charlook_reference._Side,
    sb: charlook_reference._Side,
    a_to_b: np.ndarray,
    b_to_a: np.ndarray,
    errors: float,
) -> Scores:
    return kernel.char_look_scores(
        sa.joined, sb.joined, a_to_b, b_to_a, sa.ngram, errors, list(NUMBER_WORDS)
    )


def assert_same(a: str, b: str, ngram: int = 5, char_errors: float = 0.34) -> Scores:
    """The native scores of texts a and b, found equal to Python's in both orders."""
    sa, sb = charlook_reference._Side(a, ngram), charlook_reference._Side(b, ngram)
    a_to_b, b_to_a = charlook_reference._alignment(sa, sb)
    for args in ((sa, sb, a_to_b, b_to_a), (sb, sa, b_to_a, a_to_b)):
        assert _native(*args, char_errors) == charlook_reference._scored(*args, char_errors)
    return _native(sa, sb, a_to_b, b_to_a, char_errors)


def test_the_rules_are_pythons() -> None:
    """The constants of the native rules are those of `charlook`."""
    source = (ROOT / "native/kernels/src/charlook.rs").read_text(encoding="utf-8")
    constants = dict(re.findall(r"pub const (\w+): \w+ = (\d+);", source))
    assert {name: int(value) for name, value in constants.items()} == {
        name: getattr(charlook, name) for name in ("GAP", "LOCAL", "NOISE_PER_NUMBER")
    }


def test_the_examples_of_char_scores() -> None:
    story = (
        "The government said on Tuesday that the modern railway line would open "
        "to passengers in the spring, after years of delays and rising costs."
    )
    noisy = (
        "The govemment said on Tucsday that thc rnodern rail way line would open "
        "to passengers in the spring, after years ofdelays and rising costs."
    )
    assert assert_same(story, noisy) == (1.0, 1.0, 1.0)
    costs = "The line will cost 120 million pounds and open to passengers in 2027, they said."
    assert assert_same(costs, costs.replace("120 million", "120 billion")) is None


@pytest.mark.parametrize("ngram", [1, 2, 5])
def test_texts_of_no_word_or_one(ngram: int) -> None:
    texts = ("", "...", "word", "2027", "million", "one two three four five six", "w0rd")
    for a in texts:
        for b in texts:
            assert_same(a, b, ngram)
    assert assert_same("", "one two three four five six", ngram) == (0.0, 0.0, 0.0)


# -- generated noisy copies --------------------------------------------------------------------

_WORDS = """
the council said on tuesday that new bridge over river would open to traffic in spring after years
of work and a long dispute its cost shares rose company profit police report minister railway line
passengers delays rising costs 北京 İstanbul straße 𠀀
"""
NUMBERS = ("120", "2027", "3.5", "1987", "12", "0.25", "40%", "$100m", "1,000")
word = st.sampled_from((*_WORDS.split(), *NUMBERS, *NUMBER_WORDS))
sentence = st.lists(word, min_size=1, max_size=12)
#: Characters that noise writes: OCR's confusions, digits, a space, punctuation, characters that
#: normalization changes, one beyond the Basic Multilingual Plane.
NOISE = (*"ecl1rnm0o5 -.'éßİ", "𠀀")
EDITS = (
    "replace",
    "insert",
    "delete",
    "split",
    "join",
    "number",
    "number word",
    "drop sentence",
    "add sentence",
)


def _edited_word(word: str, kind: str, at: int, char: str) -> str:
    k = at % len(word)
    match kind:
        case "replace":
            return word[:k] + char + word[k + 1 :]
        case "insert":
            return word[:k] + char + word[k:]
        case "delete":
            return word[:k] + word[k + 1 :] if len(word) > 1 else word
        case "split":
            return f"{word[: k + 1]} {word[k + 1 :]}" if k + 1 < len(word) else word
        case "number" if re.search(r"\d", word):
            return re.sub(r"\d", lambda d: str((int(d.group()) + 1 + at % 9) % 10), word)
        case "number":
            return NUMBERS[at % len(NUMBERS)]
        case _:
            return NUMBER_WORDS[at % len(NUMBER_WORDS)]


def _edited(text: list[list[str]], kind: str, at: int, char: str, extra: list[str]) -> None:
    """Apply one edit to the words of a text's sentences, in place."""
    if kind == "add sentence":
        text.insert(at % (len(text) + 1), extra)
        return
    if not text:
        return
    if kind == "drop sentence":
        del text[at % len(text)]
        return
    words = text[at % len(text)]
    j = at // 7 % len(words)
    if kind == "join":
        words[j : j + 2] = ["".join(words[j : j + 2])]
    else:
        words[j] = _edited_word(words[j], kind, at // 97, char)


@st.composite
def noisy_pairs(draw: DrawFn) -> tuple[str, str]:
    """A text, and a copy of it with a few edits."""
    original = draw(st.lists(sentence, min_size=1, max_size=6))
    copy = [list(words) for words in original]
    edit = st.tuples(st.sampled_from(EDITS), st.integers(0, 10**6), st.sampled_from(NOISE))
    for kind, at, char in draw(st.lists(edit, max_size=12)):
        _edited(copy, kind, at, char, draw(sentence) if kind == "add sentence" else [])
    return tuple(" ".join(f"{' '.join(words)}." for words in text) for text in (original, copy))


@given(
    noisy_pairs(),
    st.integers(1, 6),
    st.sampled_from((0.1, 0.34, 0.5)),
)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(("one two million three four five.", "one two billion three four five."), 5, 0.34)
@example(("a 120 b c d e f g h i j k l", "a 450 b c d e f g h i j k l"), 1, 0.34)
def test_noisy_copies(pair: tuple[str, str], ngram: int, char_errors: float) -> None:
    assert_same(*pair, ngram, char_errors)


# -- news --------------------------------------------------------------------------------------

NEWS = [
    Article.parse(json.loads(line)["text"])
    for line in (ROOT / "examples/news.jsonl").read_text(encoding="utf-8").splitlines()
] + [Article.parse(path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))]

Edit = Callable[[Article, Article, random.Random], Article]
EDITED: dict[str, Edit] = {
    "ocr noise": lambda article, _, rng: ocr_noise(article, rng),
    "heavy ocr noise": lambda article, _, rng: ocr_noise(article, rng, 0.05),
    "light edits": lambda article, _, rng: light_edits(article, rng),
    "other numbers": lambda article, _, rng: other_numbers(article, rng),
    "other numbers, ocr noise": lambda article, _, rng: ocr_noise(other_numbers(article, rng), rng),
    "excerpt": lambda article, _, rng: excerpt(article, rng),
    "expanded": lambda article, donor, rng: ocr_noise(expand(article, donor, rng), rng),
    "another story": lambda _, donor, rng: donor,
    "another story, a paragraph shared": lambda article, donor, rng: Article(
        donor.headline, (*donor.paragraphs, rng.choice(article.paragraphs or ("",)))
    ),
}


@pytest.mark.parametrize("edit", EDITED)
def test_news_and_its_copies(edit: str) -> None:
    rng = random.Random(edit)
    for i, article in enumerate(NEWS):
        copy = EDITED[edit](article, NEWS[(i + 1) % len(NEWS)], rng)
        assert_same(article.text, copy.text, ngram=1 + i % 6, char_errors=(0.1, 0.34, 0.5)[i % 3])


# -- arguments ---------------------------------------------------------------------------------


def test_a_lone_surrogate_is_one_character() -> None:
    joined = "x\ud800y z"
    aligned = np.arange(len(joined))
    got = kernel.char_look_scores(joined, joined, aligned, aligned, 1, 0.34, list(NUMBER_WORDS))
    assert got == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("joined_a", "a_to_b", "ngram", "message"),
    [
        ("ab cd", [0, 1, 2, 3], 1, "must hold 5 values"),
        ("ab cd", [0, 1, 2, 3, 5], 1, "5 is neither -1 nor one of 5 characters"),
        ("ab cd", [0, 1, 2, 3, -2], 1, "-2 is neither"),
        ("ab cd", [0, 1, 2, 3, 4], 0, "ngram must be at least 1"),
        ("ab  cd", [0, 1, 2, 3, 4, 4], 1, "words joined by single spaces"),
        (" ab", [-1, 0, 1], 1, "words joined by single spaces"),
        ("ab ", [0, 1, 2], 1, "words joined by single spaces"),
    ],
)
def test_bad_arguments_raise_input_error(
    joined_a: str, a_to_b: list[int], ngram: int, message: str
) -> None:
    b_to_a = np.full(5, -1)
    with pytest.raises(InputError, match=message):
        kernel.char_look_scores(
            joined_a, "ab cd", np.array(a_to_b), b_to_a, ngram, 0.34, list(NUMBER_WORDS)
        )


# -- the whole second look, natively ------------------------------------------------------------

#: Texts that normalization changes before their words are found: entities, NFKC (a ligature,
#: full-width digits), quotes and dashes, a lone surrogate, a furniture line.
ODD = (
    "Profits &amp; losses rose 12% &mdash; the ﬁrst rise in ３ years, “they said” …",
    'Profits & losses rose 12% - the first rise in 3 years, "they said"...',
    "SEE ALSO: Another story\nThe council said on Tuesday the bridge would open in 2027.",
    "The council said on Tuesday the bridge would open in 2027. x\ud800y",
    "",
)


def test_the_native_look_at_pairs_is_char_scores() -> None:
    """`second_look`'s native scores of each pair are `char_scores` of the two texts with their
    furniture left out, None as looked False."""
    rng = random.Random(7)
    texts = [*ODD]
    for i, article in enumerate(NEWS[:60]):
        edit = list(EDITED.values())[i % len(EDITED)]
        texts += [article.text, edit(article, NEWS[(i + 1) % len(NEWS)], rng).text]
    pairs = [(a, b) for a in range(len(ODD)) for b in range(len(ODD))]
    pairs += [(a, a + 1) for a in range(len(ODD), len(texts), 2)]
    left, right = (np.array(side) for side in zip(*pairs, strict=True))
    furniture = furniture_of(Options())
    options = Options(ngram=4, char_errors=0.3)
    scores, looked = charlook._native_scores(
        left, right, dict(enumerate(texts)), options, furniture
    )
    for p, (a, b) in enumerate(pairs):
        want = charlook_reference.char_scores(
            furniture.strip(texts[a]), furniture.strip(texts[b]), ngram=4, char_errors=0.3
        )
        assert (tuple(scores[p]) if looked[p] else None) == want, (a, b)
    assert looked.sum() not in (0, len(pairs))  # both outcomes met


@given(
    st.lists(st.text(st.characters(exclude_categories=()), max_size=80), min_size=2, max_size=4),
    st.integers(1, 3),
)
@settings(max_examples=300, deadline=None)
def test_the_native_look_at_any_text_is_char_scores(texts: list[str], ngram: int) -> None:
    """Any characters (lone surrogates, NUL, marks NFKC composes, unspaced scripts) are read
    into words as `char_scores` reads them."""
    left, right = np.array([0, 1, 0]), np.array([1, 0, len(texts) - 1])
    options = Options(ngram=ngram)
    scores, looked = charlook._native_scores(
        left, right, dict(enumerate(texts)), options, furniture_of(options)
    )
    for p, (a, b) in enumerate(zip(left, right, strict=True)):
        want = charlook_reference.char_scores(
            furniture_of(options).strip(texts[a]),
            furniture_of(options).strip(texts[b]),
            ngram=ngram,
        )
        assert (tuple(scores[p]) if looked[p] else None) == want
