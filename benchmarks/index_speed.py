"""Speed of the persistent index: add throughput, query latency, and the HTTP service under load.

A stream of news-like documents (benchmarks/corpus.py: real BBC/Reuters sentences, about 10%
planted near-duplicates, expanded versions and excerpts) is added in batches (`Index.add_batches`:
the next batch is sketched while one is written); then the next documents of the same stream are
queried one at a time, as a crawler checks each new article. The load average of the machine is
sampled during the run and reported (the 2 cores may be shared).

    python benchmarks/index_speed.py --documents 100000
    python benchmarks/index_speed.py --documents 20000 --http-queries 20000 --clients 8

The index file goes to a temporary folder (or --index) and is deleted afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import make_corpus

from neardup import Index
from neardup.io.read import Record, RecordReader, read_records


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds."""
    p50, p99 = np.percentile(np.array(seconds) * 1000, [50, 99])
    return float(p50), float(p99)


def build(index: Index, records: list[dict[str, str]], batch: int) -> tuple[float, float]:
    """Add the records in batches; (documents per second, slowest batch in seconds).

    A batch's time runs from one batch handed over to the next (the sketching of the next batch
    overlaps the writing of the one before). The time includes waiting for the merges that run
    in the background when the last batch returns."""
    reader = RecordReader("id", "text")
    slowest = 0.0
    started = last = time.perf_counter()

    def batches() -> Iterator[list[Record]]:
        nonlocal slowest, last
        for start in range(0, len(records), batch):
            yield list(read_records(records[start : start + batch], reader))
            now = time.perf_counter()
            slowest, last = max(slowest, now - last), now
            if start:
                rate = start / (now - started)
                print(f"  added {start:>9,} ({rate:,.0f} docs/s)", file=sys.stderr)

    index.add_batches(batches())
    slowest = max(slowest, time.perf_counter() - last)
    index.merge()  # the merges still running count too
    return len(records) / (time.perf_counter() - started), slowest


class LoadAverage:
    """The 1-minute load average, sampled every 10 s on a thread: (min, max) of the samples."""

    def __init__(self) -> None:
        self.samples = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(10):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> str:
        self._stop.set()
        self.samples.append(os.getloadavg()[0])
        return f"{min(self.samples):.1f}-{max(self.samples):.1f}"


def query_latencies(index: Index, texts: list[str]) -> tuple[list[float], int]:
    """Latency of each query, one at a time, and how many queries found a match."""
    latencies = []
    found = 0
    for text in texts:
        t = time.perf_counter()
        matches = index.query(text, k=10)
        latencies.append(time.perf_counter() - t)
        found += bool(matches)
    return latencies, found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_load(
    path: Path, texts: list[str], total: int, clients: int, time_cap: float
) -> tuple[list[float], int, float]:
    """`total` POST /query from `clients` concurrent clients against `neardup serve`.

    Returns latencies, errors, and the wall time; stops at `time_cap` seconds whatever is left.
    """
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "neardup", "serve", str(path), "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        latencies: list[float] = []
        errors = 0
        counter = iter(range(total))
        lock = threading.Lock()
        started = time.perf_counter()

        def client() -> None:
            nonlocal errors
            with httpx.Client(base_url=url, timeout=30) as http:
                while time.perf_counter() - started < time_cap:
                    with lock:
                        n = next(counter, None)
                    if n is None:
                        return
                    t = time.perf_counter()
                    try:
                        ok = http.post("/query", json={"text": texts[n % len(texts)]}).is_success
                    except httpx.HTTPError:
                        ok = False
                    with lock:
                        latencies.append(time.perf_counter() - t)
                        errors += not ok

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return latencies, errors, time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000, help="documents indexed")
    parser.add_argument("--queries", type=int, default=2_000, help="direct queries")
    parser.add_argument("--batch", type=int, default=10_000, help="documents per add")
    parser.add_argument("--words", type=int, default=540, help="words per generated document")
    parser.add_argument("--http-queries", type=int, default=0, help="queries over HTTP")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--time-cap", type=float, default=300.0, help="HTTP load seconds at most")
    parser.add_argument("--index", type=Path, help="index file (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the index file")
    parser.add_argument(
        "--facts-dont-matter",
        action="store_true",
        help="an index made with facts_matter=False (no texts stored, no facts compared)",
    )
    args = parser.parse_args()

    load = LoadAverage()
    started = time.perf_counter()
    records = make_corpus(args.documents + args.queries, args.words)
    indexed, stream = records[: args.documents], [r["text"] for r in records[args.documents :]]
    print(f"generated {len(records):,} documents in {time.perf_counter() - started:.0f} s")
    folder = Path(tempfile.mkdtemp(prefix="neardup-index-"))
    path = args.index or folder / "bench.ndx"
    try:
        overrides = {"facts_matter": False} if args.facts_dont_matter else {}
        with Index(path, **overrides) as index:
            add_rate, slowest = build(index, indexed, args.batch)
            del records, indexed  # give the memory back to the page cache before querying
            stats = index.stats()
            index.query(stream[0])  # warm the JIT and the page cache for the first query
            latencies, found = query_latencies(index, stream)
            index_load = load.stop()
            load = LoadAverage()
        p50, p99 = percentiles(latencies)
        rows = [
            ("documents indexed", f"{stats.documents:,}"),
            ("facts matter", str(index.options.facts_matter)),
            ("index size", f"{stats.bytes / 1e9:.2f} GB ({stats.segments} segments)"),
            ("add throughput", f"{add_rate:,.0f} docs/s (batches of {args.batch:,})"),
            ("slowest add batch", f"{slowest:.1f} s (waiting for a merge's copy included)"),
            ("queries", f"{len(latencies):,} ({found:,} with a match)"),
            ("query p50 / p99", f"{p50:.2f} ms / {p99:.2f} ms"),
            ("load average (1 min) while generating, adding, querying", index_load),
        ]
        if args.http_queries:
            http, errors, wall = http_load(
                path, stream, args.http_queries, args.clients, args.time_cap
            )
            h50, h99 = percentiles(http)
            rows += [
                ("HTTP queries", f"{len(http):,} from {args.clients} clients in {wall:.0f} s"),
                ("HTTP p50 / p99", f"{h50:.2f} ms / {h99:.2f} ms ({len(http) / wall:,.0f}/s)"),
                ("HTTP errors", str(errors)),
                ("load average (1 min) during the HTTP load", load.stop()),
            ]
        print("\n| measure | value |\n| --- | --- |")
        for name, value in rows:
            print(f"| {name} | {value} |")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        elif args.index is None:
            print(f"index kept in {folder}", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
