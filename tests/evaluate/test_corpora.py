"""Real corpora from ../shared: Reuters-21578 against exact all-pairs truth."""

import itertools

import pytest

import neardup
from neardup.evaluate.allpairs import exact_pairs

pytestmark = pytest.mark.slow


def test_reuters_identical_bodies_all_found(reuters: list[dict[str, str]]) -> None:
    by_body: dict[str, list[str]] = {}
    for story in reuters:
        if story["text"]:
            by_body.setdefault(" ".join(story["text"].split()), []).append(story["id"])
    identical = {p for ids in by_body.values() for p in itertools.combinations(ids, 2)}
    assert len(identical) == 284  # identical but for line breaks and spacing
    found = {(p.id_a, p.id_b): p.relation for p in neardup.find_pairs(reuters)}
    assert all(found.get(p) == "exact" for p in identical)
    # Normalization (case, entities, punctuation forms) makes more pairs exact than byte equality;
    # ../shared/data/README.md counts 331 "identical bodies".
    assert sum(r == "exact" for r in found.values()) >= 331


def test_reuters_updated_story_is_contains(reuters: list[dict[str, str]]) -> None:
    pairs = {(p.id_a, p.id_b): p for p in neardup.find_pairs(reuters)}
    updated = pairs[("6458", "6670")]
    assert updated.relation == "contains"
    assert updated.containment_a_in_b >= 0.95 and updated.jaccard < 0.6
    assert pairs[("18928", "18939")].relation == "exact"  # re-sent with a new headline


@pytest.mark.parametrize(("jaccard", "containment"), [(0.7, 0.8), (0.5, 0.6), (0.9, 0.9)])
def test_reuters_recall_against_exact_all_pairs(
    reuters: list[dict[str, str]], jaccard: float, containment: float
) -> None:
    named = {"6458", "6670", "18928", "18939", "12215", "14476"}
    sample = [s for s in reuters[:4000] if s["text"]] + [s for s in reuters if s["id"] in named]
    sample = list({s["id"]: s for s in sample}.values())
    # The truth compares whole texts: page furniture stays in (it is tested on its own).
    options = neardup.Options(jaccard=jaccard, containment=containment, ignore_boilerplate=False)
    truth = exact_pairs(sample, options)
    # Pairs related only by the character-level second look, and rewrites (related by their
    # facts), are outside a word-level truth.
    found = {
        (p.id_a, p.id_b): (p.relation, p.jaccard, p.containment_a_in_b, p.containment_b_in_a)
        for p in neardup.find_pairs(sample, options=options)
        if p.differs_only_in != "characters" and p.relation != "rewrite"
    }
    assert len(truth) > 100
    recall = sum(found.get(p, ("",))[0] == truth[p][0] for p in truth) / len(truth)
    assert recall >= 0.99, f"recall {recall:.4f} of {len(truth)} pairs"
    false = set(found) - set(truth)
    assert not false, f"reported pairs the exact computation does not have: {sorted(false)[:5]}"
    for p, (_, *scores) in found.items():
        assert scores == pytest.approx(truth[p][1:], abs=1e-6)


def test_expanded_versions_and_excerpts_up_to_three_times(
    reuters: list[dict[str, str]],
) -> None:
    """Excerpts of 1/3 to 1/1.2 of a story, planted in the corpus, are all found as `contains`."""
    long_stories = [s for s in reuters if len(s["text"].split()) >= 300][:200]
    planted = []
    for n, story in enumerate(long_stories):
        words = story["text"].split()
        size = len(words) // (3 - (n % 4) * 0.5)  # 1/3, 1/2.5, 1/2, 1/1.5 of the story
        start = (n * 7) % (len(words) - int(size))
        planted.append(
            {"id": f"excerpt-{story['id']}", "text": " ".join(words[start : start + int(size)])}
        )
    pairs = neardup.find_pairs(reuters + planted)
    found = {(p.id_a, p.id_b) for p in pairs if p.relation in ("contains", "near-duplicate")}
    missing = [
        e["id"]
        for e, s in zip(planted, long_stories, strict=True)
        if (s["id"], e["id"]) not in found
    ]
    assert not missing, f"{len(missing)} excerpts not found, e.g. {missing[:3]}"
