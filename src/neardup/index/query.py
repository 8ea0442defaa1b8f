"""A query against the index: the query's exact key, band keys and sampled fingerprints looked up,
the candidates scored exactly by `verify.score_pairs` on their stored shingles, the best k
returned.

Only the fingerprints whose hash is a multiple of PRINT_SAMPLE are posted (the same keys in a
query and in the index, as they are chosen by value): a quarter of the postings, and of the
random reads of a query. Near-duplicates are found by their LSH bands as before; a document
inside another (an excerpt, an expanded version) is found by the fingerprints of the passage they
share, which the sample keeps in proportion. A passage of L words holds about 0.4·(L − 4)
fingerprints (window 4, 5-word shingles), so it is missed with probability about 0.75 to that
power: 2% at 40 words, 0.2% at 60, under 0.01% at 100 (tests/engines/test_index.py measures it).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from neardup.core.candidates import enough_prints, has_text, print_share
from neardup.core.facts import (
    NO_TOKENS,
    Facts,
    FactsOf,
    HasFacts,
    facts_from_texts,
    facts_look,
)
from neardup.core.furniture import furniture_of
from neardup.core.keys import signed
from neardup.core.sketch import Sketches, for_scoring
from neardup.core.verify import (
    CONTAINS,
    EXACT,
    RELATIONS,
    REWRITE,
    is_copy_pair,
    reported,
    score_pairs,
)
from neardup.errors import OptionsError
from neardup.index.format import unpack
from neardup.index.postings import Segments, Snapshot
from neardup.options import Options
from neardup.results import DIGITS, Comparison, differs_only_in

#: One winnowed fingerprint in this many (by hash value) is posted and looked up.
PRINT_SAMPLE = 4
#: A query reads at most this many documents per LSH band key: an index holding more near-copies
#: of one text than this returns some of them, and a query's cost stays bounded.
BAND_ROWS_PER_KEY = 1000
#: A query fetches a fingerprint's holders with their fingerprint counts packed in one integer.
_SHIFT = 24
_COUNT_MASK = (1 << _SHIFT) - 1


@dataclass(frozen=True, kw_only=True)
class Match(Comparison):
    """An indexed document related to a query: A is the query, B the indexed document `id`.

    `containment_a_in_b` is the share of the query inside the indexed document.
    """

    id: str

    @property
    def similarity(self) -> float:
        """The score of the relation: containment for `contains` and `rewrite`, else Jaccard."""
        if self.relation in (RELATIONS[CONTAINS], RELATIONS[REWRITE]):
            return max(self.containment_a_in_b, self.containment_b_in_a)
        return self.jaccard

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, **super().to_dict()}


def is_copy(match: Match, options: Options) -> bool:
    """Whether a query is a copy of the matched document: identical, a near-duplicate, mostly
    inside it, or a rewrite of it that is no fuller (by the share of it inside the other). A
    query that contains the indexed document (an expanded version) is not. The pair must be a
    copy by the rule every engine clusters by (`verify.is_copy_relation`)."""
    if not is_copy_pair(
        match.relation, match.differs_only_in, numbers_matter=options.numbers_matter
    ):
        return False
    if match.relation == RELATIONS[CONTAINS]:
        return match.containment_a_in_b >= options.containment
    if match.relation == RELATIONS[REWRITE]:
        return match.containment_a_in_b >= match.containment_b_in_a
    return True


#: `Index.query_sketches`: the matches of each document of `sketches`, with its facts.
QuerySketches = Callable[..., list[list[Match]]]


def query_reading_facts(
    query: QuerySketches,
    sketches: Sketches,
    facts: FactsOf,
    k: int = 10,
    *,
    report_overlap: bool = False,
) -> list[list[Match]]:
    """`query(sketches, k, ..., facts=...)` (`Index.query_sketches`, whose index's facts matter)
    with the facts of only the documents the facts rule asks for, read at once by `facts` (the
    facts of a set of documents, by position): a first pass notes which documents those are
    (most have no look-alike in the index), and they are queried again with their facts."""
    asked: set[int] = set()
    unread = [_Unread(d, asked) for d in range(len(sketches))]
    found = query(sketches, k, report_overlap=report_overlap, facts=unread)
    if asked:
        docs = sorted(asked)
        read = facts(set(docs))
        again = query(
            _sketches_of(sketches, docs),
            k,
            report_overlap=report_overlap,
            facts=[read[d] for d in docs],
        )
        for d, matches in zip(docs, again, strict=True):
            found[d] = matches
    return found


class _Unread:
    """Stands for the facts of document `doc`, not read: notes in `asked` that the facts rule
    asked for them, and gives none (the answer is not kept: the document is queried again)."""

    def __init__(self, doc: int, asked: set[int]) -> None:
        self.doc, self.asked = doc, asked

    @property
    def tokens(self) -> np.ndarray:
        self.asked.add(self.doc)
        return NO_TOKENS

    @property
    def facts(self) -> Facts:
        self.asked.add(self.doc)
        return Facts()


def _sketches_of(sketches: Sketches, docs: list[int]) -> Sketches:
    """The sketches of documents `docs` alone, in that order."""
    chosen = np.array(docs, dtype=np.int64)

    def ragged(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        cuts = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum([p.size for p in parts], out=cuts[1:])
        return np.concatenate([np.empty(0, np.uint64), *parts]), cuts

    shingles, starts = ragged([sketches.shingles_of(d) for d in docs])
    prints, print_starts = ragged([sketches.prints_of(d) for d in docs])
    return Sketches(
        exact_keys=sketches.exact_keys[chosen],
        masked_keys=sketches.masked_keys[chosen],
        token_counts=sketches.token_counts[chosen],
        shingles=shingles,
        starts=starts,
        signatures=sketches.signatures[chosen],
        prints=prints,
        print_starts=print_starts,
        band_keys=None if sketches.band_keys is None else sketches.band_keys[chosen],
    )


def sampled(prints: np.ndarray) -> np.ndarray:
    """Which fingerprints are posted: chosen by value, so a query and the index agree. The low
    bits, as winnowing keeps the smallest hashes (their high bits are skewed towards 0)."""
    return prints % np.uint64(PRINT_SAMPLE) == 0


def matches(
    db: sqlite3.Connection,
    segments: Segments,
    segs: Snapshot,
    options: Options,
    sketches: Sketches,
    d: int,
    eligible: bool,
    k: int,
    report_overlap: bool,
    facts: HasFacts | None = None,
) -> list[Match]:
    """The (at most `k`) indexed documents most related to document d of `sketches`, read in
    one snapshot (`db`, `segments`, `segs`): its exact copies first, then by similarity. The
    facts rule applies (`facts.facts_look`, on the stored facts) with the query's `facts`,
    which are needed where facts matter (no query skips the rule)."""
    if options.facts_matter and facts is None:
        raise OptionsError(
            "facts matter in this index: a query needs its facts (`facts`), or the index's "
            "look-alikes would pass for copies"
        )
    if not has_text(sketches.exact_keys[d]):
        return []
    (signed_key,) = signed(sketches.exact_keys[d : d + 1]).tolist()
    exact = [
        Match(
            id=i,
            relation=RELATIONS[EXACT],
            jaccard=1.0,
            containment_a_in_b=1.0,
            containment_b_in_a=1.0,
        )
        for (i,) in db.execute(
            "SELECT id FROM docs WHERE exact_key = ? ORDER BY doc LIMIT ?", (signed_key, k)
        )
    ]
    if not eligible or not segs:
        return exact
    candidates = _candidates(segments, segs, options, sketches, d, report_overlap)
    rows = db.execute(
        "SELECT id, exact_key, masked_key, shingles, doc FROM docs "
        "JOIN shingles USING (doc) "
        "WHERE doc IN (SELECT value FROM json_each(?)) AND exact_key != ?",
        (json.dumps(candidates.tolist()), signed_key),
    ).fetchall()
    if not rows:
        return exact
    paired = _with_query(sketches, d, rows)
    right = np.arange(1, len(rows) + 1)
    left = np.zeros_like(right)
    scored = score_pairs(paired, left, right, options, report_overlap=report_overlap)
    if facts is not None:
        scored = facts_look(scored, _stored_facts(db, rows, facts, options), options)
    scored = reported(scored)
    related = [
        Match(
            id=rows[r - 1][0],
            relation=RELATIONS[relation],
            jaccard=round(jaccard, DIGITS),
            containment_a_in_b=round(a_in_b, DIGITS),
            containment_b_in_a=round(b_in_a, DIGITS),
            differs_only_in=differs_only_in(scored, row),
        )
        for row, (r, relation, jaccard, a_in_b, b_in_a) in enumerate(
            zip(
                scored.right.tolist(),
                scored.relation.tolist(),
                scored.jaccard.tolist(),
                scored.containment_left_in_right.tolist(),
                scored.containment_right_in_left.tolist(),
                strict=True,
            )
        )
    ]
    related.sort(key=lambda m: (-m.similarity, m.id))
    return (exact + related)[:k]


def _stored_facts(
    db: sqlite3.Connection, rows: list[tuple[Any, ...]], query: HasFacts, options: Options
) -> Callable[[set[int]], dict[int, HasFacts]]:
    """The facts of the query (document 0) and of the indexed candidates (1…), read from their
    stored texts (furniture left out, as from their sketches) for the candidates asked for:
    their fact tokens at once, their facts when first asked for."""

    def texts(docs: set[int]) -> dict[int, str]:
        found = dict(
            db.execute(
                "SELECT doc, z FROM texts WHERE doc IN (SELECT value FROM json_each(?))",
                (json.dumps([rows[d - 1][4] for d in docs]),),
            ).fetchall()
        )
        return {d: unpack(found[rows[d - 1][4]]) for d in docs}

    stored = facts_from_texts(texts, furniture_of(options))

    def facts(docs: set[int]) -> dict[int, HasFacts]:
        found = dict(stored({d for d in docs if d > 0}))
        return {0: query, **found} if 0 in docs else found

    return facts


def _candidates(
    segments: Segments,
    segs: Snapshot,
    options: Options,
    sketches: Sketches,
    d: int,
    report_overlap: bool,
) -> np.ndarray:
    """Indexed documents sharing an LSH band with document d, or enough fingerprints.

    The fingerprint rule is `candidates.fingerprint_candidates`'s (`candidates.print_share`),
    on the sampled fingerprints; a fingerprint held by `max_shingle_df` or more indexed
    documents is common phrasing and ignored.
    """
    band_keys = sketches.lsh_keys(slice(d, d + 1), options.lsh).ravel()
    found = [segments.lookup("bands", "doc", band_keys, segs, BAND_ROWS_PER_KEY)]
    prints = sketches.prints_of(d)
    prints = prints[sampled(prints)]
    cap = options.max_shingle_df
    value = f"doc * {_COUNT_MASK + 1} + min(n, {_COUNT_MASK})"
    held = segments.lookup("prints", value, prints, segs, cap)
    if held.size:
        docs, first, shared = np.unique(held >> _SHIFT, return_index=True, return_counts=True)
        their_prints = (held & _COUNT_MASK)[first]
        smaller = np.minimum(their_prints, prints.size)
        share = print_share(options, report_overlap=report_overlap)
        found.append(docs[enough_prints(shared, smaller, share)])
    return np.unique(np.concatenate(found))


def _with_query(sketches: Sketches, d: int, rows: list[tuple[Any, ...]]) -> Sketches:
    """Sketches of the query (document 0) and of the indexed candidates (1…), for `verify`."""
    parts = [sketches.shingles_of(d)]
    parts += [np.frombuffer(row[3], dtype="<u8") for row in rows]
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([p.size for p in parts], out=starts[1:])

    def keys(column: int, own: np.ndarray) -> np.ndarray:
        stored = np.array([row[column] for row in rows], dtype=np.int64).view(np.uint64)
        return np.concatenate([own[d : d + 1], stored])

    shingles = np.concatenate(parts).astype(np.uint64)
    return for_scoring(
        shingles, starts, keys(1, sketches.exact_keys), keys(2, sketches.masked_keys)
    )
