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
import itertools
import re
import unicodedata
from functools import cache

_QUOTES = "'‘’‚‛′‵ʹʼˈ`´"
_DOUBLE_QUOTES = '"“”„‟″‶«»'
_DASHES = "‐‑‒–—―−⁃﹘﹣－"


#: The ASCII part of the fold table: control characters to spaces, the backtick to a quote.
_ASCII_FOLD = {**{cp: " " for cp in range(0x20)}, 0x7F: " ", ord("`"): "'"}


@cache
def fold_table() -> dict[int, str]:
    """Translation table: typographic marks to ASCII; other non-ASCII punctuation to a space."""
    table: dict[int, str] = {}
    # Planes 0-2 and the tag block hold every assigned punctuation, symbol and control character.
    for cp in itertools.chain(range(0x80, 0x30000), range(0xE0000, 0xE0080)):
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
    return run.group().translate(fold_table())
