"""The facts of a text read in plain Python, slow and obviously right: the specification of the
native fact reader (`kernel.fact_tokens`, `kernel.may_differ`, `kernel.text_facts`) that
`facts.py` uses. Tests hold the two equal on random and real text (`test_facts_native.py`).

The native core follows these regular expressions character for character, Python's Unicode
classes (`\\d`, `\\s`, `\\w`) and all; the word lists below are its lists.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import xxhash

from neardup.core.facts import (
    _CORRECTS,
    DATE,
    EDGE,
    MONTH,
    NAME,
    NUMBER,
    QUOTE,
    WEEKDAY,
    Fact,
    Facts,
    _words,
    prepared,
)

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
#: Numbers to twelve spelt out, as written and capitalised: read as figures where a unit
#: follows ("six pct" is "6 pct", another outlet's "6 pct" or "6-1/2 pct" the same or another).
NUMBER_WORDS = {
    spelt: str(n)
    for n, word in enumerate(
        _words("one two three four five six seven eight nine ten eleven twelve"), start=1
    )
    for spelt in (word, word.capitalize())
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
#: Folded to ASCII before tokens are read (the normal form's own folding, case kept).
_FOLD = str.maketrans({c: '"' for c in "“”„‟″«»"} | {c: "'" for c in "‘’‚‛′`´"})
#: A word of a name's run that ends a name before the next: "Japan's", "Chicago-based".
_NAME_CUT = re.compile(r"(.+?)(?:'s|-[a-z].*)$")
#: Quotes longer than this are passages, not quoted words.
QUOTE_WORDS = 30


class _Token(NamedTuple):
    kind: str  # ticker, number, word, quote, stop
    text: str


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(m.lastgroup or "", m.group())
        for m in _TOKEN.finditer(prepared(text).translate(_FOLD))
    ]


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
        starts = [
            i
            for i, t in enumerate(self.tokens)
            if t.kind != "word" or t.text[0].isupper() or t.text in NUMBER_WORDS
        ]
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
        if token.text in NUMBER_WORDS and self._unit_after(i):
            return self._number_at(i)
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

    def _unit_after(self, i: int) -> bool:
        after = self.tokens[i + 1 : i + 2]
        return bool(after) and after[0].kind == "word" and after[0].text.lower() in UNITS

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
        value = " ".join([NUMBER_WORDS.get(token.text) or _number(token.text), *units])
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
    tokens = token_hashes(fact_tokens(text))
    return Facts(tuple(reader.read()), corrects, not reader.caps_text, tokens)


#: A number spelt out, with the word after it as a figure's unit is taken (`_FACT_TOKEN`).
_SPELT_NUMBER = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
#: Tickers, numbers with the word after them (spelt out too), and capitalised words (what facts
#: are read from), each with the word that follows it (the slot's cheap half).
_FACT_TOKEN = re.compile(
    r"(<[A-Z][A-Z0-9.]{0,9}>|(?<![A-Za-z0-9])\$?\d[\d,./-]*%?(?:[ \t]+[a-z]+)?"
    rf"|\b(?:{_SPELT_NUMBER})[ \t]+[a-z]+|\b[A-Z][\w.'&-]*)"
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
    """`facts.may_differ` of the tokens as :func:`fact_tokens` spells them: each text holds a
    token the other lacks, followed by the same word.

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


def token_hashes(tokens: frozenset[str]) -> np.ndarray:
    """Fact tokens as the native core holds them: each split where :func:`may_differ` splits
    it, as (XXH3 of the token, of the word after it) over their UTF-8, distinct, ascending
    (uint64, n × 2).

    >>> token_hashes(fact_tokens("Chase raised rates.")).shape
    (1, 2)
    """
    pairs = sorted({tuple(_hash(side) for side in t.partition("\t")[::2]) for t in tokens})
    return np.array(pairs, dtype=np.uint64).reshape(len(pairs), 2)


def _hash(text: str) -> int:
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))
