"""The facts of a text and the rule that uses wording and facts together (`core/facts.py`):
template look-alikes with other facts are flagged, rewrites of one story are copies, and every
engine decides alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

import neardup
from neardup.core.facts import Fact, Facts, compare_facts, facts_of

FIXTURES = ROOT / "tests" / "fixtures" / "facts"


def _text(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def test_facts_of_a_wire_sentence() -> None:
    text = (
        "Chase Manhattan Bank said on Tuesday it is raising its prime lending rate to 7-3/4 pct "
        'from 7-1/2 pct, effective March 3, after a 1,000 mln dlr rise in "tight money" at <CMB>.'
    )
    assert facts_of(text).items == (
        Fact("name", "chase manhattan bank", "Chase Manhattan Bank", "|", "said"),
        Fact("weekday", "tuesday", "Tuesday", "on", "it"),
        Fact("number", "7-3/4 pct", "7-3/4 pct", "to", "from"),
        Fact("number", "7-1/2 pct", "7-1/2 pct", "from", "effective"),
        Fact("date", "march 3", "March 3", "effective", "after"),
        Fact("number", "1000 mln dlrs", "1,000 mln dlr", "a", "rise"),
        Fact("quote", "tight money", '"tight money"', "in", "at"),
        Fact("name", "cmb", "<CMB>", "at", "|"),
    )


def test_a_price_notice_with_another_figure_is_a_look_alike() -> None:
    found = neardup.compare(_text("magma_025"), _text("magma_050"))
    assert (found.relation, found.differs_only_in) == ("near-duplicate", "numbers")
    assert found.facts_differ == ("0.25 → 0.50",)
    assert "Newmont Mining Corp" in found.facts_agree


def test_another_bank_in_the_same_notice_differs_in_facts() -> None:
    found = neardup.compare(_text("prime_chemical"), _text("prime_chase"))
    assert (found.relation, found.differs_only_in) == ("near-duplicate", "facts")
    assert found.facts_differ == ("Chemical Bank → Chase Manhattan Bank",)
    shown = found.to_dict()
    assert shown["facts_differ"] == ["Chemical Bank → Chase Manhattan Bank"]


def test_a_flash_and_the_fuller_report_are_a_rewrite() -> None:
    found = neardup.compare(_text("flash"), _text("report"))
    assert found.relation == "rewrite" and found.differs_only_in is None
    assert found.containment_a_in_b < 0.8  # below the thresholds by its words
    assert found.facts_differ == ()
    assert {"20 pct", "180 mln dlrs", "Tuesday"} <= set(found.facts_agree)


def test_facts_dont_matter_turns_both_off() -> None:
    off = {"facts_matter": False, "explain": False}
    assert neardup.compare(_text("flash"), _text("report"), **off).relation == "overlap"
    chase = neardup.compare(_text("prime_chemical"), _text("prime_chase"), **off)
    assert (chase.relation, chase.differs_only_in) == ("near-duplicate", None)


def test_a_corrected_date_and_a_fixed_typo_are_the_same_story() -> None:
    earlier = _text("prime_chemical").replace("effective immediately", "effective March 3")
    corrected = earlier.replace("March 3", "April 3") + " (corrects date of the increase)"
    assert neardup.compare(earlier, corrected).differs_only_in is None
    other_month = earlier.replace("March 3", "April 3")
    assert neardup.compare(earlier, other_month).differs_only_in == "facts"
    typo, fixed = "Shares of Taft Braodcasting Co rose.", "Shares of Taft Broadcasting Co rose."
    assert compare_facts(facts_of(typo), facts_of(fixed)).changes == ()


def _records() -> list[dict[str, str]]:
    names = ("flash", "report", "prime_chemical", "prime_chase", "magma_025", "magma_050")
    return [{"id": name, "text": _text(name)} for name in names]


#: What every engine must report for the fixtures (id_a, id_b, relation, differs_only_in).
EXPECTED = [
    ("flash", "report", "rewrite", None),
    ("prime_chemical", "prime_chase", "near-duplicate", "facts"),
    ("magma_025", "magma_050", "near-duplicate", "numbers"),
]


def _rows(pairs: list[neardup.Pair]) -> list[tuple[str, str, str, str | None]]:
    return [(p.id_a, p.id_b, p.relation, p.differs_only_in) for p in pairs]


def test_local_engine_index_and_compare_agree(tmp_path: Path) -> None:
    records = _records()
    assert _rows(neardup.find_pairs(records)) == EXPECTED
    for a, b, relation, flag in EXPECTED:
        texts = {r["id"]: r["text"] for r in records}
        found = neardup.compare(texts[a], texts[b], explain=False)
        assert (found.relation, found.differs_only_in) == (relation, flag)
    # The index holds one side of each pair; the other is the query.
    indexed, queries = (
        ("report", "prime_chemical", "magma_025"),
        ("flash", "prime_chase", "magma_050"),
    )
    with neardup.Index(tmp_path / "facts.ndx") as index:
        index.add([r for r in records if r["id"] in indexed])
        for query, (_, _, relation, flag) in zip(queries, EXPECTED, strict=True):
            (match,) = index.query(_text(query), k=1)
            assert (match.relation, match.differs_only_in) == (relation, flag)


def test_dedup_keeps_the_fuller_version_and_not_the_look_alikes() -> None:
    result = neardup.deduplicate(_records())
    kept = [r["id"] for r in result.kept]
    assert "flash" not in kept and "report" in kept
    assert {"prime_chemical", "prime_chase", "magma_025", "magma_050"} <= set(kept)
    off = neardup.deduplicate(_records(), facts_matter=False)
    assert "flash" in [r["id"] for r in off.kept]
    # Without facts, one bank's notice is taken for a copy of the other's.
    assert len({"prime_chemical", "prime_chase"} & {r["id"] for r in off.kept}) == 1


@pytest.mark.parametrize("flag", ["--facts-matter", "--facts-dont-matter"])
def test_cli_compare_lists_the_facts(flag: str) -> None:
    from conftest import neardup as run_cli

    run = run_cli("compare", flag, FIXTURES / "prime_chemical.txt", FIXTURES / "prime_chase.txt")
    assert run.returncode == 0
    assert "facts that differ: Chemical Bank → Chase Manhattan Bank" in run.stdout
    assert ("differs only in: facts" in run.stdout) == (flag == "--facts-matter")


def test_names_in_a_run_are_cut_at_each_possessive_and_suffix() -> None:
    text = "Analysts said The Japan's Tokyo-based The Mitsubishi Corp's Inland Steel rose 5 pct."
    assert [tuple(f) for f in facts_of(text).items] == [
        ("name", "japan", "Japan", "the", "the"),
        ("name", "tokyo", "Tokyo", "the", "the"),
        ("name", "mitsubishi corp", "Mitsubishi Corp", "the", "rose"),
        ("name", "inland steel", "Inland Steel", "the", "rose"),
        ("number", "5 pct", "5 pct", "rose", "|"),
    ]
    assert [f.shown for f in facts_of("He met Bob's Dr Alice's Mr Smith-based.").items] == [
        "Bob",
        "Alice",
        "Smith-based",  # the run's last word keeps its suffix
    ]


def test_a_long_run_of_possessives_is_read_without_recursion() -> None:
    """Once a RecursionError: each `'s` in a run of capitalised words started a new call."""
    facts = facts_of("Bob's " * 5000 + "met in March.")
    assert len(facts.items) == 5001
    assert set(facts.items[:-1]) == {Fact("name", "bob", "Bob", "|", "met")}
    assert facts.items[-1] == Fact("month", "march", "March", "in", "|")
    bobs = "Bob's " * 1500 + "said it met in"
    found = neardup.compare(f"{bobs} March.", f"{bobs} April.")
    assert (found.relation, found.differs_only_in) == ("near-duplicate", "facts")
    assert (found.facts_differ, found.facts_agree) == (("March → April",), ("Bob",))


def test_facts_in_place_of_others_are_paired_in_order_by_their_slot() -> None:
    """A's facts in order, each with the first of B's in its slot not paired yet (not a quote,
    nor another spelling of the same name, nor a lone name); B's paired at most once."""
    a = Facts(
        (
            Fact("name", "chemical bank", "Chemical Bank", "|", "said"),
            Fact("name", "bank of tokyo", "Bank of Tokyo", "|", "said"),
            Fact("name", "mellon", "Mellon", "|", "said"),  # B's two in this slot are taken
            Fact("month", "march", "March", "in", "|"),
            Fact("quote", "tight money", '"tight money"', "in", "|"),
            Fact("name", "acme", "Acme", "|", "|"),
        )
    )
    b = Facts(
        (
            Fact("name", "chemical banc", "Chemical Banc", "|", "said"),
            Fact("name", "chase manhattan", "Chase Manhattan", "|", "said"),
            Fact("date", "april 3", "April 3", "in", "|"),
            Fact("quote", "easy money", '"easy money"', "in", "|"),
            Fact("name", "zenith", "Zenith", "|", "|"),
            Fact("number", "5 pct", "5 pct", "by", "to"),
            Fact("number", "6 pct", "6 pct", "by", "to"),
        )
    )
    expected = (
        ("name", "Chemical Bank", "Chase Manhattan"),
        ("name", "Bank of Tokyo", "Chemical Banc"),
        ("month", "March", "April 3"),
    )
    assert compare_facts(a, b).changes == expected
    flipped = tuple((kind, y, x) for kind, x, y in expected)
    assert compare_facts(b, a).changes == flipped


