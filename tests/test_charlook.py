"""The character-level second look: OCR-noised copies are found, look-alikes stay apart."""

from __future__ import annotations

import random

import pytest
from conftest import EARLIER
from conftest import neardup as run_cli

import neardup
from neardup.core.charlook import char_scores
from neardup.evaluate.transform import Article, ocr_noise
from neardup.options import Options

ARTICLE = Article.parse(EARLIER.read_text(encoding="utf-8"))


def _noised(rate: float, seed: int = 3) -> str:
    return ocr_noise(ARTICLE, random.Random(seed), rate).text


def test_ocr_noised_copy_scores_high_where_word_scores_do_not() -> None:
    noisy = _noised(0.02)
    words = neardup.compare(ARTICLE.text, noisy, explain=False, char_errors=0)
    assert words.relation == "overlap"  # what 5-gram shingles make of 2% character errors
    jaccard, a_in_b, b_in_a = char_scores(ARTICLE.text, noisy)
    assert min(jaccard, a_in_b, b_in_a) >= 0.85


def test_split_and_joined_words_cost_nothing() -> None:
    text = "the prime minister said on monday that the new railway would open in the spring"
    split = text.replace("minister", "min ister").replace("on monday", "onmonday")
    assert char_scores(text, split) == (1.0, 1.0, 1.0)
    # Words with more errors than the share allowed are different words.
    changed = text.replace("railway", "ruleway").replace("minister", "monastery")
    assert char_scores(text, changed, char_errors=0.34)[1] < 0.8


def test_numbers_must_be_equal() -> None:
    text = (
        "Quarterly dividend 15 cts vs 15 cts prior, pay April 30, record April nine, "
        "the company said in a statement on Tuesday."
    )
    # Another number with a typo elsewhere: the typo hides "differs only in numbers" from the
    # word-level flag, and the character look must not make it a copy either.
    other = text.replace("nine", "15").replace("company", "cornpany")
    assert char_scores(text, other) is None
    assert neardup.compare(text, other, explain=False).relation not in ("near-duplicate",)
    million = text.replace("the company said", "the 2 million company said")
    billion = million.replace("million", "billion")
    scores = char_scores(million, billion)
    assert scores is None or scores[1] < 0.8


WIRE = (
    "Acme Industries Inc said net profit for the first quarter rose to 12.4 mln dlrs, or 85 "
    "cts a share, from 9.1 mln dlrs, or 62 cts a share, a year earlier. Revenues rose to 310 "
    "mln dlrs from 284 mln dlrs. The company said it expects the second quarter to be stronger "
    "as orders for its industrial pumps and valves continue to grow in Europe and Asia."
)


def test_find_pairs_finds_an_ocr_copy_and_says_so() -> None:
    noisy = _noised(0.02)
    records = [{"id": "original", "text": ARTICLE.text}, {"id": "ocr", "text": noisy}]
    (found,) = neardup.find_pairs(records)
    assert (found.id_a, found.id_b, found.relation) == ("original", "ocr", "near-duplicate")
    assert found.differs_only_in == "characters"
    assert found.jaccard >= Options().jaccard
    # Off: the noised copy is not found.
    assert neardup.find_pairs(records, char_errors=0) == []


def test_a_template_with_other_numbers_stays_a_look_alike() -> None:
    # The same notice with other figures and a typo: the typo hides "differs only in numbers"
    # from the word-level flag, and the character look must not make it a copy.
    other = WIRE.replace("12.4", "14.7").replace("85", "97").replace("9.1", "12.4")
    other = other.replace("310", "335").replace("Industries", "lndustries")
    noisy = WIRE
    for word, typo in [
        ("profit", "proflt"),
        ("first", "flrst"),
        ("share,", "sharc,"),
        ("Revenues", "Revenucs"),
        ("company", "cornpany"),
        ("pumps", "purnps"),
        ("continue", "contin ue"),
        ("Europe and", "Europeand"),
    ]:
        noisy = noisy.replace(word, typo)
    records = [
        {"id": "wire", "text": WIRE},
        {"id": "other", "text": other},
        {"id": "noisy", "text": noisy},
    ]
    pairs = {(p.id_a, p.id_b): p for p in neardup.find_pairs(records)}
    assert pairs[("wire", "noisy")].relation == "near-duplicate"
    assert pairs[("wire", "noisy")].differs_only_in == "characters"
    assert ("wire", "other") not in pairs
    assert ("other", "noisy") not in pairs
    assert char_scores(WIRE, other) is None


def test_excerpt_of_an_ocr_copy_is_contained() -> None:
    lines = ARTICLE.text.splitlines()
    excerpt = Article.parse("\n".join(lines[: len(lines) // 2]))
    noisy = ocr_noise(excerpt, random.Random(5), 0.015).text
    found = neardup.compare(ARTICLE.text, noisy, explain=False)
    assert found.relation == "contains"
    assert found.containment_b_in_a >= 0.8
    assert found.differs_only_in == "characters"


def test_deduplicate_removes_the_ocr_copy() -> None:
    records = [{"id": "a", "text": ARTICLE.text}, {"id": "b", "text": _noised(0.015, seed=7)}]
    result = neardup.deduplicate(records)
    assert len(result.kept) == 1
    assert [m.relation for m in result.clusters if not m.is_representative] == ["near-duplicate"]


def test_cli_flag_and_its_range(tmp_path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE.text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(_noised(0.02), encoding="utf-8")
    on = run_cli("compare", "--brief", tmp_path / "a.txt", tmp_path / "b.txt")
    off = run_cli(
        "compare", "--brief", "--char-errors", "0", tmp_path / "a.txt", tmp_path / "b.txt"
    )
    assert on.returncode == off.returncode == 0
    assert "near-duplicate" in on.stdout and "near-duplicate" not in off.stdout
    bad = run_cli("compare", "--char-errors", "1.5", tmp_path / "a.txt", tmp_path / "b.txt")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("value", [-0.1, 1.0])
def test_options_check_char_errors(value: float) -> None:
    with pytest.raises(neardup.OptionsError, match="char_errors"):
        Options(char_errors=value)
