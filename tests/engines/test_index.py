"""The persistent index on a real SQLite file: parity with find_pairs, updates, crash safety,
concurrent reader processes, format versions."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from synthetic import batch, planted_corpus

import neardup
from neardup import Index, IndexFormatError, InputError, OptionsError
from neardup.core.facts import TextFacts
from neardup.core.furniture import PATTERNS, furniture_of
from neardup.core.sketch import SketchSpool, sketch_with
from neardup.index.format import FORMAT_VERSION
from neardup.index.postings import FANOUT

TESTS = Path(__file__).resolve().parents[1]


def scores(c: neardup.Comparison, *, swap: bool = False) -> tuple:
    """Relation and scores of a comparison, seen from B's side with `swap`."""
    a_in_b, b_in_a = c.containment_a_in_b, c.containment_b_in_a
    if swap:
        a_in_b, b_in_a = b_in_a, a_in_b
    return c.relation, c.jaccard, a_in_b, b_in_a, c.differs_only_in


def related(pairs: list[neardup.Pair]) -> dict[tuple[str, str], tuple]:
    """Every pair both ways: (query id, other id) → scores with the query as A."""
    out = {(p.id_a, p.id_b): scores(p) for p in pairs}
    return out | {(p.id_b, p.id_a): scores(p, swap=True) for p in pairs}


#: Pairs sharing a passage of this many words or more are all found by the index (fingerprints
#: are sampled: a shorter shared passage may hold none of the sampled ones).
MIN_SHARED_WORDS = 100


@pytest.mark.parametrize("seed", [3, 5])
@pytest.mark.parametrize("options", [{}, {"jaccard": 0.5, "containment": 0.6, "ngram": 3}])
def test_queries_give_the_relations_and_scores_of_find_pairs(tmp_path, options, seed):
    records = planted_corpus(240, seed=seed)
    # The index takes no character-level second look (it keeps texts only for the facts rule,
    # where facts matter): compare with find_pairs without it.
    plain = neardup.find_pairs(records, report_overlap=True, char_errors=0, **options)
    expected = related(plain)
    assert {r for r, *_ in expected.values()} >= {"exact", "near-duplicate", "contains"}
    with Index(tmp_path / "news.ndx", **options) as index:
        for start in range(0, len(records), 20):  # several segments, and merges
            index.add(records[start : start + 20])
        index.merge()
        assert index.stats().segments < len(records) // 20
        found = {}
        for record in records:
            for m in index.query(record["text"], k=1000, report_overlap=True):
                if m.id != record["id"]:
                    found[record["id"], m.id] = scores(m)
        sketches = sketch_with(index.options, [r["text"] for r in records], PATTERNS)
        counts = sketches.token_counts.tolist()
    words = {r["id"]: n for r, n in zip(records, counts, strict=True)}
    assert found.items() <= expected.items()  # the same relations and scores
    missed = {(a, b): expected[a, b] for a, b in expected.keys() - found.keys()}
    shared = [max(s[2] * words[a], s[3] * words[b]) for (a, b), s in missed.items()]
    assert all(n < MIN_SHARED_WORDS for n in shared), sorted(shared)
    assert {r for r, *_ in missed.values()} <= {"contains", "overlap"}  # not near-duplicates
    assert len(missed) <= 0.1 * len(expected)


def test_a_spool_s_sketches_are_queried_as_plain_ones(tmp_path):
    """`dedup --index` queries an index with a spool's sketches, whose fingerprints lead each
    document's shingles: the answers are those of plain sketches."""
    records = planted_corpus(120, seed=4)
    texts = [r["text"] for r in records]
    with Index(tmp_path / "x.ndx", facts_matter=False) as index:
        index.add(records[:60])
        plain = sketch_with(index.options, texts[60:], PATTERNS)
        spool = SketchSpool(index.options.num_perm, index.options.lsh, prints_lead=True)
        for start in range(60, 120, 25):
            batch = texts[start : min(start + 25, 120)]
            spool.add(sketch_with(index.options, batch, PATTERNS, prints_lead=True))
        spooled = spool.sketches()
        expected = index.query_sketches(plain, k=1000, report_overlap=True)
        assert sum(map(len, expected)) > 0
        assert index.query_sketches(spooled, k=1000, report_overlap=True) == expected


