"""One core's cost of the native core's hot loops, each against a well-known way to do the step.

    python benchmarks/kernels.py CORPUS.jsonl [--runs 5] [--documents 20000]

`RAYON_NUM_THREADS=1` is set before neardup loads, so every kernel runs on one core, as every
peer does. The corpus (benchmarks/corpus.py) is read once by the native read, in its 16 MiB
chunks, and each step is timed over every chunk, best of `--runs`:

- tokenize: `kernel.first_token_hashes` (every token of every text, hashed) against Python's
  `str.lower().split()`, the peers' tokenizer in speed.py.
- sketch: `sketch.sketch_utf8` (tokens, word 5-gram hashes, winnowed fingerprints, a 128-value
  MinHash, keys) against speed.py's rensa pipeline for the same step: the texts' 5-gram strings,
  then rensa's `RMinHash(128).update` of them; and rensa's update alone, the strings made
  before the timing.
- exact intersections: `kernel.intersection_sizes` of each document's shingles with the next
  one's, against numpy's `intersect1d(assume_unique=True)` pair by pair.
- kept lines: `kernel.scan_kept` and `kernel.kept_lines` (every record kept) against what
  Python does for a record (`orjson.loads`, then `write.jsonl_line`).
- read: `kernel.read_jsonl` (each record's id, text and place) against `orjson.loads` of each
  line, the floor's parse in speed.py.
- fact tokens: `facts.fact_tokens_of` (tickers, numbers, capitalised words and the word after
  each, hashed) against its specification, the regular expressions of `facts_reference`.

The peers are timed on the first `--documents` documents (datasketch-sized loops would take
minutes) and scaled to the whole corpus by bytes; the table says so. Fact tokens take Python
strings, so neardup's are timed on those documents too, and scaled the same way.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

os.environ["RAYON_NUM_THREADS"] = "1"  # before the native core starts its pool

import numpy as np
import orjson

from neardup.core import facts_reference, kernel
from neardup.core.facts import fact_tokens_of
from neardup.core.sketch import Sketches, sketch_settings, sketch_utf8
from neardup.io import native_jsonl
from neardup.io.read import RecordReader
from neardup.io.write import jsonl_line
from neardup.options import Options

NGRAM, NUM_PERM = 5, 128


def best(runs: int, step: Callable[[], object]) -> float:
    """The fewest seconds `step` took in `runs` runs."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return min(seconds)


def line_blocks(data: bytes, size: int) -> list[np.ndarray]:
    """The bytes in blocks of whole lines of about `size` bytes, as the native read cuts them."""
    blocks, start = [], 0
    while start < len(data):
        end = data.find(b"\n", start + size)
        end = len(data) if end < 0 else end + 1
        blocks.append(np.frombuffer(data, np.uint8, end - start, start))
        start = end
    return blocks


