"""The native fact reader (`kernel.fact_tokens`, `kernel.may_differ`, `kernel.text_facts`,
through `facts.py`) held to its plain-Python specification, `facts_reference.py`: the same
facts, item by item, the hashes of the same fact tokens, the same `may_differ`, exactly. The
native comparison the facts rule reads (`kernel.compare_facts`, through `facts_look`) held to
`facts.compare_facts`: the same counts and flags, pair by pair, in either order.

On hypothesis-generated text (news-like sentences built from every word the reader looks up,
numbers in every form and script, tickers, quotes of every kind, possessives; arbitrary
Unicode with lone surrogates, NUL, Unicode spaces and digits, huge tokens), on every code point
in the places where its class counts, on the fixtures, and (slow) on the Reuters and BBC
stories of ../shared. Bad arguments to the kernels raise `InputError`.
"""

from __future__ import annotations

import itertools
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, ROOT, shared
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from neardup.core import facts, kernel
from neardup.core import facts_reference as reference
from neardup.core.char_classes import DIGIT, SPACE, built_char_table, char_table, serialized
from neardup.core.furniture import KEEP, PATTERNS
from neardup.errors import InputError

# -- what the texts are made of -----------------------------------------------------------

#: Every word the reader looks up, as written and in the other cases it reads.
LOOKED_UP = sorted(
    {
        spelt
        for word in (
            *reference.MONTHS,
            *reference.WEEKDAYS,
            *reference.UNITS,
            *reference._NOT_NAMES,
            *reference._MAY_BEFORE,
            *reference.NUMBER_WORDS,
            "cent",
            "May",
        )
        for spelt in (word, word.upper(), word.lower(), f"{word}.")
    }
)
NAMES = (
    "Chase Manhattan Bank",
    "Chemical",
    "U.S.",
    "Japan's",
    "Chicago-based",
    "Mitsubishi Corp's",
    "AT&T",
    "O'Neill",
    "Smith-Jones",
    "IBM",
    "Dr",
    "Bob's",
    "X",
    "e.g.",
)
NUMBERS = (
    "5",
    "31",
    "07",
    "1987",
    "1,000",
    "1,0000",
    "12,345,678",
    "1,23",
    "$7.50",
    "$100",
    "0.250",
    "10.00",
    "3.",
    "12-1/2",
    "7-3/4",
    "3/4",
    "5%",
    "5.5%",
    "2-",
    "$",
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "\u0661,\u0665\u0660\u0660.50",
    "\u0967\u0968",  # DEVANAGARI 12
    "\uff11\uff12",  # fullwidth: NFKC makes ASCII of it
    "\U0001d7d9",  # MATHEMATICAL DOUBLE-STRUCK ONE
    "\u00b2",  # superscript two: a digit, not a decimal
    "\u2164",  # ROMAN NUMERAL FIVE
    "9" * 40,
)
TICKERS = ("<COBK>", "<AB.C>", "<A>", "<ABCDEFGHIJ>", "<ABCDEFGHIJK>", "<a>", "<CMB.N>")
#: The quotes and apostrophes folded to ASCII (`facts_reference._FOLD`), and others.
QUOTES = (*"\"“”„‟″«»'‘’‚‛′`´", "‹", "〝", "＂", "&quot;", "&#8220;", "&ldquo;")
PUNCTUATION = (".", "!", "?", ";", ":", ",", "(", ")", "...", ".)", "-", "&amp;", "%", "/", "'s")
#: Spaces of every kind Python's `\s` knows, and some it does not.
SPACES = (" ", "  ", "\t", "\n", "\n\n", "\n \n", "\n   ", "\n\t\t", "\r\n\r\n", "\x0b", "\x1c")
UNICODE_SPACES = ("\u00a0", "\u2003", "\u3000", "\u1680", "\u0085", "\u2028", "\u200b", "\ufeff")
OTHER = ("correct", "Corrects", "CORRECTION", "correctſ", "correctİng", "\x00", "北京", "ı")

words = st.one_of(
    st.sampled_from(LOOKED_UP),
    st.sampled_from(NAMES),
    st.sampled_from(NUMBERS),
    st.sampled_from(TICKERS),
    st.sampled_from(QUOTES),
    st.sampled_from(PUNCTUATION),
    st.sampled_from(OTHER),
    st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True),  # a capitalised word: a name
    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
    st.text(max_size=3),  # any code point but a surrogate
)
separators = st.one_of(
    st.sampled_from(SPACES), st.sampled_from(UNICODE_SPACES), st.sampled_from(("", ", ", ". "))
)