def test_comparing_many_facts_looks_each_up_by_its_slot() -> None:
    """Once every fact only in A against every fact only in B: 20,000 each took minutes."""
    n = 20_000
    a = Facts(tuple(Fact("number", str(i), str(i), f"w{i}", "x") for i in range(n)))
    b = Facts(
        tuple(Fact("number", str(n + j), str(n + j), f"w{j}", "x") for j in reversed(range(n)))
    )
    compared = compare_facts(a, b)
    assert compared.changes == tuple(("number", str(i), str(n + i)) for i in range(n))
    assert (compared.agree, compared.fewer, compared.found) == ((), n, 0)


def test_a_name_before_the_same_word_stands_in_place_of_another() -> None:
    # Two banks' prime-rate notices: the subjects of "said" differ, and so does the word before.
    chemical = (
        "Chemical Bank, the main bank subsidiary of Chemical New York Corp, said it is raising its "
        "prime lending rate to 7-3/4 pct from 7-1/2 pct, effective immediately."
    )
    marine = (
        "Marine Midland Banks Inc said it is raising its prime lending rate to 7-3/4 pct from "
        "7-1/2 pct, effective immediately."
    )
    found = neardup.compare(chemical, marine)
    assert (found.relation, found.differs_only_in) == ("contains", "facts")
    assert found.facts_differ == ("Chemical New York Corp → Marine Midland Banks Inc",)
    assert found.facts_agree == ("7-3/4 pct", "7-1/2 pct")