def shingle_strings(text: str) -> list[str]:
    words = text.lower().split()
    return [" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--documents", type=int, default=20_000)
    args = parser.parse_args()

    reader = RecordReader("id", "text")
    chunks = list(native_jsonl.read_chunks([args.corpus], reader))
    if any(chunk.made for chunk in chunks):
        parser.error("the corpus has records the native read leaves to Python; use corpus.py's")
    data = args.corpus.read_bytes()
    blocks = line_blocks(data, native_jsonl.CHUNK_BYTES)
    documents = sum(len(chunk) for chunk in chunks)
    text_bytes = sum(int(chunk.offsets[-1]) for chunk in chunks)
    texts = [
        chunk.data[chunk.offsets[r] : chunk.offsets[r + 1]].tobytes().decode()
        for chunk in chunks
        for r in range(len(chunk))
    ][: args.documents]
    settings = sketch_settings(Options())
    sketches = [sketch_utf8(c.data, c.offsets, {}, **settings) for c in chunks]
    lines = data.splitlines()[: args.documents]
    ids = [doc_id for chunk in chunks for doc_id in chunk.ids]
    kept = np.zeros(len(ids), bool)  # none removed

    def tokenize() -> None:
        for chunk in chunks:
            kernel.first_token_hashes(chunk.data, chunk.offsets)

    def sketch() -> None:
        for chunk in chunks:
            sketch_utf8(chunk.data, chunk.offsets, {}, **settings)

    def intersections() -> None:
        for s in sketches:
            docs = np.arange(len(s) - 1)
            kernel.intersection_sizes(s.shingles, s.starts, docs, docs + 1)

    def kept_lines() -> None:
        first = 0
        for block in blocks:
            scan = kernel.scan_kept(block, "id", "text")
            first += kernel.kept_lines(scan, ids, first, kept)[1]

    def read() -> None:
        for block in blocks:
            kernel.read_jsonl(block, "id", "text")

    shingled = [shingle_strings(t) for t in texts]
    by_text = text_bytes / sum(len(t.encode()) for t in texts)
    by_line = len(data) / sum(len(line) + 1 for line in lines)
    pairs = sum(len(s) - 1 for s in sketches)
    peers = {
        "tokenize": ("str.lower().split()", by_text, lambda: [t.lower().split() for t in texts]),
        "sketch": (
            "5-gram strings + rensa RMinHash(128)",
            by_text,
            lambda: _rensa([shingle_strings(t) for t in texts]),
        ),
        "sketch, MinHash only": ("rensa RMinHash(128).update", by_text, lambda: _rensa(shingled)),
        "exact intersections": (
            "numpy intersect1d",
            pairs / min(NUMPY_PAIRS, len(sketches[0]) - 1),
            lambda: _intersect1d(sketches[0]),
        ),
        "kept lines": (
            "orjson.loads + jsonl_line",
            by_line,
            lambda: [jsonl_line(orjson.loads(line)) for line in lines],
        ),
        "read": ("orjson.loads", by_line, lambda: [orjson.loads(line) for line in lines]),
        "fact tokens": (
            "regular expressions (facts_reference)",
            by_text,
            lambda: [facts_reference.token_hashes(facts_reference.fact_tokens(t)) for t in texts],
        ),
    }
    # Each step over the corpus, or over the peers' documents and scaled as theirs are.
    steps = {
        "tokenize": (tokenize, 1.0),
        "sketch": (sketch, 1.0),
        "sketch, MinHash only": (sketch, 1.0),
        "exact intersections": (intersections, 1.0),
        "kept lines": (kept_lines, 1.0),
        "read": (read, 1.0),
        "fact tokens": (lambda: fact_tokens_of(texts), by_text),
    }
    print(
        f"{args.corpus.name}: {documents:,} documents, {text_bytes / 1e6:.0f} MB of text, one "
        f"core, best of {args.runs}; the peers' seconds are for {len(texts):,} documents (numpy: "
        f"{NUMPY_PAIRS:,} pairs), scaled to the corpus by bytes (pairs)\n"
    )
    print("| step | neardup s | peer | peer s | peer / neardup |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name, (step, ours_scale) in steps.items():
        ours = best(args.runs, step) * ours_scale
        label, scale, peer = peers[name]
        theirs = best(args.runs, peer) * scale
        print(f"| {name} | {ours:.2f} | {label} | {theirs:.2f} | {theirs / ours:.1f}× |")


def _rensa(shingled: list[list[str]]) -> None:
    from rensa import RMinHash

    for words in shingled:
        RMinHash(num_perm=NUM_PERM, seed=42).update(words)


#: Pairs of the first chunk that numpy intersects (scaled to every chunk's pairs).
NUMPY_PAIRS = 2_000


def _intersect1d(sketches: Sketches) -> None:
    shingles, starts = sketches.shingles, sketches.starts
    for d in range(min(NUMPY_PAIRS, starts.size - 2)):
        a = shingles[starts[d] : starts[d + 1]]
        b = shingles[starts[d + 1] : starts[d + 2]]
        np.intersect1d(a, b, assume_unique=True)


if __name__ == "__main__":
    main()
