"""The Spark engine in local mode gives the local engine's pairs, clusters and kept records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from random import Random
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import ROOT

import neardup
import neardup.spark
from neardup import cli
from neardup.errors import InputError
from neardup.evaluate.transform import Article, ocr_noise

pytestmark = pytest.mark.slow

NEWS = ROOT / "examples" / "news.jsonl"


def _news() -> list[dict[str, Any]]:
    return [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]


def _assert_dedup_same(
    spark: Any, records: list[dict[str, Any]], **kwargs: Any
) -> list[dict[str, Any]]:
    """Deduplicate on both engines, check they agree, and return the pairs."""
    local = neardup.deduplicate(records, add_cluster_id=True, **kwargs)
    df = spark.createDataFrame(records)
    result = neardup.spark.deduplicate(df, add_cluster_id=True, **kwargs)
    pairs = [row.asDict() for row in result.pairs.collect()]
    clusters = [row.asDict() for row in result.clusters.collect()]
    kept = [row.asDict() for row in result.kept.collect()]
    assert pairs == [p.to_dict() for p in local.pairs]
    assert clusters == [m.to_dict() for m in local.clusters]
    assert kept == local.kept
    assert local.summary.clusters > 5 and local.summary.removed > 5  # something to agree on
    return pairs


def test_news_with_the_seed_pair_deduplicated_as_locally(spark: Any) -> None:
    records = _news()
    # OCR-noised copies of two stories: found by the second look on both engines.
    noisy = [
        {
            **r,
            "id": f"ocr/{r['id']}",
            "text": ocr_noise(Article.parse(r["text"]), Random(n), 0.02).text,
        }
        for n, r in enumerate(records[:2])
    ]
    pairs = _assert_dedup_same(spark, records + noisy)
    seeds = [p for p in pairs if p["id_a"] == "seed/000_fc1c69b70c19711e.txt"]
    assert ("seed/002_137d3eabac6a834f.txt", "contains") in [
        (p["id_b"], p["relation"]) for p in seeds
    ]
    assert sum(p["differs_only_in"] == "characters" for p in pairs) >= 2


def test_news_pairs_with_overlap_as_locally(spark: Any) -> None:
    records = _news()
    options = neardup.Options(jaccard=0.6, containment=0.7, overlap=0.1)
    local = neardup.find_pairs(records, report_overlap=True, options=options)
    found = neardup.spark.find_pairs(
        spark.createDataFrame(records), report_overlap=True, options=options
    )
    assert [row.asDict() for row in found.collect()] == [p.to_dict() for p in local]
    assert any(p.relation == "overlap" for p in local)


def test_reuters_with_the_seed_pair_as_locally(
    spark: Any, reuters: list[dict[str, str]], seed_texts: tuple[str, str]
) -> None:
    stories = reuters[:3000]
    earlier, later = seed_texts
    # The seed pair in the middle of the corpus, the later version first.
    records: list[dict[str, Any]] = [
        *stories[:1500],
        {"id": "seed-later", "title": "", "date": "", "text": later},
        *stories[1500:],
        {"id": "seed-earlier", "title": "", "date": "", "text": earlier},
    ]
    _assert_dedup_same(spark, records)


def test_cli_engine_spark_writes_the_local_files(spark: Any, tmp_path: Path) -> None:
    """Kept records, pairs and clusters, byte for byte; the newest copy kept, by a date field."""
    outputs = {}
    for engine in ("local", "spark"):
        out = tmp_path / engine
        cli.main(
            [
                "dedup",
                str(NEWS),
                "--engine",
                engine,
                "--output",
                str(out / "kept.jsonl"),
                "--pairs",
                str(out / "pairs.jsonl"),
                "--clusters",
                str(out / "clusters.parquet"),
                "--cluster-id",
                "--keep",
                "newest",
                "--date-field",
                "date",
                "--quiet",
            ]
        )
        outputs[engine] = out
    for name in ("kept.jsonl", "pairs.jsonl"):
        local = (outputs["local"] / name).read_bytes()
        assert local and (outputs["spark"] / name).read_bytes() == local, name
    local_clusters = pq.read_table(outputs["local"] / "clusters.parquet")
    assert local_clusters.num_rows > 10
    assert pq.read_table(outputs["spark"] / "clusters.parquet").equals(local_clusters)


def test_cli_engine_spark_reads_parquet(spark: Any, tmp_path: Path) -> None:
    import pyarrow as pa

    records = _news()
    pq.write_table(pa.Table.from_pylist(records[:150]), tmp_path / "a.parquet")
    pq.write_table(pa.Table.from_pylist(records[150:]), tmp_path / "b.parquet")
    inputs = [str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet")]
    for engine in ("local", "spark"):
        cli.main(["find", *inputs, "--engine", engine, "-o", str(tmp_path / f"{engine}.jsonl")])
    local = (tmp_path / "local.jsonl").read_text(encoding="utf-8")
    assert local.count("\n") > 20
    assert (tmp_path / "spark.jsonl").read_text(encoding="utf-8") == local


def test_duplicate_ids_and_missing_columns_are_input_errors(spark: Any) -> None:
    twice = spark.createDataFrame([{"id": "a", "text": "x y z"}, {"id": "a", "text": "x y"}])
    with pytest.raises(InputError, match="duplicate id 'a'"):
        neardup.spark.find_pairs(twice)
    with pytest.raises(InputError, match="no column 'body'"):
        neardup.spark.find_pairs(twice, text_field="body")


def test_an_error_in_an_executor_is_one_line(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "text": "one two"}\n{"id": "b", "text": \n', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["find", str(broken), "--engine", "spark", "-o", str(tmp_path / "p.jsonl")])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("neardup: error: ") and "malformed JSON" in error
    assert "\n" not in error


def test_without_pyspark_the_message_names_the_extra(tmp_path: Path) -> None:
    # A None entry in sys.modules makes `import pyspark` fail as if it were not installed.
    script = (
        "import sys; sys.modules['pyspark'] = None\n"
        "from neardup.cli import main\n"
        f"main(['find', {str(NEWS)!r}, '--engine', 'spark', '-o', {str(tmp_path / 'p.jsonl')!r}])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "neardup: error: the Spark engine needs pyspark: install neardup[spark] "
        "(and a Java 17+ runtime)"
    ]


def test_without_java_the_message_names_it(tmp_path: Path) -> None:
    # JAVA_HOME names a folder with no Java in it: Spark's launcher finds none and gives up.
    env = {**os.environ, "JAVA_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "neardup", "find", str(NEWS), "--engine", "spark", "-o", "p.jsonl"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("neardup: error: Spark did not start (")
    assert "needs a Java 17+ runtime" in last


def test_facts_rule_as_locally(spark: Any) -> None:
    """A rewrite, a look-alike in facts and one in numbers (`tests/core/test_facts.py`): the
    executors apply the same facts rule."""
    folder = ROOT / "tests" / "fixtures" / "facts"
    records = [
        {"id": path.stem, "text": path.read_text(encoding="utf-8")}
        for path in sorted(folder.glob("*.txt"))
    ]
    local = [p.to_dict() for p in neardup.find_pairs(records)]
    found = neardup.spark.find_pairs(spark.createDataFrame(records))
    assert [row.asDict() for row in found.collect()] == local
    assert {(p["relation"], p["differs_only_in"]) for p in local} == {
        ("rewrite", None),
        ("near-duplicate", "facts"),
        ("near-duplicate", "numbers"),
    }
