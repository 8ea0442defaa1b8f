"""Normal forms of whole batches, as UTF-8 bytes in one buffer: :func:`normalize_batch`.

Python decodes entities and applies NFKC (the only steps of `normalize.normalize` that look at
more than one character), and the native core does the rest per code point with
:func:`code_point_table`: the same bytes as `normalize.normalize` gives each text.
"""

from __future__ import annotations

import html
import itertools
import unicodedata
from functools import cache

import numpy as np

from neardup.core import kernel
from neardup.core.normalize import FOLDED_RANGES, folded

#: Code points below this are mapped by the native core's table; above it only the tag block
#: changes.
TABLE_SIZE = 0x30000


#: What a table changes: code point code_points[i] (ascending) becomes the UTF-8 bytes
#: pool[starts[i]:starts[i + 1]] (uint32, int64, uint8 arrays).
Changes = tuple[np.ndarray, np.ndarray, np.ndarray]


#: Code points whose NFKC quick check is not YES or whose combining class is not 0, each with
#: 0 (not YES) or 1 + its combining class (uint32, uint8 arrays): every other code point below
#: TABLE_SIZE is YES with class 0 (:func:`built_tables`).
QuickCheck = tuple[np.ndarray, np.ndarray]
#: What :func:`built_tables` makes: (fold changes, spaced, casefold changes, quick check).
Tables = tuple[Changes, np.ndarray, Changes, QuickCheck]


@cache
def unicode_tables() -> Tables:
    """(fold changes, spaced, casefold changes, quick check): see :func:`built_tables`. The
    native core ships them for Unicode 14.0.0, Python 3.11's; a Python of another Unicode
    version builds its own (0.1-0.2 s, once a process)."""
    if unicodedata.unidata_version == kernel.UNICODE_VERSION:
        return kernel.shipped_tables()
    return built_tables()


def built_tables() -> Tables:
    """What this Python's `unicodedata` makes of each code point, as the native core applies it:

    - fold changes: what `normalize.normalize` makes of each code point below TABLE_SIZE once
      NFKC has been applied (case folded, then folded to ASCII punctuation or a space), where
      that is not the code point itself. Casefolding and the fold table look at one character
      at a time, so applying the entries one by one gives the same text.
    - spaced: the code points from TABLE_SIZE on that become a space (the tag characters).
    - casefold changes: what `str.casefold` changes (every cased code point is below
      TABLE_SIZE), for the line keys of `furniture.line_key`.
    - quick check: what NFKC's quick check says of the code points below TABLE_SIZE, with their
      combining classes: a text whose check says YES is its own NFKC form, which the native
      core then knows without asking Python (`before_table`).
    """
    fold = {cp: f for cp in itertools.chain(*FOLDED_RANGES) if (f := folded(cp)) is not None}
    casefolded = [chr(cp).casefold() for cp in range(TABLE_SIZE)]
    casefold = {cp: f for cp, f in enumerate(casefolded) if f != chr(cp)}
    normal = {
        cp: "".join(
            c if 0x20 <= ord(c) <= 0x7E and c != "`" else fold.get(ord(c), c)
            for c in casefolded[cp]
        )
        for cp in sorted(casefold.keys() | {cp for cp in fold if cp < TABLE_SIZE})
    }
    spaced = np.array(sorted(cp for cp in fold if cp >= TABLE_SIZE), dtype=np.int64)
    return _changes(normal), spaced, _changes(casefold), _quick_check()


def _quick_check() -> QuickCheck:
    """NFKC's quick check of each code point below TABLE_SIZE, and its combining class.

    `unicodedata` does not say what the check says of a code point, but `normalize` returns its
    very argument where the check says YES (and a new string where it does not): after "a",
    whose class is 0, only the code point's own answer counts.
    """
    values = {}
    for cp in range(TABLE_SIZE):
        text = "a" + chr(cp)
        yes = unicodedata.normalize("NFKC", text) is text
        value = 1 + unicodedata.combining(chr(cp)) if yes else 0
        if value != 1:
            values[cp] = value
    return np.array(list(values), dtype=np.uint32), np.array(list(values.values()), np.uint8)


def _changes(mapping: dict[int, str]) -> Changes:
    code_points = sorted(cp for cp, s in mapping.items() if s != chr(cp))
    encoded = [mapping[cp].encode("utf-8", "surrogatepass") for cp in code_points]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=starts[1:])
    pool = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return np.array(code_points, dtype=np.uint32), starts, pool


def serialized(tables: Tables) -> bytes:
    """The tables as the native core ships them (`native/kernels/src/unicode-*.bin`): the
    lengths of the nine arrays (uint64), then the arrays, little-endian."""
    fold, spaced, casefold, (check_points, check_values) = tables
    (fold_points, fold_starts, fold_pool), (case_points, case_starts, case_pool) = fold, casefold
    arrays = [
        fold_points.astype("<u4"),
        fold_starts.astype("<i8"),
        fold_pool,
        spaced.astype("<i8"),
        case_points.astype("<u4"),
        case_starts.astype("<i8"),
        case_pool,
        check_points.astype("<u4"),
        check_values,
    ]
    lengths = np.array([a.size for a in arrays], dtype="<u8")
    return lengths.tobytes() + b"".join(a.tobytes() for a in arrays)


@cache
def casefold_table(ascii_only: bool = False) -> Changes:
    """What `str.casefold` changes, for the native core's line keys. With `ascii_only`, only
    the ASCII part (for ASCII texts: no need for the whole)."""
    if ascii_only:
        return _changes({cp: chr(cp).casefold() for cp in range(128)})
    return unicode_tables()[2]


@cache
def code_point_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, pool, spaced): code point c below TABLE_SIZE becomes the UTF-8 bytes
    pool[starts[c]:starts[c + 1]]; above it, the code points in `spaced` become a space and the
    others stay (:func:`built_tables`)."""
    fold, spaced, _, _ = unicode_tables()
    starts, pool = kernel.dense_table(*fold, TABLE_SIZE)
    return starts, pool, spaced


@cache
def quick_check_table() -> np.ndarray:
    """NFKC's quick check of each code point below TABLE_SIZE (uint8): 0 where it does not say
    YES, else 1 + the code point's combining class (:func:`built_tables`)."""
    points, values = unicode_tables()[3]
    table = np.ones(TABLE_SIZE, dtype=np.uint8)
    table[points] = values
    return table


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


if __name__ == "__main__":
    # Writes the tables the native core ships: python -m neardup.core.normal_bytes > FILE
    import sys

    sys.stdout.buffer.write(serialized(built_tables()))
