"""The one exception tree of neardup.

Every error a user can cause is a :class:`NeardupError`; the CLI prints its message on one line and
exits with status 2, never with a traceback.
"""

from __future__ import annotations

import re

#: Characters that would break a message's one line, or hide in it: C0 and C1 controls, and the
#: Unicode line and paragraph separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    r"""`text` with line breaks and other control characters written as escapes.

    An id, a field name or a library's message can hold a line break; an error stays one line.

    >>> print(one_line("duplicate id 'a\nb\x0f'"))
    duplicate id 'a\nb\x0f'
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class NeardupError(Exception):
    """Base class of every error neardup raises on purpose; its message is always one line."""

    def __init__(self, message: str = "") -> None:
        super().__init__(one_line(str(message)))


class InputError(NeardupError):
    """The input cannot be read: a missing file, malformed JSON, a missing field, a duplicate id.

    The message names the file and, where there is one, the line or row.
    """


class OptionsError(NeardupError, ValueError):
    """An option is out of range or options contradict each other."""


class OutputError(NeardupError):
    """An output cannot be written (unknown extension, unwritable folder)."""


class IndexFormatError(NeardupError):
    """A file is not a neardup index, or one of a format version this neardup does not read.

    The message names both format versions; an index is never silently misread.
    """


class EngineUnavailable(NeardupError):
    """An optional part needs a package that is not installed; the message says which extra."""


class ConvergenceError(NeardupError):
    """A distributed iteration (connected components on Spark) did not settle within its bound."""


#: How many characters of a user's value (an id, an input) an error message repeats.
SHOWN_CHARACTERS = 80


def shortened(value: str) -> str:
    """`value` for an error message: whole when short, else its start and its length.

    An id can be any string: a message repeating a 1 MB id whole would not be one line anyone reads.

    >>> shortened("politics/043.txt")
    'politics/043.txt'
    >>> shortened("x" * 100_000) == "x" * 80 + "…(100,000 characters)"
    True
    """
    if len(value) <= SHOWN_CHARACTERS:
        return value
    return f"{value[:SHOWN_CHARACTERS]}…({len(value):,} characters)"


__all__ = [
    "ConvergenceError",
    "EngineUnavailable",
    "IndexFormatError",
    "InputError",
    "NeardupError",
    "OptionsError",
    "OutputError",
    "one_line",
    "shortened",
]
