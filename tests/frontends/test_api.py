"""The public Python API: compare, find_pairs, deduplicate over dicts, Arrow and pandas."""

from pathlib import Path

import pyarrow as pa
import pytest

import neardup
from neardup.errors import InputError, OptionsError

STORY = (
    "The central bank raised its main interest rate by a quarter point on Tuesday, citing "
    "stubborn inflation in services and a labour market that remains tight across the region."
)
UPDATE = STORY + (
    " Markets had expected the move. Analysts said a further increase in the autumn could not be "
    "ruled out, while two members of the committee voted to keep rates unchanged this month."
)
OTHER = (
    "Heavy rain flooded roads in the north of the country overnight, and rail services between "
    "the two largest cities were suspended while engineers inspected damaged bridges."
)


def test_public_names_are_exactly_these() -> None:
    assert sorted(neardup.__all__) == sorted(
        [
            "ClusterMember",
            "Comparison",
            "Deduplication",
            "EngineUnavailable",
            "Index",
            "IndexFormatError",
            "IndexStats",
            "InputError",
            "Match",
            "NeardupError",
            "Options",
            "OptionsError",
            "OutputError",
            "Pair",
            "Summary",
            "__version__",
            "compare",
            "deduplicate",
            "deduplicate_files",
            "find_files",
            "find_pairs",
            "normalize",
        ]
    )
    for name in neardup.__all__:
        assert hasattr(neardup, name)


def test_the_package_namespace_shows_only_the_api() -> None:
    assert dir(neardup) == sorted(neardup.__all__)
    for helper in ("Any", "TYPE_CHECKING", "importlib", "annotations"):
        assert not hasattr(neardup, helper)
    with pytest.raises(AttributeError, match="module 'neardup' has no attribute 'Any'"):
        _ = neardup.Any


def test_seed_pair_later_contains_earlier(seed_texts: tuple[str, str]) -> None:
    result = neardup.compare(*seed_texts)
    assert result.relation == "contains"
    assert result.containment_a_in_b >= 0.85
    assert 0.4 <= result.jaccard <= 0.6
    assert result.containment_b_in_a < 0.6


def test_compare_relations() -> None:
    assert neardup.compare(STORY, STORY.upper()).relation == "exact"
    assert neardup.compare(STORY, UPDATE).relation == "contains"
    assert neardup.compare(UPDATE, UPDATE.replace("Tuesday", "Monday")).relation == "near-duplicate"
    assert neardup.compare(STORY, OTHER).relation == "different"
    half = " ".join(STORY.split()[:18]) + " " + " ".join(OTHER.split()[:30])
    assert neardup.compare(STORY, half, overlap=0.2).relation == "overlap"


def test_short_and_empty_documents_never_match_by_accident() -> None:
    assert neardup.compare("", "").relation == "different"
    assert neardup.compare("the company said", STORY + " the company said").relation == "different"
    docs = [
        {"id": "e1", "text": ""},
        {"id": "e2", "text": "   "},
        {"id": "s1", "text": "Shr 10 cts"},
        {"id": "s2", "text": "SHR 10 CTS"},
        {"id": "s3", "text": "Shr 12 cts"},
    ]
    pairs = neardup.find_pairs(docs)
    assert [(p.id_a, p.id_b, p.relation) for p in pairs] == [("s1", "s2", "exact")]
    assert len(neardup.deduplicate(docs).kept) == 4  # all kept but one exact copy


def test_deduplicate_keeps_longest_by_default_and_input_type() -> None:
    docs = [
        {"id": 1, "text": STORY, "source": "a"},
        {"id": 2, "text": OTHER, "source": "b"},
        {"id": 3, "text": UPDATE, "source": "c"},
    ]
    result = neardup.deduplicate(docs)
    assert result.kept == [docs[1], docs[2]]  # unchanged records, input order
    assert [(m.id, m.is_representative, m.relation) for m in result.clusters] == [
        ("3", True, None),
        ("1", False, "contains"),
    ]
    assert result.summary.removed == 1
    first = neardup.deduplicate(docs, keep="first", add_cluster_id=True).kept
    assert [(d["id"], d["cluster_id"]) for d in first] == [(1, 0), (2, None)]

    table = neardup.deduplicate(pa.Table.from_pylist(docs), add_cluster_id=True).kept
    assert isinstance(table, pa.Table)
    assert table.column("id").to_pylist() == [2, 3]
    assert table.column("cluster_id").to_pylist() == [None, 0]

    import pandas as pd

    frame = neardup.deduplicate(pd.DataFrame(docs)).kept
    assert isinstance(frame, pd.DataFrame)
    assert frame["id"].tolist() == [2, 3]


