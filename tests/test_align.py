"""Sentence alignment: the seed pair as the issue describes it, and moves, removals, edits."""

import neardup
from neardup.core.align import align
from neardup.core.segment import segments, sentences


def _ops(alignment) -> list[str]:
    return [step.op for step in alignment]


def test_seed_pair_alignment(seed_texts: tuple[str, str]) -> None:
    alignment = neardup.compare(*seed_texts).alignment
    ops = _ops(alignment)
    assert ops.count("same") == 11  # despite re-typed quotes and "…" vs "..."
    assert "removed" not in ops and "moved" not in ops
    edited = [s for s in alignment if s.op == "edited"]
    assert [s.a.split()[0] for s in edited] == ["Washington", "Russian"]  # and the Lavrov one
    assert ("delete", "Sergei", "") in [(c.op, c.a, c.b) for c in edited[1].changes]
    added = " ".join(s.b for s in alignment if s.op == "added")
    for new in ("new legislation", "Liz Truss", "Boris Johnson", "In a tweet", "state television"):
        assert new in added
    furniture = [s.b for s in alignment if s.op == "boilerplate"]
    assert furniture[1] == "Your browser doesn’t support HTML5"
    assert [f.startswith("SEE ALSO:") for f in furniture] == [True, False, True, True]
    assert furniture[0].endswith("Kyiv Says Moscow Used ICBM")  # cut at the glue
    same = [s.b for s in alignment if s.op == "same"]
    assert any(s.startswith("The Kremlin, which has denied") for s in same)
    assert any(s.startswith('"The Russian government has said') for s in same)


def test_moved_paragraph_is_moved_not_removed_and_added() -> None:
    paragraphs = [
        "The council approved the budget on Monday after a long debate.",
        "Opposition members said the plan cut too deeply into school funding.",
        "The mayor said the city had no choice given falling tax revenue.",
        "A final vote on the transport levy is expected next month.",
    ]
    moved = [paragraphs[0], paragraphs[2], paragraphs[3], paragraphs[1]]
    alignment = align("\n".join(paragraphs), "\n".join(moved))
    assert sorted(_ops(alignment)) == ["moved", "same", "same", "same"]
    (step,) = [s for s in alignment if s.op == "moved"]
    assert step.a == step.b == paragraphs[1]


def test_removed_and_edited() -> None:
    a = "The plant will close in June. About 300 jobs will be lost. Unions were not consulted."
    b = "The plant will close in July. Unions were not consulted."
    alignment = align(a, b)
    assert _ops(alignment) == ["edited", "removed", "same"]
    assert [(c.op, c.a, c.b) for c in alignment[0].changes if c.op != "equal"] == [
        ("replace", "June.", "July.")
    ]


def test_sentences_keep_abbreviations_together() -> None:
    text = "U.S. Ambassador John Sullivan said on Jan. 28 that Mr. Putin would decide. He left."
    assert sentences(text) == [
        "U.S. Ambassador John Sullivan said on Jan. 28 that Mr. Putin would decide.",
        "He left.",
    ]


def test_glued_furniture_with_quote() -> None:
    line = 'SEE ALSO: Envoy Hands Over Responses To Demands"The government said no," he said.'
    first, second = segments(line)
    assert first.furniture and first.text.endswith("To Demands")
    assert not second.furniture and second.text.startswith('"The government')
