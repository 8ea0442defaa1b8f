"""End-to-end speed of neardup against datasketch, rensa and datatrove on the same corpora.

Each tool runs in its own process (so each peak RSS is its own) and does the same job: read a
JSONL corpus, shingle word 5-grams, MinHash with 128 permutations, LSH at Jaccard 0.8, and write
the pairs it finds. neardup also verifies every pair exactly and finds `contains` pairs.
datatrove runs its MinHash deduplication as its users do (four stages on its local executor,
two workers; see `run_datatrove`), and its pairs are those its bucket stage finds. The `floor`
row is no deduplicator: it only reads the lines, parses them and tokenizes the texts (one core,
natively: orjson and neardup's core), the cost below which no pipeline over these bytes goes.

Two corpora (benchmarks/corpus.py): `chain`, new word-chain text in which unrelated documents
share common phrases only, and `shared`, in which about 40% of each document's sentences recur
across unrelated documents (page furniture, quoted wire copy). Both have planted light edits,
extended versions and excerpts.

    python benchmarks/speed.py                        # 20,000 documents (~70 MB), both corpora
    python benchmarks/speed.py --kind shared          # one corpus
    python benchmarks/speed.py --scale 10000 100000   # neardup alone at other sizes
    python benchmarks/speed.py --repeat 3             # median of three rounds (a noisy machine)

Recall is measured against the union of the pairs every tool found whose exact Jaccard (neardup's
exact scoring) is at least 0.8. Peak RSS is the child's own peak; for a tool that runs several
processes (datatrove's workers) it is the larger of that and the peak of the processes' summed
proportional set size, sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import xxhash

HERE = Path(__file__).resolve().parent
NUM_PERM, THRESHOLD, NGRAM = 128, 0.8, 5
KINDS = ("chain", "shared")  # corpus.py's kinds

#: datatrove's LSH: its 128 hashes as 8 bands ("buckets") of 16 rows. datatrove has no check of
#: the estimated Jaccard after LSH (every band collision is a duplicate), so its banding is its
#: threshold. Of the ways to make 128 hashes into bands, 8 x 16 is the closest to 0.8: its
#: threshold (1/8)^(1/16) is 0.88 and a pair is found with probability 1/2 at Jaccard 0.86, and it
#: has the smallest sum of false-positive and false-negative areas about 0.8 (datasketch's way of
#: choosing bands, 0.066). rensa's 16 x 8 would be 0.71 (1/2 at 0.67; areas 0.140): datatrove
#: would then report most pairs between 0.65 and 0.8 as duplicates, where rensa and datasketch
#: drop them on their estimated Jaccard.
DATATROVE_BANDS, DATATROVE_ROWS = 8, 16
#: datatrove's workers: this machine has 2 cores. Stage 1 (signatures) and 4 (filter) run one task
#: per input file (the corpus is cut into this many files for them), stage 2 (buckets) one task a
#: band, all on this many workers; stage 3 (clustering) must run as one task.
DATATROVE_WORKERS = 2


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


def run_datatrove(corpus: Path, pairs_path: Path) -> None:
    """datatrove's MinHash deduplication, its four stages on its local executor, in a temporary
    folder: signatures, buckets (the duplicate pairs), clusters, and the filter that writes the
    kept documents. Its configuration is its default but for the bands (see `DATATROVE_BANDS`):
    word 5-grams of its normalized text (lower case, no punctuation, digits as 0), 64-bit xxhash
    of each n-gram, 128 hashes (seed 1). Two departures, both to compare like with like:

    - Words are cut at white space after datatrove's normalization. Its English word tokenizer is
      spaCy's, which made its signature stage about 10 times as slow (2,000 documents: 25 s
      against 1.6 to 3 s) and is not needed on text without punctuation; the other tools split
      words at white space too.
    - Each n-gram's UTF-8 bytes are hashed: datatrove 0.10 passes the string to xxhash, which
      xxhash 4 (the version neardup installs) refuses; this is the fix proposed upstream
      (datatrove issue 508), with the same hash values as datatrove with xxhash 3.

    The pairs are every two documents that share a band's 16 hashes, read from the bucket
    stage's files. Each stage's seconds go to PAIRS with the suffix `.stages.json`.
    """
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    config = MinhashConfig(
        n_grams=NGRAM,
        num_buckets=DATATROVE_BANDS,
        hashes_per_bucket=DATATROVE_ROWS,
        hash_config=HashConfig(precision=64, hash_fc="xxhash"),
    )
    workers = DATATROVE_WORKERS
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="datatrove-") as tmp, _stderr_to(Path(tmp) / "log"):
        work = Path(tmp)
        started = time.perf_counter()
        _cut_jsonl(corpus, work / "input", workers)
        seconds["cut the corpus"] = time.perf_counter() - started

        def stage(name: str, pipeline: list[Any], tasks: int, workers: int = workers) -> None:
            started = time.perf_counter()
            LocalPipelineExecutor(
                pipeline, tasks=tasks, workers=workers, logging_dir=str(work / "logs" / name)
            ).run()
            seconds[name] = time.perf_counter() - started

        signatures = MinhashDedupSignature(
            output_folder=str(work / "signatures"),
            config=config,
            language=_whitespace_tokenizer(),
        )
        signatures._hash_func = _xxhash64_utf8
        (work / "ids").mkdir()
        record_ids = functools.partial(_record_datatrove_ids, str(work / "ids"))
        stage("signatures", [JsonlReader(str(work / "input")), record_ids, signatures], workers)
        stage(
            "buckets",
            [MinhashDedupBuckets(str(work / "signatures"), str(work / "buckets"), config=config)],
            config.num_buckets,
        )
        started = time.perf_counter()
        ids, found = _datatrove_pairs(work / "ids", work / "buckets", workers)
        _write_pairs(pairs_path, ids, found)
        seconds["pairs"] = time.perf_counter() - started
        stage(
            "cluster",
            [MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=config)],
            1,
            1,
        )
        kept = JsonlWriter(str(work / "kept"), compression=None)
        stage(
            "filter",
            [JsonlReader(str(work / "input")), MinhashDedupFilter(str(work / "remove")), kept],
            workers,
        )
    pairs_path.with_suffix(".stages.json").write_text(json.dumps(seconds))


def _xxhash64_utf8(text: str) -> int:
    return xxhash.xxh64_intdigest(text.encode("utf-8"))


def _whitespace_tokenizer() -> Any:
    """A datatrove word tokenizer that splits at white space (see `run_datatrove`)."""
    from datatrove.utils.word_tokenizers import WordTokenizer

    class Whitespace(WordTokenizer):
        def word_tokenize(self, text: str) -> list[str]:
            return text.split()

        def sent_tokenize(self, text: str) -> list[str]:
            raise NotImplementedError

        def span_tokenize(self, text: str) -> list[tuple[int, int]]:
            raise NotImplementedError

    return Whitespace()


def _record_datatrove_ids(folder: str, data: Any, rank: int = 0, world_size: int = 1) -> Any:
    """A datatrove pipeline step that passes the documents on and writes their ids, in order: the
    bucket stage names a document by its task (rank) and its place in that task's input."""
    with open(f"{folder}/{rank:05d}.ids", "w", encoding="utf-8") as out:
        for document in data:
            out.write(json.dumps(document.id) + "\n")
            yield document