@st.composite
def news_texts(draw: st.DrawFn) -> str:
    """A text of news-like words with separators of every kind between them."""
    parts = draw(st.lists(st.tuples(words, separators), max_size=60))
    return "".join(word + separator for word, separator in parts)


lone_surrogates = st.characters(categories=["Cs"])
huge_tokens = st.builds(
    lambda unit, size: unit * size,
    st.sampled_from(("x", "A", "9", "Bob's ", "Acme ", "$1,", '"', "\n", "\u0663", "<A", "é")),
    st.integers(1_000, 30_000),
)
odd_texts = st.one_of(
    st.text(),
    st.text(st.characters(categories=["Cs", "Nd", "Zs", "Zl", "Zp", "Cc"]) | st.sampled_from("Aa")),
    st.lists(st.one_of(news_texts(), lone_surrogates, huge_tokens), max_size=4).map("".join),
)
texts = st.one_of(news_texts(), odd_texts)


def assert_same_facts(text: str) -> None:
    native, specified = facts.facts_of(text), reference.facts_of(text)
    assert native.items == specified.items
    assert (native.corrects, native.names) == (specified.corrects, specified.names)
    assert np.array_equal(native.tokens, specified.tokens)


def reference_tokens(text: str) -> np.ndarray:
    return reference.token_hashes(reference.fact_tokens(text))


# -- generated text ---------------------------------------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
@example("Chase Manhattan Bank said on Tuesday it raised its rate to 7-3/4 pct, effective March 3.")
@example('He said "tight money" at <CMB>\ud800 May 5 \u0663\u0664 May 1,000 mln dlrs per cent.')
@example("Bob's " * 3000 + "met in March.")
@example("\n \n\u2028\n  x: 5\t mln dlrs\t\tpct\n")
def test_native_facts_are_the_references(text: str) -> None:
    assert_same_facts(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
@example("$5\tmln, dlrs <AB.C>\u3000x A\ud800B 5\u00a0pct")
def test_native_fact_tokens_are_the_hashes_of_the_references(text: str) -> None:
    assert np.array_equal(facts.fact_tokens(text), reference_tokens(text))


@st.composite
def related_texts(draw: st.DrawFn) -> tuple[str, str]:
    """Two texts, the second the first with some words put in place of others, added or cut."""
    first = draw(st.lists(st.tuples(words, separators), max_size=40))
    second = list(first)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(second)))
        edit = draw(st.sampled_from(("replace", "insert", "delete")))
        if edit == "insert" or not second:
            second.insert(at, (draw(words), draw(separators)))
        elif edit == "replace":
            second[min(at, len(second) - 1)] = (draw(words), draw(separators))
        else:
            del second[min(at, len(second) - 1)]
    a, b = ("".join(w + s for w, s in parts) for parts in (first, second))
    return a, b


@settings(max_examples=400, deadline=None)
@given(related_texts())
@example(("Chemical Bank said it raised its rate.", "Chase Bank said it raised its rate."))
def test_native_may_differ_is_the_references(pair: tuple[str, str]) -> None:
    a, b = pair
    specified = reference.may_differ(reference.fact_tokens(a), reference.fact_tokens(b))
    assert facts.may_differ(facts.fact_tokens(a), facts.fact_tokens(b)) == specified
    assert facts.may_differ(reference_tokens(a), reference_tokens(b)) == specified


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(related_texts(), min_size=1, max_size=30))
def test_batches_answer_each_text_alone(pairs: list[tuple[str, str]]) -> None:
    """One native call for many texts (on every core from 16 on) gives each its own answer."""
    batch = [text for pair in pairs for text in pair]
    tokens = facts.fact_tokens_of(batch)
    assert all(np.array_equal(t, reference_tokens(x)) for t, x in zip(tokens, batch, strict=True))
    assert facts.facts_of_texts(batch, tokens) == [reference.facts_of(x) for x in batch]
    left, right = np.arange(0, len(batch), 2), np.arange(1, len(batch), 2)
    specified = [reference.may_differ(*map(reference.fact_tokens, pair)) for pair in pairs]
    assert facts._may_differ_rows(tokens, left, right).tolist() == specified


# -- two texts' facts compared ------------------------------------------------------------------


