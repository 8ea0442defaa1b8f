"""Local engine against the Spark engine (local mode) on the same corpus and the same command.

Each engine runs `neardup dedup CORPUS --pairs --clusters` in its own process, timed from start
to exit (the Spark row includes starting the JVM and its workers); the outputs are compared
byte for byte.

    python benchmarks/spark_vs_local.py --documents 2000 10000
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402

OUTPUTS = ("kept.jsonl", "pairs.jsonl", "clusters.jsonl")


def run(engine: str, corpus: Path, out: Path, master: str) -> float:
    """Seconds `neardup dedup` takes with this engine, outputs in `out`."""
    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": f"--master {master} pyspark-shell"}
    command = [
        sys.executable,
        "-m",
        "neardup",
        "dedup",
        str(corpus),
        "--engine",
        engine,
        "--output",
        str(out / OUTPUTS[0]),
        "--pairs",
        str(out / OUTPUTS[1]),
        "--clusters",
        str(out / OUTPUTS[2]),
        "--quiet",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--master", default="local[2]", help="Spark master of the Spark runs")
    args = parser.parse_args()
    print("| engine | docs | MB | seconds | pairs | clusters | same outputs as local |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for documents in args.documents:
            corpus = Path(tmp) / f"corpus-{documents}.jsonl"
            with corpus.open("w", encoding="utf-8") as handle:
                for record in make_corpus(documents, 580):
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            mb = corpus.stat().st_size / 1e6
            results = {}
            for engine in ("local", "spark"):
                out = Path(tmp) / f"{engine}-{documents}"
                seconds = run(engine, corpus, out, args.master)
                results[engine] = [(out / name).read_bytes() for name in OUTPUTS]
                same = "yes" if results[engine] == results["local"] else "NO"
                pairs = results[engine][1].count(b"\n")
                members = results[engine][2].splitlines()
                clusters = len({json.loads(member)["cluster_id"] for member in members})
                print(
                    f"| {engine} | {documents:,} | {mb:.1f} | {seconds:.1f} | {pairs:,} "
                    f"| {clusters:,} | {same} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
