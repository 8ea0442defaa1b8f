"""The sweep behind neardup's defaults: accuracy on the generated news benchmark and Reuters
recall at several settings of n-gram size, thresholds and LSH bands, printed as Markdown tables
(benchmarks/ACCURACY.md records a run).

    python benchmarks/accuracy.py [--per-category 100] [--seeds 1 2] [--reuters 4000]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from neardup.candidates import band_candidates
from neardup.datasets import read_bbc, read_reuters, read_semeval_pairs
from neardup.evaluate.allpairs import exact_pairs
from neardup.evaluate.generate import NEGATIVE, POSITIVE, generate, same_event_pairs
from neardup.evaluate.metrics import adjusted_rand_index, cluster_pairs, pair_key, pair_scores
from neardup.evaluate.reuters import evaluate_reuters
from neardup.evaluate.run import predict_baseline, predict_neardup
from neardup.evaluate.sets import LabelledSet, from_records
from neardup.evaluate.table import Table
from neardup.lsh import candidate_probability
from neardup.options import Options
from neardup.pipeline import collect
from neardup.read import RecordReader, read_records

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULTS = Options()

#: (label, options): one knob moved at a time from the defaults.
SETTINGS = [
    ("defaults", DEFAULTS),
    ("ngram 3", Options(ngram=3)),
    ("ngram 4", Options(ngram=4)),
    ("ngram 6", Options(ngram=6)),
    ("jaccard 0.6", Options(jaccard=0.6)),
    ("jaccard 0.8", Options(jaccard=0.8)),
    ("containment 0.7", Options(containment=0.7)),
    ("containment 0.75", Options(containment=0.75)),
    ("containment 0.9", Options(containment=0.9)),
    ("bands 16 × rows 8", Options(bands=16, rows=8)),
    ("bands 64 × rows 2", Options(bands=64, rows=2)),
]


def benchmark(per_category: int, seed: int) -> LabelledSet:
    negatives = same_event_pairs(read_semeval_pairs(SHARED / "semeval2022-task8-sample"))
    records = generate(read_bbc(SHARED / "bbc"), negatives, per_category=per_category, seed=seed)
    return from_records(f"news benchmark, seed {seed}", records)


def measure(labelled: LabelledSet, label: str, options: Options | None) -> list[object]:
    """One row: overall P/R/F1/ARI, then the share found of each category."""
    prediction = (
        predict_baseline(labelled.documents)
        if options is None
        else predict_neardup(labelled.documents, options)
    )
    assert labelled.clusters is not None
    truth = cluster_pairs(labelled.clusters.items())
    scores = pair_scores(prediction.pairs, truth)
    ids = [d["id"] for d in labelled.documents]
    ari = adjusted_rand_index(
        [labelled.clusters[i] for i in ids], [prediction.clusters[i] for i in ids]
    )
    shares = []
    for category in (*POSITIVE, *NEGATIVE):
        pairs = [pair_key(p.id_a, p.id_b) for p in labelled.pairs if p.category == category]
        shares.append(sum(p in prediction.pairs for p in pairs) / len(pairs) if pairs else None)
    return [label, scores.precision, scores.recall, scores.f1, ari, *shares]


def reuters_recall(stories: list[dict[str, str]], options: Options) -> list[object]:
    recall = evaluate_reuters(stories, options)[0]
    _, _, truth, found, share, false = recall.rows[0]
    return [truth, found, share, false]


def band_recall(stories: list[dict[str, str]], settings: list[tuple[int, int]]) -> Table:
    """LSH bands alone (no fingerprints): the share of the true near-duplicate pairs (Jaccard ≥
    the default threshold, not exact) that share a band, and how many candidates each setting
    makes."""
    documents = [s for s in stories if s["text"]]
    options = dataclasses.replace(DEFAULTS, ignore_boilerplate=False)
    truth = {
        pair_key(*p)
        for p, (relation, *_) in exact_pairs(documents, options).items()
        if relation == "near-duplicate"
    }
    corpus = collect(read_records(documents, RecordReader("id", "text")), options)
    everyone = np.arange(len(documents))
    table = Table(
        f"LSH bands alone on Reuters-21578 ({len(documents)} stories): recall of the "
        f"{len(truth)} true near-duplicate pairs (Jaccard ≥ {DEFAULTS.jaccard}, not exact)",
        ["bands × rows", "P(candidate) at J = 0.7", "band candidates", "recall"],
    )
    for bands, rows in settings:
        encoded = band_candidates(corpus.sketches, everyone, Options(bands=bands, rows=rows))
        found = {
            pair_key(corpus.ids[a], corpus.ids[b])
            for a, b in zip((encoded >> 32).tolist(), (encoded & 0xFFFFFFFF).tolist(), strict=True)
        }
        probability = float(candidate_probability(DEFAULTS.jaccard, bands, rows))
        table.rows.append(
            [f"{bands} × {rows}", probability, len(encoded), len(found & truth) / len(truth)]
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-category", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--reuters", type=int, default=4000, help="first N Reuters stories")
    args = parser.parse_args()
    columns = ["setting", "precision", "recall", "F1", "ARI", *POSITIVE]
    columns += [f"{c} (FPR)" for c in NEGATIVE]
    for seed in args.seeds:
        labelled = benchmark(args.per_category, seed)
        table = Table(
            f"Generated news benchmark ({len(labelled.documents)} documents, seed {seed}): "
            "pairwise scores, then recall per copy category and false-positive rate per "
            "look-alike category",
            columns,
        )
        table.rows = [measure(labelled, label, options) for label, options in SETTINGS]
        table.rows.append(measure(labelled, "baseline (5-grams, 14×8, J ≥ 0.8)", None))
        print(table.markdown(), end="\n\n", flush=True)
    every_story = list(read_reuters(SHARED / "reuters21578"))
    stories = every_story[: args.reuters]
    table = Table(
        f"Reuters-21578, first {len(stories)} stories: recall against the exact all-pairs truth "
        "at each setting (furniture kept in, as the truth compares whole texts)",
        ["setting", "LSH (bands × rows)", "true pairs", "found", "recall", "reported, not true"],
    )
    for label, options in SETTINGS:
        lsh = "{} × {}".format(*options.lsh)
        table.rows.append([label, lsh, *reuters_recall(stories, options)])
    print(table.markdown(), end="\n\n", flush=True)
    settings = [DEFAULTS.lsh, (14, 8), (16, 8), (21, 6), (64, 2)]
    print(band_recall(every_story, settings).markdown(), flush=True)


if __name__ == "__main__":
    main()
