"""Regressions found in review: no traceback, no overwritten output, no lone surrogate written."""

import json
import subprocess
import time
from pathlib import Path

import pytest
from conftest import SEEDS
from conftest import neardup as neardup_cli

import neardup


def _one_line_error(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_outputs_named_twice_are_refused(tmp_path: Path) -> None:
    run = neardup_cli("dedup", SEEDS, "-o", "s.jsonl", "--pairs", "s.jsonl", cwd=tmp_path)
    _one_line_error(run, "named twice")


def test_output_below_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    run = neardup_cli("find", SEEDS, "-o", "f/sub/p.jsonl", cwd=tmp_path)
    _one_line_error(run, "cannot be written")


def test_unreadable_and_deeply_nested_input(tmp_path: Path) -> None:
    (tmp_path / "folder.jsonl").mkdir()
    _one_line_error(
        neardup_cli("find", "folder.jsonl/", "-o", "p.jsonl", cwd=tmp_path), "holds no .txt files"
    )
    (tmp_path / "deep.jsonl").write_text("[" * 100_000 + "\n")
    _one_line_error(
        neardup_cli("find", "deep.jsonl", "-o", "p.jsonl", cwd=tmp_path),
        "deep.jsonl:1: malformed JSON",
    )
    (tmp_path / "extra.csv").write_text("id,text\na,one,two\n")
    _one_line_error(
        neardup_cli("find", "extra.csv", "-o", "p.jsonl", cwd=tmp_path),
        "more values than the header",
    )


def test_invalid_utf8_is_written_repaired(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_bytes(b'{"id": "a\xff", "text": "caf\xe9 au lait"}\n')
    for name in ("k.jsonl", "k.parquet"):
        run = neardup_cli("dedup", "in.jsonl", "-o", name, "--pairs", "p.parquet", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    line = (tmp_path / "k.jsonl").read_text(encoding="utf-8")
    assert "\\udc" not in line and json.loads(line)["text"] == "caf\ufffd au lait"


def test_report_is_byte_identical_between_runs(tmp_path: Path) -> None:
    pages = []
    for n in (1, 2):
        run = neardup_cli(
            "find", SEEDS, "-o", f"p{n}.jsonl", "--report", f"r{n}.html", cwd=tmp_path
        )
        assert run.returncode == 0, run.stderr
        pages.append((tmp_path / f"r{n}.html").read_bytes())
    assert pages[0] == pages[1]


def test_furniture_only_texts_agree_between_compare_and_find() -> None:
    text = "Advertisement\nYour browser doesn't support HTML5"
    docs = [{"id": "a", "text": text}, {"id": "b", "text": text}]
    assert neardup.compare(text, text).relation == "exact"
    assert [p.relation for p in neardup.find_pairs(docs)] == ["exact"]


def test_pandas_missing_values_and_cluster_ids() -> None:
    pd = pytest.importorskip("pandas")
    story = "the river rose overnight and the town council closed the old bridge to traffic"
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "text": [story, story + " until friday", float("nan")],
            "date": [pd.Timestamp("2024-01-01"), pd.NaT, pd.Timestamp("2024-02-01")],
        }
    )
    kept = neardup.deduplicate(frame, keep="newest", date_field="date", add_cluster_id=True).kept
    assert kept["id"].tolist() == [1, 3]  # the dated copy is kept; NaN text is an empty document
    assert kept["cluster_id"].tolist()[0] == 0 and pd.isna(kept["cluster_id"].tolist()[1])
    with pytest.raises(neardup.InputError, match="no document has a date in the field 'nope'"):
        neardup.deduplicate(frame, keep="newest", date_field="nope")


def test_alignment_of_long_unrelated_texts_does_not_hang() -> None:
    a = " ".join(f"Alpha sentence number {i} talks about apples." for i in range(700))
    b = " ".join(f"Beta line {i} mentions quite other things." for i in range(700))
    started = time.perf_counter()
    ops = {s.op for s in neardup.compare(a, b).alignment}
    assert ops == {"removed", "added"}
    assert time.perf_counter() - started < 60  # generous: unbounded, it took minutes
