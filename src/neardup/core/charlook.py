"""A second look, character by character, at pairs that word shingles call `overlap`.

A character error breaks every word n-gram through its word: at 1-2% character errors (OCR of
clean newsprint, hurried typing) a copy keeps only half of its 5-grams, and word scores call it
`overlap`. Here the two normal forms are aligned character by character (Levenshtein), and a
word counts as present in the other text where the characters aligned to it spell it with few
errors: at most `char_errors` of its characters differ, words run together or split by a space
cost nothing, and a number (a token that starts with a digit, or a number word such as
"million") must be exactly the same. The distinct word n-grams made of present words, in the
same order with nothing between them, are then counted as the word scores count shingles, and
the pair is promoted when these scores clear the same thresholds. A pair where numbers stand in
place of other numbers is not promoted, unless the texts are noisy enough around them to explain
them (one per NOISE_PER_NUMBER words with errors): a template with other numbers stays a
look-alike, even when a typo hides that it "differs only in numbers"; and text that shares only
a few phrases does not become a copy.

Nothing short of the alignment bounds these scores, so every pair of the band is aligned: the
words that noise changed need not stand anywhere in the other text, and two pairs that share the
same word n-grams, each with the rest of its words found nowhere in the other text, can score
1.0 (the rest is a copy with a typo in every word) or no more than their words (it is another
text). The cost is kept down instead by native code on every core: the words of each text of a
batch of pairs are read once, and each pair is aligned as rapidfuzz's Levenshtein alignment
aligns it, decision for decision (`align.rs`), and scored (`charlook.rs`).
`charlook_reference.py` is the specification in plain Python; tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from neardup.core import kernel
from neardup.core.furniture import Furniture
from neardup.core.normal_bytes import before_table, table_for
from neardup.core.sketch import NUMBER_WORDS
from neardup.core.verify import (
    CONTAINS,
    DUPLICATE_RELATIONS,
    NEAR_DUPLICATE,
    ScoredPairs,
    pair_documents,
    pair_runs,
)
from neardup.options import Options

#: Pairs below this word containment are not looked at again: a copy whose noise leaves fewer
#: than a fifth of its word n-grams whole has more than a quarter of its words touched.
FLOOR = 0.2
#: Characters other than spaces that may stand between two words that follow each other in
#: the other text, beyond the characters of either word that found no match (such as the "rn"
#: of "rnodern", which stands for its "m").
GAP = 1


#: A number counts as replaced by another where at most this many words of either text stand
#: between the nearest words present in both (a local substitution, not a new passage).
LOCAL = 3
#: Character errors hit digits as they hit letters, and numbers are a few percent of the words
#: of news: in a noisy copy, numbers spelt otherwise are a small fraction of the words with
#: errors. A number replaced by another is taken for noise only up to one per this many words
#: with character errors; beyond, the texts report other figures (a template with a typo or
#: two has no noise to explain its numbers).
NOISE_PER_NUMBER = 10
#: Pairs looked at by one call of the native core, a step of the progress, and the characters
#: of their texts at most (the core holds about 12 bytes a character meanwhile: 400 MB).
PAIRS_AT_ONCE = 1024
CHARS_AT_ONCE = 32_000_000


def char_scores(
    a: str, b: str, *, ngram: int = 5, char_errors: float = 0.34
) -> tuple[float, float, float] | None:
    """(Jaccard, containment of a in b, containment of b in a) of the distinct word n-grams
    once words spelt with a few character errors count as the same (normal forms compared);
    None where numbers stand in one text where the other has other numbers, more than the
    character errors elsewhere explain (a look-alike that reports other facts).

    >>> story = ("The government said on Tuesday that the modern railway line would open "
    ...          "to passengers in the spring, after years of delays and rising costs.")
    >>> noisy = ("The govemment said on Tucsday that thc rnodern rail way line would open "
    ...          "to passengers in the spring, after years ofdelays and rising costs.")
    >>> [round(s, 2) for s in char_scores(story, noisy)]
    [1.0, 1.0, 1.0]
    >>> costs = "The line will cost 120 million pounds and open to passengers in 2027, they said."
    >>> print(char_scores(costs, costs.replace("120 million", "120 billion")))
    None
    """
    scores, looked = _looked([a, b], np.array([0]), np.array([1]), ngram, char_errors)
    return tuple(scores[0].tolist()) if looked[0] else None


def _looked(
    texts: list[str], left: np.ndarray, right: np.ndarray, ngram: int, char_errors: float
) -> tuple[np.ndarray, np.ndarray]:
    """`kernel.char_look_pairs` of the pairs (texts[left[p]], texts[right[p]]): the scores of
    :func:`char_scores` of each, and whether it is not None."""
    prepared = [before_table(t) for t in texts]
    return kernel.char_look_pairs(
        prepared, left, right, *table_for(prepared), ngram, char_errors, list(NUMBER_WORDS)
    )


def _native_scores(
    left: np.ndarray,
    right: np.ndarray,
    texts: Mapping[int, str],
    options: Options,
    furniture: Furniture,
) -> tuple[np.ndarray, np.ndarray]:
    """`kernel.char_look_pairs` of the pairs (left[p], right[p]) of documents whose texts
    these are: :func:`char_scores` of each pair with `furniture` left out of both texts
    (scores), and whether it is not None (looked)."""
    docs, left_at, right_at = pair_documents(left, right)
    texts_of = [furniture.strip(texts[d]) for d in docs.tolist()]
    return _looked(texts_of, left_at, right_at, options.ngram, options.char_errors)


def in_band(pairs: ScoredPairs, options: Options) -> np.ndarray:
    """Which pairs get the second look: not duplicates by their words, word containment at
    least FLOOR (none when `char_errors` is 0)."""
    containment = np.maximum(pairs.containment_left_in_right, pairs.containment_right_in_left)
    band = ~np.isin(pairs.relation, DUPLICATE_RELATIONS) & (containment >= FLOOR)
    return band & (options.char_errors > 0)


def second_look(
    pairs: ScoredPairs,
    texts: Callable[[set[int]], Mapping[int, str]],
    options: Options,
    furniture: Furniture,
    advance: Callable[[int], None] = lambda looked: None,
) -> ScoredPairs:
    """The pairs, with those in the overlap band (not duplicates by their words, word
    containment ≥ FLOOR) promoted to `near-duplicate` or `contains` where their character-level
    scores (:func:`char_scores`) clear the thresholds; promoted pairs carry those scores and
    `by_characters`. `texts` gives the texts of a set of documents; `furniture` is left out of
    them as from the shingles. `advance(n)` is told of every pair looked at (a progress bar).
    """
    band = np.flatnonzero(in_band(pairs, options))
    if not band.size:
        return pairs
    found = texts(set(pairs.left[band].tolist()) | set(pairs.right[band].tolist()))
    relation = pairs.relation.copy()
    jaccard = pairs.jaccard.copy()
    in_right = pairs.containment_left_in_right.copy()
    in_left = pairs.containment_right_in_left.copy()
    by_characters = pairs.by_characters.copy()
    runs = pair_runs(
        pairs.left[band],
        pairs.right[band],
        CHARS_AT_ONCE,
        size=lambda doc: len(found[doc]),
        most_pairs=PAIRS_AT_ONCE,
    )
    for run in runs:
        rows = band[run]
        scores, looked = _native_scores(
            pairs.left[rows], pairs.right[rows], found, options, furniture
        )
        advance(rows.size)
        near = looked & (scores[:, 0] >= options.jaccard)
        promoted = near | (looked & (scores[:, 1:].max(axis=1) >= options.containment))
        at = rows[promoted]
        relation[at] = np.where(near[promoted], NEAR_DUPLICATE, CONTAINS)
        jaccard[at], in_right[at], in_left[at] = scores[promoted].T
        by_characters[at] = True
    return ScoredPairs(
        pairs.left,
        pairs.right,
        relation,
        jaccard,
        in_right,
        in_left,
        pairs.differ_in_numbers,
        by_characters,
        pairs.differ_in_facts,
    )
