"""Split a text into sentences, marking page furniture, for the alignment of two texts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from neardup.core.furniture import is_furniture_line, split_furniture
from neardup.core.tokens import UNSPACED

# A sentence ends at . ! ? or … (maybe followed by closing quotes or brackets) before white space
# and a capital letter, digit, opening quote or a character of a script written without spaces;
# or at a Chinese or Japanese full stop, exclamation or question mark or semicolon (maybe followed
# by closing quotes or brackets), before anything but a comma: those scripts put no space after
# them.
_BOUNDARY = re.compile(
    f'(?<=[.!?…])["”’\')\\]]*\\s+(?=["“‘(\\[]?[A-Z0-9{UNSPACED}])'
    "|(?<=[。！？；｡])[」』”’）】〕〉》\"')\\]]*\\s*(?=[^\\s，、,])"
)
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:[A-Z]\.)+[A-Z]?|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Col|Lt|Sgt|Capt|Sen|Rep|Gov|"
    r"Rev|Jr|Sr|Inc|Corp|Ltd|Co|No|vs|etc|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|U\.S|U\.K))\.$"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text, or a piece of its furniture, with its paragraph number."""

    text: str
    paragraph: int
    furniture: bool = False


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph; abbreviations such as "U.S." do not end one."""
    pieces: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(paragraph):
        candidate = paragraph[start : boundary.start()].rstrip()
        closing = paragraph[boundary.start() : boundary.end()].strip()
        if _ABBREVIATION.search(candidate) and not closing:
            continue
        pieces.append((candidate + closing).strip())
        start = boundary.end()
    pieces.append(paragraph[start:].strip())
    return [p for p in pieces if p]


def segments(text: str) -> list[Sentence]:
    """Sentences and furniture of a text, in order; each line is a paragraph."""
    out: list[Sentence] = []
    for number, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        if is_furniture_line(line):
            out.append(Sentence(line.strip(), number, furniture=True))
            continue
        furniture, rest = split_furniture(line)
        if furniture:
            out.append(Sentence(furniture.strip(), number, furniture=True))
        out.extend(Sentence(s, number) for s in sentences(rest))
    return out
