"""Page furniture: text a scraper glued into an article that is not part of the story.

Two sources:
- a small list of patterns (below), for furniture that a single document already shows;
- lines that recur in many different documents of a corpus (as CCNet's paragraph hashing does),
  found by :func:`recurring_lines` (in one process) or from :func:`line_pairs` listed
  elsewhere (by the native core from the bytes of JSONL files, in Spark's executors).

Furniture headlines ("SEE ALSO: …") are often glued to the next sentence without a space
("…Moscow Used ICBMThe Kremlin, which…"); :func:`split_furniture` cuts them off where a new
capitalised word starts right after a letter: the last such place among the headline's Title-Case
words (a headline capitalises its words, while the sentence glued to it soon has a lower-case
one), so that a headline keeps its quoted words, numbers and camel-case names whole.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import xxhash

from neardup.core import kernel
from neardup.core.normal_bytes import casefold_table
from neardup.options import Options

#: The headlines that introduce a link to another story.
HEADLINES = (
    "SEE ALSO",
    "ALSO READ",
    "READ MORE",
    "READ ALSO",
    "RELATED",
    "MORE",
    "WATCH",
    "LISTEN",
    "RECOMMENDED",
)
#: A link headline, up to the end of the line or the glue.
LINK_HEADLINE = re.compile(rf"^\s*(?:{'|'.join(HEADLINES)})\s*:", re.IGNORECASE)
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
#: The first word of every line that FURNITURE_LINE or LINK_HEADLINE matches, in lower case (as
#: the native core reads a line's first word: `screen.rs`). Only the texts with a line that
#: starts with one of them (or with a recurring line) are stripped in Python, when the native
#: core reads JSONL: a pattern with another first word must add it here.
FIRST_WORDS = (
    *("your", "advertisement", "sponsored", "scroll", "sign", "subscribe", "click", "tap"),
    *("share", "copyright", "©", "all"),
    *dict.fromkeys(h.split()[0].lower() for h in HEADLINES),
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
#: Quote marks, by kind: a glued quote ends the headline where it closes a quotation opened in it
#: ("…'Tops League'A spokesman…"), or starts the sentence where it opens one ("…Demands\"The…").
_DOUBLE_QUOTES = '"“”'
_SINGLE_QUOTES = "'‘’"
_QUOTES = _DOUBLE_QUOTES + _SINGLE_QUOTES
#: Words that a Title-Case headline leaves in lower case.
_MINOR_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "off"}
    | {"on", "onto", "or", "over", "per", "so", "the", "to", "up", "v", "via", "vs", "with", "yet"}
)
_WORD = re.compile(r"\S+")
#: What may stand before a word's first letter, and after its last.
_OPENING = "\"“‘'([{"
_CLOSING = "\"”’').,;:!?)]}"


def is_furniture_line(line: str) -> bool:
    """Whether a whole line is furniture by the patterns."""
    return FURNITURE_LINE.match(line) is not None


def split_furniture(line: str) -> tuple[str, str]:
    """(furniture headline, rest of the line) for a line that starts with one; else ("", line)."""
    head = LINK_HEADLINE.match(line)
    if head is None:
        return "", line
    cut = _glued_sentence_start(line, head.end())
    if cut is None:
        return line, ""
    more, rest = split_furniture(line[cut:])  # two link headlines in a row
    return line[:cut] + more, rest


def _glued_sentence_start(line: str, start: int) -> int | None:
    """Where the sentence glued to the headline that starts at `start` begins: the last glue
    point among the headline's Title-Case words, else (a headline in sentence case) the first."""
    title_end = _title_case_end(line, start)
    last = None
    for point in _glue_points(line, start):
        if point >= title_end:
            return point if last is None else last
        last = point
    return last


def _title_case_end(line: str, start: int) -> int:
    """Where the run of Title-Case words from `start` ends: at the first word in lower case
    ("iPhone" is not) that is not a minor word ("of", "to", …)."""
    for word in _WORD.finditer(line, start):
        letters = word.group().lstrip(_OPENING)
        lower_case = letters[:1].islower() and letters.islower()
        if lower_case and letters.rstrip(_CLOSING) not in _MINOR_WORDS:
            return word.start()
    return len(line)


def _glue_points(line: str, start: int) -> Iterator[int]:
    """The places after `start` where a sentence may start glued to the text before it."""
    for glue in _GLUE.finditer(line, start):
        point = glue.start()
        if not line[start:point].strip():
            continue  # inside the headline's first word
        before, after = line[point - 1], line[point]
        if before in _QUOTES and not _quotation_open(line, start, point - 1):
            continue  # after an opening quote or an apostrophe ("O'Brien")
        if after in _QUOTES and (after in "'’" or _quotation_open(line, start, point)):
            continue  # before a closing quote or an apostrophe: the cut is after it, if anywhere
        yield point


