"""Small generated corpora with planted copies, for tests that need no ../shared data."""

from __future__ import annotations

import random

import numpy as np

VOCABULARY = [f"w{i}" for i in range(3000)]


def planted_corpus(n: int, seed: int = 3) -> list[dict[str, str]]:
    """`n` records: unrelated random texts (3–400 words) and planted copies of earlier ones —
    light edits, expanded versions, excerpts, re-cased exact copies, number changes."""
    rng = random.Random(seed)
    records: list[dict[str, str]] = []
    for i in range(n):
        kind = rng.random()
        base = rng.choice(records)["text"].split() if records else []
        if base and kind < 0.15:  # near-duplicate
            for _ in range(max(1, len(base) // 40)):
                base[rng.randrange(len(base))] = rng.choice(VOCABULARY)
            text = " ".join(base)
        elif base and kind < 0.25:  # expanded version
            text = " ".join(rng.choices(VOCABULARY, k=rng.randint(10, 200)) + base)
        elif base and kind < 0.35:  # excerpt
            start = rng.randint(0, len(base) // 2)
            text = " ".join(base[start : start + max(5, len(base) // 3)])
        elif base and kind < 0.40:  # exact copy once normalized
            text = " ".join(base).upper()
        elif base and kind < 0.45:  # the same but for a number
            text = " ".join([*base, str(rng.randint(0, 99))])
        else:
            text = " ".join(rng.choices(VOCABULARY, k=rng.randint(3, 400)))
        records.append({"id": f"d{i}", "text": text})
    return records


def batch(name: str, size: int, words: int, seed: int) -> list[dict[str, str]]:
    """`size` unrelated random records with ids `name-0`, `name-1`, …, generated fast."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, len(VOCABULARY), size=(size, words))
    return [
        {"id": f"{name}-{i}", "text": " ".join(VOCABULARY[t] for t in row)}
        for i, row in enumerate(tokens.tolist())
    ]
