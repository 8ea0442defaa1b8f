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

import gc
import html
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import cached_property, partial
from typing import NamedTuple, Protocol

import numpy as np

from neardup.core import kernel
from neardup.core.char_classes import char_table
from neardup.core.furniture import PATTERNS, Furniture
from neardup.core.verify import CONTAINS, NEAR_DUPLICATE, REWRITE, ScoredPairs, pair_documents
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


#: A slot's side at the start or end of a sentence.
EDGE = "|"


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
    tokens: np.ndarray = field(default_factory=lambda: NO_TOKENS, compare=False)

    @property
    def facts(self) -> Facts:
        return self

    def without_names(self) -> Facts:
        return replace(self, items=tuple(f for f in self.items if f.kind != NAME))

    @cached_property
    def known(self) -> _Known:
        """These facts as another text's are looked up in them (built once: a document is
        compared with each of its partners)."""
        return _Known(self)


NO_TOKENS = np.empty((0, 2), dtype=np.uint64)
NO_TOKENS.flags.writeable = False


def prepared(text: str) -> str:
    """A text as its facts are read: entities decoded, then NFKC. These steps stay Python's
    own (C code already, and hard to match); the native reader takes the result, and folds
    quotes and apostrophes to ASCII itself (`facts_reference._FOLD`, which `str.translate`
    applies a character at a time to text that is not ASCII)."""
    return unicodedata.normalize("NFKC", html.unescape(text))


def _corrects(text: str) -> bool:
    # _CORRECTS matches "orrect" in no case but ASCII ones (IGNORECASE makes no other
    # character one of those letters): most texts are passed over without its slow search.
    return "orrect" in text.lower() and bool(_CORRECTS.search(text))


def facts_of(text: str) -> Facts:
    """The facts of a text (give it without its furniture, as the rest of the core sees it),
    read by the native core as `facts_reference.facts_of` reads them.

    >>> facts = facts_of("Magma Copper Co said it lowered its copper cathode price by 0.25 "
    ...                  "cent to 66 cents a pound, effective March 3, the company said.")
    >>> [(f.kind, f.value) for f in facts.items]
    [('name', 'magma copper co'), ('number', '0.25 cts'), ('number', '66 cts'), ('date', 'march 3')]
    """
    return facts_of_texts([text])[0]


def facts_of_texts(texts: list[str], tokens: list[np.ndarray] | None = None) -> list[Facts]:
    """:func:`facts_of` of each text, in one native call; `tokens` are their fact tokens
    where found already."""
    if tokens is None:
        tokens = fact_tokens_of(texts)
    with _no_cycle_collection():
        read = kernel.text_facts([prepared(t) for t in texts], char_table())
        return [
            Facts(_facts(fields), _corrects(text), not caps_text, found)
            for text, (fields, caps_text), found in zip(texts, read, tokens, strict=True)
        ]


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused: the facts of a batch are many objects (hundreds of
    thousands) and no cycle, and each of the collector's passes over the whole heap that they
    would set off finds nothing to free (three passes, 0.2 s, on 3,000 news texts)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


#: A Fact of a tuple of its fields, without `Fact._make`'s Python-level call.
_fact = partial(tuple.__new__, Fact)


def _facts(fields: list[str]) -> tuple[Fact, ...]:
    """Facts of their fields laid end to end, five a fact."""
    each = iter(fields)
    return tuple(map(_fact, zip(each, each, each, each, each, strict=True)))


def fact_tokens(text: str) -> np.ndarray:
    """The tokens a text's facts are read from (tickers, numbers with the word after them,
    capitalised words), each with the word after it: distinct (token, word) pairs of their
    XXH3 hashes, ascending (uint64, n × 2), as `facts_reference.token_hashes` makes them of
    `facts_reference.fact_tokens` (:func:`may_differ` reads them).

    >>> fact_tokens("Chase raised rates on March 3.").shape
    (3, 2)
    """
    return fact_tokens_of([text])[0]


def fact_tokens_of(texts: list[str]) -> list[np.ndarray]:
    """:func:`fact_tokens` of each text, in one native call."""
    pairs, starts = kernel.fact_tokens(texts, char_table())
    return [pairs[a:b] for a, b in itertools.pairwise(starts.tolist())]


