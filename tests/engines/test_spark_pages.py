"""The Spark engine reads web pages (HTML and WARC files) through the local readers in its
executors, and folders written by `Dataset.save_to_disk`, and finds what the local engine finds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from web_pages import EARLIER_PAGE, WarcRecord, seed_warc, write_warc

import neardup
from neardup.errors import InputError
from neardup.spark.files import SparkEngine

pytestmark = pytest.mark.slow


def test_pages_and_a_warc_on_spark_as_locally(spark: Any, tmp_path: Path) -> None:
    pytest.importorskip("fastwarc", reason="needs FastWARC: pip install neardup[warc]")
    pytest.importorskip("warcio", reason="the tests write WARC files with warcio")
    warc = seed_warc(tmp_path / "seeds.warc.gz")
    again = tmp_path / "again.warc.gz"  # the earlier URI crawled again, in another file
    write_warc(again, [WarcRecord("https://news.example.org/earlier", EARLIER_PAGE.read_bytes())])
    inputs = [warc, again, EARLIER_PAGE]
    outputs = {}
    for engine in ("local", "spark"):
        kept, pairs = tmp_path / f"{engine}.jsonl", tmp_path / f"{engine}-pairs.jsonl"
        runner = SparkEngine(spark) if engine == "spark" else engine
        neardup.deduplicate_files(inputs, kept, pairs=pairs, engine=runner, progress=False)
        outputs[engine] = (kept.read_bytes(), pairs.read_bytes())
    assert outputs["spark"] == outputs["local"]
    found = [json.loads(line) for line in outputs["local"][1].decode().splitlines()]
    ids = {p["id_a"] for p in found} | {p["id_b"] for p in found}
    again_id = ids - {
        "000_fc1c69b70c19711e.html",
        "https://news.example.org/earlier",
        "https://news.example.org/later",
    }
    assert len(ids) == 4 and len(again_id) == 1
    assert again_id.pop().startswith("https://news.example.org/earlier <urn:uuid:")


def test_a_saved_dataset_on_spark_as_locally(spark: Any, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets", reason="needs datasets: pip install neardup[hf]")
    news = Path(__file__).resolve().parents[2] / "examples" / "news.jsonl"
    rows = [json.loads(line) for line in news.read_text(encoding="utf-8").splitlines()]
    saved = tmp_path / "news"
    datasets.Dataset.from_list(rows).save_to_disk(str(saved), num_shards=3)
    outputs = {}
    for engine in ("local", "spark"):
        kept, pairs = tmp_path / f"{engine}.parquet", tmp_path / f"{engine}-pairs.jsonl"
        runner = SparkEngine(spark) if engine == "spark" else engine
        neardup.deduplicate_files([saved], kept, pairs=pairs, engine=runner, progress=False)
        outputs[engine] = pairs.read_bytes()
    assert outputs["spark"] == outputs["local"]
    local = neardup.find_pairs(rows)
    assert len(outputs["local"].splitlines()) == len(local)
    # The errors the local reader gives, raised on the driver before any Spark job.
    splits = tmp_path / "splits"
    datasets.DatasetDict(train=datasets.Dataset.from_list(rows[:3])).save_to_disk(str(splits))
    (saved / "data-00001-of-00003.arrow").unlink()
    cases = [
        ([splits], None, f"{splits}: a DatasetDict saved with its splits in folders; pass the "
         f"split folders to read, such as {splits}/train"),
        ([saved], None, f"{saved}/data-00001-of-00003.arrow: no such file (listed in "
         f"{saved}/state.json)"),
        ([EARLIER_PAGE], "html", f"{EARLIER_PAGE}: --html-field reads the records of .jsonl, "
         ".csv and .parquet files (and saved datasets), not an HTML page"),
    ]  # fmt: skip
    for inputs, html_field, message in cases:
        for engine in ("local", SparkEngine(spark)):
            with pytest.raises(InputError) as raised:
                neardup.deduplicate_files(
                    inputs,
                    tmp_path / "k.jsonl",
                    html_field=html_field,
                    engine=engine,
                    progress=False,
                )
            assert str(raised.value) == message
    with pytest.raises(InputError, match=r"^with --engine spark, --html-field reads \.jsonl"):
        neardup.find_files(
            [splits / "train"],
            tmp_path / "p.jsonl",
            html_field="html",
            engine=SparkEngine(spark),
            progress=False,
        )
