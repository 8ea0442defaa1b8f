"""A realistic news-like benchmark corpus from ../shared/data sentences, with planted copies.

Documents are new text from a word bigram chain over real sentences (BBC News and
Reuters-21578), so that unrelated documents share common phrases only, as in real news, at any
size. A share of them is planted: light edits of a recent document (near-duplicates), expanded
versions (new paragraphs added, as in the seed pair), and excerpts. The same seed gives the same
corpus, written in constant memory.

    python benchmarks/corpus.py OUT.jsonl --documents 20000 --words 600
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from neardup.evaluate.datasets import read_reuters

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


class WordChain:
    """A word bigram chain over real sentences: endless new text with their word statistics.

    Unrelated documents then share what real ones share (common phrases), whatever the corpus
    size; runs of whole pool sentences would recur in ever more documents as the corpus grows
    (at 1,000,000 documents each of the ~200,000 sentences would appear about 125 times).
    """

    def __init__(self, pool: list[str], seed: int) -> None:
        index: dict[str, int] = {"": 0}  # 0: a sentence boundary
        prev: list[int] = []
        succ: list[int] = []
        for sentence in pool:
            words = [index.setdefault(w, len(index)) for w in sentence.split()]
            prev += [0, *words]
            succ += [*words, 0]
        order = np.argsort(np.array(prev), kind="stable")
        self.successors = np.array(succ, dtype=np.int32)[order]
        self.starts = np.searchsorted(np.array(prev)[order], np.arange(len(index) + 1))
        self.words = np.array(list(index), dtype=object)
        self.rng = np.random.default_rng(seed)

    def texts(self, count: int, words: int) -> list[str]:
        """`count` texts of `words` words each, sentence boundaries included."""
        steps = words + words // 8  # room for the boundaries, which are not words
        state = np.zeros(count, dtype=np.int64)
        run = np.empty((count, steps), dtype=np.int32)
        for step in range(steps):
            choices = self.starts[state + 1] - self.starts[state]
            state = self.successors[
                self.starts[state] + (self.rng.random(count) * choices).astype(np.int64)
            ]
            run[:, step] = state
        return [" ".join(self.words[row[row != 0]][:words]) for row in run]


def light_edit(words: list[str], rng: random.Random) -> list[str]:
    """A copy with a few words changed, dropped or re-typed."""
    out = list(words)
    for _ in range(max(1, len(out) // 150)):
        i = rng.randrange(len(out))
        out[i] = rng.choice(["reportedly", "also", "now", out[i].upper(), out[i] + ","])
    return out


#: Copies are made of one of the last this many documents, as news is re-published within days.
RECENT = 20_000
#: Fresh texts are generated this many at a time (the chain runs on all of them at once).
CHUNK = 5_000


def iter_corpus(documents: int, words: int, seed: int = 7) -> Iterator[dict[str, str]]:
    """The corpus record by record, in constant memory."""
    rng = random.Random(seed)
    chain = WordChain(sentence_pool(), seed)
    fresh: Iterator[str] = iter(())
    recent: list[str] = []

    def new_text() -> str:
        nonlocal fresh
        text = next(fresh, None)
        if text is None:
            fresh = iter(chain.texts(CHUNK, words))
            text = next(fresh)
        return text

    for n in range(documents):
        kind = rng.random()
        if recent and kind < 0.05:  # near-duplicate of an earlier document
            text = " ".join(light_edit(rng.choice(recent).split(), rng))
        elif recent and kind < 0.08:  # expanded version: 30-100% more words
            base = rng.choice(recent)
            extra = new_text().split()[: int(len(base.split()) * rng.uniform(0.3, 1.0))]
            cut = rng.randrange(len(extra) + 1)
            text = " ".join([*extra[:cut], base, *extra[cut:]])
        elif recent and kind < 0.10:  # excerpt of 40-80%
            base_words = rng.choice(recent).split()
            size = int(len(base_words) * rng.uniform(0.4, 0.8))
            start = rng.randrange(len(base_words) - size + 1)
            text = " ".join(base_words[start : start + size])
        else:
            text = new_text()
        if len(recent) < RECENT:
            recent.append(text)
        else:
            recent[n % RECENT] = text
        yield {"id": f"doc-{n:07d}", "text": text}


def make_corpus(documents: int, words: int, seed: int = 7) -> list[dict[str, str]]:
    """The whole corpus as a list (see :func:`iter_corpus`)."""
    return list(iter_corpus(documents, words, seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with args.output.open("w", encoding="utf-8") as out:
        for record in iter_corpus(args.documents, args.words, args.seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    size = args.output.stat().st_size / 1e6
    print(f"{args.output}: {args.documents} documents, {size:.1f} MB")


if __name__ == "__main__":
    main()