def may_differ(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a fact of one text may stand in place of a fact of the other: each holds a
    fact token the other lacks, followed by the same word. Where not (most copies: one text's
    tokens all in the other, or new ones elsewhere), their facts need not be read.

    >>> chemical = fact_tokens("Chemical Bank said it raised its rate.")
    >>> may_differ(chemical, fact_tokens("Chase Bank said it raised its rate."))
    True
    >>> may_differ(chemical, fact_tokens("Chemical Bank said it raised its rate on Monday."))
    False
    """
    return bool(_may_differ_rows([a, b], np.array([0]), np.array([1]))[0])


def _may_differ_rows(tokens: list[np.ndarray], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """:func:`may_differ` of `tokens[left[i]]` and `tokens[right[i]]` for each i, at once."""
    starts = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in tokens], out=starts[1:])
    return kernel.may_differ(np.concatenate([NO_TOKENS, *tokens]), starts, left, right)


class TextFacts:
    """A text's fact tokens and its facts, read from the text without its furniture (`story`),
    each when first asked for: most texts need none (no pair of theirs the rule can change), and
    of the others most are told apart by their fact tokens alone (:func:`may_differ`).
    :func:`facts_look` reads the tokens of all its documents at once (`_read_tokens`), and
    compares the facts of the others natively from their story (`_compare_stories`): their
    facts are read here only where asked for (a comparison shown, a report)."""

    def __init__(self, text: str, furniture: Furniture) -> None:
        self._text = text
        self._furniture = furniture
        self._tokens: np.ndarray | None = None
        self._facts: Facts | None = None

    @cached_property
    def _story(self) -> str:
        return story(self._text, self._furniture)

    @property
    def tokens(self) -> np.ndarray:
        if self._tokens is None:
            self._tokens = fact_tokens(self._story)
        return self._tokens

    @property
    def facts(self) -> Facts:
        if self._facts is None:
            (self._facts,) = facts_of_texts([self._story], [self.tokens])
        return self._facts


def _read_tokens(holders: Iterable[HasFacts]) -> None:
    """Read the fact tokens of the holders that are unread TextFacts, in one native call."""
    unread = [h for h in holders if isinstance(h, TextFacts) and h._tokens is None]
    for holder, tokens in zip(unread, fact_tokens_of([h._story for h in unread]), strict=True):
        holder._tokens = tokens


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
    def counts(self) -> FactCounts:
        """What the facts rule reads of this comparison."""
        return FactCounts(
            len(self.changes),
            self.fewer,
            self.found,
            self.dated,
            self.only_numbers,
            self.corrected,
        )

    @property
    def change_share(self) -> float:
        """The changes' share of the facts that differ or agree."""
        return self.counts.change_share

    @property
    def share(self) -> float:
        return self.counts.share


class FactCounts(NamedTuple):
    """Two texts' facts compared, as the facts rule reads them: :class:`FactComparison`'s
    counts and flags, all the native comparison (`kernel.compare_facts`) gives."""

    changes: int
    fewer: int
    #: How many of the facts of the side with fewer the other holds: the facts that agree.
    found: int
    dated: bool
    only_numbers: bool
    corrected: bool

    @property
    def change_share(self) -> float:
        """The changes' share of the facts that differ or agree."""
        total = self.changes + self.found
        return self.changes / total if total else 0.0

    @property
    def share(self) -> float:
        """The share of the facts of the side with fewer found in the other."""
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
        #: Each (kind, value) once, its first occurrence.
        self.distinct: dict[tuple[str, str], Fact] = {}
        for fact in facts.items:
            self.distinct.setdefault((fact.kind, fact.value), fact)
        self.values = self.distinct.keys()
        self.numbers: dict[str, list[list[str]]] = {}
        self.name_words: set[str] = set()
        self.quotes: list[str] = []
        self.months: set[str] = set()
        for kind, value in self.values:
            if kind == NUMBER:
                number, *unit = value.split(" ")
                self.numbers.setdefault(number, []).append(unit)
            elif kind == NAME:
                self.name_words.update(_name_words(value))
            elif kind == QUOTE:
                self.quotes.append(value)
            elif kind == DATE:
                self.months.add(value.split(" ", 1)[0])

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
    return [w for w in name.replace(".", " ").split(" ") if w]


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
    fewer_a, fewer_b = len(a.known.distinct), len(b.known.distinct)
    if fewer_b < fewer_a or (fewer_b == fewer_a and sorted(b.items) < sorted(a.items)):
        return _compare(b, a).flipped()
    return _compare(a, b)


def _compare(a: Facts, b: Facts) -> FactComparison:
    known_a, known_b = a.known, b.known
    in_b = [(f, known_b.has(f)) for f in known_a.distinct.values()]
    only_a = [f for f, found in in_b if not found]
    only_b = [f for f in known_b.distinct.values() if not known_a.has(f)]
    changes = _changes(only_a, only_b)
    changes += _figures_in_place(a, b, changes)
    agree = tuple(f.shown for f, found in in_b if found)
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
        if {(f.kind, f.value) for f in in_a} == {(f.kind, f.value) for f in in_b}:
            continue  # the same figures (most slots): none stands in place of another
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
    relation: int, containment: float, compared: FactCounts, options: Options
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
    def tokens(self) -> np.ndarray: ...

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
    left, right = pairs.left[band], pairs.right[band]
    found = facts(set(left.tolist()) | set(right.tolist()))
    relation = pairs.relation.copy()
    numbers = pairs.differ_in_numbers.copy()
    other_facts = pairs.differ_in_facts.copy()
    containment = np.maximum(pairs.containment_left_in_right, pairs.containment_right_in_left)
    # A duplicate whose texts have no fact that can stand in place of one of the other needs
    # no facts read (by the fact tokens of all, read at once).
    read = ~np.isin(pairs.relation[band], (NEAR_DUPLICATE, CONTAINS))
    read[~read] = _may_differ_pairs(found, left[~read], right[~read])
    band, left, right = band[read], left[read].tolist(), right[read].tolist()
    compared = _compare_pairs(found, list(zip(left, right, strict=True)))
    for row, counts in zip(band.tolist(), compared, strict=True):
        decision = facts_relation(int(relation[row]), float(containment[row]), counts, options)
        relation[row] = decision.relation
        numbers[row] |= decision.numbers
        other_facts[row] = decision.facts and not numbers[row]
    return replace(pairs, relation=relation, differ_in_numbers=numbers, differ_in_facts=other_facts)


def _may_differ_pairs(
    found: Mapping[int, HasFacts], left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """:func:`may_differ` for each pair of documents (`left[i]`, `right[i]`)."""
    docs, left_at, right_at = pair_documents(left, right)
    holders = [found[d] for d in docs.tolist()]
    _read_tokens(holders)
    tokens = [h.tokens for h in holders]
    return _may_differ_rows(tokens, left_at, right_at)


def _compare_pairs(found: Mapping[int, HasFacts], pairs: list[tuple[int, int]]) -> list[FactCounts]:
    """:func:`compare_facts` of each pair of documents, as the rule reads it: natively from
    their stories where both documents are TextFacts (no Fact made), else from the facts their
    holders give (facts stored or given as they are, which hold no text)."""
    texts = {d: h for a, b in pairs for d in (a, b) if isinstance(h := found[d], TextFacts)}
    stories = [(a, b) for a, b in pairs if a in texts and b in texts]
    natively = dict(zip(stories, _compare_stories(texts, stories), strict=True))

    def counts(a: int, b: int) -> FactCounts:
        if (a, b) in natively:
            return natively[a, b]
        return compare_facts(found[a].facts, found[b].facts).counts

    return [counts(a, b) for a, b in pairs]


def _compare_stories(
    texts: Mapping[int, TextFacts], pairs: list[tuple[int, int]]
) -> list[FactCounts]:
    """:func:`compare_facts` of each pair of documents, their facts read from their stories and
    compared in one native call (`kernel.compare_facts`, held equal to it); whether a text
    corrects another stays Python's regular expression (:func:`_corrects`)."""
    if not pairs:
        return []
    docs, left, right = pair_documents(*np.array(pairs, dtype=np.int64).T)
    stories = [texts[d]._story for d in docs.tolist()]
    compared = kernel.compare_facts([prepared(s) for s in stories], left, right, char_table())
    changes, dated, only_numbers, fewer, found = (column.tolist() for column in compared)
    corrects = [_corrects(s) for s in stories]
    corrected = [
        corrects[a] or corrects[b] for a, b in zip(left.tolist(), right.tolist(), strict=True)
    ]
    return list(map(FactCounts, changes, fewer, found, dated, only_numbers, corrected))