def test_excerpts_are_found_in_proportion_to_their_length(tmp_path):
    """Excerpts of 40 and 100 words of indexed texts, queried: the share found is measured."""
    records = batch("doc", 200, 300, seed=21)
    rng = np.random.default_rng(5)
    recall = {}
    with Index(tmp_path / "x.ndx") as index:
        index.add(records)
        for length in (40, 100):
            found = 0
            for record in records:
                words = record["text"].split()
                start = int(rng.integers(0, len(words) - length))
                matches = index.query(" ".join(words[start : start + length]))
                found += [(m.id, m.relation) for m in matches] == [(record["id"], "contains")]
            recall[length] = found / len(records)
    print(f"\nexcerpts found: {recall}")
    # Expected misses: 0.75 ** (0.4 * (length - 4)), about 2% at 40 words, 0.002% at 100.
    assert recall[100] == 1.0
    assert recall[40] >= 0.9


@pytest.mark.parametrize("max_shingle_df", [4, 5])
def test_fingerprints_held_by_too_many_documents_are_ignored_as_in_find_pairs(
    tmp_path, max_shingle_df
):
    passage = " ".join(f"common{i}" for i in range(30))
    held = [
        {"id": r["id"], "text": r["text"] + " " + passage} for r in batch("held", 4, 200, seed=1)
    ]
    query = {"id": "new", "text": passage + " and more"}
    pairs = neardup.find_pairs([*held, query], max_shingle_df=max_shingle_df, char_errors=0)
    expected = sorted(p.id_a for p in pairs if p.id_b == "new")
    with Index(tmp_path / "x.ndx", max_shingle_df=max_shingle_df) as index:
        index.add(held)
        found = sorted(m.id for m in index.query(query["text"]))
    # The passage is in 4 indexed documents and the query: 5 holders.
    assert found == expected == ([] if max_shingle_df == 4 else [r["id"] for r in held])


def test_the_seed_pair_is_found_from_either_side(tmp_path, seed_texts):
    earlier, later = seed_texts
    with Index(tmp_path / "seeds.ndx") as index:
        index.add([{"id": "earlier", "text": earlier}])
        (match,) = index.query(later)
    assert (match.id, match.relation) == ("earlier", "contains")
    assert match.containment_b_in_a == neardup.compare(earlier, later).containment_a_in_b
    with Index(tmp_path / "seeds.ndx") as index:
        index.add([{"id": "later", "text": later}])
        assert [m.id for m in index.query(earlier)] == ["earlier", "later"]


def test_matches_are_sorted_and_cut_at_k(tmp_path):
    records = planted_corpus(120)
    with Index(tmp_path / "x.ndx") as index:
        index.add(records)
        for record in records[:60]:
            every = index.query(record["text"], k=1000)
            assert index.query(record["text"], k=2) == every[:2]
            exact = [m for m in every if m.relation == "exact"]
            assert every[: len(exact)] == exact
            rest = [m.similarity for m in every[len(exact) :]]
            assert rest == sorted(rest, reverse=True)


def test_adding_again_replaces_and_remove_forgets(tmp_path):
    records = planted_corpus(60)
    with Index(tmp_path / "x.ndx") as index:
        assert index.add(records) == 60
        before = [index.query(r["text"]) for r in records]
        index.add(records)  # idempotent by id
        assert len(index) == 60
        assert [index.query(r["text"]) for r in records] == before
        new_text = " ".join(f"fresh{i}" for i in range(50))
        index.add([{"id": "d0", "text": new_text}])  # an id's new text replaces the old one
        assert "d0" not in [m.id for m in index.query(records[0]["text"])]
        assert [m.id for m in index.query(new_text)] == ["d0"]
        assert index.remove(["d0", "d1", "unknown"]) == 2
        assert "d0" not in index and len(index) == 58
        for record in records:
            assert not {"d0", "d1"} & {m.id for m in index.query(record["text"], k=100)}
        with pytest.raises(InputError, match="duplicate id 'd5'"):
            index.add([records[5], records[5]])


