"""Page furniture: text a scraper glued into an article that is not part of the story.

Two sources:
- a small list of patterns (below), for furniture that a single document already shows;
- lines that recur in many different documents of a corpus (as CCNet's paragraph hashing does),
  found by :func:`recurring_lines` (in one process) or from :func:`line_pairs` listed
  elsewhere (on every core, in Spark's executors).

Furniture headlines ("SEE ALSO: …") are often glued to the next sentence without a space
("…Moscow Used ICBMThe Kremlin, which…"); :func:`split_furniture` cuts them off where a new
capitalised word starts right after a letter.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import xxhash

from neardup.options import Options

#: A headline that introduces a link to another story, up to the end of the line or the glue.
LINK_HEADLINE = re.compile(
    r"^\s*(?:SEE ALSO|ALSO READ|READ MORE|READ ALSO|RELATED|MORE|WATCH|LISTEN|RECOMMENDED)\s*:",
    re.IGNORECASE,
)
#: Whole lines that are furniture wherever they appear: one pattern, so that a line of running
#: text is turned down by one match call (seven calls took nearly four times as long).
FURNITURE_LINE = re.compile(
    r"^\s*(?:"
    + "|".join(
        f"(?:{p})"
        for p in (
            r"your browser (?:does ?n[o']t|does not|doesn[’']t) support (?:html5|the video tag|"
            r"the audio element|iframes?)\.?\s*$",
            r"(?:advertisement|sponsored content|scroll to continue(?: with content)?)\s*$",
            r"(?:sign up|subscribe) (?:for|to) (?:our|the) [\w\s]{0,40}newsletters?\.?\s*$",
            r"(?:click|tap) here to [^.]{0,80}\.?\s*$",
            r"(?:share|share this|share on (?:facebook|twitter|x|whatsapp|email))\s*$",
            r"(?:copyright|©)\s.{0,120}$",
            r"all rights reserved\.?\s*$",
        )
    )
    + ")",
    re.IGNORECASE,
)
#: Where a glued sentence starts: right after a letter, digit, end mark, closing quote or
#: bracket, a capitalised word, an acronym ("US", "IMF") or a one-letter word ("A", "I"),
#: maybe after an opening quote. (`neardup eval news-benchmark` measured the misses of the
#: capitalised word alone: "…Bush victoryUS prosecutors…", "…(Fri)The guitarist…".)
_GLUE = re.compile(
    r"(?<=[A-Za-z0-9.!?'\"’”)])(?=[\"“‘']?[A-Z][a-z])"
    # Acronyms and one-letter words only after a lower-case letter, digit, quote or bracket:
    # so "US" or "U.S." in a headline does not split.
    r"|(?<=[a-z0-9'\"’”)])(?=[\"“‘']?(?:[A-Z]{2,}\b|[A-Z]\s))"
)


def is_furniture_line(line: str) -> bool:
    """Whether a whole line is furniture by the patterns."""
    return FURNITURE_LINE.match(line) is not None


def split_furniture(line: str) -> tuple[str, str]:
    """(furniture headline, rest of the line) for a line that starts with one; else ("", line)."""
    head = LINK_HEADLINE.match(line)
    if head is None:
        return "", line
    glue = _GLUE.search(line, head.end())
    # The glue search must not stop inside the headline's first word.
    while glue is not None and line[head.end() : glue.start()].strip() == "":
        glue = _GLUE.search(line, glue.start() + 1)
    if glue is None:
        return line, ""
    rest = line[glue.start() :]
    more, rest = split_furniture(rest)  # two link headlines in a row
    return line[: glue.start()] + more, rest


def line_key(line: str) -> int:
    """A fingerprint of a line, blind to case and white space (cheaper than full normalization:
    recurring furniture is the same string each time)."""
    return xxhash.xxh3_64_intdigest(" ".join(line.casefold().split()).encode("utf-8", "replace"))


#: Texts whose lines are listed at a time by :func:`recurring_lines`: their (text, line) keys
#: are kept as 16-byte pairs, not as Python objects.
TEXTS_PER_CHUNK = 10_000


def recurring_lines(texts: Iterable[str], *, min_docs: int, max_words: int = 60) -> set[int]:
    """Keys of the lines (of at most `max_words` words) found in at least `min_docs` texts.

    Identical texts count once, so the copies of one story do not make its lines furniture. The
    one-process form of the count: the pre-pass on every core (`io/prescan.py`) and the Spark
    engine list :func:`line_pairs` where the texts are, and merge them with the same functions.
    """
    texts = iter(texts)
    chunks = [np.empty((0, 2), np.uint64)]
    while chunk := list(itertools.islice(texts, TEXTS_PER_CHUNK)):
        chunks.append(line_pairs(chunk, max_words))
    return frequent_lines(*texts_per_line(np.concatenate(chunks)), min_docs=min_docs)


def line_pairs(texts: Iterable[str], max_words: int = 60) -> np.ndarray:
    """(text key, line key) rows, uint64, for every line short enough to be furniture of each
    distinct text (identical texts are listed once)."""
    seen: set[int] = set()
    text_keys: list[int] = []
    line_keys: list[int] = []
    for text in texts:
        key = xxhash.xxh3_64_intdigest(text.encode("utf-8", "replace"))
        if key in seen:
            continue
        seen.add(key)
        lines = {line_key(line) for line in text.splitlines() if _short_line(line, max_words)}
        text_keys += [key] * len(lines)
        line_keys += lines
    return np.array([text_keys, line_keys], dtype=np.uint64).T.reshape(-1, 2)


def texts_per_line(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(line keys, how many distinct texts hold each) from (text key, line key) rows, in any
    order and with repeats."""
    if not pairs.size:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    distinct = np.ones(len(pairs), dtype=bool)
    distinct[1:] = (pairs[1:] != pairs[:-1]).any(axis=1)
    return np.unique(pairs[distinct, 1], return_counts=True)


