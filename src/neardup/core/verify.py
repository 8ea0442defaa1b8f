"""Exact scores of candidate pairs and the relation each pair is in.

Every reported pair is scored on the full shingle sets, never on the sketches, so LSH false
positives never reach the output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from neardup.core import kernel
from neardup.core.sketch import Sketches
from neardup.options import Options

#: Relation names, indexed by the codes used in arrays. Code 0: the pair is not reported.
#: `rewrite` (the same facts in other words, below both thresholds) comes from the facts rule
#: (`facts.py`), only where facts matter.
RELATIONS = ("different", "exact", "near-duplicate", "contains", "overlap", "rewrite")
DIFFERENT, EXACT, NEAR_DUPLICATE, CONTAINS, OVERLAP, REWRITE = range(6)
#: The relations that make a document a copy of another (clusters are built from these).
DUPLICATE_RELATIONS = (EXACT, NEAR_DUPLICATE, CONTAINS, REWRITE)


def is_copy_relation(
    relation: Any, differ_in_numbers: Any, differ_in_facts: Any, *, numbers_matter: bool
) -> Any:
    """Which pairs are copies, the one rule: in a duplicate relation (`DUPLICATE_RELATIONS`),
    and neither the same but for their numbers while numbers matter, nor with other facts in
    place of the other's (flagged only where facts matter): those pairs report different facts.

    Elementwise, on numpy arrays (relation codes, flags) or on Spark or pandas columns alike.

    >>> relation = np.array([EXACT, OVERLAP, CONTAINS, REWRITE, NEAR_DUPLICATE])
    >>> numbers = np.array([False, False, True, False, False])
    >>> facts = np.array([False, False, False, True, False])
    >>> is_copy_relation(relation, numbers, facts, numbers_matter=True).tolist()
    [True, False, False, False, True]
    >>> is_copy_relation(relation, numbers, facts, numbers_matter=False).tolist()
    [True, False, True, False, True]
    """
    if hasattr(relation, "isin"):  # a Spark column, a pandas series
        duplicate = relation.isin(list(DUPLICATE_RELATIONS))
    else:
        duplicate = np.isin(relation, DUPLICATE_RELATIONS)
    copy = duplicate & ~differ_in_facts
    if numbers_matter:
        copy = copy & ~differ_in_numbers
    return copy


def is_copy_pair(relation: str, differs_only_in: str | None, *, numbers_matter: bool) -> bool:
    """:func:`is_copy_relation` for one reported pair, by its relation's name and `differs_only_in`.

    >>> is_copy_pair("near-duplicate", "numbers", numbers_matter=False)
    True
    >>> is_copy_pair("contains", "facts", numbers_matter=False)
    False
    """
    code = np.array(RELATIONS.index(relation))
    numbers, facts = np.bool_(differs_only_in == "numbers"), np.bool_(differs_only_in == "facts")
    return bool(is_copy_relation(code, numbers, facts, numbers_matter=numbers_matter))


@dataclass(frozen=True)
class ScoredPairs:
    """Pairs of document indices (left < right) with their exact scores and relation codes."""

    left: np.ndarray
    right: np.ndarray
    relation: np.ndarray  # uint8 codes into RELATIONS
    jaccard: np.ndarray
    containment_left_in_right: np.ndarray
    containment_right_in_left: np.ndarray
    #: The two texts are the same but for their numbers (`differs_only_in` = "numbers").
    differ_in_numbers: np.ndarray  # bool
    #: The relation and scores come from the character-level second look (`charlook.py`);
    #: all False when left out.
    by_characters: np.ndarray = None  # type: ignore[assignment]  # bool
    #: Facts other than numbers (months, weekdays, names, places, quotes) stand in place of
    #: others (`differs_only_in` = "facts", `facts.py`); all False when left out.
    differ_in_facts: np.ndarray = None  # type: ignore[assignment]  # bool

    def __post_init__(self) -> None:
        for flag in ("by_characters", "differ_in_facts"):
            if getattr(self, flag) is None:
                object.__setattr__(self, flag, np.zeros(self.left.size, dtype=bool))

    def __len__(self) -> int:
        return self.left.size

    def take(self, index: np.ndarray) -> ScoredPairs:
        return ScoredPairs(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    def put(self, index: np.ndarray, pairs: ScoredPairs) -> ScoredPairs:
        """These pairs with the rows at `index` replaced by `pairs` (as many, in order)."""
        fields = []
        for name in self.__dataclass_fields__:
            values = getattr(self, name).copy()
            values[index] = getattr(pairs, name)
            fields.append(values)
        return ScoredPairs(*fields)

    @staticmethod
    def concat(parts: list[ScoredPairs]) -> ScoredPairs:
        fields = ScoredPairs.__dataclass_fields__
        return ScoredPairs(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))

    def sorted(self) -> ScoredPairs:
        return self.take(np.lexsort((self.right, self.left)))


def score(sketches: Sketches, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, ...]:
    """(jaccard, containment of left in right, containment of right in left), exactly."""
    common = kernel.intersection_sizes(sketches.shingles, sketches.starts, left, right)
    counts = sketches.shingle_counts
    size_left, size_right = counts[left], counts[right]
    union = size_left + size_right - common
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, common / np.maximum(union, 1), 0.0)
        in_right = np.where(size_left > 0, common / np.maximum(size_left, 1), 0.0)
        in_left = np.where(size_right > 0, common / np.maximum(size_right, 1), 0.0)
    return jaccard, in_right, in_left


def classify(
    jaccard: np.ndarray,
    in_right: np.ndarray,
    in_left: np.ndarray,
    options: Options,
    *,
    report_overlap: bool,
) -> np.ndarray:
    """Relation codes of scored pairs that are not exact copies."""
    containment = np.maximum(in_right, in_left)
    relation = np.full(jaccard.size, DIFFERENT, dtype=np.uint8)
    if report_overlap and options.overlap is not None:
        relation[containment >= options.overlap] = OVERLAP
    relation[containment >= options.containment] = CONTAINS
    relation[jaccard >= options.jaccard] = NEAR_DUPLICATE
    return relation


def score_pairs(
    sketches: Sketches,
    left: np.ndarray,
    right: np.ndarray,
    options: Options,
    *,
    report_overlap: bool,
) -> ScoredPairs:
    """Every candidate pair scored exactly, with its relation (`different` ones too)."""
    jaccard, in_right, in_left = score(sketches, left, right)
    relation = classify(jaccard, in_right, in_left, options, report_overlap=report_overlap)
    numbers = differ_only_in_numbers(sketches, left, right)
    return ScoredPairs(left, right, relation, jaccard, in_right, in_left, numbers)


def reported(pairs: ScoredPairs) -> ScoredPairs:
    """The pairs in a reported relation (not `different`)."""
    return pairs.take(np.flatnonzero(pairs.relation != DIFFERENT))


def differ_only_in_numbers(sketches: Sketches, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Pairs whose whole texts have the same words once every number is masked, but not the same
    words as they are (furniture included: a differing furniture line counts too)."""
    same_template = sketches.masked_keys[left] == sketches.masked_keys[right]
    return same_template & (sketches.exact_keys[left] != sketches.exact_keys[right])