def test_add_batches_takes_what_add_takes(tmp_path):
    """The README's `index.add_batches(batches)` with lists of dicts, as `add` takes them."""
    from neardup.io.read import Record

    records = planted_corpus(60)
    with Index(tmp_path / "x.ndx") as index:
        index.add(records)
        expected = [index.query(r["text"]) for r in records]
    batches = [
        records[:25],
        records[25:50],
        [Record(r["id"], r["text"], r, "here") for r in records[50:]],
    ]
    with Index(tmp_path / "y.ndx") as index:
        assert index.add_batches(batches) == 60
        assert [index.query(r["text"]) for r in records] == expected
        renamed = [[{"doc": "n1", "body": records[0]["text"]}]]
        assert index.add_batches(renamed, id_field="doc", text_field="body") == 1
        assert [m.id for m in index.query(records[0]["text"]) if m.relation == "exact"] == [
            "d0",
            "n1",
        ]


def test_texts_are_stored_before_the_write_and_facts_read_for_a_query_only_where_they_count(
    tmp_path, monkeypatch
):
    """An added document's text is compressed before its write transaction (on the thread
    that sketches, for `add_batches`), its facts not read; a query reads facts (its own and a
    candidate's, from its stored text) only when it has a candidate whose relation they can
    change, with the matches of a query given all its facts at once."""
    import neardup.core.facts as core_facts
    import neardup.index.store as store
    from neardup.core.furniture import furniture_of

    fixtures = TESTS / "fixtures" / "facts"
    chemical, chase = (
        (fixtures / f"{name}.txt").read_text(encoding="utf-8")
        for name in ("prime_chemical", "prime_chase")
    )
    records = [*planted_corpus(60, seed=3), {"id": "chemical", "text": chemical}]
    prepare, pack = core_facts.prepared, store.pack
    with Index(tmp_path / "news.ndx") as index:
        read: list[str] = []
        packed: list[tuple[bool, str]] = []

        def prepared(text: str) -> str:
            read.append(text)
            return prepare(text)

        def packing(text: str) -> bytes:
            packed.append((index._db.in_transaction, threading.current_thread().name))
            return pack(text)

        # every reading of facts (Facts made, or compared natively) prepares the text first
        monkeypatch.setattr(core_facts, "prepared", prepared)
        monkeypatch.setattr(store, "pack", packing)
        assert index.add(records[:30]) == 30
        assert packed and not any(during for during, _ in packed)
        # add_batches packs them on the thread that sketches, while the batch before is written
        packed.clear()
        assert index.add_batches([records[20:40], records[40:]]) == len(records) - 20
        assert packed and all(name.startswith("neardup-sketch") for _, name in packed)
        assert read == []

        assert index.query("an unrelated text about nothing in particular at all") == []
        (match,) = index.query(chase)
        assert (match.id, match.relation, match.differs_only_in) == (
            "chemical",
            "near-duplicate",
            "facts",
        )
        assert len(read) == 2  # the query's facts and the indexed notice's, once each
        furniture = furniture_of(index.options)
        assert set(read) == {core_facts.story(t, furniture) for t in (chase, chemical)}

        texts = [r["text"] for r in records] + [chase, chemical + " More on Monday."]
        given = [core_facts.facts_of(core_facts.story(text, furniture)) for text in texts]
        read.clear()
        lazy = index.query_many(texts, report_overlap=True)
        assert len(read) < len(texts)
        assert lazy == index.query_sketches(index._sketch(texts), report_overlap=True, facts=given)


