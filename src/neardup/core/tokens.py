"""Tokens of a normalized text, in plain Python: the native core's tokenization (`text.rs`),
for the specification of the second look (`charlook_reference.py`), which aligns words, and for
the reference definitions that the tests hold the native core to (`reference.py`)."""

from __future__ import annotations

import re

from neardup.core.normalize import normalize

#: The characters of scripts written without spaces (Thai, Lao, Myanmar, Khmer, kana, CJK), for
#: a regular expression's character class: each is a token of its own (the native core's
#: `is_unspaced`).
UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003ffff"
)


#: A character of a script written without spaces, or a run of the other word characters (ASCII
#: letters and digits, non-ASCII characters).
_TOKEN = re.compile(f"[{UNSPACED}]|[^\\x00-/:-@\\[-`{{-\\x7f{UNSPACED}]+")


def tokens(normalized: str) -> list[str]:
    """Runs of ASCII letters and digits or other non-ASCII characters; unspaced scripts per char."""
    return _TOKEN.findall(normalized)


def words(text: str) -> list[str]:
    """The words of a raw text as they are compared: the tokens of its normal form (punctuation
    left out, one character a word in scripts written without spaces)."""
    return tokens(normalize(text))