def test_generators_and_dates() -> None:
    docs = [
        {"id": "old", "text": UPDATE, "date": "2024-01-01"},
        {"id": "new", "text": STORY, "date": "2024-03-01T10:00:00+01:00"},
    ]
    kept = neardup.deduplicate((d for d in docs), keep="newest", date_field="date").kept
    assert [d["id"] for d in kept] == ["new"]
    with pytest.raises(InputError, match="not an ISO 8601 date"):
        neardup.deduplicate([{**docs[0], "date": "yesterday"}], keep="oldest", date_field="date")
    # The field is `date` unless named (web pages' records have one).
    assert [d["id"] for d in neardup.deduplicate(docs, keep="newest").kept] == ["new"]
    with pytest.raises(OptionsError, match="needs a date field"):
        neardup.deduplicate(docs, keep="newest", date_field="")


def test_bad_options_and_duplicate_ids() -> None:
    with pytest.raises(OptionsError, match="jaccard must be in"):
        neardup.find_pairs([], jaccard=1.5)
    with pytest.raises(OptionsError) as error:
        neardup.find_pairs([], jacard=0.5)
    assert str(error.value) == "unknown option 'jacard'"
    with pytest.raises(InputError, match="record 2: duplicate id 'x' \\(first at record 1\\)"):
        neardup.find_pairs([{"id": "x", "text": "a"}, {"id": "x", "text": "b"}])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ngram": "5"}, "ngram must be an integer, got '5'"),
        ({"min_words": 2.5}, "min_words must be an integer, got 2.5"),
        ({"jaccard": "0.8"}, "jaccard must be a number, got '0.8'"),
        ({"overlap": "0.1"}, "overlap must be a number or None, got '0.1'"),
        ({"numbers_matter": 1}, "numbers_matter must be True or False, got 1"),
        ({"ngram": True}, "ngram must be an integer, got True"),
    ],
)
def test_options_of_the_wrong_type_say_what_they_must_be(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(OptionsError) as raised:
        neardup.find_pairs([], **overrides)
    assert str(raised.value) == message


@pytest.mark.parametrize("name", ["corpus.jsonl", Path("corpus.jsonl")])
def test_a_file_name_instead_of_records_points_to_the_files_functions(name: str | Path) -> None:
    with pytest.raises(InputError) as raised:
        neardup.find_pairs(name)
    assert str(raised.value) == (
        "find_pairs takes records (dicts, a pyarrow Table or a pandas DataFrame), not the file "
        "name 'corpus.jsonl': use neardup.find_files to read files"
    )
    with pytest.raises(InputError) as raised:
        neardup.deduplicate(name)
    assert str(raised.value) == (
        "deduplicate takes records (dicts, a pyarrow Table or a pandas DataFrame), not the file "
        "name 'corpus.jsonl': use neardup.deduplicate_files to read files"
    )


def test_find_pairs_orders_by_input_and_overlap_only_when_asked() -> None:
    half = " ".join(STORY.split()[:18]) + " " + " ".join(OTHER.split()[:30])
    docs = [{"id": "u", "text": UPDATE}, {"id": "s", "text": STORY}, {"id": "h", "text": half}]
    pairs = neardup.find_pairs(docs)
    assert [(p.id_a, p.id_b, p.relation) for p in pairs] == [("u", "s", "contains")]
    assert pairs[0].containment_b_in_a == 1.0  # B (the story) is wholly inside A (the update)
    with_overlap = neardup.find_pairs(docs, report_overlap=True, overlap=0.2)
    assert {p.relation for p in with_overlap} == {"contains", "overlap"}


def test_short_verbatim_excerpts_are_always_found() -> None:
    """Winnowing guarantees a shared fingerprint for any excerpt of window + ngram - 1 words."""
    import random

    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(5000)]
    docs, missed = [], 0
    for n in range(150):
        words = [rng.choice(vocabulary) for _ in range(300)]
        start = rng.randrange(280)
        docs = [
            {"id": "long", "text": " ".join(words)},
            {"id": "excerpt", "text": " ".join(words[start : start + 10 + n % 8])},
        ]
        pairs = neardup.find_pairs(docs)
        missed += [(p.id_a, p.relation) for p in pairs] != [("long", "contains")]
    assert missed == 0
