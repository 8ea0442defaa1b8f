"""Shared fixtures: the bundled seed articles, and ../shared data where CI has it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
EARLIER = SEEDS / "000_fc1c69b70c19711e.txt"
LATER = SEEDS / "002_137d3eabac6a834f.txt"
SHARED = ROOT.parent / "shared"


def neardup(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `neardup` command in a real process, as a user does."""
    return subprocess.run(
        [sys.executable, "-m", "neardup", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def shared(relative: str) -> Path:
    """A path under ../shared, or a skip with the reason when this clone has none."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative} (present in CI, not in a plain clone)")
    return path


@pytest.fixture(scope="session")
def seed_texts() -> tuple[str, str]:
    return EARLIER.read_text(encoding="utf-8"), LATER.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def reuters() -> list[dict[str, str]]:
    from neardup.evaluate.datasets import read_reuters

    return list(read_reuters(shared("data/reuters21578")))


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    """One local Spark session (2 cores) for every Spark test, or a skip saying what is missing."""
    import os
    import shutil
    import sys

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("needs a Java 17+ runtime (`make test` installs openjdk-17-jre-headless)")
    sql = pytest.importorskip("pyspark.sql", reason="needs pyspark: pip install neardup[spark]")
    # Executors must import this interpreter's neardup.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("neardup-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
