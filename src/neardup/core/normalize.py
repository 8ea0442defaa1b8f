"""Text normalization: the differences that never make two texts different documents.

HTML entities are decoded, Unicode is NFKC-normalized (so "…" becomes "..."), case is folded,
typographic quotes and dashes become ASCII, other non-ASCII punctuation, symbols and control
characters become spaces, and runs of white space collapse to one space. ASCII punctuation stays
(the alignment shows it), but only separates words: two texts whose normal forms have the same
words (`tokens.tokens`) are `exact` copies (their exact keys, `Sketches.exact_keys`, are
keys of their words).

:func:`normalize` is the definition. `normal_bytes.normalize_batch` gives the same bytes for a
whole batch, through the native core. This module needs neither numpy nor the native core:
`import neardup` gets `normalize` without loading them.
"""

from __future__ import annotations

import html
import re
import unicodedata

_QUOTES = "'‘’‚‛′‵ʹʼˈ`´"
_DOUBLE_QUOTES = '"“”„‟″‶«»'
_DASHES = "‐‑‒–—―−⁃﹘﹣－"


#: The ASCII part of the fold table: control characters to spaces, the backtick to a quote.
_ASCII_FOLD = {**{cp: " " for cp in range(0x20)}, 0x7F: " ", ord("`"): "'"}


#: Typographic marks to ASCII, and the ASCII control characters to a space.
_MARKS = {
    **{ord(c): "'" for c in _QUOTES},
    **{ord(c): '"' for c in _DOUBLE_QUOTES},
    **{ord(c): "-" for c in _DASHES},
    **{cp: " " for cp in (*range(0x20), 0x7F)},
}


#: Where `folded` looks at a code point's category: planes 0-2 and the tag block hold every
#: assigned punctuation, symbol and control character (ASCII's own are changed by _MARKS only).
_BY_CATEGORY = (range(0x80, 0x30000), range(0xE0000, 0xE0080))
#: Code points with a fold (where :func:`folded` is not None) lie in these ranges.
FOLDED_RANGES = (range(0x80), *_BY_CATEGORY)


def folded(cp: int) -> str | None:
    """What the fold table makes of a code point: a typographic mark its ASCII form, other
    punctuation, symbols, separators and control characters (not private-use or unassigned
    ones) a space; None where it stays."""
    if cp in _MARKS:
        return _MARKS[cp]
    if not any(cp in codes for codes in _BY_CATEGORY):
        return None
    category = unicodedata.category(chr(cp))
    return " " if category[0] in "PSZC" and category not in ("Co", "Cn") else None


class _FoldTable(dict[int, str]):
    """:func:`folded` as a translation table for `str.translate`, which looks up each code point
    when it first meets it (building the whole table took a tenth of a second)."""

    def __missing__(self, cp: int) -> str:
        value = folded(cp)
        self[cp] = chr(cp) if value is None else value
        return self[cp]


FOLD = _FoldTable()


def normalize(text: str) -> str:
    """The normal form of a text; two texts whose normal forms have the same words are `exact`.

    >>> normalize("“Hello” — WORLD…")
    '"hello" - world...'
    """
    if "&" in text:
        text = html.unescape(text)
    if text.isascii():  # the same result, without the Unicode steps
        return " ".join(text.translate(_ASCII_FOLD).lower().split())
    text = unicodedata.normalize("NFKC", text).casefold().replace("`", "'")
    # Only the runs outside printable ASCII need the (slow, per character) table.
    return " ".join(_SPECIAL.sub(_fold_run, text).split())


_SPECIAL = re.compile(r"[^\x20-\x7e]+")


def _fold_run(run: re.Match[str]) -> str:
    return run.group().translate(FOLD)