def frequent_lines(lines: np.ndarray, counts: np.ndarray, *, min_docs: int) -> set[int]:
    """The lines held by at least `min_docs` distinct texts: the recurring furniture."""
    found = {int(k) for k in lines[counts >= min_docs]}
    found.discard(line_key(""))
    return found


def _short_line(line: str, max_words: int) -> bool:
    # Splitting at most max_words times stops early on the long lines of running text.
    return 0 < len(line.split(maxsplit=max_words)) <= max_words


def strip_furniture(text: str, recurring: set[int] | frozenset[int] = frozenset()) -> str:
    """The text without furniture lines, glued headlines, and lines recurring across a corpus.

    The same object is returned where there is nothing to leave out.
    """
    kept = []
    changed = False
    for line in text.splitlines():
        if is_furniture_line(line) or (recurring and line_key(line) in recurring):
            changed = True
            continue
        rest = split_furniture(line)[1]
        changed |= rest is not line
        kept.append(rest)
    return "\n".join(kept) if changed else text


@dataclass(frozen=True)
class Furniture:
    """What a run leaves out of the similarity as page furniture: nothing (`KEEP`), what the
    patterns find (`PATTERNS`), or that and `lines` (keys of lines recurring across a corpus).

    Exact copies are judged on the whole text whatever this says.
    """

    lines: frozenset[int] = frozenset()
    ignored: bool = True

    def strip(self, text: str) -> str:
        """The text as it is compared (the same object where nothing is left out)."""
        return strip_furniture(text, self.lines) if self.ignored else text


#: Every line counts (`--keep-furniture`).
KEEP = Furniture(ignored=False)
#: Furniture found by the patterns alone: what an index or `compare`, which know no corpus,
#: leave out.
PATTERNS = Furniture()


def furniture_of(options: Options) -> Furniture:
    """What is left out before any corpus is read: the patterns' furniture, unless kept."""
    return PATTERNS if options.ignore_furniture else KEEP
