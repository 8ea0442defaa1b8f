"""End-to-end speed of neardup against datasketch and rensa pipelines on the same corpus.

Each tool runs in its own process (so each peak RSS is its own) and does the same job: read a
JSONL corpus, shingle word 5-grams, MinHash with 128 permutations, LSH at Jaccard 0.8, and write
the pairs it finds. neardup also verifies every pair exactly and finds `contains` pairs. The
`floor` row is no deduplicator: it only reads the lines and tokenizes the texts (one core, with
numba's start-up), the cost below which no pipeline over these bytes goes.

    python benchmarks/speed.py                        # 20,000 documents (~70 MB), all tools
    python benchmarks/speed.py --scale 10000 100000   # neardup alone at other sizes
    python benchmarks/speed.py --repeat 3             # median of three rounds (a noisy machine)

Recall is measured against the union of the pairs every tool found whose exact Jaccard (neardup's
exact scoring) is at least 0.8.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
NUM_PERM, THRESHOLD, NGRAM = 128, 0.8, 5


def shingles(text: str) -> list[str]:
    """The peers' plain word 5-gram shingles, as Python strings."""
    words = text.lower().split()
    return [" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]


def read_corpus(path: Path) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            ids.append(record["id"])
            texts.append(record["text"])
    return ids, texts


def run_datasketch(corpus: Path, pairs_path: Path) -> None:
    from datasketch import MinHash, MinHashLSH

    def signature(words: list[str]) -> MinHash:
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in words])
        return m

    _peer_pipeline(
        corpus, pairs_path, signature, MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    )


def run_rensa(corpus: Path, pairs_path: Path) -> None:
    from rensa import RMinHash, RMinHashLSH

    def signature(words: list[str]) -> RMinHash:
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(words)
        return m

    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=16)
    _peer_pipeline(corpus, pairs_path, signature, lsh)


def _peer_pipeline(corpus: Path, pairs_path: Path, signature: Any, lsh: Any) -> None:
    """The plain peer pipeline: Python shingle strings, a signature each, LSH, estimated J."""
    ids, texts = read_corpus(corpus)
    signatures = []
    for i, text in enumerate(texts):
        m = signature(shingles(text))
        lsh.insert(i, m)
        signatures.append(m)
    found = set()
    for i, m in enumerate(signatures):
        for j in lsh.query(m):
            if j != i and m.jaccard(signatures[j]) >= THRESHOLD:
                found.add((min(i, j), max(i, j)))
    _write_pairs(pairs_path, ids, found)


def run_neardup(corpus: Path, pairs_path: Path) -> None:
    import neardup

    neardup.find_files([corpus], pairs_path, jaccard=THRESHOLD, containment=0.8, progress=False)


