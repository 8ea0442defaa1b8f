"""Ground truth: exact scores of every pair of documents, with no sketch and no hash.

Shingles are tuples of tokens (`reference.shingle_set`); an inverted index finds the pairs that
share at least one, and their scores are computed from the sets themselves.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

from neardup.core.reference import ngrams, scores
from neardup.core.tokens import words
from neardup.options import Options


def exact_pairs(
    docs: Sequence[dict[str, str]], options: Options
) -> dict[tuple[str, str], tuple[str, float, float, float]]:
    """{(id_a, id_b): (relation, jaccard, a_in_b, b_in_a)} for each pair in a duplicate relation."""
    texts = [tuple(words(d["text"])) for d in docs]
    lengths = [len(t) for t in texts]
    sets = [ngrams(t, options.ngram) for t in texts]
    truth: dict[tuple[str, str], tuple[str, float, float, float]] = {}
    # Exact copies: the same words, whatever the punctuation between them.
    by_words: dict[tuple[str, ...], list[int]] = {}
    for i, text in enumerate(texts):
        if text:
            by_words.setdefault(text, []).append(i)
    for group in by_words.values():
        for i, j in itertools.combinations(group, 2):
            truth[docs[i]["id"], docs[j]["id"]] = ("exact", 1.0, 1.0, 1.0)
    holders: dict[tuple[str, ...], list[int]] = {}
    for i, shingles in enumerate(sets):
        if lengths[i] >= options.min_words:
            for shingle in shingles:
                holders.setdefault(shingle, []).append(i)
    sharing: Counter[tuple[int, int]] = Counter()
    for docs_with in holders.values():
        sharing.update(itertools.combinations(docs_with, 2))
    for i, j in sharing:
        key = (docs[i]["id"], docs[j]["id"])
        if key in truth:
            continue
        jaccard, a_in_b, b_in_a = scores(sets[i], sets[j])
        if jaccard >= options.jaccard:
            truth[key] = ("near-duplicate", jaccard, a_in_b, b_in_a)
        elif max(a_in_b, b_in_a) >= options.containment:
            truth[key] = ("contains", jaccard, a_in_b, b_in_a)
    return truth
