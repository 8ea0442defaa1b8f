"""What the character-level second look costs: matching a corpus with and without it.

    python benchmarks/second_look.py CORPUS.jsonl [CORPUS.jsonl ...] [--runs 3]

For each corpus: the candidate pairs, the pairs in the second look's band, those it promotes, and
the seconds of `engine.local.match` without it (`char_errors=0`) and with it (the defaults; this
includes reading the input once more for the texts of the band's documents). Best of `--runs`.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from neardup.core.verify import DUPLICATE_RELATIONS
from neardup.engine.local import collect, furniture_lines, match, reread_texts
from neardup.io.read import RecordReader, read_paths, read_paths_at
from neardup.options import Options


def measure(path: Path, runs: int) -> list[object]:
    options = Options()
    off = dataclasses.replace(options, char_errors=0.0)
    furniture = furniture_lines(read_paths([path], RecordReader("id", "text")), options)
    corpus = collect(read_paths([path], RecordReader("id", "text")), options, furniture=furniture)
    timings: dict[str, float] = {}
    found = {}
    for label, chosen, texts in [
        ("off", off, None),
        (
            "on",
            options,
            reread_texts(lambda p: read_paths_at([path], RecordReader("id", "text"), p)),
        ),
    ]:
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            found[label] = match(corpus, chosen, texts=texts)
            best = min(best, time.perf_counter() - started)
        timings[label] = best
    promoted = int(found["on"].by_characters.sum())
    looked = int(corpus.stats["second_look"])
    duplicates = sum(int(r in DUPLICATE_RELATIONS) for r in found["off"].relation.tolist())
    return [
        path.name,
        len(corpus.ids),
        int(corpus.stats["candidates"]),
        duplicates,
        looked,
        promoted,
        round(timings["off"], 2),
        round(timings["on"], 2),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    columns = [
        "corpus",
        "docs",
        "candidates",
        "duplicate pairs (words)",
        "pairs in the band",
        "promoted by the second look",
        "match seconds, off",
        "match seconds, on",
    ]
    print("| " + " | ".join(columns) + " |")
    print("| " + " | ".join("---" for _ in columns) + " |")
    for path in args.corpora:
        print("| " + " | ".join(str(v) for v in measure(path, args.runs)) + " |", flush=True)


if __name__ == "__main__":
    main()
