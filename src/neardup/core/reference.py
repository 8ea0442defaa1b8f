"""Plain-Python definitions of what the native core (`kernel`) computes, slow and obviously right.

Tests check the compiled kernel against these on random and real text; the exact all-pairs
scores used as ground truth are computed from `shingle_set`, which involves no hashing at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import xxhash

from neardup.core.furniture import MAX_LINE_WORDS, line_key, short_line
from neardup.core.tokens import words

_MASK = (1 << 64) - 1


def shingle_set(text: str, ngram: int) -> set[tuple[str, ...]]:
    """The distinct word n-grams of a raw text, as tuples of tokens."""
    return ngrams(words(text), ngram)


def ngrams(found: Sequence[str], ngram: int) -> set[tuple[str, ...]]:
    """The distinct n-grams of a sequence of words, as tuples."""
    return {tuple(found[i : i + ngram]) for i in range(len(found) - ngram + 1)}


def fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _MASK
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _MASK
    return h ^ (h >> 33)


def token_hash(token: str) -> int:
    """FNV-1a over the UTF-8 bytes, then fmix64."""
    h = 0xCBF29CE484222325
    for byte in token.encode("utf-8", "surrogatepass"):
        h = ((h ^ byte) * 0x100000001B3) & _MASK
    return fmix64(h)


def shingle_hashes(text: str, ngram: int, seed: int) -> list[int]:
    """Sorted distinct shingle hashes of a raw text, as the kernel computes them."""
    hashed = [token_hash(t) for t in words(text)]
    out = set()
    for i in range(len(hashed) - ngram + 1):
        h = seed
        for k in range(ngram):
            h = (fmix64(h ^ hashed[i + k]) + k) & _MASK
        out.add(h)
    return sorted(out)


def fingerprints(text: str, ngram: int, seed: int, window: int) -> list[int]:
    """Sorted distinct winnowed fingerprints: the least shingle hash of each `window` in a row."""
    hashed = [token_hash(t) for t in words(text)]
    ordered = []
    for i in range(len(hashed) - ngram + 1):
        h = seed
        for k in range(ngram):
            h = (fmix64(h ^ hashed[i + k]) + k) & _MASK
        ordered.append(h)
    if not ordered:
        return []
    windows = range(max(len(ordered) - window + 1, 1))
    return sorted({min(ordered[w : w + window]) for w in windows})


def minhash(hashes: list[int], num_perm: int, seed: int) -> list[int]:
    """One-permutation MinHash, densified: each shingle's hash picks a bin and a value, a bin
    keeps its least value, and an empty bin copies the first filled bin of a sequence that
    depends on the bin and the seed (all 0xFFFFFFFF when there is no shingle)."""
    key = fmix64(seed ^ 0xC4CEB9FE1A85EC53)

    def bin_of(h: int) -> int:
        return ((h >> 32) * num_perm) >> 32

    least: dict[int, int] = {}
    for x in hashes:
        h = fmix64(x ^ key)
        j, value = bin_of(h), h & 0xFFFFFFFF
        least[j] = min(least.get(j, value), value)
    if not least:
        return [0xFFFFFFFF] * num_perm
    row = []
    for j in range(num_perm):
        attempt = 1
        source = j
        while source not in least:
            source = bin_of(
                fmix64((key + j * 0x100000001B3 + attempt * 0xFF51AFD7ED558CCD) & _MASK)
            )
            attempt += 1
        row.append(least[source])
    return row


def scores(a: set, b: set) -> tuple[float, float, float]:
    """(Jaccard, containment of a in b, containment of b in a) of two sets."""
    common = len(a & b)
    union = len(a) + len(b) - common
    return (
        common / union if union else 0.0,
        common / len(a) if a else 0.0,
        common / len(b) if b else 0.0,
    )


#: What the kernel chains in place of a run of number tokens ("#" in :func:`masked_tokens`).
_NUMBER_RUN = 0xFF51AFD7ED558CCD


def sequence_key(words: list[str]) -> int:
    """The kernel's key of a token sequence: the token hashes chained in order. Of a text's
    tokens it is the exact key; of its :func:`masked_tokens`, the masked key."""
    h = 0xCBF29CE484222325
    for word in words:
        x = _NUMBER_RUN if word == "#" else token_hash(word)
        h = (fmix64(h ^ x) + 0x100000001B3) & _MASK
    return h


def starts_with_digit(token: str) -> bool:
    """The kernel's test for a number token: it starts with an ASCII digit ("1980s", "5bn")."""
    return "0" <= token[0] <= "9"


def masked_tokens(
    text: str, number_words: set[str], is_number: Callable[[str], bool] = starts_with_digit
) -> list[str]:
    """The tokens of a raw text with each run of number tokens as "#": tokens that pass
    `is_number` (by default the kernel's test) and number words."""
    out: list[str] = []
    in_number = False
    for token in words(text):
        number = is_number(token) or token in number_words
        if not number:
            out.append(token)
        elif not in_number:
            out.append("#")
        in_number = number
    return out


def line_pairs(texts: list[str], max_words: int = MAX_LINE_WORDS) -> list[tuple[int, int]]:
    """`furniture.line_pairs`: (text key, line key) for each line of 1 to `max_words` words of
    each distinct text (the first of identical ones), once per distinct line key."""
    seen: set[int] = set()
    pairs = []
    for text in texts:
        key = xxhash.xxh3_64_intdigest(text.encode("utf-8", "replace"))
        if key in seen:
            continue
        seen.add(key)
        lines = {line_key(line) for line in text.splitlines() if short_line(line, max_words)}
        pairs += [(key, line) for line in sorted(lines)]
    return pairs