def _cut_jsonl(corpus: Path, folder: Path, parts: int) -> None:
    """Cut a JSONL file at line ends into `parts` files of about the same size, 00000.jsonl on
    (datatrove gives each task whole files)."""
    folder.mkdir()
    size = corpus.stat().st_size
    with corpus.open("rb") as src:
        for part in range(parts):
            end = size * (part + 1) // parts
            with (folder / f"{part:05d}.jsonl").open("wb") as out:
                while (left := end - src.tell()) > 0 and (chunk := src.read(min(left, 1 << 22))):
                    out.write(chunk)
                if part < parts - 1:
                    out.write(src.readline())  # to the end of the line


def _datatrove_pairs(
    ids_folder: Path, buckets: Path, tasks: int
) -> tuple[list[Any], set[tuple[int, int]]]:
    """The ids in datatrove's input order and the pairs its bucket stage found.

    The bucket stage writes a `.dups` file for each band (and bucket worker): records of four
    little-endian uint32, (task a, document a, task b, document b), one for each two documents
    next to each other in the band's sorted signatures whose 16 hashes are equal. Documents with
    equal hashes in a band are thus a chain; every two of them are a pair, as every two documents
    in one bucket are candidates for rensa's and datasketch's LSH."""
    ids: list[Any] = []
    offsets = []
    for task in range(tasks):
        offsets.append(len(ids))
        with (ids_folder / f"{task:05d}.ids").open(encoding="utf-8") as lines:
            ids += [json.loads(line) for line in lines]
    offset = np.array(offsets, dtype=np.int64)
    found: set[tuple[int, int]] = set()
    for dups in sorted(buckets.glob("*.dups")):
        records = np.fromfile(dups, dtype="<u4").reshape(-1, 4).astype(np.int64)
        edges = np.stack(
            [offset[records[:, 0]] + records[:, 1], offset[records[:, 2]] + records[:, 3]], axis=1
        )
        for group in _components(edges.tolist()):
            found.update(itertools.combinations(sorted(group), 2))
    return ids, found


