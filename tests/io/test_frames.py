"""Hugging Face Datasets and polars DataFrames in the Python API: the same pairs and kept records
as the same records given as dicts, and the kept records in the input's own type."""

import json
import os
from pathlib import Path

import pytest

# Never the hub: every Dataset here is made in memory or saved to a temporary folder.
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import neardup
from neardup.errors import InputError

datasets = pytest.importorskip("datasets", reason="needs datasets: pip install neardup[hf]")
pl = pytest.importorskip("polars", reason="needs polars: pip install neardup[polars]")

NEWS = Path(__file__).resolve().parents[2] / "examples" / "news.jsonl"
ROWS = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]
COLUMNS = ["id", "title", "date", "source", "text"]


EARLIER, LATER = "seed/000_fc1c69b70c19711e.txt", "seed/002_137d3eabac6a834f.txt"


@pytest.fixture(scope="module")
def expected() -> neardup.Deduplication:
    """What the records give as a list of dicts: among the pairs, the later seed article
    contains the earlier one, which is not kept."""
    result = neardup.deduplicate(ROWS, add_cluster_id=True)
    assert (EARLIER, LATER, "contains") in [(p.id_a, p.id_b, p.relation) for p in result.pairs]
    kept = [row["id"] for row in result.kept]
    assert LATER in kept and EARLIER not in kept
    assert len(kept) == len(ROWS) - result.summary.removed
    return result


def _without_cluster_id(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "cluster_id"} for row in rows]


def test_a_dataset_gives_the_pairs_and_kept_records_of_its_rows(
    expected: neardup.Deduplication,
) -> None:
    dataset = datasets.Dataset.from_list(ROWS)
    assert neardup.find_pairs(dataset) == expected.pairs
    result = neardup.deduplicate(dataset, add_cluster_id=True)
    assert result.pairs == expected.pairs
    assert result.clusters == expected.clusters
    assert isinstance(result.kept, datasets.Dataset)
    assert result.kept.column_names == [*COLUMNS, "cluster_id"]
    assert result.kept.features == {**dataset.features, "cluster_id": datasets.Value("int64")}
    assert result.kept.to_list() == expected.kept

    kept = neardup.deduplicate(dataset).kept
    assert isinstance(kept, datasets.Dataset)
    assert kept.column_names == COLUMNS
    assert kept.features == dataset.features
    assert kept.to_list() == _without_cluster_id(expected.kept)


def test_a_shuffled_dataset_is_read_in_its_own_order() -> None:
    shuffled = datasets.Dataset.from_list(ROWS).shuffle(seed=3)  # rows through an index
    rows = shuffled.to_list()
    assert rows[0]["id"] != ROWS[0]["id"]
    expected = neardup.deduplicate(rows)
    result = neardup.deduplicate(shuffled)
    assert result.pairs == expected.pairs
    assert result.kept.to_list() == expected.kept


def test_a_formatted_dataset_keeps_its_format(expected: neardup.Deduplication) -> None:
    dataset = datasets.Dataset.from_list(ROWS).with_format("pandas")
    result = neardup.deduplicate(dataset, add_cluster_id=True)
    assert result.pairs == expected.pairs
    assert result.kept.format["type"] == "pandas"
    assert list(result.kept[:3].columns) == [*COLUMNS, "cluster_id"]  # a pandas DataFrame
    assert result.kept.with_format(None).to_list() == expected.kept
    assert neardup.deduplicate(dataset).kept.format["type"] == "pandas"


