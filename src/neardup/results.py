"""The value types neardup returns, and their rows in output files (schemas as in the design)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from neardup.core.align import AlignedSentence
from neardup.core.cluster import Clusters
from neardup.core.verify import RELATIONS, ScoredPairs
from neardup.io.read import counted, listed

if TYPE_CHECKING:
    import pyarrow as pa

#: Scores in outputs are rounded so that outputs are stable and readable.
DIGITS = 6


#: The one output schema: the columns of the pairs and the clusters outputs, in order, with their
#: Arrow types (a Parquet output and the Spark engine's rows are typed from these).
PAIR_FIELDS = (
    ("id_a", "string"),
    ("id_b", "string"),
    ("relation", "string"),
    ("jaccard", "double"),
    ("containment_a_in_b", "double"),
    ("containment_b_in_a", "double"),
    ("differs_only_in", "string"),
)
CLUSTER_FIELDS = (
    ("id", "string"),
    ("cluster_id", "int64"),
    ("representative_id", "string"),
    ("is_representative", "bool"),
    ("relation", "string"),
    ("similarity", "double"),
)
PAIR_COLUMNS = tuple(name for name, _ in PAIR_FIELDS)
CLUSTER_COLUMNS = tuple(name for name, _ in CLUSTER_FIELDS)


@cache
def pair_schema() -> pa.Schema:
    """The Arrow schema of the pairs output."""
    return _arrow_schema(PAIR_FIELDS)


@cache
def cluster_schema() -> pa.Schema:
    """The Arrow schema of the clusters output."""
    return _arrow_schema(CLUSTER_FIELDS)


def _arrow_schema(fields: Sequence[tuple[str, str]]) -> pa.Schema:
    import pyarrow as pa  # only Parquet outputs and Spark need it: JSONL runs start faster

    return pa.schema([(name, pa.type_for_alias(kind)) for name, kind in fields])


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """How two documents relate: `exact`, `near-duplicate`, `contains`, `rewrite`, `overlap` or
    `different`.

    For `contains`, the side with the higher containment is the one inside the other:
    `containment_a_in_b` near 1 means B contains A.
    """

    relation: str
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    differs_only_in: str | None = None
    #: The sentence-level explanation (filled by `compare`; empty for corpus pairs).
    alignment: tuple[AlignedSentence, ...] = ()
    #: Facts of A standing in place of facts of B ("March → April", "0.25 → 0.50"), and facts
    #: found in both (filled by `compare`, `core/facts.py`; empty for corpus pairs).
    facts_differ: tuple[str, ...] = ()
    facts_agree: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in PAIR_COLUMNS[2:]}
        if self.alignment:
            row["alignment"] = [step.to_dict() for step in self.alignment]
        if self.facts_differ or self.facts_agree:
            row["facts_differ"] = list(self.facts_differ)
            row["facts_agree"] = list(self.facts_agree)
        return row


@dataclass(frozen=True, kw_only=True)
class Pair(Comparison):
    """A related pair of documents, by the user's ids (id_a comes first in the input)."""

    id_a: str
    id_b: str

    def to_dict(self) -> dict[str, Any]:
        """The row of the pairs output, columns in the documented order."""
        return {name: getattr(self, name) for name in PAIR_COLUMNS}