def pair_documents(
    left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct documents of the pairs (left[k], right[k]), ascending, and each pair's two
    documents as positions among them: for the stages that hold one thing a document, not one
    a pair.

    >>> [a.tolist() for a in pair_documents(np.array([7, 3]), np.array([9, 7]))]
    [[3, 7, 9], [1, 0], [2, 1]]
    """
    docs, at = np.unique(np.concatenate([left, right]), return_inverse=True)
    return docs, at[: left.size], at[left.size :]


def pair_runs(
    left: np.ndarray,
    right: np.ndarray,
    most: int,
    *,
    size: Callable[[int], int] = lambda doc: 1,
    most_pairs: int | None = None,
) -> Iterator[slice]:
    """The pairs (left[k], right[k]) cut into runs of consecutive pairs whose distinct documents'
    sizes add up to at most `most`, of at most `most_pairs` pairs each; a run holds at least one
    pair, whatever its size. For the stages that hold the texts of a run's documents at once.

    >>> [(s.start, s.stop) for s in pair_runs(np.array([0, 0, 1, 5]), np.array([1, 2, 2, 6]), 3)]
    [(0, 3), (3, 4)]
    """
    start, docs, total = 0, set[int](), 0
    pairs = zip(left.tolist(), right.tolist(), strict=True)
    for n, (a, b) in enumerate(pairs):
        added = sum(size(d) for d in {a, b} - docs)
        full = total + added > most or n - start == most_pairs
        if full and n > start:
            yield slice(start, n)
            start, docs, total = n, set(), 0
            added = size(a) + size(b)
        docs.update((a, b))
        total += added
    if left.size > start:
        yield slice(start, left.size)
