"""The scores of the character-level second look in plain Python, slow and obviously right: the
specification of the native core's (`kernel.char_look_pairs`, `kernel.char_alignment`,
`kernel.char_look_scores`) that `charlook.py` uses. Tests hold the two equal on generated and
real text (`test_charlook_native.py`, `test_align_native.py`).

The alignment is rapidfuzz's (`Levenshtein.editops`): which of the alignments of least cost is
taken decides which words are present, and the native core takes the same one.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from neardup.core.charlook import GAP, LOCAL, NOISE_PER_NUMBER
from neardup.core.sketch import NUMBER_WORDS
from neardup.core.tokens import words as words_of

_NUMBER_WORDS = frozenset(NUMBER_WORDS)


class _Side:
    """One text's tokens as spans of its joined form ("w1 w2 ..."), and its word n-grams."""

    def __init__(self, text: str, ngram: int) -> None:
        words = words_of(text)
        self.ngram = ngram
        self.joined = " ".join(words)
        lengths = np.fromiter(map(len, words), np.int64, len(words))
        self.length = lengths
        self.start = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
        self.end = self.start + lengths  # exclusive
        self.number_word = np.fromiter(map(_NUMBER_WORDS.__contains__, words), bool, len(words))
        code_points = np.frombuffer(self.joined.encode("utf-32-le", "surrogatepass"), np.uint32)
        leading = code_points[self.start[: len(words)]]
        self.number = self.number_word | ((leading >= ord("0")) & (leading <= ord("9")))
        # Each token's characters, then the space after it (none after the last), as the native
        # side holds them (32-bit).
        owner = np.repeat(np.arange(len(words), dtype=np.int32), lengths + 1)
        owner[self.end[:-1]] = -1
        self.token_of = owner[: len(self.joined)]
        # Spaces before each position, to tell spaces from other characters in a span.
        self.spaces = np.cumsum(np.concatenate([[False], self.token_of < 0]), dtype=np.int32)
        # The n-gram at each position as a number (the same n-gram, the same number): the
        # distinct n-grams found in the other text are counted as numbers, in every pair the
        # text is in. A word's number is where it first stands.
        first_seen: dict[str, int] = {}
        word = np.fromiter(map(first_seen.setdefault, words, itertools.count()), np.int64)
        count = max(word.size - ngram + 1, 0)
        rows = np.stack([word[i : i + count] for i in range(ngram)], axis=1)
        distinct, self.gram = np.unique(
            rows.view(np.dtype((np.void, 8 * ngram))).ravel(), return_inverse=True
        )
        self.grams = distinct.size


class _Found(NamedTuple):
    """What the characters of the other text aligned to each token of one text say of it."""

    present: np.ndarray  # spelt with few errors (a number: exactly, as a whole token)
    close: np.ndarray  # spelt with few errors, even if a number
    noisy: np.ndarray  # present, not a number, with some errors
    first: np.ndarray  # first and last aligned character in the other text
    last: np.ndarray
    unmatched: np.ndarray  # characters that found no match


def _present(this: _Side, other: _Side, aligned: np.ndarray, char_errors: float) -> _Found:
    """How each token of `this` is spelt by the characters of `other` aligned to it."""
    if not this.length.size or not other.length.size:
        empty = np.zeros(this.length.size, dtype=np.int64)
        no = empty.astype(bool)
        return _Found(no, no, no, empty, empty, this.length)
    # The space after each token falls in its reduceat segment: it is not one of its characters.
    hit = (aligned >= 0) & (this.token_of >= 0)
    starts = this.start
    matched = np.add.reduceat(hit.astype(np.int64), starts)
    first = np.minimum.reduceat(np.where(hit, aligned, len(other.joined)), starts)
    last = np.maximum.reduceat(np.where(hit, aligned, -1), starts)
    some = matched > 0
    first_c, last_c = np.where(some, first, 0), np.where(some, last, 0)
    # Characters of the other text inside the span that are not aligned to this token and are
    # not spaces (a split word's space costs nothing).
    span = last_c - first_c + 1
    spaces = other.spaces[last_c + 1] - other.spaces[first_c]
    inserted = np.maximum(span - matched - spaces, 0)
    # Edits at least: a character replaced is one missing and one inserted, one edit.
    errors = np.maximum(this.length - matched, inserted)
    allowed = np.floor(this.length * char_errors)
    close = some & (errors <= allowed)
    # A number must be a whole token of the other text, spelt the same.
    whole = (
        (other.token_of[first_c] >= 0)
        & (other.token_of[first_c] == other.token_of[last_c])
        & (other.start[other.token_of[first_c]] == first_c)
        & (other.end[other.token_of[first_c]] == last_c + 1)
    )
    present = close & (~this.number | ((errors == 0) & whole))
    # "million" for "billion" is another number, not a noisy one.
    close &= ~this.number_word | present
    noisy = present & ~this.number & (errors > 0)
    return _Found(present, close, noisy, first_c, last_c, this.length - matched)


