"""Where the time of one `neardup` command goes: wall and CPU seconds of each stage.

    python benchmarks/stages.py find c100k.jsonl -o pairs.jsonl --quiet --jaccard 0.8
    python benchmarks/stages.py dedup c1m.jsonl -o kept.jsonl --pairs pairs.jsonl --quiet

The arguments are a `neardup` command's. It runs in this process, with a timer around the
local engine's stage functions (the furniture's first read, reading and sketching, the
candidates of each kind, exact scores, the second look's texts, the second look and the facts);
the table goes to standard error when the command ends, the last row the whole process's time
since this script started. CPU seconds are both cores' (user and system, this process's).
"""

from __future__ import annotations

import atexit
import functools
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import neardup.core.candidates as candidates
import neardup.engine.local as local
import neardup.io.native_jsonl as native_jsonl
from neardup.cli import main

STARTED = time.perf_counter()
#: (stage, wall seconds, CPU seconds), in the order the stages ended.
ROWS: list[tuple[str, float, float]] = []


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def timed(module: Any, name: str, stage: str) -> None:
    """Put a timer around `module.name`, the calls made through the module's own name."""
    work: Callable[..., Any] = getattr(module, name)

    @functools.wraps(work)
    def timing(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), cpu_seconds()
        try:
            return work(*args, **kwargs)
        finally:
            ROWS.append((stage, time.perf_counter() - wall, cpu_seconds() - cpu))

    setattr(module, name, timing)


def show() -> None:
    print(f"{'stage':42} {'wall s':>8} {'cpu s':>8}", file=sys.stderr)
    for stage, wall, cpu in ROWS:
        print(f"{stage:42} {wall:8.2f} {cpu:8.2f}", file=sys.stderr)
    total = time.perf_counter() - STARTED
    print(
        f"{'the whole process (from import)':42} {total:8.2f} {cpu_seconds():8.2f}", file=sys.stderr
    )


STAGES = [
    (native_jsonl, "recurring_lines", "furniture's first read (native)"),
    (local, "furniture_lines", "furniture's first read (Python)"),
    (local, "collect_chunks", "reading and sketching (native read)"),
    (local, "collect", "reading and sketching (Python read)"),
    (candidates, "band_candidates", "band candidates"),
    (candidates, "fingerprint_candidates", "fingerprint candidates"),
    (local, "score_pairs", "exact scores"),
    (local, "read_once", "second look: texts read"),
    (local, "second_look", "second look"),
    (local, "facts_look", "facts"),
]

if __name__ == "__main__":
    for module, name, stage in STAGES:
        timed(module, name, stage)
    atexit.register(show)
    sys.argv = ["neardup", *sys.argv[1:]]
    main()