@dataclass(frozen=True)
class ClusterMember:
    """A document's place in its cluster of copies."""

    id: str
    cluster_id: int
    representative_id: str
    is_representative: bool
    relation: str | None  # how it relates to the representative (None for the representative)
    similarity: float  # the score of that relation (1.0 for the representative)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Summary:
    """What a run did, for people (the CLI prints it) and for scripts."""

    documents: int = 0
    invalid_utf8: int = 0
    #: The ids of the documents whose invalid UTF-8 was replaced by U+FFFD, in input order.
    invalid_utf8_ids: list[str] = field(default_factory=list)
    #: What the input folders held that was not read, a sentence per folder and reason.
    skipped: list[str] = field(default_factory=list)
    empty: int = 0
    too_short: int = 0
    candidates: int = 0
    pairs: dict[str, int] = field(default_factory=dict)
    clusters: int = 0
    removed: int = 0
    kept: int = 0
    #: Documents removed as copies of documents already in an index (`dedup --against`).
    known_copies: int = 0
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The summary as short lines of text."""
        pairs = ", ".join(f"{n} {r}" for r, n in self.pairs.items()) or "none"
        lines = [
            f"documents read: {self.documents}",
            *([self.invalid_utf8_note()] if self.invalid_utf8 else []),
            f"empty: {self.empty}, shorter than min-words (matched only if exact): "
            f"{self.too_short}",
            # Exact copies are found by their normal form, not among the candidates.
            f"pairs: {pairs}; {counted(self.candidates, 'candidate pair')} scored",
        ]
        if self.clusters or self.kept:
            lines.append(f"clusters: {self.clusters}, removed: {self.removed}, kept: {self.kept}")
        if self.known_copies:
            lines.append(f"removed as copies of indexed documents: {self.known_copies}")
        lines.append(f"seconds: {self.seconds:.2f}")
        lines += [f"{what}: {path}" for what, path in self.outputs.items()]
        return lines

    def invalid_utf8_note(self) -> str:
        """Which documents had invalid UTF-8 (the first few named).

        >>> Summary(invalid_utf8=1, invalid_utf8_ids=["a.txt"]).invalid_utf8_note()
        '1 document had invalid UTF-8, replaced by U+FFFD: a.txt'
        """
        count = counted(self.invalid_utf8, "document")
        names = f": {listed(self.invalid_utf8_ids)}" if self.invalid_utf8_ids else ""
        return f"{count} had invalid UTF-8, replaced by U+FFFD{names}"


def pair_rows(ids: Sequence[str], pairs: ScoredPairs) -> Iterator[Pair]:
    """The pairs with the user's ids and rounded scores."""
    columns = zip(
        pairs.left.tolist(),
        pairs.right.tolist(),
        pairs.relation.tolist(),
        np.round(pairs.jaccard, DIGITS).tolist(),
        np.round(pairs.containment_left_in_right, DIGITS).tolist(),
        np.round(pairs.containment_right_in_left, DIGITS).tolist(),
        range(len(pairs)),
        strict=True,
    )
    for a, b, relation, jaccard, a_in_b, b_in_a, row in columns:
        yield Pair(
            id_a=ids[a],
            id_b=ids[b],
            relation=RELATIONS[relation],
            jaccard=jaccard,
            containment_a_in_b=a_in_b,
            containment_b_in_a=b_in_a,
            differs_only_in=differs_only_in(pairs, row),
        )


def differs_only_in(pairs: ScoredPairs, row: int) -> str | None:
    """`numbers` where the texts are the same but for their numbers; `facts` where other facts
    (months, weekdays, names, places, quoted words) stand in place of the other's (`facts.py`);
    `characters` where the relation comes from the character-level second look (the words
    differ by a few characters, and the scores are that look's); else None."""
    if pairs.differ_in_numbers[row]:
        return "numbers"
    if pairs.differ_in_facts[row]:
        return "facts"
    return "characters" if pairs.by_characters[row] else None


def cluster_rows(ids: Sequence[str], clusters: Clusters) -> Iterator[ClusterMember]:
    """Members of every cluster: cluster by cluster, the representative first."""
    members = np.flatnonzero(clusters.cluster_id >= 0)
    is_rep = clusters.representative[members] == members
    members = members[np.lexsort((members, ~is_rep, clusters.cluster_id[members]))]
    for doc in members.tolist():
        rep = int(clusters.representative[doc])
        yield ClusterMember(
            id=ids[doc],
            cluster_id=int(clusters.cluster_id[doc]),
            representative_id=ids[rep],
            is_representative=rep == doc,
            relation=None if rep == doc else RELATIONS[clusters.relation[doc]],
            similarity=round(float(clusters.similarity[doc]), DIGITS),
        )
