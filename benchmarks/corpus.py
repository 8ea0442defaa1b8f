"""A realistic news-like benchmark corpus from ../shared/data sentences, with planted copies.

Documents are runs of real sentences (BBC News and Reuters-21578), lightly varied so that
unrelated documents share little text, as in real news. A share of them is planted:
light edits of another document (near-duplicates), expanded versions (new paragraphs added, as in
the seed pair), and excerpts. The same seed gives the same corpus.

    python benchmarks/corpus.py OUT.jsonl --documents 20000 --words 580
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from neardup.datasets import read_reuters

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def sentence_pool() -> list[str]:
    """Real sentences from BBC News and Reuters-21578 bodies."""
    texts = [
        p.read_text(encoding="utf-8", errors="replace") for p in sorted(SHARED.glob("bbc/*/*.txt"))
    ]
    texts += [s["text"] for s in read_reuters(SHARED / "reuters21578") if s["text"]]
    pool = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if 6 <= len(sentence.split()) <= 60:
                pool.append(sentence)
    return pool


def fresh_sentence(sentence: str, vocabulary: list[str], rng: random.Random) -> str:
    """A pool sentence with about one word in six replaced, so that unrelated documents share
    few 5-grams (a pool of ~200,000 sentences would otherwise recur in many documents at scale)."""
    return " ".join(
        rng.choice(vocabulary) if rng.random() < 0.17 else word for word in sentence.split()
    )


def light_edit(words: list[str], rng: random.Random) -> list[str]:
    """A copy with a few words changed, dropped or re-typed."""
    out = list(words)
    for _ in range(max(1, len(out) // 150)):
        i = rng.randrange(len(out))
        out[i] = rng.choice(["reportedly", "also", "now", out[i].upper(), out[i] + ","])
    return out


def make_corpus(documents: int, words: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    pool = sentence_pool()
    vocabulary = sorted({w for s in pool[:20_000] for w in s.split()})
    records: list[dict[str, str]] = []
    for n in range(documents):
        kind = rng.random()
        if records and kind < 0.05:  # near-duplicate of an earlier document
            text = " ".join(light_edit(rng.choice(records)["text"].split(), rng))
        elif records and kind < 0.08:  # expanded version: 30-100% more sentences
            base = rng.choice(records)["text"]
            extra = []
            while len(" ".join(extra).split()) < len(base.split()) * rng.uniform(0.3, 1.0):
                extra.append(fresh_sentence(rng.choice(pool), vocabulary, rng))
            cut = rng.randrange(len(extra) + 1)
            text = " ".join([*extra[:cut], base, *extra[cut:]])
        elif records and kind < 0.10:  # excerpt of 40-80%
            base = rng.choice(records)["text"].split()
            size = int(len(base) * rng.uniform(0.4, 0.8))
            start = rng.randrange(len(base) - size + 1)
            text = " ".join(base[start : start + size])
        else:
            sentences: list[str] = []
            while len(" ".join(sentences).split()) < words:
                sentences.append(fresh_sentence(rng.choice(pool), vocabulary, rng))
            text = " ".join(sentences)
        records.append({"id": f"doc-{n:07d}", "text": text})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=540)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    records = make_corpus(args.documents, args.words, args.seed)
    with args.output.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    size = args.output.stat().st_size / 1e6
    print(f"{args.output}: {len(records)} documents, {size:.1f} MB")


if __name__ == "__main__":
    main()
