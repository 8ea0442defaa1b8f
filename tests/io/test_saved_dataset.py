"""A folder written by Hugging Face `Dataset.save_to_disk`, read by the command line as the same
records in JSONL are, with pyarrow alone."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import neardup

# Never the hub (the variables are inherited by the `neardup` processes too).
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

datasets = pytest.importorskip("datasets", reason="needs datasets: pip install neardup[hf]")

NEWS = Path(__file__).resolve().parents[2] / "examples" / "news.jsonl"
ROWS = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]
SHARDS = [f"data-0000{n}-of-00003.arrow" for n in range(3)]
EARLIER, LATER = "seed/000_fc1c69b70c19711e.txt", "seed/002_137d3eabac6a834f.txt"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/news.jsonl saved by `save_to_disk`, in three Arrow files."""
    folder = tmp_path_factory.mktemp("saved") / "news"
    datasets.Dataset.from_list(ROWS).save_to_disk(str(folder), num_shards=3)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*SHARDS, "dataset_info.json", "state.json"]
    )
    return folder


def _run(*args: object) -> None:
    run = neardup(*args, "--quiet")
    assert run.returncode == 0, run.stderr


def test_find_and_dedup_give_what_the_jsonl_gives(saved: Path, tmp_path: Path) -> None:
    for name, source in (("hf", saved), ("jsonl", NEWS)):
        _run("find", source, "--output", tmp_path / f"{name}-pairs.jsonl")
        _run(
            "dedup",
            source,
            "--output",
            tmp_path / f"{name}-kept.jsonl",
            "--clusters",
            tmp_path / f"{name}-clusters.jsonl",
            "--cluster-id",
        )
    pairs = (tmp_path / "hf-pairs.jsonl").read_text()
    assert pairs == (tmp_path / "jsonl-pairs.jsonl").read_text()
    seeds = [json.loads(line) for line in pairs.splitlines() if line.startswith('{"id_a":"seed/')]
    assert [(p["id_a"], p["id_b"], p["relation"]) for p in seeds] == [(EARLIER, LATER, "contains")]
    clusters = (tmp_path / "hf-clusters.jsonl").read_text()
    assert clusters == (tmp_path / "jsonl-clusters.jsonl").read_text()
    kept = [json.loads(line) for line in (tmp_path / "hf-kept.jsonl").read_text().splitlines()]
    from_jsonl = (tmp_path / "jsonl-kept.jsonl").read_text().splitlines()
    assert kept == [json.loads(line) for line in from_jsonl]
    kept_ids = [row["id"] for row in kept]
    assert LATER in kept_ids and EARLIER not in kept_ids


def test_an_index_adds_and_queries_a_saved_dataset(saved: Path, tmp_path: Path) -> None:
    answers = []
    for name, source in (("hf", saved), ("jsonl", NEWS)):
        index = tmp_path / f"{name}.ndx"
        _run("index", "create", index)
        _run("index", "add", index, source)
        run = neardup("index", "query", index, source, "-k", "2")
        assert run.returncode == 0, run.stderr
        answers.append(run.stdout)
    assert answers[0] == answers[1]
    matches = [json.loads(line) for line in answers[0].splitlines()]
    assert {(m["id"], m["relation"]) for m in matches if m["query_id"] == EARLIER} == {
        (EARLIER, "exact"),
        (LATER, "contains"),
    }


def test_a_saved_dataset_is_read_without_the_datasets_package(saved: Path) -> None:
    script = (
        "import sys; from neardup.io.read import RecordReader, read_paths; "
        f"records = list(read_paths([{str(saved)!r}], RecordReader('id', 'text'))); "
        "print(len(records), records[0].where, records[-1].where, "
        "'datasets' in sys.modules, 'polars' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [
        "269",
        f"{saved}/{SHARDS[0]}:",
        "row",
        "1",
        f"{saved}/{SHARDS[2]}:",
        "row",
        "89",
        "False",
        "False",
    ]


def _error(*inputs: object) -> str:
    run = neardup("find", *inputs, "--output", Path(inputs[0]).parent / "pairs.jsonl")
    assert run.returncode == 2 and run.stdout == ""
    return run.stderr


def test_a_dataset_dict_folder_names_its_split_folders(tmp_path: Path) -> None:
    folder = tmp_path / "splits"
    datasets.DatasetDict(
        train=datasets.Dataset.from_list(ROWS[:5]), test=datasets.Dataset.from_list(ROWS[5:9])
    ).save_to_disk(str(folder))
    assert _error(folder) == (
        f"neardup: error: {folder}: a DatasetDict saved with its splits in folders; pass the "
        f"split folders to read, such as {folder}/train {folder}/test\n"
    )
    _run("find", folder / "train", folder / "test", "--output", tmp_path / "pairs.jsonl")


def test_errors_name_the_arrow_file(tmp_path: Path) -> None:
    folder = tmp_path / "renamed"
    dataset = datasets.Dataset.from_list(ROWS[:3]).rename_column("text", "body")
    dataset.save_to_disk(str(folder))
    shard = folder / "data-00000-of-00001.arrow"
    assert _error(folder) == (
        f"neardup: error: {shard}: no column 'text' (columns: id, title, date, source, body)\n"
    )
    shard.write_bytes(b"not arrow")
    assert _error(folder).startswith(f"neardup: error: {shard}: not a readable Arrow stream (")
    shard.unlink()
    assert _error(folder) == (
        f"neardup: error: {shard}: no such file (listed in {folder}/state.json)\n"
    )
    (folder / "state.json").write_text("{}")
    assert _error(folder) == (
        f"neardup: error: {folder}/state.json: not a Hugging Face dataset's state "
        "(no list of data files)\n"
    )


def test_a_truncated_arrow_file_names_the_row_it_stops_after(tmp_path: Path) -> None:
    folder = tmp_path / "cut"
    datasets.Dataset.from_list(ROWS).save_to_disk(str(folder))
    shard = folder / "data-00000-of-00001.arrow"
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2])
    error = _error(folder)
    assert error.startswith(f"neardup: error: {shard}: unreadable after row 0 (")
    assert len(error.splitlines()) == 1
