"""The natural pairs of Reuters-21578 and BBC News that `neardup eval` measures the facts rule on.

`sample` draws pairs that share wording (containment of word 5-grams, exact, from 0.3 to 1.0;
identical texts left out, as they are trivially one story), stratified by containment so that
a third are below 0.8, and splits each stratum into two halves: `tune` (rules and defaults are
chosen on it) and `test` (reported). A later draw of pairs not drawn before, all put in one half
(`holdout`: labelled before the rule is run on them, run once the rule is final), keeps a set
that no choice has seen once the test half has been looked at. `show` prints the texts of a
range of sampled pairs, to read and label each `same_story`, `template` or `related`.

    python benchmarks/natural_pairs.py sample ../shared/data -o benchmarks/natural/pairs.jsonl
    python benchmarks/natural_pairs.py sample ../shared/data -o holdout.jsonl --seed 2026 \
        --exclude benchmarks/natural/pairs.jsonl --half holdout --share 0.5
    python benchmarks/natural_pairs.py show ../shared/data benchmarks/natural/pairs.jsonl 0 20
    python benchmarks/natural_pairs.py show ../shared/data PAIRS 1 360 --every 4  # a stride

The labels are written into the same file (fields `label` and `reason`); the texts are not
committed, only the ids into the corpora in ../shared/data.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson

from neardup.evaluate.allpairs import exact_pairs
from neardup.evaluate.datasets import read_bbc, read_reuters
from neardup.options import Options

#: Containment strata and how many pairs each gets: 120 below 0.8 (a third), 240 from 0.8 up
#: (containment 1.0 short of an exact copy is rare: a few pairs, drawn with 0.9 and up).
STRATA = ((0.3, 0.4, 24), (0.4, 0.5, 24), (0.5, 0.6, 24), (0.6, 0.7, 24), (0.7, 0.8, 24))
STRATA += ((0.8, 0.9, 100), (0.9, 1.01, 140))


def documents(data: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(corpus, record) of every Reuters story with a body and every BBC article."""
    for story in read_reuters(data / "reuters21578"):
        if story["text"]:
            yield "reuters", story
    for article in read_bbc(data / "bbc"):
        yield "bbc", article


def scored_pairs(data: Path) -> list[dict[str, object]]:
    """Every pair within one corpus at containment ≥ 0.3 that is not an exact copy."""
    options = Options(jaccard=1.0, containment=0.3, overlap=None, min_words=10)
    by_corpus: dict[str, list[dict[str, str]]] = {}
    for corpus, record in documents(data):
        by_corpus.setdefault(corpus, []).append(record)
    rows = []
    for corpus, records in by_corpus.items():
        for (a, b), (relation, jaccard, a_in_b, b_in_a) in exact_pairs(records, options).items():
            if relation != "exact" and jaccard < 1.0:
                rows.append(
                    {
                        "corpus": corpus,
                        "id_a": a,
                        "id_b": b,
                        "jaccard": round(jaccard, 4),
                        "containment": round(max(a_in_b, b_in_a), 4),
                    }
                )
    return rows


def sample(
    data: Path,
    seed: int,
    *,
    exclude: Path | None = None,
    half: str | None = None,
    share: float = 1.0,
) -> list[dict[str, object]]:
    """The stratified sample, each pair with its half; BBC pairs first in each stratum (there
    are few of them, and the set must not be Reuters alone).

    `exclude` names a file of pairs already drawn, which are not drawn again; `half` puts every
    pair drawn in that half (a fresh held-out part), and `share` scales each stratum's count.
    """
    pairs = scored_pairs(data)
    if exclude is not None:
        taken = {(r["corpus"], r["id_a"], r["id_b"]) for r in map(orjson.loads, exclude.open("rb"))}
        pairs = [p for p in pairs if (p["corpus"], p["id_a"], p["id_b"]) not in taken]
    generator = random.Random(seed)
    chosen = []
    for low, high, full in STRATA:
        count = round(full * share)
        stratum = [p for p in pairs if low <= p["containment"] < high]  # type: ignore[operator]
        generator.shuffle(stratum)
        stratum.sort(key=lambda p: p["corpus"] != "bbc")
        bbc = [p for p in stratum if p["corpus"] == "bbc"][: count // 4]
        rest = [p for p in stratum if p["corpus"] != "bbc"][: count - len(bbc)]
        picked = bbc + rest
        generator.shuffle(picked)
        for n, pair in enumerate(picked):
            chosen.append({**pair, "half": half or ("tune" if n % 2 == 0 else "test")})
        print(f"[{low}, {high}): {len(picked)} of {len(stratum)} ({len(bbc)} BBC)", file=sys.stderr)
    return chosen


def show(data: Path, pairs_file: Path, start: int, stop: int, every: int = 1) -> None:
    """Print every `every`th pair from start to stop-1 of the file with both texts, for reading
    and labelling (several readers take one stride each, so each sees every stratum)."""
    texts = {(c, r["id"]): r for c, r in documents(data)}
    lines = pairs_file.read_bytes().splitlines()
    for n in range(start, min(stop, len(lines)), every):
        pair = orjson.loads(lines[n])
        print(
            f"===== pair {n}: {pair['corpus']} {pair['id_a']} vs {pair['id_b']} "
            f"(containment {pair['containment']}, jaccard {pair['jaccard']})"
        )
        for side in ("id_a", "id_b"):
            record = texts[pair["corpus"], pair[side]]
            heading = " | ".join(str(record.get(k, "")) for k in ("title", "date") if record.get(k))
            print(f"----- {side} = {pair[side]} {heading}\n{record['text'].strip()}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    draw = commands.add_parser("sample", help="draw the stratified sample")
    draw.add_argument("data", type=Path, help="the shared data folder (reuters21578/, bbc/)")
    draw.add_argument("-o", "--output", type=Path, required=True)
    draw.add_argument("--seed", type=int, default=17)
    draw.add_argument("--exclude", type=Path, help="a file of pairs drawn before, not drawn again")
    draw.add_argument("--half", help="put every pair drawn in this half (default: tune and test)")
    draw.add_argument("--share", type=float, default=1.0, help="scale each stratum's count")
    read = commands.add_parser("show", help="print the texts of sampled pairs")
    read.add_argument("data", type=Path)
    read.add_argument("pairs", type=Path)
    read.add_argument("start", type=int)
    read.add_argument("stop", type=int)
    read.add_argument("--every", type=int, default=1, help="every Nth pair only")
    args = parser.parse_args()
    if args.command == "sample":
        rows = sample(args.data, args.seed, exclude=args.exclude, half=args.half, share=args.share)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
        print(f"{len(rows)} pairs written to {args.output}", file=sys.stderr)
    else:
        show(args.data, args.pairs, args.start, args.stop, args.every)


if __name__ == "__main__":
    main()
