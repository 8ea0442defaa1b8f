"""Sentence alignment: the seed pair as the issue describes it, and moves, removals, edits."""

from collections import Counter

import neardup
from neardup.core.align import align
from neardup.core.segment import segments, sentences


def _ops(alignment) -> list[str]:
    return [step.op for step in alignment]


def test_seed_pair_alignment(seed_texts: tuple[str, str]) -> None:
    alignment = neardup.compare(*seed_texts).alignment
    # As the README says; "same" despite re-typed quotes and "…" vs "..."
    assert Counter(_ops(alignment)) == {"same": 11, "edited": 2, "added": 8, "boilerplate": 4}
    edited = [s for s in alignment if s.op == "edited"]
    assert [s.a.split()[0] for s in edited] == ["Washington", "Russian"]  # and the Lavrov one
    assert ("delete", "Sergei", "") in [(c.op, c.a, c.b) for c in edited[1].changes]
    added = " ".join(s.b for s in alignment if s.op == "added")
    for new in ("new legislation", "Liz Truss", "Boris Johnson", "In a tweet", "state television"):
        assert new in added
    furniture = [s.b for s in alignment if s.op == "boilerplate"]
    assert furniture[1] == "Your browser doesn’t support HTML5"
    assert furniture == [  # each cut where the next sentence is glued on
        "SEE ALSO: Ukraine Live Briefing: Kyiv Says Moscow Used ICBM",
        "Your browser doesn’t support HTML5",
        "SEE ALSO: Britain Considering 'Major' Military Deployment To Eastern Europe Amid Russia "
        "Tensions",
        "SEE ALSO: U.S. Envoy Hands Over Written Responses To Russia's Security Demands",
    ]
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


def test_chinese_and_japanese_sentences_end_at_their_own_marks() -> None:
    text = "他说：“我们走吧。”然后离开了。你去吗？我不去！会议推迟了；原因不明。"
    assert sentences(text) == [
        "他说：“我们走吧。”",
        "然后离开了。",
        "你去吗？",
        "我不去！",
        "会议推迟了；",
        "原因不明。",
    ]
    assert sentences("東京は晴れ。「明日は雨でしょう」と彼は言った。Then it rained.") == [
        "東京は晴れ。",
        "「明日は雨でしょう」と彼は言った。",
        "Then it rained.",
    ]


def test_chinese_expansion_adds_one_sentence() -> None:
    """Issue 14, item 13: the unspaced paragraph was one sentence, struck out and re-added."""
    first, second, third = (
        "北京市政府周一宣布，将在明年扩建地铁网络。",
        "新线路预计连接城市东部和机场。",
        "官员表示，工程将在三年内完成。",
    )
    new = "这项计划耗资约五百亿元，资金来自市财政和银行贷款。"
    alignment = align(first + second + third, first + second + new + third)
    assert [(s.op, s.a, s.b) for s in alignment] == [
        ("same", first, first),
        ("same", second, second),
        ("added", "", new),
        ("same", third, third),
    ]


def test_japanese_edit_shows_the_characters_that_changed() -> None:
    a = "東京都は月曜日、新しい図書館を開館すると発表した。図書館は駅の近くに建てられる。"
    b = "東京都は火曜日、新しい図書館を開館すると発表した。図書館は駅の近くに建てられる。"
    edited, same = align(a, b)
    assert (edited.op, same.op) == ("edited", "same")
    assert [(c.op, c.a, c.b) for c in edited.changes] == [
        ("equal", "東京都は", "東京都は"),
        ("replace", "月", "火"),
        (
            "equal",
            "曜日、新しい図書館を開館すると発表した。",
            "曜日、新しい図書館を開館すると発表した。",
        ),
    ]
