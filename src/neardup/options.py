"""Settings shared by the Python API and the CLI, validated on creation."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field, fields
from typing import Any

from neardup.core.bands import choose_bands
from neardup.errors import OptionsError, shortened

KEEP_POLICIES = ("longest", "first", "newest", "oldest")
#: What a value of each annotated type must be, and how a message names it.
_TYPES: dict[str, tuple[type, str]] = {
    "int": (numbers.Integral, "an integer"),
    "float": (numbers.Real, "a number"),
    "bool": (bool, "True or False"),
}


@dataclass(frozen=True)
class Options:
    """How documents are compared and which pairs are reported.

    >>> Options(jaccard=0.7).ngram
    5
    """

    #: Word n-gram size of the shingles (character n-grams in scripts written without spaces).
    ngram: int = 5
    #: A pair is `near-duplicate` at or above this Jaccard similarity.
    jaccard: float = 0.7
    #: A pair is `contains` when this share of the smaller document is inside the larger one.
    containment: float = 0.8
    #: Report pairs below both thresholds as `overlap` when they share at least this containment.
    overlap: float | None = 0.2
    #: Documents with fewer words than this are matched only when identical (`exact`).
    min_words: int = 10
    #: MinHash permutations in a signature.
    num_perm: int = 128
    #: LSH bands and rows; computed from `jaccard` and `num_perm` when left out.
    bands: int | None = None
    rows: int | None = None
    #: Winnowing window: the smallest shingle hash of every `window` consecutive shingles is indexed
    #: for containment candidates, so a shared run of `window` shingles (window + ngram - 1 words)
    #: is always seen: expanded versions and excerpts are found whatever their Jaccard.
    window: int = 4
    #: A fingerprint in more documents than this is common phrasing, not evidence of reuse.
    max_shingle_df: int = 200
    #: Pairs that differ only in their numbers report different facts: not duplicates.
    numbers_matter: bool = True
    #: Pairs whose wording agrees but whose facts (months, weekdays, names, places, quoted words)
    #: stand in place of others are look-alikes (`differs_only_in` "facts"), and pairs whose
    #: facts agree in other words are `rewrite`s, copies (`core/facts.py`). False: neither.
    facts_matter: bool = True
    #: Leave page furniture (patterns, and lines recurring across the corpus) out of similarity.
    ignore_furniture: bool = True
    #: A short line found in at least this many different documents is furniture. Lower values
    #: also catch the lines of wire templates and of clusters of near-copies: keep it high.
    furniture_min_docs: int = 20
    #: Seed of the MinHash permutations and of the shingle hash.
    seed: int = 1
    #: The character-level second look (`charlook.py`) at pairs below both thresholds: a word
    #: counts as the same where at most this share of its characters differ (OCR noise, typos;
    #: numbers must be equal). 0 turns the second look off.
    char_errors: float = 0.34
    _lsh: tuple[int, int] = field(init=False, repr=False, compare=False)
    #: The earlier names of `ignore_furniture` and `furniture_min_docs`, still taken as keywords
    #: (and read from the options an index stores); as attributes they are None.
    ignore_boilerplate: InitVar[bool | None] = None
    boilerplate_min_docs: InitVar[int | None] = None

    def __post_init__(
        self, ignore_boilerplate: bool | None, boilerplate_min_docs: int | None
    ) -> None:
        if ignore_boilerplate is not None:
            object.__setattr__(self, "ignore_furniture", ignore_boilerplate)
        if boilerplate_min_docs is not None:
            object.__setattr__(self, "furniture_min_docs", boilerplate_min_docs)
        for option in fields(self):
            if option.init:
                _check_type(option.name, option.type, getattr(self, option.name))
        _check(1 <= self.ngram <= 32, f"ngram must be in [1, 32], got {self.ngram}")
        _check(0.0 < self.jaccard <= 1.0, f"jaccard must be in (0, 1], got {self.jaccard}")
        _check(
            0.0 < self.containment <= 1.0, f"containment must be in (0, 1], got {self.containment}"
        )
        if self.overlap is not None:
            _check(
                0.0 < self.overlap < min(self.jaccard, self.containment),
                f"overlap must be in (0, min(jaccard, containment)), got {self.overlap}",
            )
        _check(self.min_words >= 0, f"min_words must be 0 or more, got {self.min_words}")
        _check(8 <= self.num_perm <= 1024, f"num_perm must be in [8, 1024], got {self.num_perm}")
        _check(1 <= self.window <= 64, "window must be in [1, 64]")
        _check(self.max_shingle_df >= 2, "max_shingle_df must be at least 2")
        _check(self.furniture_min_docs >= 2, "furniture_min_docs must be at least 2")
        _check(
            0.0 <= self.char_errors < 1.0, f"char_errors must be in [0, 1), got {self.char_errors}"
        )
        if (self.bands is None) != (self.rows is None):
            raise OptionsError("give both bands and rows, or neither")
        if self.bands is not None and self.rows is not None:
            _check(
                self.bands >= 1 and self.rows >= 1 and self.bands * self.rows <= self.num_perm,
                f"bands × rows must be at most num_perm ({self.num_perm})",
            )
            lsh = (self.bands, self.rows)
        else:
            lsh = choose_bands(self.jaccard, self.num_perm)
        object.__setattr__(self, "_lsh", lsh)

    @property
    def lsh(self) -> tuple[int, int]:
        """The (bands, rows) in use: given, or computed from the Jaccard threshold."""
        return self._lsh


def _check_type(name: str, annotation: str, value: object) -> None:
    """An error unless `value` is of the annotated type ("int", "float | None", ...); a bool is
    not taken for a number.

    >>> _check_type("ngram", "int", "5")
    Traceback (most recent call last):
    neardup.errors.OptionsError: ngram must be an integer, got '5'
    """
    kind, _, optional = annotation.partition(" | ")
    if value is None and optional:
        return
    accepted, described = _TYPES[kind]
    if not isinstance(value, accepted) or (kind != "bool" and isinstance(value, bool)):
        alternative = " or None" if optional else ""
        raise OptionsError(f"{name} must be {described}{alternative}, got {shortened(repr(value))}")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise OptionsError(message)


def options_of(options: Options | None, overrides: Mapping[str, Any]) -> Options:
    """The options of a call: `options`, or Options made of its keyword `overrides` (not both).

    >>> options_of(None, {"jaccard": 0.8}).jaccard
    0.8
    """
    if options is not None and overrides:
        raise OptionsError("give either options= or keyword options, not both")
    try:
        return options if options is not None else Options(**overrides)
    except TypeError as error:  # an unknown keyword: "... unexpected keyword argument 'x'"
        name = str(error).rpartition(" ")[2]
        raise OptionsError(f"unknown option {name}") from None


#: The field `newest` and `oldest` read when none is named: web pages' records have it.
DATE_FIELD = "date"


def dated_keep(keep: str, date_field: str | None) -> str | None:
    """The date field the keep policy reads: `newest` and `oldest` read one (DATE_FIELD unless
    named); the others none."""
    if keep in ("newest", "oldest") and date_field == "":
        raise OptionsError(f"keep '{keep}' needs a date field (--date-field)")
    return (date_field or DATE_FIELD) if keep in ("newest", "oldest") else None
