"""`neardup index …` and `neardup dedup --against` as a user runs them: real processes and files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import EARLIER, LATER, neardup
from synthetic import planted_corpus


def write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_create_add_query_remove_stats(tmp_path):
    path = tmp_path / "news.ndx"
    records = planted_corpus(80)
    old = write_jsonl(tmp_path / "old.jsonl", records[:60])
    new = write_jsonl(tmp_path / "new.jsonl", records[60:])
    assert neardup("index", "create", path, "--jaccard", "0.6").returncode == 0
    added = neardup("index", "add", path, old, EARLIER, "--batch", "7")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added 61; documents in the index: 61"
    stats = json.loads(neardup("index", "stats", path).stdout)
    assert stats["documents"] == 61 and stats["options"]["jaccard"] == 0.6

    rows = [json.loads(line) for line in neardup("index", "query", path, new).stdout.splitlines()]
    expected = neardup("find", old, new, "--jaccard", "0.6", "--output", tmp_path / "p.jsonl")
    assert expected.returncode == 0
    pairs = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    new_ids = {r["id"] for r in records[60:]}
    # find lists each pair once, the first in the input as id_a: old, then new.
    across = {
        (p["id_b"], p["id_a"]) for p in pairs if p["id_b"] in new_ids and p["id_a"] not in new_ids
    }
    found = {(r["query_id"], r["id"]) for r in rows}
    # Every pair found is one that find finds. Fingerprints are sampled: a pair sharing a short
    # passage may be missed (test_index.py measures how short), here those of a short text.
    words = {r["id"]: len(r["text"].split()) for r in records}
    assert found <= across and len(found) >= 0.75 * len(across)
    assert all(min(words[a], words[b]) < 100 for a, b in across - found)

    text = LATER.read_text(encoding="utf-8")
    (match,) = map(json.loads, neardup("index", "query", path, "--text", text).stdout.splitlines())
    assert (match["query_id"], match["id"], match["relation"]) == ("", EARLIER.name, "contains")
    removed = neardup("index", "remove", path, EARLIER.name, "no-such-id")
    assert removed.stdout.strip() == "removed 1 of 2"
    assert neardup("index", "query", path, "--text", text).stdout == ""


def test_dedup_against_an_index_removes_copies_of_indexed_documents(tmp_path):
    path = tmp_path / "seen.ndx"
    assert neardup("index", "create", path).returncode == 0
    assert neardup("index", "add", path, EARLIER).returncode == 0
    fresh = {"id": "fresh", "text": " ".join(f"word{i}" for i in range(60))}
    excerpt = {"id": "excerpt", "text": EARLIER.read_text(encoding="utf-8")[:1200]}
    expanded = {"id": "expanded", "text": LATER.read_text(encoding="utf-8")}
    for batch, kept_ids in (([fresh, excerpt], ["fresh"]), ([expanded], ["expanded"])):
        inputs = write_jsonl(tmp_path / "batch.jsonl", batch)
        kept, pairs = tmp_path / "kept.jsonl", tmp_path / "pairs.jsonl"
        run = neardup("dedup", inputs, "-o", kept, "--pairs", pairs, "--against", path)
        assert run.returncode == 0, run.stderr
        # The excerpt is inside an indexed story: a copy. The expanded version adds text: kept.
        assert [json.loads(x)["id"] for x in kept.read_text().splitlines()] == kept_ids
        assert ("removed as copies of indexed documents: 1" in run.stdout) == (len(batch) == 2)
        (pair,) = map(json.loads, pairs.read_text().splitlines())
        assert (pair["id_b"], pair["relation"]) == (EARLIER.name, "contains")


@pytest.mark.parametrize(
    "args, message",
    [
        (["index", "query", "{missing}", "--text", "x"], "no index here"),
        (["index", "create", "{index}"], "already exists"),
        (["index", "add", "{garbage}", "{jsonl}"], "not a neardup index"),
        (["index", "stats", "{garbage}"], "not a neardup index"),
        (["index", "stats", "{future}"], "format version 6; this neardup reads format version 5"),
        (["index", "query", "{old}", "--text", "x"], "format version 3; this neardup reads format"),
        (["dedup", "{jsonl}", "-o", "{out}", "--against", "{index}", "--ngram", "4"], "ngram=5"),
        (
            ["dedup", "{jsonl}", "-o", "{out}", "--against", "{index}", "--engine", "spark"],
            "--against works with the local engine only",
        ),
    ],
)
def test_index_errors_are_one_line(tmp_path, args, message):
    places = {
        "missing": tmp_path / "missing.ndx",
        "index": tmp_path / "x.ndx",
        "future": tmp_path / "future.ndx",
        "old": tmp_path / "old.ndx",
        "garbage": tmp_path / "garbage.ndx",
        "jsonl": write_jsonl(tmp_path / "in.jsonl", planted_corpus(3)),
        "out": tmp_path / "out.jsonl",
    }
    places["garbage"].write_bytes(b"garbage" * 500)
    for name, version in (("index", "5"), ("future", "6"), ("old", "3")):
        assert neardup("index", "create", places[name]).returncode == 0
        with sqlite3.connect(places[name]) as db:
            db.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (version,))
    run = neardup(*[a.format(**places) for a in args])
    assert run.returncode == 2
    assert run.stderr.startswith("neardup: error:") and run.stderr.count("\n") == 1
    assert message in run.stderr


def test_dedup_against_an_index_applies_the_facts_rule_as_index_query_does(tmp_path):
    """A look-alike of an indexed notice (another bank, another figure) is kept and flagged as
    `index query` flags it; a flash whose fuller report is indexed is a copy (a rewrite)."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "facts"
    path = tmp_path / "seen.ndx"
    assert neardup("index", "create", path).returncode == 0
    indexed = [fixtures / f"{name}.txt" for name in ("prime_chase", "report", "magma_025")]
    assert neardup("index", "add", path, *indexed).returncode == 0
    batch = [
        {"id": name, "text": (fixtures / f"{name}.txt").read_text(encoding="utf-8")}
        for name in ("prime_chemical", "flash", "magma_050")
    ]
    inputs = write_jsonl(tmp_path / "batch.jsonl", batch)
    kept, pairs = tmp_path / "kept.jsonl", tmp_path / "pairs.jsonl"
    run = neardup("dedup", inputs, "-o", kept, "--pairs", pairs, "--against", path)
    assert run.returncode == 0, run.stderr
    assert "removed as copies of indexed documents: 1" in run.stdout
    assert [json.loads(x)["id"] for x in kept.read_text().splitlines()] == [
        "prime_chemical",
        "magma_050",
    ]
    found = [
        (p["id_a"], p["id_b"], p["relation"], p["differs_only_in"])
        for p in map(json.loads, pairs.read_text().splitlines())
    ]
    assert found == [
        ("prime_chemical", "prime_chase.txt", "near-duplicate", "facts"),
        ("flash", "report.txt", "rewrite", None),
        ("magma_050", "magma_025.txt", "near-duplicate", "numbers"),
    ]
    query = neardup("index", "query", path, inputs)
    assert query.returncode == 0, query.stderr
    queried = [
        (q["query_id"], q["id"], q["relation"], q["differs_only_in"])
        for q in map(json.loads, query.stdout.splitlines())
    ]
    assert queried == found