def native_counts(pairs: list[tuple[str, str]]) -> list[facts.FactCounts]:
    """What `facts_look` reads of each pair compared, natively (each text its own story)."""
    texts = {d: facts.TextFacts(text, KEEP) for d, text in enumerate(t for p in pairs for t in p)}
    return facts._compare_pairs(texts, [(d, d + 1) for d in range(0, len(texts), 2)])


def python_counts(pairs: list[tuple[str, str]]) -> list[facts.FactCounts]:
    """What `compare_facts` says of each pair, as the rule reads it."""
    return [facts.compare_facts(facts.facts_of(a), facts.facts_of(b)).counts for a, b in pairs]


def assert_same_counts(pairs: list[tuple[str, str]]) -> None:
    both_ways = [*pairs, *((b, a) for a, b in pairs)]
    assert native_counts(both_ways) == python_counts(both_ways)


#: A name of more than 200 characters, and another of the same words but one, put in place of
#: others: 0.90 alike character by character, but 0.31 as difflib's ratio finds it (in a text
#: so long its characters are popular, and no match starts from them): not one name.
LONG_NAME = (
    "Omega Eta Sigma Alpha Delta Kappa Kappa Kappa Sigma Omega Kappa Beta Omega Kappa Omega Beta "
    "Delta Alpha Delta Kappa Gamma Omega Omega Beta Omega Delta Delta Kappa Gamma Delta Gamma "
    "Alpha Omega Omega Omega Kappa Omega Gamma"
)
OTHER_LONG_NAME = (
    "Omega Omega Sigma Alpha Alpha Zeta Kappa Kappa Sigma Omega Kappa Sigma Omega Kappa Kappa "
    "Beta Kappa Alpha Delta Kappa Gamma Omega Omega Beta Omega Delta Delta Kappa Gamma Delta "
    "Gamma Alpha Omega Omega Omega Kappa Omega Omega"
)
PRIME = "{} said it raised its prime rate to {} pct from {} pct, effective {}."
#: Pairs that each rule of `compare_facts` decides (the facts of each pair change, or agree).
RULE_EXAMPLES = {
    "names": (
        PRIME.format("Chemical Bank", 7, 6, "March 3"),
        PRIME.format("Chase", 7, 6, "March 3"),
    ),
    "a typo": (
        "Officials at Braodcasting Corp said so.",
        "Officials at Broadcasting Corp said so.",
    ),
    "long names": (
        f"Officials at {LONG_NAME} said so.",
        f"Officials at {OTHER_LONG_NAME} said so.",
    ),
    "initials": ("Officials in U.S. said so.", "Officials in United States said so."),
    "a ticker": ("Shares of <COBK> rose 5 pct.", "Shares of Cobank rose 5 pct."),
    "tickers": ("Shares of <COBK> rose 5 pct.", "Shares of <CMB.N> rose 5 pct."),
    "a caps text": (
        "CHASE MANHATTAN SAID IT RAISED ITS RATE TO 7 PCT ON MONDAY, EFFECTIVE MARCH 3.",
        "Chemical Bank said it raised its rate to 7 pct on Monday, effective March 4.",
    ),
    "quotes": (
        'He said "tight money" was over at the bank.',
        'He said "very tight money here" was over at the bank, "and more".',
    ),
    "a month in a date": (
        "Rates rose in March, it said.",
        "Rates rose 5 pct effective March 3, it said.",
    ),
    "months": ("Rates rose in March, it said.", "Rates rose in April, it said."),
    "weekdays": (
        "The bank said on Monday it raised rates.",
        "The bank said on Tuesday it raised rates.",
    ),
    "units": ("Profit was 819 mln dlrs last year.", "Profit was 819 mln last year."),
    "other units": ("Profit was 819 mln dlrs last year.", "Profit was 819 bln yen last year."),
    "numbers": ("Profit was 819 mln dlrs last year.", "Profit was 820 mln dlrs last year."),
    "figures in place": (
        "Output at 15.00 mln tonnes, vs 14.00 mln tonnes, and 3.00 mln tonnes, vs 2.00.",
        "Output at 15.00 mln tonnes, vs 15.00 mln tonnes, and 3.00 mln tonnes, vs 3.00.",
    ),
    "one side of a slot": (
        "Talks with Chemical New York Corp said little.",
        "Then Marine Midland Banks Inc said little.",
    ),
    "function words": ("It rose 5 pct in March and fell in May 1987.", "It rose 6 pct in April."),
    "lone names": ("Chase Manhattan.\nIt rose 5 pct.", "Chemical Bank.\nIt rose 6 pct."),
    "a tie": ("Chemical Bank rose 5 pct.", "Chase Bank rose 6 pct."),
    "a tie, the same facts": (
        "Chase rose 5 pct, Chemical 6 pct.",
        "Chemical rose 6 pct, Chase 5 pct.",
    ),
    "a correction": (
        "CORRECTED - Chase raised its rate to 7 pct on Monday.",
        "Chase Manhattan Bank raised its rate to 8 pct on Monday.",
    ),
}


