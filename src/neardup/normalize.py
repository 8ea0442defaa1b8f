"""Text normalization: the differences that never make two texts different documents.

HTML entities are decoded, Unicode is NFKC-normalized (so "…" becomes "..."), case is folded,
typographic quotes and dashes become ASCII, other punctuation, symbols and control characters
become spaces, and runs of white space collapse to one space.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from functools import cache

import xxhash

_QUOTES = "'‘’‚‛′‵ʹʼˈ`´"
_DOUBLE_QUOTES = '"“”„‟″‶«»'
_DASHES = "‐‑‒–—―−⁃﹘﹣－"


@cache
def _fold_table() -> dict[int, str]:
    """Translation table: typographic marks to ASCII; other non-ASCII punctuation to a space."""
    table: dict[int, str] = {}
    for cp in range(0x80, sys.maxunicode + 1):
        category = unicodedata.category(chr(cp))
        if category[0] in "PSZC" and category not in ("Co", "Cn"):
            table[cp] = " "
    table.update({ord(c): "'" for c in _QUOTES})
    table.update({ord(c): '"' for c in _DOUBLE_QUOTES})
    table.update({ord(c): "-" for c in _DASHES})
    table.update({cp: " " for cp in range(0x20)})
    table[0x7F] = " "
    return table


def normalize(text: str) -> str:
    """The normal form of a text; two texts with the same normal form are `exact` duplicates.

    >>> normalize("“Hello” — WORLD…")
    '"hello" - world...'
    """
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.translate(_fold_table()).split())


_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
    "half",
    "quarter",
)
# A number is one token however it is written: 6, 1.5, 1,500, 6-3/16, six.
_NUMBER = re.compile(r"\d+(?:[.,/-]\d+)*|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b")


def template_key(normalized: str) -> int:
    """A fingerprint of a normalized text with every number (digits or words) replaced by 0.

    Two texts with equal template keys but different exact keys differ only in their numbers.
    """
    return exact_key(_NUMBER.sub("0", normalized))


def exact_key(normalized: str) -> int:
    """A 64-bit fingerprint of a normalized text (equal texts, equal keys)."""
    return xxhash.xxh3_64_intdigest(normalized.encode("utf-8", "surrogatepass"))