def _components(edges: list[list[int]]) -> Iterator[list[int]]:
    """The connected components of a graph given by its edges."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    return iter(groups.values())


class _stderr_to:
    """Send this process's standard error (and that of the processes it starts) to a file, as
    datatrove logs every task's progress there; on an error, show the file's end."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.log = self.path.open("wb")
        os.dup2(self.log.fileno(), 2)

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.log.close()
        if error is not None:
            sys.stderr.write(self.path.read_text(errors="replace")[-5000:])


def run_neardup(corpus: Path, pairs_path: Path) -> None:
    import neardup

    neardup.find_files([corpus], pairs_path, jaccard=THRESHOLD, containment=0.8, progress=False)


def run_floor(corpus: Path, pairs_path: Path) -> None:
    """Not a deduplicator: the cost of reading the bytes, parsing each line (orjson, native) and
    tokenizing its text (neardup's native core, 10,000 texts a call, one core); no pairs."""
    import orjson

    from neardup.core import kernel

    def tokenize(texts: list[str]) -> None:
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        kernel.first_token_hashes(np.frombuffer(b"".join(encoded), np.uint8), offsets)

    texts: list[str] = []
    with corpus.open("rb") as lines:
        for line in lines:
            texts.append(orjson.loads(line)["text"])
            if len(texts) == 10_000:
                tokenize(texts)
                texts = []
    tokenize(texts)
    pairs_path.write_text("")


