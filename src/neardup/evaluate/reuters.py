"""Reuters-21578: candidate recall against the exact all-pairs truth, and the natural kinds of
copies (re-sent stories, updated versions, template look-alikes).

The truth is computed by :func:`neardup.evaluate.allpairs.exact_pairs` from sets of token tuples,
with no sketch and no hash; so a pair missing from neardup's output was lost by candidate
generation (LSH bands and fingerprints). Page furniture is kept in for this measurement (the
truth compares whole texts). Pairs that only the character-level second look relates are outside
that truth by definition: they are counted on a row of their own, not as "reported, not true".
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from neardup.api import find_pairs
from neardup.evaluate.allpairs import exact_pairs
from neardup.evaluate.baseline import JACCARD
from neardup.evaluate.metrics import pair_key
from neardup.evaluate.run import BASELINE, BASELINE_NOTE, predict_baseline
from neardup.evaluate.table import Table
from neardup.options import Options


def evaluate_reuters(
    stories: Sequence[dict[str, str]], options: Options | None = None
) -> list[Table]:
    """Recall of neardup and of the baseline against the exact truth of their own thresholds,
    and what each finds of neardup's truth, by kind."""
    options = dataclasses.replace(options or Options(), ignore_furniture=False)
    documents = [s for s in stories if s["text"]]
    truth = {pair_key(*p): v for p, v in exact_pairs(documents, options).items()}
    found = {pair_key(p.id_a, p.id_b): p for p in find_pairs(documents, options=options)}
    # The baseline's truth: exact copies and pairs at Jaccard >= 0.8 of word 5-grams.
    strict = Options(jaccard=JACCARD, containment=1.0, overlap=None, ngram=5, min_words=0)
    baseline_truth = {
        pair_key(*p)
        for p, (relation, jaccard, *_) in exact_pairs(documents, strict).items()
        if relation == "exact" or jaccard >= JACCARD
    }
    baseline = predict_baseline(documents).pairs
    recall = Table(
        f"Reuters-21578, {len(documents)} stories with a body: recall against the exact truth",
        ["system", "thresholds", "true pairs", "found", "recall", "reported, not true"],
        note=BASELINE_NOTE,
    )
    hits = sum(found.get(p) is not None and found[p].relation == truth[p][0] for p in truth)
    by_characters = {p for p, pair in found.items() if pair.differs_only_in == "characters"}
    # Rewrites (the same facts in other words) are below both thresholds: outside the truth.
    rewrites = {p for p, pair in found.items() if pair.relation == "rewrite"}
    recall.rows.append(
        [
            "neardup",
            f"J ≥ {options.jaccard}, C ≥ {options.containment}, {options.ngram}-grams",
            len(truth),
            hits,
            hits / len(truth) if truth else 1.0,
            len(set(found) - set(truth) - by_characters - rewrites),
        ]
    )
    base_hits = len(baseline & baseline_truth)
    recall.rows.append(
        [
            BASELINE,
            f"J ≥ {JACCARD}, 5-grams",
            len(baseline_truth),
            base_hits,
            base_hits / len(baseline_truth) if baseline_truth else 1.0,
            len(baseline - baseline_truth),
        ]
    )
    kinds = Table(
        "Kinds of copies in neardup's truth, and what each system reports",
        ["kind", "true pairs", "neardup", BASELINE],
    )
    by_kind: Counter[str] = Counter(relation for relation, *_ in truth.values())
    for kind in ("exact", "near-duplicate", "contains"):
        pairs = [p for p, (relation, *_) in truth.items() if relation == kind]
        kinds.rows.append(
            [kind, by_kind[kind], sum(p in found for p in pairs), sum(p in baseline for p in pairs)]
        )
    for flag, kind, matters in (
        ("numbers", "differs only in numbers (not duplicates)", options.numbers_matter),
        ("facts", "other facts in the same places (not duplicates)", options.facts_matter),
    ):
        look_alikes = [p for p, pair in found.items() if pair.differs_only_in == flag]
        kinds.rows.append(
            [
                kind,
                len(look_alikes),
                "flagged, kept apart" if matters else "merged",
                f"{sum(p in baseline for p in look_alikes)} merged",
            ]
        )
    kinds.rows.append(
        ["by the character-level second look (outside the truth)", "–", len(by_characters), "–"]
    )
    kinds.rows.append(
        ["rewrites: the same facts in other words (outside the truth)", "–", len(rewrites), "–"]
    )
    return [recall, kinds]