@pytest.mark.parametrize("pair", RULE_EXAMPLES.values(), ids=RULE_EXAMPLES.keys())
def test_the_native_comparison_is_compare_facts(pair: tuple[str, str]) -> None:
    assert_same_counts([pair])


def test_the_examples_are_decided_by_their_rules() -> None:
    """Each example holds what its rule decides, so that the native comparison is tested on it."""
    compared = {rule: python_counts([pair])[0] for rule, pair in RULE_EXAMPLES.items()}
    assert compared["a typo"].changes == compared["initials"].changes == 0
    assert compared["a ticker"].changes == 0 and compared["tickers"].changes == 1
    assert compared["long names"].changes == 1  # not one name by difflib's ratio
    assert compared["units"].changes == 0 and compared["units"].found == 1
    assert compared["a month in a date"].found == 1
    assert compared["months"].dated and compared["weekdays"].dated
    assert compared["figures in place"].changes == 2 and compared["figures in place"].only_numbers
    assert compared["one side of a slot"].changes == 1
    assert compared["a correction"].corrected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(related_texts())
def test_the_native_comparison_of_related_texts(pair: tuple[str, str]) -> None:
    assert_same_counts([pair])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(news_texts(), news_texts())
def test_the_native_comparison_of_any_texts(a: str, b: str) -> None:
    assert_same_counts([(a, b)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(related_texts(), min_size=1, max_size=30))
def test_a_batch_compares_each_pair_alone(pairs: list[tuple[str, str]]) -> None:
    """One native call for many pairs (on every core from 16 on) gives each its own answer."""
    assert_same_counts(pairs)


def test_facts_without_text_are_compared_by_compare_facts() -> None:
    """A document given by its facts (no text) is compared by `compare_facts` itself, in the
    same batch as documents compared natively."""
    a, b = RULE_EXAMPLES["names"]
    found = {0: facts.TextFacts(a, KEEP), 1: facts.TextFacts(b, KEEP), 2: facts.facts_of(b)}
    expected = facts.compare_facts(facts.facts_of(a), facts.facts_of(b)).counts
    assert facts._compare_pairs(found, [(0, 1), (0, 2), (2, 0)]) == [expected, expected, expected]


# -- every word, quote and code point -------------------------------------------------------


def test_every_word_the_reader_looks_up() -> None:
    """The native core's word lists are the reference's: each word in the places it counts."""
    for word in LOOKED_UP:
        for text in (
            f"He said {word} Acme Corp rose 5 {word} to 7 {word} {word} in {word} 3.",
            f"{word} 12 and 12 {word}, by {word}. {word} Smith met {word}'s Jones-based Co",
            f'"{word}" in {word} May, late {word} May 5 per {word} $5 {word} cent',
        ):
            assert_same_facts(text)
            assert_same_facts(text.upper())


def test_every_quote_and_apostrophe() -> None:
    for quote in QUOTES:
        assert_same_facts(f"He said {quote}tight money{quote} at Bob{quote}s Acme Corp{quote}s.")


def _code_point_texts(code_points: list[int], template: str) -> list[str]:
    """`template` with each code point in the place of X, a thousand of them to a text."""
    snippets = [template.replace("X", chr(cp)) for cp in code_points]
    return ["".join(snippets[i : i + 1000]) for i in range(0, len(snippets), 1000)]


def test_fact_tokens_of_every_code_point() -> None:
    """Each code point where `\\w`, `\\s`, `\\d` and `\\b` look at it: after a capital and
    before one, between a token and the word after it, starting and inside a number."""
    everything = list(range(sys.maxunicode + 1))
    batch = _code_point_texts(everything, "XAbXCd,Xe X5 1X. $X\n")
    assert all(
        np.array_equal(found, reference_tokens(text))
        for found, text in zip(facts.fact_tokens_of(batch), batch, strict=True)
    )


def test_facts_of_every_space_and_digit() -> None:
    """Each code point that is `\\s` or `\\d`, and a sample of the others, where the facts
    reader looks at their class: in numbers, dates, slots and sentence ends."""
    chosen = [
        cp
        for cp in range(sys.maxunicode + 1)
        if chr(cp).isspace() or chr(cp).isdecimal() or cp % 97 == 0
    ]
    batch = _code_point_texts(chosen, "in May X, 1X,000.50X in X May 5.X Acme rose X%.\nX\n")
    assert facts.facts_of_texts(batch) == [reference.facts_of(text) for text in batch]


# -- real text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", sorted(p for p in FIXTURES.rglob("*") if p.is_file()), ids=lambda p: p.name
)
def test_the_fixtures_have_the_same_facts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_same_facts(text)
    assert_same_facts(PATTERNS.strip(text))


