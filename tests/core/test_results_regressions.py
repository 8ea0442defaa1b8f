"""Results that contradicted the README (issue 14, items 10 and 11): punctuation and exact
copies, and look-alikes whose numbers differ in a line of page furniture."""

import random

import pytest
from conftest import shared

import neardup


def test_bbc_copies_that_differ_by_one_full_stop_are_exact() -> None:
    """tech/342 is tech/048 with the full stop after "smaller tech firms" put back."""
    bbc = shared("data/bbc")
    a = (bbc / "tech" / "048.txt").read_text(encoding="utf-8")
    b = (bbc / "tech" / "342.txt").read_text(encoding="utf-8")
    result = neardup.compare(a, b)
    assert result.relation == "exact"
    assert [s.op for s in result.alignment] == ["same"] * 17
    (run_together,) = [s for s in result.alignment if "smaller tech firms" in s.a]
    assert (run_together.a, run_together.b) == (
        "Some major tech firms say it is needed to protect inventions, while others fear it will "
        "hurt smaller tech firms",
        "Some major tech firms say it is needed to protect inventions, while others fear it will "
        "hurt smaller tech firms.",
    )
    pairs = neardup.find_pairs([{"id": "048", "text": a}, {"id": "342", "text": b}])
    assert [(p.id_a, p.id_b, p.relation) for p in pairs] == [("048", "342", "exact")]


FIRST = "The harbour authority said a cargo ship ran aground near the northern breakwater"
REST = ["Tugs worked through the night to free it.", "The port reopened on Monday morning."]
STORY = " ".join([FIRST + ".", *REST])
RUN_TOGETHER = " ".join([FIRST, *REST])  # the first full stop missing


@pytest.mark.parametrize(
    ("a", "b", "first_a", "first_b"),
    [(STORY, RUN_TOGETHER, FIRST + ".", FIRST), (RUN_TOGETHER, STORY, FIRST, FIRST + ".")],
)
def test_a_missing_full_stop_is_exact_and_aligns_sentence_by_sentence(
    a: str, b: str, first_a: str, first_b: str
) -> None:
    result = neardup.compare(a, b)
    assert result.relation == "exact"
    assert [(s.op, s.a, s.b) for s in result.alignment] == [
        ("same", first_a, first_b),
        ("same", REST[0], REST[0]),
        ("same", REST[1], REST[1]),
    ]


def test_an_edit_next_to_a_missing_full_stop_is_an_edit_only() -> None:
    a = "The council met on Monday. It approved the budget. The vote was close."
    b = "The council met on Tuesday. It approved the budget The vote was close."
    assert [(s.op, s.a, s.b) for s in neardup.compare(a, b).alignment] == [
        ("edited", "The council met on Monday.", "The council met on Tuesday."),
        ("same", "It approved the budget.", "It approved the budget"),
        ("same", "The vote was close.", "The vote was close."),
    ]


def _posts_with_a_numbered_header() -> list[dict[str, str]]:
    """Newsgroup-like posts: header lines recur in 20 or more of them (furniture), and two posts
    are the same but for their "Lines:" header."""
    rng = random.Random(14)
    vocabulary = [f"word{i}" for i in range(2000)]

    def body() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(80)) + "."

    posts = [
        {"id": f"post{i}", "text": f"Organization: University\nLines: {38 + 2 * (i % 2)}\n{body()}"}
        for i in range(44)
    ]
    text = body()
    posts.append({"id": "a", "text": f"Organization: University\nLines: 38\n{text}"})
    posts.append({"id": "b", "text": f"Organization: University\nLines: 40\n{text}"})
    return posts


def test_numbers_in_a_furniture_line_still_make_a_look_alike() -> None:
    """Issue 14, item 11: "Lines: 38" and "Lines: 40" are both furniture here (each is in 22
    posts), so the texts left once they are out are equal; the pair still differs in numbers,
    as `compare` says, and both are kept while numbers matter."""
    posts = _posts_with_a_numbered_header()
    (pair,) = neardup.find_pairs(posts)
    alone = neardup.compare(posts[-2]["text"], posts[-1]["text"], explain=False)
    assert (pair.id_a, pair.id_b, pair.relation, pair.differs_only_in) == (
        "a",
        "b",
        "near-duplicate",
        "numbers",
    )
    assert (alone.relation, alone.differs_only_in) == ("near-duplicate", "numbers")
    assert pair.jaccard == 1.0  # the furniture lines are out of the corpus run's shingles
    assert len(neardup.deduplicate(posts).kept) == len(posts)
    assert len(neardup.deduplicate(posts, numbers_matter=False).kept) == len(posts) - 1
