"""The one exception tree of neardup.

Every error a user can cause is a :class:`NeardupError`; the CLI prints its message on one line and
exits with status 2, never with a traceback.
"""

from __future__ import annotations


class NeardupError(Exception):
    """Base class of every error neardup raises on purpose."""


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


__all__ = [
    "ConvergenceError",
    "EngineUnavailable",
    "IndexFormatError",
    "InputError",
    "NeardupError",
    "OptionsError",
    "OutputError",
]