def test_a_function_word_beside_two_facts_is_no_slot() -> None:
    compared = compare_facts(
        facts_of("The minister spoke to reporters in Geneva yesterday about the talks."),
        facts_of("The minister spoke to reporters in Brussels on the talks."),
    )
    assert (compared.differ, compared.agree) == ((), ())


def test_figures_in_one_slot_of_a_table_differ_though_found_elsewhere() -> None:
    # A monthly estimate: the figures recur from row to row, so each is found somewhere in the
    # other text; in their slots they stand in place of others.
    march = (
        "Wheat imports are forecast at 15.00 mln tonnes, vs 14.00 mln tonnes last month. Coarse "
        "grain imports at 10.00 mln tonnes, vs 8.00 mln tonnes last month."
    )
    april = (
        "Wheat imports are forecast at 15.00 mln tonnes, vs 15.00 mln tonnes last month. Coarse "
        "grain imports at 12.00 mln tonnes, vs 10.00 mln tonnes last month."
    )
    compared = compare_facts(facts_of(march), facts_of(april))
    assert compared.differ == ("10.00 → 12.00", "14.00 → 15.00", "8.00 → 10.00")
    assert compared.agree == ("15.00 mln tonnes", "10.00 mln tonnes")


def test_a_number_spelt_out_is_its_figure_where_a_unit_follows() -> None:
    wire = "The bank raised its prime rate by six pct to Six mln dlrs in one of its ten units."
    facts = facts_of(wire)
    assert [(f.kind, f.value, f.shown) for f in facts.items] == [
        ("number", "6 pct", "six pct"),
        ("number", "6 mln dlrs", "Six mln dlrs"),
    ]
    # Another outlet writes the figures: the same facts (shown as the side compared from has
    # them: of two as many, the one whose facts sort first), or another one in the same place.
    same = compare_facts(facts, facts_of(wire.replace("six pct", "6 pct")))
    assert (same.differ, same.agree) == ((), ("6 pct", "Six mln dlrs"))
    other = compare_facts(facts, facts_of(wire.replace("six pct", "6-1/2 pct")))
    assert (other.differ, other.agree) == (("six pct → 6-1/2 pct",), ("Six mln dlrs",))
