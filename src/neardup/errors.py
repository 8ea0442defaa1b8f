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


__all__ = ["InputError", "NeardupError", "OptionsError", "OutputError"]