@pytest.mark.slow
def test_reuters_and_bbc_stories_have_the_same_facts(reuters: list[dict[str, str]]) -> None:
    bbc = sorted(shared("data/bbc").glob("*/*.txt"))
    stories = [r["text"] for r in reuters if r["text"]]
    stories += [p.read_text(encoding="utf-8", errors="surrogateescape") for p in bbc]
    assert len(stories) > 20_000
    tokens = facts.fact_tokens_of(stories)
    read = facts.facts_of_texts(stories, tokens)
    for text, found, native in zip(stories, tokens, read, strict=True):
        specified = reference.facts_of(text)
        assert native == specified and np.array_equal(found, specified.tokens), text[:200]


@pytest.mark.slow
def test_reuters_stories_are_compared_as_compare_facts_compares_them(
    reuters: list[dict[str, str]],
) -> None:
    """Each story with the next in the order of their texts: notices of one template stand
    side by side."""
    stories = sorted(r["text"] for r in reuters if r["text"])
    pairs = list(itertools.pairwise(stories))
    assert native_counts(pairs) == python_counts(pairs)


# -- the table and bad arguments --------------------------------------------------------------


@pytest.mark.skipif(
    unicodedata.unidata_version != kernel.UNICODE_VERSION,
    reason="the native core ships another Unicode version's table; this Python builds its own",
)
def test_the_shipped_char_table_is_what_this_python_builds() -> None:
    """The table the core ships (`native/kernels/src/chars-*.bin`, written by `python -m
    neardup.core.char_classes`) holds this Python's `\\s`, `\\w` and `\\d` of every code point,
    and each digit's value."""
    built = built_char_table()
    assert np.array_equal(kernel.shipped_char_table(), built)
    assert char_table() is not None and np.array_equal(char_table(), built)
    repository = Path(__file__).resolve().parents[2]
    shipped_file = repository / f"native/kernels/src/chars-{kernel.UNICODE_VERSION}.bin"
    if shipped_file.exists():  # absent where neardup was installed from a wheel
        assert shipped_file.read_bytes() == serialized(built)
    starts, classes = built >> 8, (built >> 4) & 0xF
    spaces = {cp for cp in range(sys.maxunicode + 1) if chr(cp).isspace()}
    at = np.searchsorted(starts, np.arange(sys.maxunicode + 1), side="right") - 1
    assert set(np.flatnonzero(classes[at] & SPACE).tolist()) == spaces
    digits = np.flatnonzero(classes[at] & DIGIT)
    values = (built[at[digits]] & 0xF) + digits - starts[at[digits]]
    assert values.tolist() == [unicodedata.decimal(chr(cp)) for cp in digits.tolist()]


def test_texts_are_str_or_bytes() -> None:
    as_bytes = "Chase said on Tuesday \ud800 it rose 5 pct.".encode("utf-8", "surrogatepass")
    pairs, _ = kernel.fact_tokens([as_bytes], char_table())
    assert np.array_equal(pairs, facts.fact_tokens(as_bytes.decode("utf-8", "surrogatepass")))
    # Bytes that are not UTF-8 are characters of no class: an answer, the same every time.
    junk = [b"\xff\xfeA\xc3 5\xed\xa0 May \xe0\x80\xb1 <A\x80> \xf4\x90\x80\x80 $\xc2"]
    assert kernel.text_facts(junk, char_table()) == kernel.text_facts(junk, char_table())
    for bad in ([1], [None]):
        with pytest.raises(InputError, match="must be a str"):
            kernel.fact_tokens(bad, char_table())
        with pytest.raises(InputError, match="must be a str"):
            kernel.text_facts(bad, char_table())