def run_floor(corpus: Path, pairs_path: Path) -> None:
    """Not a deduplicator: the cost of reading and tokenizing the bytes. Each line is parsed
    (orjson) and its text's UTF-8 bytes tokenized and hashed by neardup's kernel, on one core;
    no pairs. With numba's start-up, as neardup pays it."""
    import orjson

    from neardup.core import kernel

    no_flags = np.empty(0, dtype=np.uint8)
    with corpus.open("rb") as lines:
        for line in lines:
            data = np.frombuffer(orjson.loads(line)["text"].encode(), dtype=np.uint8)
            tokens = np.empty(data.size // 2 + 1, dtype=np.uint64)
            kernel._token_hashes(data, 0, data.size, tokens, no_flags)
    pairs_path.write_text("")


def _write_pairs(path: Path, ids: list[str], found: set[tuple[int, int]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, j in sorted(found):
            out.write(json.dumps({"id_a": ids[i], "id_b": ids[j]}) + "\n")


TOOLS = {
    "neardup": run_neardup,
    "rensa": run_rensa,
    "datasketch": run_datasketch,
    "floor": run_floor,
}


def measure(tool: str, corpus: Path, pairs_path: Path) -> dict[str, float]:
    """Run one tool in a child process: wall seconds and peak RSS (MB)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--run", tool, str(corpus), str(pairs_path)]
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{tool} failed with status {status}")
    return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024}


def load_pairs(path: Path) -> dict[tuple[str, str], str]:
    pairs = {}
    with path.open() as lines:
        for line in lines:
            row = json.loads(line)
            pairs[(row["id_a"], row["id_b"])] = row.get("relation", "")
    return pairs


def exact_jaccard(corpus: Path, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Exact word-5-gram Jaccard of the given pairs, with neardup's own exact scoring.

    Run in a child process, so that the tools measured next do not start from its memory."""
    with tempfile.TemporaryDirectory() as tmp:
        asked, answer = Path(tmp) / "pairs.json", Path(tmp) / "jaccard.json"
        asked.write_text(json.dumps(sorted(pairs)))
        command = [sys.executable, __file__, "--jaccard-of", str(corpus), str(asked), str(answer)]
        subprocess.run(command, check=True)
        scores = json.loads(answer.read_text())
    return {(a, b): j for a, b, j in scores}


def _exact_jaccard_here(corpus: Path, pairs: list[tuple[str, str]]) -> list[list[object]]:
    from neardup import Options
    from neardup.core.verify import score
    from neardup.engine.local import collect
    from neardup.io.read import RecordReader, read_paths

    options = Options(ignore_boilerplate=False)
    corpus_sketch = collect(read_paths([corpus], RecordReader("id", "text")), options)
    index = {doc_id: i for i, doc_id in enumerate(corpus_sketch.ids)}
    left = np.array([index[a] for a, _ in pairs], dtype=np.int64)
    right = np.array([index[b] for _, b in pairs], dtype=np.int64)
    jaccard, _, _ = score(corpus_sketch.sketches, left, right)
    return [[a, b, j] for (a, b), j in zip(pairs, jaccard.tolist(), strict=True)]


def compare_tools(
    corpus: Path, tools: list[str], work: Path, repeat: int = 1
) -> list[dict[str, object]]:
    """Each tool's median seconds and largest peak RSS over `repeat` rounds; in each round every
    tool runs once, so that a change in the machine's speed falls on all of them alike."""
    size_mb = corpus.stat().st_size / 1e6
    documents = sum(1 for _ in corpus.open())
    runs: dict[str, list[dict[str, float]]] = {tool: [] for tool in tools}
    for _ in range(repeat):
        for tool in tools:
            runs[tool].append(measure(tool, corpus, work / f"{tool}.jsonl"))
    rows, found = [], {}
    for tool in tools:
        found[tool] = load_pairs(work / f"{tool}.jsonl")
        seconds = float(np.median([r["seconds"] for r in runs[tool]]))
        rss_mb = max(r["rss_mb"] for r in runs[tool])
        rows.append(
            {
                "tool": tool,
                "documents": documents,
                "mb": size_mb,
                "seconds": seconds,
                "rss_mb": rss_mb,
            }
        )
    union = {p for pairs in found.values() for p in pairs}
    scores = exact_jaccard(corpus, union)
    truth = {p for p in union if scores[p] >= THRESHOLD}
    for row in rows:
        pairs = found[str(row["tool"])]
        row["pairs"] = len(pairs)
        row["recall_j08"] = len(truth & set(pairs)) / max(len(truth), 1)
        row["contains"] = sum(r == "contains" for r in pairs.values())
    return rows


def print_table(rows: list[dict[str, object]], baseline: dict[str, float] | None) -> None:
    header = f"{'tool':<11}{'docs':>9}{'MB':>8}{'seconds':>9}{'MB/s':>8}{'peak RSS MB':>12}"
    header += f"{'pairs':>8}{'recall J>=0.8':>15}{'contains':>10}{'speed-up':>10}"
    print(header)
    neardup_speed = next(
        (r["mb"] / r["seconds"] for r in rows if r["tool"] == "neardup"),
        None,  # type: ignore[operator]
    )
    for r in rows:
        speed = r["mb"] / r["seconds"]  # type: ignore[operator]
        ratio = f"{neardup_speed / speed:.1f}x" if neardup_speed and r["tool"] != "neardup" else ""
        found = f"{r.get('pairs', ''):>8}{r.get('recall_j08', float('nan')):>15.4f}"
        found += f"{r.get('contains', ''):>10}"
        if r["tool"] == "floor":  # reads and tokenizes only: it finds nothing
            found = f"{'-':>8}{'-':>15}{'-':>10}"
        print(
            f"{r['tool']:<11}{r['documents']:>9}{r['mb']:>8.1f}{r['seconds']:>9.2f}{speed:>8.2f}"
            f"{r['rss_mb']:>12.0f}{found}{ratio:>10}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run", nargs=3, metavar=("TOOL", "CORPUS", "PAIRS"), help=argparse.SUPPRESS
    )
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=list(TOOLS))
    parser.add_argument("--scale", nargs="*", type=int, default=[], help="neardup alone at sizes")
    parser.add_argument("--corpus", type=Path, help="use this JSONL corpus instead of generating")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of runs; each tool's median time is shown"
    )
    parser.add_argument("--jaccard-of", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.jaccard_of:
        corpus, asked, answer = args.jaccard_of
        pairs = [(a, b) for a, b in json.loads(asked.read_text())]
        answer.write_text(json.dumps(_exact_jaccard_here(corpus, pairs)))
        return
    if args.run:
        tool, corpus, pairs = args.run
        TOOLS[tool](Path(corpus), Path(pairs))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in [args.documents, *args.scale]:
            corpus = args.corpus or work / f"corpus-{size}.jsonl"
            if not args.corpus:
                # In a child process: a child's peak RSS starts from its parent's size.
                generate = [sys.executable, str(HERE / "corpus.py"), str(corpus)]
                subprocess.run(
                    [*generate, "--documents", str(size)], check=True, stdout=subprocess.DEVNULL
                )
            tools = args.tools if size == args.documents else ["neardup"]
            rows = compare_tools(corpus, tools, work, args.repeat)
            print_table(rows, None)
            print()


if __name__ == "__main__":
    main()
