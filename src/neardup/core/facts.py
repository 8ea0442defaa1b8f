"""The facts of a text, and the rule that uses wording and facts together.

Thresholds on shared wording cannot separate the two kinds of pair a news desk cares most about:
- the same story in other words (a flash and the fuller report, a condensed or corrected edit):
  wording below both thresholds, but the same numbers, names, places, dates and quoted words;
- a template with other facts (the March estimate and the April one, one bank's prime-rate notice
  and another's): wording above the thresholds, other facts in the same places.

A text's facts (:func:`facts_of`) are numbers with their unit words, dates, months, weekdays,
names (capitalised words and runs of them, all-capital words, tickers such as <COBK>) and quoted
words, each with the words on either side of it (its slot). Two texts' facts are compared
(:func:`compare_facts`): a fact of one text *stands in place of* a fact of the other where both
are of one kind, neither is found in the other text, and they sit in the same slot (the same
word before or after them): the template's substitution, readable as "march → april". Facts
found in both texts agree.

The rule (:func:`facts_relation`), applied by :func:`facts_look` to the pairs where facts can
change the decision (every engine, the index and `compare` call it):
- a duplicate by its wording (`near-duplicate`, `contains`) with facts standing in place of
  others is a look-alike: `differs_only_in` is `numbers` where only numbers stand in place of
  others, else `facts`;
- a pair below both thresholds that still shares a good part of its wording (containment of
  the smaller text ≥ REWRITE_FLOOR), with no fact standing in place of another and the facts of
  the side with fewer mostly found in the other, is a `rewrite`: a version of the same story.
Both only where `facts_matter`; otherwise the pairs are left as they are.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import cached_property
from typing import Any, NamedTuple, Protocol

import numpy as np

from neardup.core.furniture import PATTERNS, Furniture
from neardup.core.verify import CONTAINS, NEAR_DUPLICATE, REWRITE, ScoredPairs
from neardup.options import Options

#: Pairs whose smaller text has less than this share of its word n-grams inside the other are
#: never rewrites: independent reports of one event share facts, not passages. (Candidates
#: from the fingerprints see any shared run of 8 words; this floor is above their share.)
REWRITE_FLOOR = 0.4
#: A rewrite needs at least this many distinct facts on the side with fewer, ...
REWRITE_MIN_FACTS = 4
#: ... and at least this share of them found in the other text.
REWRITE_SHARE = 0.9
#: A duplicate by its wording is a look-alike where facts standing in place of others are at
#: least this share of its facts that differ or agree: one figure corrected in a long report
#: that agrees on fifteen is the same story; one rate in a notice of five facts is another.
CHANGE_SHARE = 0.1
#: Two spellings of one name (a typo fixed, "Braodcasting" and "Broadcasting") are this
#: similar or more, character by character (difflib's ratio): not another name.
SAME_NAME = 0.8

# -- what a fact is ---------------------------------------------------------------------------

NUMBER, DATE, MONTH, WEEKDAY, NAME, QUOTE = "number", "date", "month", "weekday", "name", "quote"


def _words(text: str) -> list[str]:
    return text.split()


_MONTHS = _words(
    "january february march april may june july august september october november december"
)
#: Month names and their abbreviations, by their capitalised spelling.
MONTHS = {m.capitalize(): m for m in _MONTHS} | {
    "Jan": "january",
    "Feb": "february",
    "Mar": "march",
    "Apr": "april",
    "Jun": "june",
    "Jul": "july",
    "Aug": "august",
    "Sep": "september",
    "Sept": "september",
    "Oct": "october",
    "Nov": "november",
    "Dec": "december",
}
WEEKDAYS = frozenset(_words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday"))
#: Words after "May" that make it the month ("in May", "May 15" is found by its number).
_MAY_BEFORE = frozenset(
    _words("in of since until till by from to early late mid end last next this")
)
#: Unit words after a number, spelt one way: "5 mln dlrs" and "$5 million" are one fact.
UNITS = {
    "pct": "pct",
    "percent": "pct",
    "per": "pct",  # "per cent"
    "%": "pct",
    "mln": "mln",
    "million": "mln",
    "m": "mln",
    "bln": "bln",
    "billion": "bln",
    "bn": "bln",
    "trillion": "trillion",
    "dlrs": "dlrs",
    "dlr": "dlrs",
    "dollars": "dlrs",
    "dollar": "dlrs",
    "cts": "cts",
    "ct": "cts",
    "cents": "cts",
    "cent": "cts",
    "tonnes": "tonnes",
    "tonne": "tonnes",
    "tons": "tonnes",
    "ton": "tonnes",
    "yen": "yen",
    "marks": "marks",
    "francs": "francs",
    "pounds": "pounds",
    "stg": "stg",
    "barrels": "barrels",
    "bpd": "bpd",
    "shares": "shares",
    "pence": "pence",
    "p": "pence",
    "points": "points",
    "pts": "points",
    "ounces": "ounces",
    "ozs": "ounces",
    "bushels": "bushels",
    "acres": "acres",
    "years": "years",
    "year": "years",
    "months": "months",
    "weeks": "weeks",
    "days": "days",
}
#: Capitalised words that are not names where they start a name's run: function words that
#: begin sentences, and titles.
_NOT_NAMES = frozenset(
    _words(
        "The A An In On At But And Or He She It They We I You This That These Those Its His Her "
        "Their Our Your My For Of To With As By From If When While After Before Since Under Over "
        "Mr Mrs Ms Dr Sir Lord Prof So Then There Here What Who Which Why How Also Yet Not No "
        "All Some Any Each Both Such Many Most More Other Last Next Earlier Later Meanwhile "
        "However Although Though Because Shares Net Revs Qtly Div Pay Record Oper Shr Avg Sales "
        "Reuter Reuters Note Year Mths Qtr Nine Six Three"
    )
)
#: Folded to ASCII before tokens are read (the normal form's own folding, case kept).
_FOLD = str.maketrans({c: '"' for c in "“”„‟″«»"} | {c: "'" for c in "‘’‚‛′`´"})
_TOKEN = re.compile(
    r"""(?P<ticker><[A-Z][A-Z0-9.]{0,9}>)
      | (?P<number>(?<![A-Za-z0-9])\$?\d+(?:[,.]\d+)*(?:-\d+/\d+|/\d+)?%?)
      | (?P<word>[A-Za-z]+(?:\.[A-Za-z]+)+\.?|[A-Za-z][A-Za-z0-9]*(?:['&-][A-Za-z0-9]+)*)
      | (?P<quote>")
      | (?P<stop>[.!?;:]+(?=\s|$|")|\n\s*\n|\n[ \t]{2,})
      | (?P<comma>[,()])
    """,
    re.VERBOSE,
)
#: A word of a name's run that ends a name before the next: "Japan's", "Chicago-based".
_NAME_CUT = re.compile(r"(.+?)(?:'s|-[a-z].*)$")
#: A slot's side at the start or end of a sentence.
EDGE = "|"
#: Quotes longer than this are passages, not quoted words.
QUOTE_WORDS = 30


class Fact(NamedTuple):
    """One fact: its kind, its value as compared, as shown, and its slot (the words around)."""

    kind: str
    value: str
    shown: str
    before: str
    after: str


#: A wire text that says it corrects an earlier one: its facts that differ are corrections.
_CORRECTS = re.compile(r"\b(?:corrects?|corrected|correction|correcting)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Facts:
    """The facts of a text, in the order they stand, and whether the text says it corrects
    another (a corrected re-send: other facts in the same places, the same story)."""

    items: tuple[Fact, ...] = ()
    corrects: bool = False
    #: False for a text written mostly in capitals, whose names capitals cannot show.
    names: bool = True
    #: The text's fact-like tokens (:func:`fact_tokens`), which tell cheaply whether two texts
    #: can have facts in place of each other at all.
    tokens: frozenset[str] = frozenset()

    @property
    def facts(self) -> Facts:
        return self

    def without_names(self) -> Facts:
        return replace(self, items=tuple(f for f in self.items if f.kind != NAME))

    def distinct(self) -> dict[tuple[str, str], Fact]:
        """Each (kind, value) once, its first occurrence."""
        found: dict[tuple[str, str], Fact] = {}
        for fact in self.items:
            found.setdefault((fact.kind, fact.value), fact)
        return found

    def to_json(self) -> dict[str, Any]:
        items = [list(fact) for fact in self.items]
        tokens = sorted(self.tokens)
        return {"items": items, "corrects": self.corrects, "names": self.names, "tokens": tokens}

    @staticmethod
    def from_json(stored: Mapping[str, Any]) -> Facts:
        items = tuple(Fact(*row) for row in stored.get("items", ()))
        names, tokens = bool(stored.get("names", True)), frozenset(stored.get("tokens", ()))
        return Facts(items, bool(stored.get("corrects")), names, tokens)


class _Token(NamedTuple):
    kind: str  # ticker, number, word, quote, stop
    text: str


def _tokens(text: str) -> list[_Token]:
    text = unicodedata.normalize("NFKC", html.unescape(text)).translate(_FOLD)
    return [_Token(m.lastgroup or "", m.group()) for m in _TOKEN.finditer(text)]


def _number(text: str) -> str:
    """A number as compared: no currency sign or thousands separators, no trailing zeros.

    >>> [_number(n) for n in ("1,000", "$7.50", "12-1/2", "0.25", "1987", "3.")]
    ['1000', '7.5', '12-1/2', '0.25', '1987', '3']
    """
    value = text.lstrip("$").rstrip(".%")
    value = re.sub(r"(?<=\d),(?=\d{3}\b)", "", value)
    if re.fullmatch(r"\d+\.\d+", value):
        value = value.rstrip("0").rstrip(".")
    return value


def _spelt(word: str) -> str:
    """A word as month and weekday names are looked up: "MARCH" as "March"."""
    return word.capitalize() if _all_caps(word) else word


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _all_caps(word: str) -> bool:
    return word.isupper() and sum(map(str.isalpha, word)) >= 2


class _Reader:
    """One pass over a text's tokens, collecting its facts with their slots."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        words = [t.text for t in tokens if t.kind == "word"]
        # In a text written mostly in capitals, capitals say nothing of names.
        self.caps_text = sum(map(_all_caps, words)) > 0.5 * max(len(words), 1)
        self.found: list[tuple[int, int, str, str, str]] = []  # start, end, kind, value, shown

    def sentence_start(self, i: int) -> bool:
        return i == 0 or self.tokens[i - 1].kind in ("stop", "quote")

    def word(self, i: int) -> str | None:
        return self.tokens[i].text if 0 <= i < len(self.tokens) else None

    def read(self) -> list[Fact]:
        # Only numbers, tickers and capitalised words start a fact: the others are passed over
        # at C speed (most of a text).
        starts = [i for i, t in enumerate(self.tokens) if t.kind != "word" or t.text[0].isupper()]
        done = 0
        for i in starts:
            if i >= done:
                done = self._fact_at(i)
        self._quotes()
        return self._with_slots()

    def _fact_at(self, i: int) -> int:
        """Reads the fact starting at token i (if any); the index of the next token."""
        token = self.tokens[i]
        if token.kind == "ticker":
            return self._add(i, i + 1, NAME, token.text[1:-1].lower(), token.text)
        if token.kind == "number":
            return self._number_at(i)
        if token.kind != "word":
            return i + 1
        month = self._month(i)
        if month is not None:
            return self._month_at(i, month)
        if _spelt(token.text) in WEEKDAYS:
            return self._add(i, i + 1, WEEKDAY, token.text.lower(), token.text)
        if _capitalised(token.text) and not self.caps_text:
            return self._name_at(i)
        return i + 1

    def _month(self, i: int) -> str | None:
        text = _spelt(self.tokens[i].text.rstrip("."))
        month = MONTHS.get(text)
        if text == "May":  # the month only beside a number or after "in", "since", ...
            before, after = self.word(i - 1), self.tokens[i + 1 : i + 2]
            near_number = bool(after) and after[0].kind == "number"
            if not near_number and (before or "").lower() not in _MAY_BEFORE:
                return None
        return month

    def _month_at(self, i: int, month: str) -> int:
        after = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        if after is not None and after.kind == "number" and re.fullmatch(r"\d{1,2}", after.text):
            day = str(int(after.text))
            shown = f"{self.tokens[i].text} {after.text}"
            return self._add(i, i + 2, DATE, f"{month} {day}", shown)
        return self._add(i, i + 1, MONTH, month, self.tokens[i].text)

    def _number_at(self, i: int) -> int:
        token = self.tokens[i]
        # "31 March" is a date.
        if re.fullmatch(r"\d{1,2}", token.text) and i + 1 < len(self.tokens):
            month = self.tokens[i + 1].kind == "word" and self._month(i + 1)
            if month:
                shown = f"{token.text} {self.tokens[i + 1].text}"
                return self._add(i, i + 2, DATE, f"{month} {int(token.text)}", shown)
        units: list[str] = []
        if token.text.endswith("%"):
            units.append("pct")
        end = i + 1
        while not units[1:] and end < len(self.tokens) and self.tokens[end].kind == "word":
            unit = UNITS.get(self.tokens[end].text.lower())
            if unit is None or unit in units:
                break
            units.append(unit)
            end += 1
            if unit == "pct" and self.tokens[end - 1].text.lower() == "per":
                end += self.word(end) == "cent"
        if token.text.startswith("$") and "dlrs" not in units:
            units.append("dlrs")
        value = " ".join([_number(token.text), *units])
        shown = " ".join(t.text for t in self.tokens[i:end])
        return self._add(i, end, NUMBER, value, shown)

    def _name_at(self, i: int) -> int:
        """A run of capitalised words (not months or weekdays) is one name; a function word or
        title leading it is left out; a single capitalised word starting a sentence is an
        ordinary word, unless written in capitals. A word with a possessive or a lower-case
        suffix ("Japan's Mitsubishi Corp", "Chicago-based Inland Steel") ends a name inside the
        run, without its possessive or suffix, and the rest of the run is read the same way."""
        end = i
        while (
            end < len(self.tokens)
            and self.tokens[end].kind == "word"
            and _capitalised(self.tokens[end].text)
            and self._month(end) is None
            and self.tokens[end].text not in WEEKDAYS
        ):
            end += 1
        start = self._past_not_names(i, end)
        if start == end:
            return end
        first = self.tokens[start].text
        single = end - start == 1
        if single and start == i and self.sentence_start(i) and not _all_caps(first):
            return end
        # One pass over the run: each word cut (but the last) closes a name there.
        for n in range(start, end - 1):
            cut = _NAME_CUT.match(self.tokens[n].text)
            if cut is None or n < start:  # n < start: inside function words skipped
                continue
            words = [t.text for t in self.tokens[start:n]] + [cut[1]]
            self._add(start, n + 1, NAME, " ".join(words).lower(), " ".join(words))
            start = self._past_not_names(n + 1, end)
        if start == end:
            return end
        words = [t.text for t in self.tokens[start:end]]
        words[-1] = re.sub(r"'s$", "", words[-1])
        return self._add(start, end, NAME, " ".join(words).lower(), " ".join(words))

    def _past_not_names(self, start: int, end: int) -> int:
        """The first token from `start` (up to `end`) that is not a function word or title."""
        while start < end and self.tokens[start].text in _NOT_NAMES:
            start += 1
        return start

    def _quotes(self) -> None:
        """The words between two quote marks, when few enough to be quoted words."""
        marks = [i for i, t in enumerate(self.tokens) if t.kind == "quote"]
        for open_, close in zip(marks[::2], marks[1::2], strict=False):
            words = [t.text for t in self.tokens[open_ + 1 : close] if t.kind in ("word", "number")]
            if 0 < len(words) <= QUOTE_WORDS:
                shown = " ".join(words)
                self.found.append((open_, close + 1, QUOTE, shown.lower(), f'"{shown}"'))

    def _add(self, start: int, end: int, kind: str, value: str, shown: str) -> int:
        self.found.append((start, end, kind, value, shown))
        return end

    def _with_slots(self) -> list[Fact]:
        """Each fact with the words beside it (EDGE at a sentence's edge)."""
        facts = []
        inside = np.zeros(len(self.tokens) + 1, dtype=bool)
        for start, end, *_ in self.found:
            inside[start:end] = True
        self.inside = inside.tolist()
        # What a scan from a passed-over token finds, each way: every token is passed over
        # once, also in a long run of facts side by side.
        before_of: dict[int, str] = {}
        after_of: dict[int, str] = {}
        for start, end, kind, value, shown in sorted(self.found):
            before = self._side(start - 1, -1, before_of)
            after = self._side(end, 1, after_of)
            facts.append(Fact(kind, value, shown, before, after))
        return facts

    def _side(self, i: int, step: int, found: dict[int, str]) -> str:
        """The first word from token i on (by `step`) that is not a fact, commas and other facts
        passed over (a neighbour that changes too must not hide a slot); EDGE at a sentence's
        edge. `found` keeps the answer of every token passed over, for the next scan."""
        passed = []
        side = EDGE
        while 0 <= i < len(self.tokens):
            if i in found:
                side = found[i]
                break
            token = self.tokens[i]
            if token.kind in ("stop", "quote"):
                break
            if token.kind != "comma" and not self.inside[i]:
                side = token.text.lower()
                break
            passed.append(i)
            i += step
        for n in passed:
            found[n] = side
        return side


def facts_of(text: str) -> Facts:
    """The facts of a text (give it without its furniture, as the rest of the core sees it).

    >>> facts = facts_of("Magma Copper Co said it lowered its copper cathode price by 0.25 "
    ...                  "cent to 66 cents a pound, effective March 3, the company said.")
    >>> [(f.kind, f.value) for f in facts.items]
    [('name', 'magma copper co'), ('number', '0.25 cts'), ('number', '66 cts'), ('date', 'march 3')]
    """
    reader = _Reader(_tokens(text))
    corrects = bool(_CORRECTS.search(text))
    return Facts(tuple(reader.read()), corrects, not reader.caps_text, fact_tokens(text))


#: Tickers, numbers with the word after them, and capitalised words (what facts are read from),
#: each with the word that follows it (the slot's cheap half).
_FACT_TOKEN = re.compile(
    r"(<[A-Z][A-Z0-9.]{0,9}>|(?<![A-Za-z0-9])\$?\d[\d,./-]*%?(?:[ \t]+[a-z]+)?|\b[A-Z][\w.'&-]*)"
    r"(?:(?=[\s,]+(\w+))|)"
)


def fact_tokens(text: str) -> frozenset[str]:
    """The tokens a text's facts are read from, each with the word after it (token, a tab,
    the word), found at C speed (:func:`may_differ` reads them).

    >>> sorted(t.replace("\\t", " / ") for t in fact_tokens("Chase raised rates on March 3."))
    ['3. / ', 'Chase / raised', 'March / 3']
    """
    return frozenset(f"{token}\t{after}" for token, after in _FACT_TOKEN.findall(text))


def may_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether a fact of one text may stand in place of a fact of the other: each holds a
    fact token the other lacks, followed by the same word. Where not (most copies: one text's
    tokens all in the other, or new ones elsewhere), their facts need not be read.

    >>> chemical = fact_tokens("Chemical Bank said it raised its rate.")
    >>> may_differ(chemical, fact_tokens("Chase Bank said it raised its rate."))
    True
    >>> may_differ(chemical, fact_tokens("Chemical Bank said it raised its rate on Monday."))
    False
    """
    tokens_a, tokens_b = ({t.partition("\t")[0] for t in side} for side in (a, b))
    after_a = {t.partition("\t")[2] for t in a if t.partition("\t")[0] not in tokens_b}
    after_b = {t.partition("\t")[2] for t in b if t.partition("\t")[0] not in tokens_a}
    return bool(after_a & after_b)


class TextFacts:
    """A text's fact tokens and its facts, read from the text without its furniture (`story`),
    each when first asked for: most texts need none (no pair of theirs the rule can change), and
    of the others most are told apart by their fact tokens alone (:func:`may_differ`)."""

    def __init__(self, text: str, furniture: Furniture) -> None:
        self._text = text
        self._furniture = furniture

    @cached_property
    def _story(self) -> str:
        return story(self._text, self._furniture)

    @cached_property
    def tokens(self) -> frozenset[str]:
        return fact_tokens(self._story)

    @cached_property
    def facts(self) -> Facts:
        return facts_of(self._story)


# -- two texts' facts compared -------------------------------------------------------------------


@dataclass(frozen=True)
class FactComparison:
    """What two texts' facts say of each other."""

    #: Facts of A standing in place of facts of B (same kind, same slot, neither in the other
    #: text), as (kind, shown in A, shown in B).
    changes: tuple[tuple[str, str, str], ...]
    #: Facts found in both texts, as shown in A.
    agree: tuple[str, ...]
    #: Distinct facts of the side with fewer, and how many of them are found in the other.
    fewer: int
    found: int
    #: One of the texts says it corrects another.
    corrected: bool = False

    @property
    def differ(self) -> tuple[str, ...]:
        """The changes as people read them: "March → April", "0.25 → 0.50"."""
        return tuple(_readable(a, b) for _, a, b in self.changes)

    @property
    def only_numbers(self) -> bool:
        return all(kind == NUMBER for kind, _, _ in self.changes)

    def flipped(self) -> FactComparison:
        """The comparison seen from the other text (its changes turned round)."""
        changes = tuple((kind, b, a) for kind, a, b in self.changes)
        return replace(self, changes=changes)

    @property
    def dated(self) -> bool:
        """A date, month or weekday stands in place of another: another week's or month's
        notice (a corrected date says it corrects)."""
        return any(_kind(kind) in (MONTH, WEEKDAY) for kind, _, _ in self.changes)

    @property
    def change_share(self) -> float:
        """The changes' share of the facts that differ or agree."""
        total = len(self.changes) + len(self.agree)
        return len(self.changes) / total if total else 0.0

    @property
    def share(self) -> float:
        return self.found / self.fewer if self.fewer else 0.0


def _readable(a: str, b: str) -> str:
    """A change as people read it: a unit both sides share is said once.

    >>> _readable("0.25 cent", "0.50 cent"), _readable("5 mln", "5 billion")
    ('0.25 → 0.50', '5 mln → 5 billion')
    """
    wa, wb = a.split(" "), b.split(" ")
    if len(wa) == len(wb) > 1 and wa[1:] == wb[1:] and wa[0][:1].isdigit():
        return f"{wa[0]} → {wb[0]}"
    return f"{a} → {b}"


class _Known:
    """A text's facts, looked up as another text's facts are compared with them."""

    def __init__(self, facts: Facts) -> None:
        self.distinct = facts.distinct()
        self.values = {key for key in self.distinct}
        self.numbers: dict[str, list[list[str]]] = {}
        for f in self.distinct.values():
            if f.kind == NUMBER:
                number, *unit = f.value.split(" ")
                self.numbers.setdefault(number, []).append(unit)
        self.name_words = {
            w for f in self.distinct.values() if f.kind == NAME for w in _name_words(f.value)
        }
        self.quotes = [f.value for f in self.distinct.values() if f.kind == QUOTE]
        self.months = {f.value.split(" ")[0] for f in self.distinct.values() if f.kind == DATE}

    def has(self, fact: Fact) -> bool:
        """Whether this text holds the fact, as spelt or as a shorter or longer form of it: a
        number without its unit, a name by its words, a quote inside a longer one, a month
        inside a date."""
        if (fact.kind, fact.value) in self.values:
            return True
        if fact.kind == NUMBER:  # "819 mln" is "819 mln dlrs"
            number, *unit = fact.value.split(" ")
            units = self.numbers.get(number, [])
            return any(u[: len(unit)] == unit or unit[: len(u)] == u for u in units)
        if fact.kind == NAME:
            return all(w in self.name_words for w in _name_words(fact.value))
        if fact.kind == QUOTE:
            return any(fact.value in q for q in self.quotes)
        if fact.kind == MONTH:
            return fact.value in self.months
        return False


def _name_words(name: str) -> list[str]:
    """A name's words as compared: "<SKPS.ST>" and "SKPS ST" have the same."""
    return [w for w in re.split(r"[ .]", name) if w]


def compare_facts(a: Facts, b: Facts) -> FactComparison:
    """What agrees and what stands in place of what, kind by kind.

    >>> a = facts_of("Chemical Bank said it raised its prime rate to 7.75 pct in March.")
    >>> b = facts_of("Chase Manhattan said it raised its prime rate to 7.75 pct in April.")
    >>> compared = compare_facts(a, b)
    >>> compared.differ, compared.agree
    (('Chemical Bank → Chase Manhattan', 'March → April'), ('7.75 pct',))
    """
    if not (a.names and b.names):  # a text in capitals shows no names: compare none
        a, b = a.without_names(), b.without_names()
    # The same answer whichever text comes first (a corpus pair and an index query order them
    # differently): the side with fewer facts (then the smaller facts) is compared from.
    if _order(b) < _order(a):
        return _compare(b, a).flipped()
    return _compare(a, b)


def _order(facts: Facts) -> tuple[int, tuple[Fact, ...]]:
    return len(facts.distinct()), tuple(sorted(facts.items))


def _compare(a: Facts, b: Facts) -> FactComparison:
    known_a, known_b = _Known(a), _Known(b)
    only_a = [f for f in known_a.distinct.values() if not known_b.has(f)]
    only_b = [f for f in known_b.distinct.values() if not known_a.has(f)]
    changes = _changes(only_a, only_b)
    changes += _figures_in_place(a, b, changes)
    agree = tuple(f.shown for f in known_a.distinct.values() if known_b.has(f))
    found = len(agree)
    corrected = a.corrects or b.corrects
    return FactComparison(tuple(changes), agree, len(known_a.distinct), found, corrected)


def _changes(only_a: list[Fact], only_b: list[Fact]) -> list[tuple[str, str, str]]:
    """Facts of A in the slot of a fact of B of the same kind, each paired at most once, in the
    order of A, each with the first of B's (in B's order) not paired yet. A month or weekday
    counts as the kind of a date, which holds one. Quotes are not paired (a quote reworded is
    not another fact), nor two spellings of one name.

    B's facts are looked up by their whole slot first, then (for A's facts still unpaired) by
    one of its words that is not a sentence's edge: "Chemical New York Corp said" and "Marine
    Midland Banks Inc said" hold one name in place of the other whatever stands before them.
    """
    by_key: dict[tuple[str, ...], list[Fact]] = {}
    for other in only_b:
        for key in (*_whole_slot(other), *_one_side(other)):
            by_key.setdefault(key, []).append(other)
    paired: set[int] = set()
    changes = []
    unpaired = [f for f in only_a if f.kind != QUOTE and not _lone(f)]
    for keys_of in (_whole_slot, _one_side):
        rest = []
        for fact in unpaired:
            waiting = (o for key in keys_of(fact) for o in by_key.get(key, ()))
            other = next(
                (o for o in waiting if id(o) not in paired and not _one_name(fact, o)), None
            )
            if other is None:
                rest.append(fact)
            else:
                paired.add(id(other))
                changes.append((fact.kind, fact.shown, other.shown))
        unpaired = rest
    return changes


def _whole_slot(fact: Fact) -> list[tuple[str, ...]]:
    return [("slot", _kind(fact.kind), fact.before, fact.after)]


def _one_side(fact: Fact) -> list[tuple[str, ...]]:
    sides = (("before", fact.before), ("after", fact.after))
    return [(side, _kind(fact.kind), word) for side, word in sides if word not in _NO_SLOT]


#: Words too common to make a slot of their own: a fact "in" one place and another "in"
#: another are not one in place of the other (a sentence's edge says as little).
_NO_SLOT = frozenset(
    _words(
        "a an the and or but nor of in on at to for from by with as into onto than then that "
        "this these those is are was were be been being has have had do does did it its he she "
        "they we you i his her their our your my not no so if when while after before since "
        "under over about between against during through per via up down out off"
    )
) | {EDGE}


#: The kinds of fact a table of figures holds (:func:`_figures_in_place`).
FIGURES = (NUMBER, DATE, MONTH)


def _figures_in_place(
    a: Facts, b: Facts, changes: list[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """Figures of A standing in place of figures of B in one whole slot, where both texts have
    figures in that slot that the other's slot lacks (as :meth:`_Known.has` finds a fact),
    though they may be found elsewhere in it:
    a table of estimates whose rows repeat figures ("at 15.00 mln tonnes, vs 14.00" and "at
    15.00 mln tonnes, vs 15.00"). Each in order, none already in `changes`."""
    shown_a, shown_b = {x for _, x, _ in changes}, {y for _, _, y in changes}
    slots_a, slots_b = _figure_slots(a), _figure_slots(b)
    found = []
    for slot, in_a in slots_a.items():
        in_b = slots_b.get(slot, [])
        known_a, known_b = _Known(Facts(tuple(in_a))), _Known(Facts(tuple(in_b)))
        only_a = [f for f in in_a if not known_b.has(f) and f.shown not in shown_a]
        only_b = [f for f in in_b if not known_a.has(f) and f.shown not in shown_b]
        for x, y in zip(only_a, only_b, strict=False):
            found.append((x.kind, x.shown, y.shown))
            shown_a.add(x.shown)
            shown_b.add(y.shown)
    return found


def _figure_slots(facts: Facts) -> dict[tuple[str, str, str], list[Fact]]:
    slots: dict[tuple[str, str, str], list[Fact]] = {}
    for fact in facts.items:
        if fact.kind in FIGURES:
            slots.setdefault((_kind(fact.kind), fact.before, fact.after), []).append(fact)
    return slots


def _kind(kind: str) -> str:
    return MONTH if kind == DATE else kind


def _lone(fact: Fact) -> bool:
    """A name that is a sentence of its own: that says nothing of where it stands (a figure
    alone on a line is a table's cell), so it has no slot to stand in place of another in."""
    return (fact.before, fact.after) == (EDGE, EDGE) and fact.kind == NAME


def _one_name(a: Fact, b: Fact) -> bool:
    """Two spellings of one name: a typo fixed, or initials ("U.S.", "United States"); or a
    ticker and a name, which are not one in place of the other."""
    if a.kind != NAME:
        return False
    if a.shown.startswith("<") != b.shown.startswith("<"):
        return True
    if SequenceMatcher(None, a.value, b.value).ratio() >= SAME_NAME:
        return True
    wa, wb = _name_words(a.value), _name_words(b.value)
    return "".join(w[0] for w in wa) == "".join(wb) or "".join(w[0] for w in wb) == "".join(wa)


# -- the rule ------------------------------------------------------------------------------------


class Decision(NamedTuple):
    """What the facts make of a pair: its relation code and flags."""

    relation: int
    numbers: bool  # other numbers in the same places: `differs_only_in` = "numbers"
    facts: bool  # other facts (months, weekdays, names, places...): `differs_only_in` = "facts"


def facts_relation(
    relation: int, containment: float, compared: FactComparison, options: Options
) -> Decision:
    """The one rule: a duplicate by its wording whose facts stand in place of others is a
    look-alike; a pair sharing at least REWRITE_FLOOR of its smaller text whose facts agree is a
    `rewrite`. `containment` is the larger of the pair's two."""
    if not options.facts_matter:
        return Decision(relation, False, False)
    if relation in (NEAR_DUPLICATE, CONTAINS):
        other = compared.dated or compared.change_share >= CHANGE_SHARE
        if other and not compared.corrected:
            return Decision(relation, compared.only_numbers, not compared.only_numbers)
        return Decision(relation, False, False)
    agree = (
        compared.change_share < CHANGE_SHARE
        and not compared.dated
        and compared.fewer >= REWRITE_MIN_FACTS
        and compared.share >= REWRITE_SHARE
    )
    if containment >= REWRITE_FLOOR and agree:
        return Decision(REWRITE, False, False)
    return Decision(relation, False, False)


def in_band(pairs: ScoredPairs, options: Options) -> np.ndarray:
    """Which pairs facts can change: duplicates by their words (not exact copies, which share
    every fact, nor pairs the character-level look promoted: misspelt names are noise there, nor
    pairs the same but for their numbers) and
    pairs sharing at least REWRITE_FLOOR; none where facts don't matter."""
    containment = np.maximum(pairs.containment_left_in_right, pairs.containment_right_in_left)
    # A text whose every word n-gram is in the other has no fact the other lacks: no fact of it
    # can stand in place of another (most expanded versions; no text needs reading for them).
    duplicate = np.isin(pairs.relation, (NEAR_DUPLICATE, CONTAINS))
    look_alike = duplicate & (containment < 1.0)
    rewrite = ~duplicate & (containment >= REWRITE_FLOOR)
    # A pair the same but for its numbers is a look-alike already, whatever its other facts.
    band = (look_alike | rewrite) & ~pairs.by_characters
    band &= ~pairs.differ_in_numbers
    return band & options.facts_matter


class HasFacts(Protocol):
    """A document's fact tokens, and its facts (read when first asked for, or stored)."""

    @property
    def tokens(self) -> frozenset[str]: ...

    @property
    def facts(self) -> Facts: ...


FactsOf = Callable[[set[int]], Mapping[int, HasFacts]]


def story(text: str, furniture: Furniture) -> str:
    """The text whose facts are read: without its furniture, by the patterns at least (also
    where furniture is kept in the similarity: a link headline's names are not the story's)."""
    return (furniture if furniture.ignored else PATTERNS).strip(text)


def facts_from_texts(
    texts: Callable[[set[int]], Mapping[int, str]], furniture: Furniture
) -> FactsOf:
    """The facts of a set of documents from their texts, furniture left out."""

    def facts(docs: set[int]) -> dict[int, HasFacts]:
        return {doc: TextFacts(text, furniture) for doc, text in texts(docs).items()}

    return facts


def facts_look(pairs: ScoredPairs, facts: FactsOf, options: Options) -> ScoredPairs:
    """The pairs with :func:`facts_relation` applied to those :func:`in_band`; `facts` gives the
    facts of a set of documents (each read once)."""
    band = np.flatnonzero(in_band(pairs, options))
    if not band.size:
        return pairs
    left, right = pairs.left[band].tolist(), pairs.right[band].tolist()
    found = facts(set(left) | set(right))
    relation = pairs.relation.copy()
    numbers = pairs.differ_in_numbers.copy()
    other_facts = pairs.differ_in_facts.copy()
    containment = np.maximum(pairs.containment_left_in_right, pairs.containment_right_in_left)
    duplicate = np.isin(pairs.relation, (NEAR_DUPLICATE, CONTAINS))
    for row, a, b in zip(band.tolist(), left, right, strict=True):
        if duplicate[row] and not may_differ(found[a].tokens, found[b].tokens):
            continue  # no fact of one can stand in place of one of the other
        compared = compare_facts(found[a].facts, found[b].facts)
        decision = facts_relation(int(relation[row]), float(containment[row]), compared, options)
        relation[row] = decision.relation
        numbers[row] |= decision.numbers
        other_facts[row] = decision.facts and not numbers[row]
    return replace(pairs, relation=relation, differ_in_numbers=numbers, differ_in_facts=other_facts)