def test_the_texts_of_matchable_documents_are_stored_where_facts_matter(tmp_path):
    """Table `texts` holds the text of each matchable document, compressed, where facts
    matter (none where they don't); replacing or removing a document replaces or removes it."""
    from neardup.index.format import unpack

    records = [*planted_corpus(40, seed=5), {"id": "short", "text": "too short"}]
    texts = {r["id"]: r["text"] for r in records}

    def stored(path: Path) -> dict[str, str]:
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT id, z FROM docs JOIN texts USING (doc)").fetchall()
        return {doc_id: unpack(z) for doc_id, z in rows}

    with Index(tmp_path / "facts.ndx") as index:
        index.add(records)
        kept = stored(index.path)
        assert "short" not in kept  # not matchable: matched only when identical
        assert kept == {i: t for i, t in texts.items() if i != "short"}
        index.add([{"id": "d1", "text": texts["d2"]}])
        index.remove(["d0"])
        assert stored(index.path) == {
            **{i: t for i, t in kept.items() if i != "d0"},
            "d1": texts["d2"],
        }
    with Index(tmp_path / "words.ndx", facts_matter=False) as index:
        index.add(records)
        assert stored(index.path) == {}


@pytest.mark.parametrize(
    ("batches", "message"),
    [
        # records are numbered across the batches: this one is the third
        (
            [[{"id": "a", "text": "one"}, {"id": "b", "text": "two"}], [{"text": "three"}]],
            "record 3: no id field 'id' (choose it with --id-field)",
        ),
        ([[{"id": "a", "text": 1.5}]], "record 1: text field 'text' is a number, not a string"),
        ([["a text, not a record"]], "record 1: expected an object with fields, got str"),
        # raised by the thread that sketches the batch
        (
            [[{"id": "a", "text": "one"}], [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]],
            "record 3: duplicate id 'a' (first at record 2)",
        ),
    ],
)
def test_add_batches_errors_are_neardup_errors_in_the_caller(tmp_path, batches, message):
    with Index(tmp_path / "x.ndx") as index:
        with pytest.raises(InputError) as refused:
            index.add_batches(batches)
        assert str(refused.value) == message


def test_merges_drop_the_postings_of_removed_documents(tmp_path):
    with Index(tmp_path / "x.ndx") as index:
        index.add(batch("gone", 200, 60, seed=1))
        index.remove([f"gone-{i}" for i in range(200)])
        kept = [r for b in range(FANOUT - 1) for r in batch(f"b{b}", 5, 60, seed=b + 2)]
        for start in range(0, len(kept), 5):  # the batch that fills the size class merges it
            index.add(kept[start : start + 5])
        index.merge()  # waits for the background merge
        stats = index.stats()
    with Index(tmp_path / "fresh.ndx") as fresh:
        fresh.add(kept)
        assert (stats.segments, stats.postings) == (1, fresh.stats().postings)


def test_merges_run_in_the_background_after_add_returns(tmp_path):
    with Index(tmp_path / "x.ndx") as index:
        for b in range(FANOUT):  # the last add fills the size class: a merge is due
            index.add(batch(f"b{b}", 20, 60, seed=b))
        deadline = time.monotonic() + 60
        while index.stats().segments > 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # no call merges: the background thread does
        assert index.stats().segments == 1
        assert [m.id for m in index.query(batch("b3", 20, 60, seed=3)[7]["text"])] == ["b3-7"]


def test_threads_query_in_parallel_with_the_answers_of_one_thread(tmp_path):
    records = planted_corpus(120)
    with Index(tmp_path / "x.ndx") as index:
        index.add(records)
        texts = [r["text"] for r in records]
        sequential = [index.query(t, k=20, report_overlap=True) for t in texts]
        with ThreadPoolExecutor(6) as pool:
            parallel = list(pool.map(lambda t: index.query(t, k=20, report_overlap=True), texts))
    assert parallel == sequential
    assert sum(map(bool, sequential)) > 40


