"""The character classes of Python's `re` that the native fact reader (`kernel.fact_tokens`,
`kernel.text_facts`) needs, as this Python's `unicodedata` makes them: `\\s` (`str.isspace`),
`\\w` (`str.isalnum` or "_", also what `\\b` looks at) and `\\d` (`str.isdecimal`, with the
value `int` gives each such digit).

Rust's own `char` methods follow other definitions on some code points, so the core reads
these instead. It ships the table for Unicode 14.0.0 (Python 3.11's); a Python of another
Unicode version builds its own (about a second, once a process).
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache

import numpy as np

from neardup.core import kernel

#: The class bits of a table entry.
SPACE, WORD, DIGIT = 1, 2, 4


def built_char_table() -> np.ndarray:
    """The classes of every code point as ranges (uint32, ascending): entry `start << 8 |
    classes << 4 | digit` holds from code point `start` to the next entry's; a code point of a
    range of digits has the value `digit + (code point - start)` (a new range starts wherever
    that would not hold)."""
    entries = []
    last_classes, last_digit = -1, 0
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        classes = SPACE * c.isspace() | WORD * (c.isalnum() or c == "_") | DIGIT * c.isdecimal()
        digit = unicodedata.decimal(c) if classes & DIGIT else 0
        if classes != last_classes or (classes & DIGIT and digit != last_digit + 1):
            entries.append(cp << 8 | classes << 4 | digit)
        last_classes, last_digit = classes, digit
    return np.array(entries, dtype=np.uint32)


@cache
def char_table() -> np.ndarray:
    """The table the native fact reader is given: the shipped one where this Python's Unicode
    version is the core's, else :func:`built_char_table`."""
    if unicodedata.unidata_version == kernel.UNICODE_VERSION:
        return kernel.shipped_char_table()
    return built_char_table()


def serialized(table: np.ndarray) -> bytes:
    """The table as the native core ships it (`native/kernels/src/chars-*.bin`): little-endian
    uint32 entries."""
    return table.astype("<u4").tobytes()


if __name__ == "__main__":
    # Writes the table the native core ships: python -m neardup.core.char_classes > FILE
    sys.stdout.buffer.write(serialized(built_char_table()))