def _quotation_open(line: str, start: int, quote: int) -> bool:
    """Whether a quotation of the kind of the quote mark at `quote` is open before it (since
    `start`): it closes that one. A mark after white space opens, one before it closes, one
    between two letters is an apostrophe."""
    kind = _DOUBLE_QUOTES if line[quote] in _DOUBLE_QUOTES else _SINGLE_QUOTES
    is_open = False
    for k in range(start, quote):
        mark = line[k]
        if mark not in kind:
            continue
        if mark in "“‘" or line[k - 1].isspace() or line[k - 1] in "([{":
            is_open = True
        elif mark == "”" or line[k + 1].isspace() or line[k + 1] in _CLOSING:
            is_open = False
    return is_open


#: Lines of more words are running text, never furniture: they are not counted as recurring.
MAX_LINE_WORDS = 60


def line_key(line: str) -> int:
    """A fingerprint of a line, blind to case and white space (cheaper than full normalization:
    recurring furniture is the same string each time)."""
    return xxhash.xxh3_64_intdigest(" ".join(line.casefold().split()).encode("utf-8", "replace"))


#: Texts whose lines are listed at a time by :func:`recurring_lines`: their (text, line) keys
#: are kept as 16-byte pairs, not as Python objects.
TEXTS_PER_CHUNK = 10_000


def recurring_lines(
    texts: Iterable[str], *, min_docs: int, max_words: int = MAX_LINE_WORDS
) -> set[int]:
    """Keys of the lines (of at most `max_words` words) found in at least `min_docs` texts.

    Identical texts count once, so the copies of one story do not make its lines furniture. The
    one-process form of the count: the native read of JSONL files (`io/native_jsonl.py`) and
    the Spark engine list :func:`line_pairs` where the texts are, and merge them with the same
    functions.
    """
    texts = iter(texts)
    chunks = iter(lambda: list(itertools.islice(texts, TEXTS_PER_CHUNK)), [])
    return recurring_of_pairs((line_pairs(chunk, max_words) for chunk in chunks), min_docs=min_docs)


def recurring_of_pairs(pairs: Iterable[np.ndarray], *, min_docs: int) -> set[int]:
    """:func:`recurring_lines` of the texts whose (text key, line key) rows these are."""
    rows = np.concatenate([np.empty((0, 2), np.uint64), *pairs])
    return frequent_lines(*texts_per_line(rows), min_docs=min_docs)


def line_pairs(texts: Iterable[str], max_words: int = MAX_LINE_WORDS) -> np.ndarray:
    """(text key, line key) rows, uint64, for every line short enough to be furniture of each
    distinct text (identical texts are listed once): the keys of `line_key` (and of the whole
    text), computed by the native core on every core (`reference.line_pairs` defines them)."""
    texts = list(texts)
    fold = casefold_table(ascii_only=all(t.isascii() for t in texts))
    return kernel.line_pairs(texts, max_words, *fold)


def line_pairs_utf8(
    data: np.ndarray, offsets: np.ndarray, max_words: int = MAX_LINE_WORDS
) -> np.ndarray:
    """:func:`line_pairs` of the texts `data[offsets[d]:offsets[d + 1]]` (UTF-8), read in place."""
    return kernel.line_pairs_utf8(data, offsets, max_words, *casefold_table())


def line_pairs_jsonl(
    block: np.ndarray, id_field: str, text_field: str, max_words: int = MAX_LINE_WORDS
) -> tuple[int, np.ndarray | None]:
    """How many lines a block of whole JSONL lines has, and :func:`line_pairs` of its records'
    texts, parsed and keyed on every core with nothing else kept; None where a record is not
    the simple case that `kernel.read_jsonl` reads (Python must read the block)."""
    return kernel.jsonl_line_pairs(block, id_field, text_field, max_words, *casefold_table())


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


def short_line(line: str, max_words: int = MAX_LINE_WORDS) -> bool:
    """Whether a line has 1 to `max_words` words: only such lines are counted as recurring."""
    # Splitting at most max_words times stops early on the long lines of running text.
    return 0 < len(line.split(maxsplit=max_words)) <= max_words


def strip_furniture(text: str, recurring: set[int] | frozenset[int] = frozenset()) -> str:
    """The text without furniture lines, glued headlines, and lines recurring across a corpus.

    The same object is returned where there is nothing to leave out.
    """
    kept = []
    changed = False
    for line in text.splitlines():
        if is_furniture_line(line) or (
            recurring and short_line(line) and line_key(line) in recurring
        ):
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