def _write_pairs(path: Path, ids: list[str], found: set[tuple[int, int]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, j in sorted(found):
            out.write(json.dumps({"id_a": ids[i], "id_b": ids[j]}) + "\n")


TOOLS = {
    "neardup": run_neardup,
    "rensa": run_rensa,
    "datasketch": run_datasketch,
    "datatrove": run_datatrove,
    "floor": run_floor,
}


def measure(tool: str, corpus: Path, pairs_path: Path) -> dict[str, float]:
    """Run one tool in a child process: wall seconds and peak RSS (MB)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--run", tool, str(corpus), str(pairs_path)]
    )
    tree = _TreeMemory(child.pid)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    tree.stop()
    if status != 0:
        raise SystemExit(f"{tool} failed with status {status}")
    return {"seconds": seconds, "rss_mb": max(usage.ru_maxrss / 1024, tree.peak_mb)}


class _TreeMemory(threading.Thread):
    """The peak of the summed proportional set size (PSS) of a process and its descendants while
    there are several of them, sampled every 0.1 s (Linux; 0 elsewhere). A child's ru_maxrss is
    the peak of its largest process only, which is all of a one-process tool's memory but not
    that of workers running side by side."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self.done = pid, 0.0, threading.Event()
        if Path("/proc/self/smaps_rollup").exists():
            self.start()

    def stop(self) -> None:
        self.done.set()
        if self.is_alive():
            self.join()

    def run(self) -> None:
        while not self.done.wait(0.1):
            pids = self._tree()
            if len(pids) > 1:
                self.peak_mb = max(self.peak_mb, sum(map(self._pss_kb, pids)) / 1024)

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as children:
                        todo += [int(c) for c in children.read().split()]
            except OSError:  # gone meanwhile
                pass
        return pids

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0


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
        stages = work / f"{tool}.stages.json"  # datatrove's stages, in the last round
        if stages.exists():
            rows[-1]["stages"] = json.loads(stages.read_text())
            stages.unlink()
    union = {p for pairs in found.values() for p in pairs}
    scores = exact_jaccard(corpus, union)
    truth = {p for p in union if scores[p] >= THRESHOLD}
    for row in rows:
        pairs = found[str(row["tool"])]
        row["pairs"] = len(pairs)
        row["recall_j08"] = len(truth & set(pairs)) / max(len(truth), 1)
        row["contains"] = sum(r == "contains" for r in pairs.values())
    return rows


def print_table(
    rows: list[dict[str, object]], baseline: dict[str, float] | None, corpus: str = ""
) -> None:
    """The table, one row a tool; `time/neardup` is the tool's seconds over neardup's. Below it,
    each peer's ratios to neardup, and datatrove's seconds by stage."""
    header = f"{'tool':<11}{'docs':>9}{'MB':>8}{'seconds':>9}{'MB/s':>8}{'peak RSS MB':>12}"
    header += f"{'pairs':>8}{'recall J>=0.8':>15}{'contains':>10}{'time/neardup':>14}  corpus"
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
            f"{r['rss_mb']:>12.0f}{found}{ratio:>14}  {corpus}"
        )
    print_ratios(rows, corpus)


def print_ratios(rows: list[dict[str, Any]], corpus: str) -> None:
    """Each peer's seconds and peak RSS over neardup's ("rensa/neardup = 1.3x": neardup took
    1/1.3 of rensa's time), and datatrove's seconds by stage."""
    neardup = next((r for r in rows if r["tool"] == "neardup"), None)
    peers = [r for r in rows if r["tool"] not in ("neardup", "floor")]
    if neardup is None or not peers:
        return
    times = ", ".join(
        f"{r['tool']}/neardup = {r['seconds'] / neardup['seconds']:.1f}x" for r in peers
    )
    memory = ", ".join(
        f"{r['tool']}/neardup = {r['rss_mb'] / neardup['rss_mb']:.1f}x" for r in peers
    )
    print(f"{corpus}, {neardup['documents']:,} documents: seconds {times}; peak RSS {memory}")
    for r in peers:
        if "stages" in r:
            stages = ", ".join(f"{name} {t:.2f}" for name, t in r["stages"].items())
            to_pairs = r["seconds"] - r["stages"]["cluster"] - r["stages"]["filter"]
            print(
                f"{r['tool']} seconds by stage: {stages}; until its pairs are written (without "
                f"cluster and filter): {to_pairs:.2f}, "
                f"{r['tool']}/neardup = {to_pairs / neardup['seconds']:.1f}x"
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
        "--kind",
        nargs="+",
        choices=KINDS,
        default=list(KINDS),
        help="the generated corpora (corpus.py --kind): chain, shared, or both (the default)",
    )
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
        for kind in [args.corpus.name] if args.corpus else args.kind:
            for size in [args.documents, *args.scale]:
                corpus = args.corpus or work / f"corpus-{kind}-{size}.jsonl"
                if not args.corpus:
                    # In a child process: a child's peak RSS starts from its parent's size.
                    generate = [sys.executable, str(HERE / "corpus.py"), str(corpus)]
                    generate += ["--documents", str(size), "--kind", kind]
                    subprocess.run(generate, check=True, stdout=subprocess.DEVNULL)
                tools = args.tools if size == args.documents else ["neardup"]
                rows = compare_tools(corpus, tools, work, args.repeat)
                print_table(rows, None, kind)
                print()
                if not args.corpus:
                    corpus.unlink()


if __name__ == "__main__":
    main()
