"""The character-level second look: OCR-noised copies are found, look-alikes stay apart."""

from __future__ import annotations

import random
import re

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
    words = neardup.compare(ARTICLE.text, noisy, explain=False, char_errors=0, facts_matter=False)
    assert words.relation == "overlap"  # what 5-gram shingles make of 2% character errors
    jaccard, a_in_b, b_in_a = char_scores(ARTICLE.text, noisy)
    assert min(jaccard, a_in_b, b_in_a) >= 0.85


def test_scores_are_exact_counts_of_distinct_ngrams(seed_texts: tuple[str, str]) -> None:
    """Pinned: keeping a text's tokens and n-grams from one pair to the next (`second_look`)
    changed no score."""
    noisy = _noised(0.02)
    assert char_scores(ARTICLE.text, noisy) == (397 / 423, 402 / 412, 397 / 408)
    assert char_scores(ARTICLE.text, noisy, ngram=3, char_errors=0.2) == (
        381 / 431,
        381 / 406,
        383 / 406,
    )
    assert char_scores(*seed_texts) == (367 / 777, 367 / 412, 368 / 732)
    # A text in several pairs: its tokens are read once, its scores are those of its pairs.
    texts = {"original": ARTICLE.text, "ocr": noisy, "ocr again": _noised(0.02, seed=4)}
    found = neardup.find_pairs([{"id": i, "text": t} for i, t in texts.items()])
    assert [(p.id_a, p.id_b, p.differs_only_in) for p in found] == [
        ("original", "ocr", "characters"),
        ("original", "ocr again", "characters"),
        ("ocr", "ocr again", "characters"),
    ]
    for pair in found:
        scores = char_scores(texts[pair.id_a], texts[pair.id_b])
        shown = (pair.jaccard, pair.containment_a_in_b, pair.containment_b_in_a)
        assert shown == tuple(round(score, 6) for score in scores)


def test_shared_words_bound_nothing_of_what_the_characters_find() -> None:
    """Why every pair of the band is aligned (no bound from the words skips one): after the same
    shared sentence, a copy with a typo in every word and another text share the same word
    n-grams, and neither has a word of its rest in the first text."""
    shared = (
        "The council said on Tuesday that the new bridge over the river would open to traffic "
        "in the spring after two years of work and a long dispute over its cost."
    )
    rest = (
        "Engineers found cracks in the old piers last winter and the county closed the crossing "
        "to lorries while divers inspected the foundations beneath the water for several weeks."
    )
    typed = " ".join(w if len(w) < 3 else w[0] + "q" + w[2:] for w in rest.split())
    other = (
        "Shoppers queued outside department stores before dawn hoping with bargains as retailers "
        "slashed prices across clothing electronics furniture toys cosmetics jewellery footwear "
        "kitchenware gadgets perfume handbags watches sofas."
    )
    text = f"{shared} {rest}"
    by_words = [
        neardup.compare(text, f"{shared} {b}", explain=False, char_errors=0) for b in (typed, other)
    ]
    assert by_words[0] == by_words[1]
    assert (by_words[0].relation, by_words[0].containment_a_in_b) == ("overlap", 0.490909)
    assert neardup.compare(text, f"{shared} {typed}", explain=False) == neardup.Comparison(
        relation="near-duplicate",
        jaccard=1.0,
        containment_a_in_b=1.0,
        containment_b_in_a=1.0,
        differs_only_in="characters",
    )
    assert neardup.compare(text, f"{shared} {other}", explain=False) == by_words[1]


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
    # Off: the noised copy is not found by its words, nor by its facts: the noise misspelt 8 of
    # the 36 facts of the original (28 found, 78%), short of a rewrite's 90%.
    assert neardup.find_pairs(records, char_errors=0, facts_matter=False) == []
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


def _stderr_on_a_terminal(*args: object) -> str:
    """What `neardup ARGS` writes on its stderr when that is a terminal (a pseudo-terminal),
    without the escape sequences that draw it."""
    import os
    import pty
    import re
    import subprocess
    import sys

    terminal, stderr = pty.openpty()
    command = [sys.executable, "-m", "neardup", *map(str, args)]
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    os.close(stderr)
    written = []
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        written.append(chunk)
    os.close(terminal)
    assert process.wait(timeout=600) == 0
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(written).decode())


def test_the_second_look_shows_a_progress_bar_on_a_terminal_unless_quiet(tmp_path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(ARTICLE.text, encoding="utf-8")
    (texts / "b.txt").write_text(_noised(0.02), encoding="utf-8")
    out = tmp_path / "pairs.jsonl"
    shown = _stderr_on_a_terminal("find", texts, "-o", out)
    assert re.search(r"second look ━+ 1/1 ", shown), shown
    assert _stderr_on_a_terminal("find", texts, "-o", out, "--quiet") == ""
