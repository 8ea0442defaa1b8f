"""Normal forms of whole batches, as UTF-8 bytes in one buffer: :func:`normalize_batch`.

Python decodes entities and applies NFKC (the only steps of `normalize.normalize` that look at
more than one character), and the native core does the rest per code point with
:func:`code_point_table`: the same bytes as `normalize.normalize` gives each text.
"""

from __future__ import annotations

import html
import unicodedata
from functools import cache

import numpy as np

from neardup.core import kernel
from neardup.core.normalize import fold_table

#: Code points below this are mapped by the native core's table; above it only the tag block
#: changes.
TABLE_SIZE = 0x30000


@cache
def casefolded() -> list[str]:
    """`chr(cp).casefold()` for every code point below TABLE_SIZE (every cased one is)."""
    return [chr(cp).casefold() for cp in range(TABLE_SIZE)]


@cache
def casefold_table(ascii_only: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code_points, starts, pool): what `str.casefold` changes, for the native core's line
    keys: code point code_points[i] (ascending) becomes the UTF-8 bytes
    pool[starts[i]:starts[i + 1]]. With `ascii_only`, only the ASCII part (for ASCII texts,
    without building the whole)."""
    folded = casefolded() if not ascii_only else [chr(cp).casefold() for cp in range(128)]
    changed = [cp for cp, f in enumerate(folded) if f != chr(cp)]
    encoded = [folded[cp].encode("utf-8", "surrogatepass") for cp in changed]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=starts[1:])
    pool = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return np.array(changed, dtype=np.uint32), starts, pool


@cache
def code_point_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, pool, spaced): code point c below TABLE_SIZE becomes the UTF-8 bytes
    pool[starts[c]:starts[c + 1]]; above it, the code points in `spaced` (the tag characters)
    become a space and the others stay.

    Each entry is what `normalize.normalize` makes of one character once NFKC has been applied:
    case folded, then folded to ASCII punctuation or a space. Casefolding and the fold table
    look at one character at a time, so applying the entries one by one gives the same text.
    """
    fold = fold_table()
    codes = np.arange(TABLE_SIZE)
    widths = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
    places = np.zeros(TABLE_SIZE + 1, dtype=np.int64)
    np.cumsum(widths, out=places[1:])
    unchanged = "".join(map(chr, range(TABLE_SIZE))).encode("utf-8", "surrogatepass")
    folded = casefolded()
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
    starts = np.zeros(TABLE_SIZE + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    spaced = np.array(sorted(cp for cp in fold if cp >= TABLE_SIZE), dtype=np.int64)
    return starts, np.frombuffer(b"".join(pieces), dtype=np.uint8), spaced


def normalize_batch(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of every text's normal form, in one buffer, and the offsets into it.

    >>> data, offsets = normalize_batch(["“Hello” — WORLD…", "Straße"])
    >>> [bytes(data[offsets[d]:offsets[d + 1]]).decode() for d in range(2)]
    ['"hello" - world...', 'strasse']
    """
    prepared = [before_table(t) for t in texts]
    encoded = [t.encode("utf-8", "surrogatepass") for t in prepared]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return kernel.normalize_utf8(data, offsets, *table_for(prepared))


def before_table(text: str) -> str:
    """The steps of `normalize.normalize` that need context: entities, then NFKC (the same
    object where neither changes anything)."""
    if "&" in text:
        text = html.unescape(text)
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def table_for(prepared: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The table for texts that `before_table` prepared: for ASCII alone, no need to build the
    whole one."""
    return _ASCII_TABLE if all(t.isascii() for t in prepared) else code_point_table()


def _ascii_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pool = bytes(range(128)).translate(
        bytes.maketrans(
            bytes(range(0x20)) + b"\x7f`" + bytes(range(65, 91)),
            b" " * 0x21 + b"'" + bytes(range(97, 123)),
        )
    )
    nothing = np.empty(0, dtype=np.int64)
    return np.arange(129, dtype=np.int64), np.frombuffer(pool, dtype=np.uint8), nothing


#: The table for batches that are all ASCII: no need to build the whole one.
_ASCII_TABLE = _ascii_table()