def _look(this: _Side, other: _Side, aligned: np.ndarray, char_errors: float) -> tuple[int, bool]:
    """(how many distinct word n-grams of `this` are present in order in `other`, whether
    numbers of `this` stand where `other` has other numbers, more than its noise explains)."""
    if not this.grams or not other.length.size:  # nothing to find, or nowhere to find it
        return 0, False
    found = _present(this, other, aligned, char_errors)
    present, first, last, unmatched = found.present, found.first, found.last, found.unmatched
    n, ngram = present.size, this.ngram
    # Two present words follow each other in `other` when no whole word of `other` stands
    # between them there, and no more characters (spaces aside) than their unmatched ones and
    # GAP more.
    between = first[1:] - last[:-1] - 1
    spaces = other.spaces[first[1:]] - other.spaces[last[:-1] + 1]
    slack = unmatched[:-1] + unmatched[1:] + GAP
    adjacent = other.token_of[first[1:]] - other.token_of[last[:-1]] <= 1
    linked = present[:-1] & present[1:] & adjacent & (between >= 0) & (between - spaces <= slack)
    # An n-gram at p is present when words p .. p+n-1 are linked in a chain of n - 1 links.
    chain = np.concatenate([[0], np.cumsum(linked)])
    at = np.arange(n - ngram + 1)
    whole = present[at] if ngram == 1 else (chain[at + ngram - 1] - chain[at]) == ngram - 1
    kept = np.unique(this.gram[whole]).size
    replaced = _numbers_replaced(this, other, present, found.close, first, last)
    return kept, replaced > int(found.noisy.sum()) // NOISE_PER_NUMBER


def _numbers_replaced(
    this: _Side,
    other: _Side,
    present: np.ndarray,
    close: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
) -> int:
    """How many numbers of `this`, not even spelt with few errors in `other`, stand where
    `other` has a number: between the counterparts of the nearest present words around them,
    at most LOCAL words apart on either side."""
    index = np.arange(present.size)
    # A number spelt within the errors allowed for a word (a long one with a digit dropped, or
    # split by a space) is a noisy copy of it, not another number: it only breaks n-grams.
    missing = np.flatnonzero(this.number & ~close)
    if not missing.size:
        return 0
    before = np.maximum.accumulate(np.where(present, index, -1))[missing]
    after = np.minimum.accumulate(np.where(present, index, present.size)[::-1])[::-1][missing]
    # The words of `other` between the counterparts of those present words.
    lo = np.where(before >= 0, other.token_of[last[np.maximum(before, 0)]], -1)
    hi = np.where(
        after < present.size,
        other.token_of[first[np.minimum(after, present.size - 1)]],
        other.length.size,
    )
    numbers = np.concatenate([[0], np.cumsum(other.number)])
    inside = numbers[np.maximum(hi, lo + 1)] - numbers[lo + 1]
    local = (after - before - 1 <= LOCAL) & (hi - lo - 1 <= LOCAL)
    return int((local & (inside > 0)).sum())


def char_scores(
    a: str, b: str, *, ngram: int = 5, char_errors: float = 0.34
) -> tuple[float, float, float] | None:
    """`charlook.char_scores`, in plain Python."""
    return _scores(_Side(a, ngram), _Side(b, ngram), char_errors)


def _scores(sa: _Side, sb: _Side, char_errors: float) -> tuple[float, float, float] | None:
    """:func:`char_scores` of two texts' sides."""
    a_to_b, b_to_a = _alignment(sa, sb)
    return _scored(sa, sb, a_to_b, b_to_a, char_errors)


def _alignment(sa: _Side, sb: _Side) -> tuple[np.ndarray, np.ndarray]:
    """(a_to_b, b_to_a): the character of the other joined form aligned to each character of
    one (Levenshtein), -1 where none is."""
    # Imported here: rapidfuzz is a test requirement, and this module is only the tests'.
    from rapidfuzz.distance import Levenshtein

    blocks = np.array(
        [
            (block.a, block.b, block.size)
            for block in Levenshtein.editops(sa.joined, sb.joined).as_matching_blocks()
        ],
        dtype=np.int64,
    ).reshape(-1, 3)
    src_start, dest_start, size = blocks.T
    src = _runs(src_start, size)
    dest = _runs(dest_start, size)
    a_to_b = np.full(len(sa.joined), -1, dtype=np.int64)
    b_to_a = np.full(len(sb.joined), -1, dtype=np.int64)
    a_to_b[src] = dest
    b_to_a[dest] = src
    return a_to_b, b_to_a


def _scored(
    sa: _Side, sb: _Side, a_to_b: np.ndarray, b_to_a: np.ndarray, char_errors: float
) -> tuple[float, float, float] | None:
    """:func:`char_scores` of two texts' sides, from the alignment of their characters
    (:func:`_alignment`)."""
    in_b, replaced_a = _look(sa, sb, a_to_b, char_errors)
    in_a, replaced_b = _look(sb, sa, b_to_a, char_errors)
    if replaced_a or replaced_b:  # another template's figures
        return None
    common = min(in_b, in_a)
    union = sa.grams + sb.grams - common
    return (
        common / union if union else 0.0,
        in_b / sa.grams if sa.grams else 0.0,
        in_a / sb.grams if sb.grams else 0.0,
    )


def _runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """starts[0], starts[0] + 1, ... (lengths[0] values), then the same from starts[1], ...

    >>> _runs(np.array([3, 10]), np.array([2, 3])).tolist()
    [3, 4, 10, 11, 12]
    """
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if ends.size else 0) + np.repeat(
        starts - ends + lengths, lengths
    )
