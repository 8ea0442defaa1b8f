"""The speed benchmark still runs and prints its table (a smoke test; speed is not asserted)."""

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, shared

pytestmark = pytest.mark.slow


def test_speed_benchmark_prints_its_table(tmp_path: Path) -> None:
    shared("data/bbc")
    run = subprocess.run(
        [
            sys.executable,
            ROOT / "benchmarks" / "speed.py",
            "--documents",
            "400",
            "--tools",
            "neardup",
            "floor",
            "--repeat",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    header, row, floor = run.stdout.splitlines()[:3]
    assert header.split()[:5] == ["tool", "docs", "MB", "seconds", "MB/s"]
    assert row.split()[0] == "neardup" and row.split()[1] == "400"
    assert float(row.split()[7]) == 1.0  # recall of its own pairs above J 0.8
    assert floor.split()[:2] == ["floor", "400"] and floor.split()[6:9] == ["-", "-", "-"]


def test_index_benchmark_prints_its_table(tmp_path: Path) -> None:
    shared("data/bbc")
    shared("data/reuters21578")
    args = ["--documents", "600", "--queries", "60", "--batch", "200", "--http-queries", "100"]
    run = subprocess.run(
        [sys.executable, ROOT / "benchmarks" / "index_speed.py", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    table = dict(
        line.strip("|").split(" | ", 1) for line in run.stdout.splitlines() if line.count("|") == 3
    )
    assert table[" documents indexed"].strip() == "600"
    assert table[" HTTP errors"].strip() == "0"
    assert "ms" in table[" query p50 / p99"]