@pytest.mark.parametrize(
    "table",
    [
        np.array([], dtype=np.uint32),
        np.array([1 << 8], dtype=np.uint32),
        np.array([0, 5 << 8, 5 << 8], dtype=np.uint32),
        np.array([DIGIT << 4 | 8, 5 << 8], dtype=np.uint32),
        np.array([0, 0x11_0000 << 8], dtype=np.uint32),
    ],
)
def test_a_bad_table_is_refused(table: np.ndarray) -> None:
    with pytest.raises(InputError, match="table"):
        kernel.fact_tokens(["Chase"], table)
    with pytest.raises(InputError, match="table"):
        kernel.text_facts(["Chase"], table)


def test_may_differ_refuses_bad_arguments() -> None:
    pairs = np.array([[1, 2], [3, 4]], dtype=np.uint64)
    starts, one = np.array([0, 1, 2]), np.array([0])
    assert kernel.may_differ(pairs, starts, one, one + 1).tolist() == [False]
    for args, message in [
        ((pairs[:, :1].copy(), starts, one, one), "two columns"),
        ((pairs, np.array([0, 1, 3]), one, one), "past the end"),
        ((pairs, np.array([1, 0, 2]), one, one), "decreases"),
        ((pairs, starts, np.array([2]), one), "not one of"),
        ((pairs, starts, one, np.array([-1])), "not one of"),
        ((pairs, starts, one, np.array([0, 1])), "as long"),
        ((pairs[::-1].copy(), np.array([0, 2]), one, one), "ascend"),
        ((np.array([[1, 2], [1, 2]], dtype=np.uint64), np.array([0, 2]), one, one), "ascend"),
    ]:
        with pytest.raises(InputError, match=message):
            kernel.may_differ(*args)


def test_compare_facts_refuses_bad_arguments() -> None:
    texts, one = ["Chase rose 5 pct.", "Chemical rose 6 pct."], np.array([0])
    assert [c.tolist() for c in kernel.compare_facts(texts, one, one + 1, char_table())] == [
        [1],
        [False],
        [True],
        [1],
        [0],
    ]
    for left, right, message in [
        (np.array([2]), one, "not one of"),
        (one, np.array([-1]), "not one of"),
        (one, np.array([0, 1]), "as long"),
    ]:
        with pytest.raises(InputError, match=message):
            kernel.compare_facts(texts, left, right, char_table())
    with pytest.raises(InputError, match="must be a str"):
        kernel.compare_facts([1, 2], one, one, char_table())


# -- the word lists, written twice ---------------------------------------------------------------

_RUST = ROOT / "native" / "kernels" / "src"


def _rust_body(file: str, function: str) -> str:
    """The body of a Rust function, from its signature to the closing brace at the line start."""
    source = (_RUST / file).read_text(encoding="utf-8")
    found = re.search(rf"\nfn {function}\(.*?\n\}}\n", source, re.DOTALL)
    assert found, f"{function} not in {file}"
    return found.group()


def _rust_map(function: str) -> dict[str, str]:
    """A `match` of byte strings to strings: each spelling and what it is read as."""
    mapped = {}
    for left, right in re.findall(
        r"^\s*(b\".*?)\s*=>\s*\"(.*?)\",", _rust_body("facts.rs", function), re.M
    ):
        mapped |= {spelling: right for spelling in re.findall(r'b"(.*?)"', left)}
    return mapped


def _rust_set(file: str, function: str, literal: str = 'b"') -> set[str]:
    return set(re.findall(rf'{literal}(.*?)"', _rust_body(file, function)))


def test_the_native_word_lists_are_the_reference_s() -> None:
    """The native reader's and comparison's word lists (`match` arms in Rust) are those of
    `facts_reference` and `facts`: a word added to one side only fails here, where the
    property tests, which draw their words from Python's lists, would not notice it."""
    assert _rust_map("month_named") == reference.MONTHS
    assert _rust_map("unit") == reference.UNITS
    assert _rust_map("number_word") == reference.NUMBER_WORDS
    assert _rust_set("facts.rs", "is_weekday") == reference.WEEKDAYS
    assert _rust_set("facts.rs", "may_before") == reference._MAY_BEFORE
    assert _rust_set("facts.rs", "not_name") == reference._NOT_NAMES
    assert _rust_set("facts_compare.rs", "no_slot", '"') | {facts.EDGE} == facts._NO_SLOT