def test_empty_short_and_unrelated_texts(tmp_path):
    with Index(tmp_path / "x.ndx") as index:
        index.add([{"id": "empty", "text": ""}, {"id": "short", "text": "Storm closes bridge"}])
        index.add(batch("long", 10, 80, seed=5))
        assert index.query("") == []
        assert [m.relation for m in index.query("storm  closes BRIDGE")] == ["exact"]
        assert index.query("storm closes the bridge") == []
        assert index.query(" ".join(f"other{i}" for i in range(80))) == []
        with pytest.raises(OptionsError):
            index.query("x", k=0)


def test_an_index_of_another_format_version_is_refused(tmp_path):
    path = tmp_path / "x.ndx"
    with Index(path) as index:
        index.add(planted_corpus(5))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'format_version'")
    with pytest.raises(IndexFormatError) as error:
        Index(path)
    assert f"format version 999; this neardup reads format version {FORMAT_VERSION}" in str(
        error.value
    )


def test_files_that_are_not_indexes_are_refused(tmp_path):
    garbage = tmp_path / "garbage.ndx"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexFormatError, match="not a neardup index"):
        Index(garbage)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(IndexFormatError, match="not a neardup index"):
        Index(other)
    with pytest.raises(InputError, match="no index here"):
        Index(tmp_path / "missing.ndx", create=False)


def test_other_options_are_refused(tmp_path):
    path = tmp_path / "x.ndx"
    Index(path, ngram=4).close()
    with Index(path) as index:  # no options: the stored ones
        assert index.options.ngram == 4
    with pytest.raises(OptionsError, match=r"ngram=4 \(not 5\)"):
        Index(path, options=neardup.Options())
    # The second look is not the index's: any setting of it opens the index.
    Index(path, options=neardup.Options(ngram=4, char_errors=0)).close()


#: Documents a batch of the killed writer: enough for an add to take about 0.7 s on this machine
#: (3,000 took a second until sketching got faster, then 0.2 s: the kill fell between adds).
CRASH_BATCH = 10_000
CHILD = textwrap.dedent(
    f"""
    import sys
    from synthetic import batch
    from neardup import Index

    with Index(sys.argv[1]) as index:
        for b in range(1000):
            records = batch(f"b{{b}}", {CRASH_BATCH}, 120, seed=b)
            print("start", b, flush=True)
            index.add(records)
            print("done", b, flush=True)
    """
)


def test_a_writer_killed_in_the_middle_of_an_add_loses_nothing_that_returned(tmp_path):
    path = tmp_path / "crash.ndx"
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        lines.append(child.stdout.readline().split())
        if lines[-1] == ["start", "3"]:
            time.sleep(0.3)  # well inside the add of batch 3 (see CRASH_BATCH)
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    lines += [line.split() for line in child.stdout.read().splitlines()]
    returned = {int(b) for what, b in lines if what == "done"}
    started = {int(b) for what, b in lines if what == "start"}
    assert returned >= {0, 1, 2}
    assert started - returned, "the writer was killed between two adds, not in one"

    with Index(path, create=False) as index:
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            ids = [i for (i,) in db.execute("SELECT id FROM docs")]
        per_batch: dict[int, int] = {}
        for doc_id in ids:
            b = int(doc_id.split("-")[0][1:])
            per_batch[b] = per_batch.get(b, 0) + 1
        assert all(per_batch.get(b) == CRASH_BATCH for b in returned)
        assert set(per_batch.values()) == {CRASH_BATCH}  # nothing half-written
        probe = batch("b2", CRASH_BATCH, 120, seed=2)[17]
        assert [m.id for m in index.query(probe["text"])] == ["b2-17"]
        index.add(batch("after", 10, 120, seed=99))  # and the index takes writes again
        assert "after-9" in index


READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from neardup import Index

    path, probe, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    queries = errors = 0
    sizes = []
    with Index(path, create=False) as index:
        print("ready", flush=True)
        deadline = time.monotonic() + 60
        while not stop.exists() and time.monotonic() < deadline:
            try:
                found = [m.id for m in index.query(probe)]
                errors += found[:1] != ["first-0"]
                sizes.append(len(index))
            except Exception as error:
                errors += 1
                print(repr(error), file=sys.stderr)
            queries += 1
    print(json.dumps({"queries": queries, "errors": errors, "sizes": sizes}))
    """
)


def test_reader_processes_keep_working_while_one_writer_adds(tmp_path):
    path = tmp_path / "shared.ndx"
    first = batch("first", 50, 100, seed=7)
    with Index(path) as index:
        index.add(first)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(path), first[0]["text"], str(stop)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for reader in readers:
        assert reader.stdout.readline().strip() == "ready"
    with Index(path) as index:
        for b in range(FANOUT + 1):  # enough batches for a segment merge under the readers
            index.add(batch(f"w{b}", 200, 100, seed=100 + b))
    stop.touch()
    for reader in readers:
        out, _ = reader.communicate(timeout=120)
        result = json.loads(out)
        assert result["errors"] == 0
        assert result["queries"] > 0
        assert result["sizes"] == sorted(result["sizes"])  # never a step back
        assert result["sizes"][0] >= 50 and result["sizes"][-1] <= 50 + (FANOUT + 1) * 200


def _fact_texts() -> dict[str, str]:
    fixtures = TESTS / "fixtures" / "facts"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(fixtures.glob("*.txt"))}


def test_a_query_without_its_facts_is_refused_where_facts_matter(tmp_path):
    texts = _fact_texts()
    with Index(tmp_path / "facts.ndx") as index:
        index.add([{"id": "chase", "text": texts["prime_chase"]}])
        sketches = index._sketch([texts["prime_chemical"]])
        with pytest.raises(OptionsError, match="facts matter in this index"):
            index.query_sketches(sketches)
        facts = TextFacts(texts["prime_chemical"], furniture_of(index.options))
        (match,) = index.query_sketches(sketches, facts=[facts])[0]
        assert (match.id, match.relation, match.differs_only_in) == (
            "chase",
            "near-duplicate",
            "facts",
        )
    with Index(tmp_path / "words.ndx", facts_matter=False) as index:
        index.add([{"id": "chase", "text": texts["prime_chase"]}])
        ((match,),) = index.query_sketches(index._sketch([texts["prime_chemical"]]))
        assert (match.id, match.relation, match.differs_only_in) == (
            "chase",
            "near-duplicate",
            None,
        )


def test_queries_read_the_facts_of_only_the_documents_the_rule_asks_for(tmp_path):
    """`query_reading_facts` (`dedup --against`): the matches of `query_many`, with the facts
    of only the queries that have a candidate their facts can change, read at once."""
    from neardup.core.facts import facts_from_texts
    from neardup.core.furniture import furniture_of
    from neardup.index.query import query_reading_facts

    texts = _fact_texts()
    queries = [
        "an unrelated text about nothing in particular at all",
        texts["prime_chemical"],  # another bank's notice: a look-alike by its facts
        texts["prime_chase"],  # the indexed notice itself: an exact copy
        texts["magma_050"],  # the same but for a number: flagged by its words
        texts["flash"],  # the fuller report is indexed: a rewrite
    ]
    asked: list[set[int]] = []

    def read(docs: set[int]) -> dict[int, str]:
        asked.append(docs)
        return {d: queries[d] for d in docs}

    with Index(tmp_path / "facts.ndx") as index:
        index.add(
            [{"id": name, "text": texts[name]} for name in ("prime_chase", "magma_025", "report")]
        )
        facts = facts_from_texts(read, furniture_of(index.options))
        found = query_reading_facts(index.query_sketches, index._sketch(queries), facts)
        assert found == index.query_many(queries)
    assert asked == [{1, 4}]
    assert [[(m.id, m.relation, m.differs_only_in) for m in matches] for matches in found] == [
        [],
        [("prime_chase", "near-duplicate", "facts")],
        [("prime_chase", "exact", None)],
        [("magma_025", "near-duplicate", "numbers")],
        [("report", "rewrite", None)],
    ]
