"""The sweep behind neardup's defaults: accuracy on the generated news benchmark and Reuters
recall at several settings of n-gram size, thresholds and LSH bands, printed as Markdown tables
(benchmarks/ACCURACY.md records a run).

    python benchmarks/accuracy.py [--per-category 100] [--seeds 1 2] [--reuters 4000]
        [--parts ocr news numbers reuters bands pairs char]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np

from neardup.api import compare, find_pairs
from neardup.core.bands import candidate_probability
from neardup.core.candidates import band_candidates
from neardup.core.normalize import normalize
from neardup.core.reference import masked_tokens, starts_with_digit
from neardup.core.sketch import NUMBER_WORDS
from neardup.core.tokens import tokens
from neardup.engine.local import collect
from neardup.evaluate import transform
from neardup.evaluate.allpairs import exact_pairs
from neardup.evaluate.datasets import read_bbc, read_reuters, read_semeval_pairs
from neardup.evaluate.metrics import adjusted_rand_index, cluster_pairs, pair_key, pair_scores
from neardup.evaluate.news_benchmark import NEGATIVE, POSITIVE, generate, same_event_pairs
from neardup.evaluate.reuters import evaluate_reuters
from neardup.evaluate.run import DUPLICATES, predict_baseline, predict_neardup
from neardup.evaluate.sets import LabelledSet, from_records
from neardup.evaluate.table import Table
from neardup.evaluate.transform import Article
from neardup.io.read import RecordReader, read_records
from neardup.options import Options

NUMBER_WORD_SET = set(NUMBER_WORDS)

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


def ocr_recall(rates: list[float], ngrams: list[int], articles: int = 200) -> Table:
    """Recall of OCR-noised copies by character error rate and n-gram size (word shingles
    alone), and with the character-level second look at the defaults: each BBC article against
    its noised copy (`neardup.compare`, default thresholds otherwise)."""
    rng = random.Random(1)
    sources = [Article.parse(a["text"]) for a in read_bbc(SHARED / "bbc")]
    sources = rng.sample([a for a in sources if a.words >= 80], articles)
    settings = [(f"{n}-grams", Options(ngram=n, char_errors=0)) for n in ngrams]
    settings.append(("5-grams + second look (defaults)", DEFAULTS))
    table = Table(
        f"OCR noise: share of {articles} BBC articles whose noised copy is a duplicate, by "
        "character error rate",
        ["character error rate", *(label for label, _ in settings)],
    )
    for rate in rates:
        copies = [transform.ocr_noise(a, rng, rate) for a in sources]
        row: list[object] = [f"{rate:.2%}"]
        for _, options in settings:
            found = sum(
                compare(a.text, c.text, explain=False, options=options).relation in DUPLICATES
                for a, c in zip(sources, copies, strict=True)
            )
            row.append(found / articles)
        table.rows.append(row)
    return table


#: The character-level second look: off, and the share of a word's characters that may differ.
CHAR_SETTINGS = [0.0, 0.2, 0.25, 0.34, 0.5]


def char_table(per_category: int, seed: int) -> Table:
    """The generated benchmark at each `char_errors` setting (0: the second look off)."""
    labelled = benchmark(per_category, seed)
    table = Table(
        f"Second look on the generated news benchmark ({len(labelled.documents)} documents, "
        f"seed {seed}), by char_errors (0: off)",
        ["char_errors", "precision", "recall", "F1", "ARI", *POSITIVE]
        + [f"{c} (FPR)" for c in NEGATIVE],
    )
    for value in CHAR_SETTINGS:
        options = Options(char_errors=value)
        table.rows.append(measure(labelled, f"{value:g}", options))
    return table


def char_reuters(stories: list[dict[str, str]]) -> Table:
    """What the second look adds on all of Reuters-21578: the pairs it promotes, how many are
    outside the exact word-level truth, and how many are short notices (wire templates)."""
    documents = [s for s in stories if s["text"]]
    words = {d["id"]: len(d["text"].split()) for d in documents}
    table = Table(
        f"Second look on Reuters-21578 ({len(documents)} stories, furniture kept as for the "
        "truth): pairs it makes duplicates, by char_errors",
        ["char_errors", "duplicate pairs", "by the second look", "short notices (< 30 words)"],
    )
    for value in CHAR_SETTINGS:
        options = Options(char_errors=value, ignore_boilerplate=False)
        pairs = [
            p
            for p in find_pairs(documents, options=options)
            if p.relation in DUPLICATES and p.differs_only_in != "numbers"
        ]
        looked = [p for p in pairs if p.differs_only_in == "characters"]
        short = sum(min(words[p.id_a], words[p.id_b]) < 30 for p in looked)
        table.rows.append([f"{value:g}", len(pairs), len(looked), short])
    return table


def news_table(per_category: int, seed: int) -> Table:
    """Every setting, and the baseline, on one generated benchmark."""
    labelled = benchmark(per_category, seed)
    columns = ["setting", "precision", "recall", "F1", "ARI", *POSITIVE]
    table = Table(
        f"Generated news benchmark ({len(labelled.documents)} documents, seed {seed}): "
        "pairwise scores, then recall per copy category and false-positive rate per "
        "look-alike category",
        columns + [f"{c} (FPR)" for c in NEGATIVE],
    )
    table.rows = [measure(labelled, label, options) for label, options in SETTINGS]
    table.rows.append(measure(labelled, "baseline (5-grams, 14×8, J ≥ 0.8)", None))
    return table


def reuters_table(stories: list[dict[str, str]]) -> Table:
    """Recall against the exact truth at every setting."""
    table = Table(
        f"Reuters-21578, first {len(stories)} stories: recall against the exact all-pairs truth "
        "at each setting (furniture kept in, as the truth compares whole texts)",
        ["setting", "LSH (bands × rows)", "true pairs", "found", "recall", "reported, not true"],
    )
    for label, options in SETTINGS:
        lsh = "{} × {}".format(*options.lsh)
        table.rows.append([label, lsh, *reuters_recall(stories, options)])
    return table


def reuters_pairs(stories: list[dict[str, str]]) -> Table:
    """What looser settings add on real news: the duplicate pairs neardup reports on all of
    Reuters-21578, and how many are short notices (a side under 30 words, not exact), where
    wire templates ("Qtly div 30 cts vs 30 cts prior Pay April 20 …") live."""
    documents = [s for s in stories if s["text"]]
    words = {d["id"]: len(d["text"].split()) for d in documents}
    table = Table(
        f"Reuters-21578 ({len(documents)} stories): duplicate pairs reported at each setting",
        ["setting", "duplicate pairs", "more than defaults", "short notices (< 30 words)"],
    )
    chosen = [s for s in SETTINGS if s[0].startswith(("defaults", "ngram", "containment 0.7"))]
    counts = []
    for label, options in chosen:
        pairs = [
            p
            for p in find_pairs(documents, options=options)
            if p.relation in DUPLICATES and p.differs_only_in != "numbers"
        ]
        counts.append(len(pairs))
        short = sum(p.relation != "exact" and min(words[p.id_a], words[p.id_b]) < 30 for p in pairs)
        table.rows.append([label, len(pairs), len(pairs) - counts[0], short])
    return table


def number_masks(per_category: int, seed: int) -> Table:
    """The generated `numbers` look-alikes neardup reports as duplicates, and how many of them
    each way of telling a number would flag (and how many true copies it would wrongly flag)."""
    labelled = benchmark(per_category, seed)
    texts = {d["id"]: d["text"] for d in labelled.documents}
    found = predict_neardup(labelled.documents, DEFAULTS).pairs
    wrong = [
        p for p in labelled.pairs if p.category == "numbers" and pair_key(p.id_a, p.id_b) in found
    ]
    copies = [p for p in labelled.pairs if p.duplicate]
    rules: list[tuple[str, Callable[[str], bool]]] = [
        ("only digits (before)", lambda t: t.isascii() and t.isdigit()),
        ("starts with a digit (5bn, 1980s, 19th; now)", starts_with_digit),
    ]
    table = Table(
        f"Number look-alikes reported as duplicates (seed {seed}): {len(wrong)}; how many each "
        "number mask would flag",
        ["a token is a number when", "look-alikes flagged", "true copies wrongly flagged"],
    )
    for name, rule in rules:

        def flagged(a: str, b: str, rule: Callable[[str], bool] = rule) -> bool:
            return texts[a] != texts[b] and masked_tokens(
                texts[a], NUMBER_WORD_SET, rule
            ) == masked_tokens(texts[b], NUMBER_WORD_SET, rule)

        table.rows.append(
            [
                name,
                sum(flagged(p.id_a, p.id_b) for p in wrong),
                sum(
                    flagged(p.id_a, p.id_b)
                    and tokens(normalize(texts[p.id_a])) != tokens(normalize(texts[p.id_b]))
                    for p in copies
                ),
            ]
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-category", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--reuters", type=int, default=4000, help="first N Reuters stories")
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["ocr", "news", "numbers", "reuters", "bands", "pairs", "char"],
        help="tables to make",
    )
    args = parser.parse_args()
    tables = []
    if "ocr" in args.parts:
        tables.append(lambda: ocr_recall([0.0025, 0.005, 0.01, 0.015, 0.02, 0.03], [3, 4, 5]))
    if "news" in args.parts:
        tables += [lambda seed=seed: news_table(args.per_category, seed) for seed in args.seeds]
    if "numbers" in args.parts:
        tables.append(lambda: number_masks(args.per_category, args.seeds[0]))
    if "reuters" in args.parts:
        tables.append(
            lambda: reuters_table(list(read_reuters(SHARED / "reuters21578"))[: args.reuters])
        )
    if "bands" in args.parts:
        settings = [DEFAULTS.lsh, (14, 8), (16, 8), (21, 6), (64, 2)]
        tables.append(lambda: band_recall(list(read_reuters(SHARED / "reuters21578")), settings))
    if "pairs" in args.parts:
        tables.append(lambda: reuters_pairs(list(read_reuters(SHARED / "reuters21578"))))
    if "char" in args.parts:
        tables += [lambda seed=seed: char_table(args.per_category, seed) for seed in args.seeds]
        tables.append(lambda: char_reuters(list(read_reuters(SHARED / "reuters21578"))))
    for make in tables:
        print(make().markdown(), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
