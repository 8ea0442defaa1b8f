"""Plain-Python definitions of what `kernel.py` computes, slow and obviously right.

Tests check the compiled kernel against these on random and real text; the exact all-pairs
scores used as ground truth are computed from `shingle_set`, which involves no hashing at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from neardup.normalize import normalize

_MASK = (1 << 64) - 1
_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003ffff"
)


def tokens(normalized: str) -> list[str]:
    """Runs of ASCII letters and digits or other non-ASCII characters; unspaced scripts per char."""
    out: list[str] = []
    for run in re.findall(r"[0-9A-Za-z\u0080-\U0010ffff]+", normalized):
        out.extend(t for t in re.split(f"([{_UNSPACED}])", run) if t)
    return out


def shingle_set(text: str, ngram: int) -> set[tuple[str, ...]]:
    """The distinct word n-grams of a raw text, as tuples of tokens."""
    words = tokens(normalize(text))
    return {tuple(words[i : i + ngram]) for i in range(len(words) - ngram + 1)}


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
    hashed = [token_hash(t) for t in tokens(normalize(text))]
    out = set()
    for i in range(len(hashed) - ngram + 1):
        h = seed
        for k in range(ngram):
            h = (fmix64(h ^ hashed[i + k]) + k) & _MASK
        out.add(h)
    return sorted(out)


def fingerprints(text: str, ngram: int, seed: int, window: int) -> list[int]:
    """Sorted distinct winnowed fingerprints: the least shingle hash of each `window` in a row."""
    hashed = [token_hash(t) for t in tokens(normalize(text))]
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


def minhash(hashes: list[int], a: list[int], b: list[int]) -> list[int]:
    """One minimum of ((a·x + b) mod 2**64) >> 32 per permutation (0xFFFFFFFF when empty)."""
    return [
        min((((ak * x + bk) & _MASK) >> 32 for x in hashes), default=0xFFFFFFFF)
        for ak, bk in zip(a, b, strict=True)
    ]


def scores(a: set, b: set) -> tuple[float, float, float]:
    """(Jaccard, containment of a in b, containment of b in a) of two sets."""
    common = len(a & b)
    union = len(a) + len(b) - common
    return (
        common / union if union else 0.0,
        common / len(a) if a else 0.0,
        common / len(b) if b else 0.0,
    )


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
    for token in tokens(normalize(text)):
        number = is_number(token) or token in number_words
        if not number:
            out.append(token)
        elif not in_number:
            out.append("#")
        in_number = number
    return out
