import numpy as np
import pytest

from neardup.core.sketch import SketchSpool, sketch_texts
from neardup.engine import local


@pytest.mark.parametrize("gather_bytes", [64, 2**20])
def test_candidate_shingles_are_gathered_from_the_spool_slice_by_slice(
    monkeypatch: pytest.MonkeyPatch, gather_bytes: int
) -> None:
    monkeypatch.setattr(local, "GATHER_BYTES", gather_bytes)
    texts = [" ".join(f"w{n}x{k}" for k in range(5 + 3 * n)) for n in range(12)]
    spool = SketchSpool(16, (4, 4))
    for batch in (texts[:5], texts[5:]):
        spool.add(sketch_texts(batch, ngram=5, num_perm=16, seed=1))
    spooled = spool.sketches()
    docs = np.array([0, 3, 4, 9, 11])
    resident = local._with_shingles_of(spooled, docs)
    for d in range(len(texts)):
        mine = resident.shingles[resident.starts[d] : resident.starts[d + 1]]
        theirs = spooled.shingles[spooled.starts[d] : spooled.starts[d + 1]]
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
