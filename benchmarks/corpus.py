"""A realistic news-like benchmark corpus from ../shared/data sentences, with planted copies.

Two kinds, both written in constant memory, the same seed giving the same corpus:

- `chain` (the default): documents are new text from a word bigram chain over real sentences
  (BBC News and Reuters-21578), so that unrelated documents share common phrases only, as in
  real news, at any size. A share of them is planted: light edits of a recent document
  (near-duplicates), expanded versions (new paragraphs added, as in the seed pair), and excerpts.
- `shared`: whole sentences recur across unrelated documents, as web page furniture and quoted
  wire copy do. About 40% of each document's sentences are drawn from a pool of real sentences
  shared by the whole corpus (a few of them in most documents, most in a handful each), the rest
  are the document's own (word chain) sentences. Copies are planted at the same rates: light
  edits, extended versions (the earlier document is a prefix of the later one) and prefixes.

    python benchmarks/corpus.py OUT.jsonl --documents 20000 --words 600
    python benchmarks/corpus.py OUT.jsonl --documents 20000 --kind shared
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
        return [" ".join(self.words[row[row != 0]][:words]) for row in self._walk(count, words)]

    def sentences(self, count: int, words: int) -> list[list[str]]:
        """`count` texts of `words` words each, as lists of sentences (the last one may be cut)."""
        texts = []
        for row in self._walk(count, words):
            sentences, left = [], words
            for part in np.split(row, np.flatnonzero(row == 0)):
                part = part[part != 0][:left]
                if part.size:
                    sentences.append(" ".join(self.words[part]))
                    left -= part.size
                if not left:
                    break
            texts.append(sentences)
        return texts

    def _walk(self, count: int, words: int) -> np.ndarray:
        """`count` walks of the chain long enough for `words` words: word numbers, 0 at each
        sentence boundary."""
        steps = words + words // 8  # room for the boundaries, which are not words
        state = np.zeros(count, dtype=np.int64)
        run = np.empty((count, steps), dtype=np.int32)
        for step in range(steps):
            choices = self.starts[state + 1] - self.starts[state]
            state = self.successors[
                self.starts[state] + (self.rng.random(count) * choices).astype(np.int64)
            ]
            run[:, step] = state
        return run


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
#: The corpus kinds (see the module's docstring).
KINDS = ("chain", "shared")


def iter_corpus(
    documents: int, words: int, seed: int = 7, kind: str = "chain"
) -> Iterator[dict[str, str]]:
    """The corpus record by record, in constant memory."""
    if kind == "shared":
        yield from iter_shared_corpus(documents, words, seed)
        return
    if kind != "chain":
        raise ValueError(f"unknown corpus kind {kind!r}: chain or shared")
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


#: The `shared` corpus: the share of each document's sentences drawn from the shared pool.
SHARED_SHARE = 0.4
#: Sentences in the shared pool, and the Zipf exponent of how often each one is drawn: the first
#: few recur in most documents (like page furniture), the long tail in a handful each (like
#: quoted wire copy). At 100,000 documents of 600 words the most frequent sentence is in about
#: two thirds of them, the median one in about 11.
SHARED_POOL, SHARED_ZIPF = 20_000, 1.0


def iter_shared_corpus(documents: int, words: int, seed: int = 7) -> Iterator[dict[str, str]]:
    """The `shared` corpus record by record, in constant memory (see the module's docstring).

    A document is a list of sentences, written joined by spaces: its own sentences (word chain,
    about 60% of its words) with pool sentences put in at random places, about 40% of its
    sentences in all. Planted copies, as in the `chain` corpus: 5% light edits of a recent
    document, 3% extended versions (a recent document followed by 30-100% more words of new
    sentences: it contains the earlier one), 2% prefixes (the first 40-80% of a recent
    document's sentences: the earlier one contains it)."""
    rng = random.Random(seed)
    draws = np.random.default_rng(seed + 1)
    real = sentence_pool()
    pool = rng.sample(real, min(SHARED_POOL, len(real)))
    popularity = np.cumsum(1.0 / np.arange(1, len(pool) + 1) ** SHARED_ZIPF)
    popularity /= popularity[-1]
    chain = WordChain(real, seed)
    own_words = max(1, round(words * (1 - SHARED_SHARE)))
    fresh: Iterator[list[str]] = iter(())
    #: Recent documents, each as its sentences joined by newlines (pool sentences have none).
    recent: list[str] = []

    def new_sentences() -> list[str]:
        nonlocal fresh
        own = next(fresh, None)
        if own is None:
            fresh = iter(chain.sentences(CHUNK, own_words))
            own = next(fresh)
        count = round(len(own) * SHARED_SHARE / (1 - SHARED_SHARE))
        picks = np.searchsorted(popularity, draws.random(count), side="right")
        sentences = list(own)
        for pick in dict.fromkeys(picks.tolist()):  # a pool sentence once a document
            sentences.insert(rng.randrange(len(sentences) + 1), pool[pick])
        return sentences

    for n in range(documents):
        kind = rng.random()
        if recent and kind < 0.05:  # near-duplicate of an earlier document
            base = rng.choice(recent).split("\n")
            edited = iter(light_edit(" ".join(base).split(), rng))
            # light_edit changes words in place: the sentences keep their lengths
            sentences = [" ".join(next(edited) for _ in s.split()) for s in base]
        elif recent and kind < 0.08:  # extended version: 30-100% more words at the end
            sentences = rng.choice(recent).split("\n")
            extra = int(sum(len(s.split()) for s in sentences) * rng.uniform(0.3, 1.0))
            for sentence in new_sentences():
                if extra <= 0:
                    break
                sentences.append(sentence)
                extra -= len(sentence.split())
        elif recent and kind < 0.10:  # prefix: the first 40-80% of the sentences
            base = rng.choice(recent).split("\n")
            sentences = base[: max(1, int(len(base) * rng.uniform(0.4, 0.8)))]
        else:
            sentences = new_sentences()
        joined = "\n".join(sentences)
        if len(recent) < RECENT:
            recent.append(joined)
        else:
            recent[n % RECENT] = joined
        yield {"id": f"doc-{n:07d}", "text": " ".join(sentences)}


def make_corpus(
    documents: int, words: int, seed: int = 7, kind: str = "chain"
) -> list[dict[str, str]]:
    """The whole corpus as a list (see :func:`iter_corpus`)."""
    return list(iter_corpus(documents, words, seed, kind))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="chain",
        help="chain: word-chain text; shared: 40%% of each document's sentences from a shared pool",
    )
    args = parser.parse_args()
    with args.output.open("w", encoding="utf-8") as out:
        for record in iter_corpus(args.documents, args.words, args.seed, args.kind):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    size = args.output.stat().st_size / 1e6
    print(f"{args.output}: {args.documents} {args.kind} documents, {size:.1f} MB")


if __name__ == "__main__":
    main()
