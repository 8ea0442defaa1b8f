"""Text normalization: the differences that never make two texts different documents.

HTML entities are decoded, Unicode is NFKC-normalized (so "…" becomes "..."), case is folded,
typographic quotes and dashes become ASCII, other non-ASCII punctuation, symbols and control
characters become spaces, and runs of white space collapse to one space. ASCII punctuation stays
(the alignment shows it), but only separates words: two texts whose normal forms have the same
words (`tokens.tokens`) are `exact` copies (their exact keys, `Sketches.exact_keys`, are
keys of their words).

:func:`normalize` is the definition. :func:`normalize_batch` gives the same bytes for a whole
batch: Python decodes entities and applies NFKC (the only steps that look at more than one
character), and the kernel does the rest per code point with :func:`code_point_table`.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from functools import cache

import numpy as np

_QUOTES = "'‘’‚‛′‵ʹʼˈ`´"
_DOUBLE_QUOTES = '"“”„‟″‶«»'
_DASHES = "‐‑‒–—―−⁃﹘﹣－"


#: The ASCII part of the fold table: control characters to spaces, the backtick to a quote.
_ASCII_FOLD = {**{cp: " " for cp in range(0x20)}, 0x7F: " ", ord("`"): "'"}


@cache
def _fold_table() -> dict[int, str]:
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
    return run.group().translate(_fold_table())


#: Code points below this are mapped by the kernel's table; above it only the tag block changes.
TABLE_SIZE = 0x30000


@cache
def code_point_table() -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """(starts, pool, growth, spaced): code point c below TABLE_SIZE becomes the UTF-8 bytes
    pool[starts[c]:starts[c + 1]], at most `growth` times as many bytes as it had; above it, the
    code points in `spaced` (the tag characters) become a space and the others stay.

    Each entry is what :func:`normalize` makes of one character once NFKC has been applied:
    case folded, then folded to ASCII punctuation or a space. Casefolding and the fold table
    look at one character at a time, so applying the entries one by one gives the same text.
    """
    fold = _fold_table()
    codes = np.arange(TABLE_SIZE)
    widths = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
    places = np.zeros(TABLE_SIZE + 1, dtype=np.int64)
    np.cumsum(widths, out=places[1:])
    unchanged = "".join(map(chr, range(TABLE_SIZE))).encode("utf-8", "surrogatepass")
    folded = [chr(cp).casefold() for cp in range(TABLE_SIZE)]
    changed = sorted(
        {cp for cp in range(TABLE_SIZE) if len(folded[cp]) > 1 or ord(folded[cp]) != cp}
        | {cp for cp in fold if cp < TABLE_SIZE}
    )
    pieces = []
    lengths = widths.copy()
    done = 0
    for cp in changed:
        kept = "".join(
            c if 0x20 <= ord(c) <= 0x7E and c != "`" else fold.get(ord(c), c) for c in folded[cp]
        ).encode("utf-8", "surrogatepass")
        pieces += [unchanged[places[done] : places[cp]], kept]
        lengths[cp] = len(kept)
        done = cp + 1
    pieces.append(unchanged[places[done] :])
    growth = int(np.max(-(-lengths // widths)))
    starts = np.zeros(TABLE_SIZE + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    spaced = np.array(sorted(cp for cp in fold if cp >= TABLE_SIZE), dtype=np.int64)
    return starts, np.frombuffer(b"".join(pieces), dtype=np.uint8), growth, spaced


def normalize_batch(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of every text's normal form, in one buffer, and the offsets into it.

    >>> data, offsets = normalize_batch(["“Hello” — WORLD…", "Straße"])
    >>> [bytes(data[offsets[d]:offsets[d + 1]]).decode() for d in range(2)]
    ['"hello" - world...', 'strasse']
    """
    prepared = [_before_table(t) for t in texts]
    encoded = [t.encode("utf-8", "surrogatepass") for t in prepared]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    table = _ASCII_TABLE if all(t.isascii() for t in prepared) else code_point_table()
    # Imported here: `import neardup` (and a pre-pass worker) gets `normalize` without numba.
    from neardup.core import kernel

    return kernel.normalize_utf8(data, offsets, *table)


def _before_table(text: str) -> str:
    """The steps of :func:`normalize` that need context: entities, then NFKC."""
    if "&" in text:
        text = html.unescape(text)
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _ascii_table() -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    pool = bytes(range(128)).translate(
        bytes.maketrans(
            bytes(range(0x20)) + b"\x7f`" + bytes(range(65, 91)),
            b" " * 0x21 + b"'" + bytes(range(97, 123)),
        )
    )
    nothing = np.empty(0, dtype=np.int64)
    return np.arange(129, dtype=np.int64), np.frombuffer(pool, dtype=np.uint8), 1, nothing


#: The table for batches that are all ASCII: no need to build the whole one.
_ASCII_TABLE = _ascii_table()