def test_a_dataset_loaded_from_disk_leaves_its_folder_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    datasets.Dataset.from_list(ROWS).save_to_disk(str(folder))
    before = sorted(p.name for p in folder.iterdir())
    loaded = datasets.load_from_disk(str(folder))
    kept = neardup.deduplicate(loaded).kept
    with_ids = neardup.deduplicate(loaded, add_cluster_id=True).kept
    assert kept.to_list() == _without_cluster_id(with_ids.to_list())
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_dataset_dict_asks_for_one_split() -> None:
    splits = datasets.DatasetDict(
        train=datasets.Dataset.from_list(ROWS[:5]), test=datasets.Dataset.from_list(ROWS[5:9])
    )
    with pytest.raises(InputError) as raised:
        neardup.find_pairs(splits)
    assert str(raised.value) == (
        "a DatasetDict holds splits ('train', 'test'), not records: pass one, such as "
        "dataset['train']"
    )


def test_a_polars_frame_gives_the_pairs_and_kept_records_of_its_rows(
    expected: neardup.Deduplication,
) -> None:
    frame = pl.DataFrame(ROWS)
    assert neardup.find_pairs(frame) == expected.pairs
    result = neardup.deduplicate(frame, add_cluster_id=True)
    assert result.pairs == expected.pairs
    assert result.clusters == expected.clusters
    assert isinstance(result.kept, pl.DataFrame)
    assert result.kept.columns == [*COLUMNS, "cluster_id"]
    assert result.kept.schema["cluster_id"] == pl.Int64
    assert result.kept.to_dicts() == expected.kept

    kept = neardup.deduplicate(frame).kept
    assert isinstance(kept, pl.DataFrame)
    assert kept.schema == frame.schema
    assert kept.to_dicts() == _without_cluster_id(expected.kept)


def test_a_lazy_polars_frame_is_collected_once(expected: neardup.Deduplication) -> None:
    lazy = pl.LazyFrame(ROWS)
    assert neardup.find_pairs(lazy) == expected.pairs
    kept = neardup.deduplicate(lazy).kept
    assert isinstance(kept, pl.DataFrame)
    assert kept.to_dicts() == _without_cluster_id(expected.kept)
    broken = lazy.select(pl.col("nope"))  # a plan that fails when computed: a user error
    with pytest.raises(InputError) as raised:
        neardup.find_pairs(broken)
    assert str(raised.value) == (
        'the polars LazyFrame could not be computed: unable to find column "nope"; '
        'valid columns: ["id", "title", "date", "source", "text"]'
    )


def test_fields_are_chosen_by_the_same_options(expected: neardup.Deduplication) -> None:
    renamed = {"id": "doc", "text": "body"}
    frame = pl.DataFrame(ROWS).rename(renamed)
    dataset = datasets.Dataset.from_list(ROWS).rename_columns(renamed)
    for records in (frame, dataset):
        assert neardup.find_pairs(records, id_field="doc", text_field="body") == expected.pairs
        with pytest.raises(InputError) as raised:
            neardup.find_pairs(records)
        assert str(raised.value) == "record 1: no id field 'id' (choose it with --id-field)"


def test_integer_ids_are_kept_as_they_are() -> None:
    rows = [{"id": n, "text": row["text"]} for n, row in enumerate(ROWS[:40])]
    expected = neardup.deduplicate(rows, add_cluster_id=True)
    for records in (pl.DataFrame(rows), datasets.Dataset.from_list(rows)):
        result = neardup.deduplicate(records, add_cluster_id=True)
        assert result.pairs == expected.pairs
        kept = (
            result.kept.to_dicts() if isinstance(records, pl.DataFrame) else result.kept.to_list()
        )
        assert kept == expected.kept
        assert [type(row["id"]) for row in kept] == [int] * len(kept)


def test_an_index_adds_a_dataset_and_a_polars_frame(tmp_path: Path) -> None:
    text = ROWS[0]["text"]
    for name, records in (("hf", datasets.Dataset.from_list(ROWS)), ("pl", pl.DataFrame(ROWS))):
        with neardup.Index(tmp_path / f"{name}.ndx") as index:
            index.add(records)
            assert index.stats().documents == 269
            assert [m.id for m in index.query(text, k=1)] == [ROWS[0]["id"]]
