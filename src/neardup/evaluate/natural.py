"""Natural pairs measured: for each part (`tune`, `test`, `holdout`) and each system, the share of
same-story pairs found as copies (recall), of template look-alikes found as copies (the
false-positive rate) and of related pairs found as copies.

neardup runs once on all the documents of the pairs together, as on a corpus; a pair counts as
found as it does elsewhere (`run.predict_neardup`). Beside it: neardup with facts that don't
matter, the rule "exact containment of word 5-grams ≥ 0.8" that the facts rule was measured
against, and the MinHash-LSH baseline.
"""

from __future__ import annotations

from dataclasses import replace

from neardup.core.furniture import furniture_of
from neardup.evaluate.metrics import pair_key
from neardup.evaluate.run import (
    BASELINE_NOTE,
    Prediction,
    pair_similarities,
    predict_baseline,
    predict_neardup,
)
from neardup.evaluate.sets import LabelledSet, NaturalPair
from neardup.evaluate.table import Table
from neardup.options import Options

#: The plain rule beside neardup: a pair is a copy at this exact containment or more.
CONTAINMENT_RULE = 0.8
#: `holdout` was drawn and labelled after the rule was last changed on the other two.
HALVES = ("tune", "test", "holdout")


def containment_rule(labelled: LabelledSet, options: Options) -> Prediction:
    """The labelled pairs whose exact containment (word n-grams, furniture left out as neardup
    leaves it out) is at least CONTAINMENT_RULE."""
    pairs = [(p.id_a, p.id_b) for p in labelled.pairs]
    _, containment = pair_similarities(
        labelled.documents, pairs, ngram=options.ngram, furniture=furniture_of(options)
    )
    found = frozenset(
        pair_key(a, b)
        for (a, b), c in zip(pairs, containment.tolist(), strict=True)
        if c >= CONTAINMENT_RULE
    )
    return Prediction(f"containment ≥ {CONTAINMENT_RULE}", found, {}, 0.0)


def evaluate_natural(labelled: LabelledSet, options: Options) -> list[Table]:
    """A table per half: recall of same-story pairs, false-positive rate of templates, and the
    share of related pairs found, for each system."""
    neardup = predict_neardup(labelled.documents, options)
    facts_off = predict_neardup(labelled.documents, replace(options, facts_matter=False))
    systems = [
        replace(neardup, system="neardup" if options.facts_matter else "neardup (facts off)"),
        replace(facts_off, system="neardup, facts don't matter"),
        containment_rule(labelled, options),
        predict_baseline(labelled.documents),
    ]
    if not options.facts_matter:
        systems.pop(1)
    halves = {p.half for p in labelled.pairs if isinstance(p, NaturalPair)}
    return [_half_table(labelled, half, systems) for half in HALVES if half in halves]


def _half_table(labelled: LabelledSet, half: str, systems: list[Prediction]) -> Table:
    pairs = [p for p in labelled.pairs if isinstance(p, NaturalPair) and p.half == half]
    by_label = {
        label: [pair_key(p.id_a, p.id_b) for p in pairs if p.category == label]
        for label in ("same_story", "template", "related")
    }
    counts = ", ".join(f"{len(keys)} {label}" for label, keys in by_label.items())
    columns = ["system", "same-story recall", "template FPR", "related found", "seconds"]
    table = Table(f"{labelled.name}, half '{half}': {counts}", columns, note=BASELINE_NOTE)
    for system in systems:
        shares = [
            sum(k in system.pairs for k in keys) / len(keys) if keys else None
            for keys in by_label.values()
        ]
        table.rows.append([system.system, *shares, system.seconds])
    return table
