import tempfile
from pathlib import Path

import numpy as np
import pytest

from neardup.core.sketch import SketchSpool, sketch_texts
from neardup.engine import local, local_files
from neardup.io.read import RecordReader
from neardup.options import Options


@pytest.mark.parametrize("prints_lead", [False, True])
@pytest.mark.parametrize("gather_bytes", [64, 2**20])
def test_candidate_shingles_are_gathered_from_the_spool_slice_by_slice(
    monkeypatch: pytest.MonkeyPatch, gather_bytes: int, prints_lead: bool
) -> None:
    """Gathered sorted, also where each document's fingerprints lead its spooled shingles."""
    monkeypatch.setattr(local, "GATHER_BYTES", gather_bytes)
    texts = [" ".join(f"w{n}x{k % (4 + n)}" for k in range(5 + 3 * n)) for n in range(12)]
    spool = SketchSpool(16, (4, 4), prints_lead=prints_lead)
    for batch in (texts[:5], texts[5:]):
        spool.add(sketch_texts(batch, ngram=5, num_perm=16, seed=1, prints_lead=prints_lead))
    spooled = spool.sketches()
    assert spooled.prints_lead == prints_lead
    whole = sketch_texts(texts, ngram=5, num_perm=16, seed=1)
    docs = np.array([0, 3, 4, 9, 11])
    resident = local._with_shingles_of(spooled, docs)
    for d in range(len(texts)):
        mine = resident.shingles[resident.starts[d] : resident.starts[d + 1]]
        theirs = whole.shingles[whole.starts[d] : whole.starts[d + 1]]
        assert np.array_equal(mine, theirs if d in docs else theirs[:0]), d


def test_pairs_looked_at_in_parts_as_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second look and the facts hold at most TEXTS_AT_ONCE texts: in parts of 3 documents
    they find what they find with every text at once."""
    import json
    from pathlib import Path

    import neardup

    news = Path(__file__).resolve().parents[2] / "examples" / "news.jsonl"
    records = [json.loads(line) for line in news.read_text(encoding="utf-8").splitlines()]
    at_once = neardup.find_pairs(records, report_overlap=True)
    reads: list[int] = []
    read_once = local.read_once

    def counted(texts, docs):  # type: ignore[no-untyped-def]
        reads.append(len(docs))
        return read_once(texts, docs)

    monkeypatch.setattr(local, "TEXTS_AT_ONCE", 3)
    monkeypatch.setattr(local, "read_once", counted)
    assert neardup.find_pairs(records, report_overlap=True) == at_once
    assert len(reads) > 1 and max(reads) <= 3
    assert {p.relation for p in at_once} >= {"contains", "overlap"}


@pytest.mark.parametrize(("pairs_at_once", "chars_at_once"), [(2, 10**9), (1024, 1)])
def test_the_second_look_in_runs_finds_what_it_finds_at_once(
    monkeypatch: pytest.MonkeyPatch, pairs_at_once: int, chars_at_once: int
) -> None:
    """The native second look takes a run of pairs at a time, bounded by pairs and by the
    characters of their texts (a run holds one pair at least): in runs of two pairs, or of one
    pair each, it promotes the same pairs as all at once."""
    import json
    import random
    from pathlib import Path

    import neardup
    from neardup.core import charlook
    from neardup.evaluate.transform import Article, ocr_noise

    news = Path(__file__).resolve().parents[2] / "examples" / "news.jsonl"
    texts = [json.loads(line)["text"] for line in news.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(5)
    records = [{"id": f"n{k}", "text": t} for k, t in enumerate(texts[:40])]
    records += [
        {"id": f"ocr{k}", "text": ocr_noise(Article.parse(t), rng, 0.03).text}
        for k, t in enumerate(texts[:40])
    ]
    at_once = neardup.find_pairs(records)
    runs: list[int] = []
    native_scores = charlook._native_scores

    def counted(left, right, *rest):  # type: ignore[no-untyped-def]
        runs.append(left.size)
        return native_scores(left, right, *rest)

    monkeypatch.setattr(charlook, "PAIRS_AT_ONCE", pairs_at_once)
    monkeypatch.setattr(charlook, "CHARS_AT_ONCE", chars_at_once)
    monkeypatch.setattr(charlook, "_native_scores", counted)
    assert neardup.find_pairs(records) == at_once
    assert len(runs) > 1 and max(runs) == min(pairs_at_once, 2 if chars_at_once > 1 else 1)
    assert any(p.differs_only_in == "characters" for p in at_once)


def test_a_file_run_lets_its_spool_go_once_pairs_are_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spool's files (in TMPDIR) are mapped while pairs are scored, and let go before the
    outputs are written: the run keeps its documents' keys and token counts only."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def spool_maps() -> list[str]:
        maps = Path("/proc/self/maps").read_text().splitlines()
        return [line for line in maps if str(tmp_path) in line]

    mapped: list[list[str]] = []
    match = local_files.match

    def matched(*args, **kwargs):  # type: ignore[no-untyped-def]
        scored = match(*args, **kwargs)
        mapped.append(spool_maps())
        return scored

    monkeypatch.setattr(local_files, "match", matched)
    corpus = tmp_path / "in.jsonl"
    story = " ".join(f"word{n}" for n in range(40))
    corpus.write_text("".join(f'{{"id": "{n}", "text": "{story} {n % 3}"}}\n' for n in range(9)))
    run = local_files.LocalEngine().deduplicate(
        [corpus],
        RecordReader("id", "text"),
        Options(),
        keep="longest",
        date_field=None,
        against=None,
        progress=False,
    )
    # One map: the shingles', each document's fingerprints at their head.
    assert len(mapped) == 1 and len(mapped[0]) == 1
    assert spool_maps() == []
    sketches = run.corpus.sketches
    assert (sketches.shingles.size, sketches.prints.size) == (0, 0)
    assert sketches.token_counts.tolist() == [41] * 9
    assert run.summary().removed == 6
