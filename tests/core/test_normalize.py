import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neardup
from neardup.core import kernel, reference
from neardup.core.furniture import KEEP, PATTERNS
from neardup.core.normal_bytes import built_tables, serialized
from neardup.core.normalize import normalize
from neardup.core.sketch import NUMBER_WORDS, sketch_texts
from neardup.core.tokens import tokens


def test_retyped_punctuation_case_and_space_are_irrelevant() -> None:
    a = "“We have no plans…we are focusing,” Stoltenberg’s aide said — in   Kyiv."
    b = '"WE HAVE NO PLANS...we are focusing," Stoltenberg\'s aide said - in Kyiv.'
    assert normalize(a) == normalize(b)
    assert neardup.compare(a, b).relation == "exact"


def test_ascii_punctuation_stays_in_the_normal_form_but_only_separates_words() -> None:
    """Issue 14, item 10: texts with the same words are `exact`, whatever their punctuation."""
    assert normalize("$100m-share a&b.") == "$100m-share a&b."
    assert tokens(normalize("$100m-share a&b.")) == ["100m", "share", "a", "b"]
    assert neardup.compare("$100m-share a&b.", "100m share (a, b)").relation == "exact"
    assert neardup.compare("$100m-share a&b.", "100m share a").relation == "different"
    assert neardup.compare("... !", "?").relation == "different"  # no words: never matched


def test_html_entities_and_control_characters() -> None:
    assert normalize("AT&amp;T\x03 &lt;PUL&gt;\x00") == "at&t <pul>"
    assert normalize("caf\u0065\u0301") == normalize("café")  # NFKC composes


def test_different_words_stay_different() -> None:
    assert normalize("price 0.25 ct") != normalize("price 0.50 ct")


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def test_compare_calls_retyped_copies_exact(seed_texts: tuple[str, str]) -> None:
    earlier, _ = seed_texts
    retyped = earlier.replace("’", "'").replace("“", '"').replace("”", '"').replace("…", "...")
    assert retyped != earlier
    assert neardup.compare(earlier, retyped.upper()).relation == "exact"


words_and_marks = st.lists(
    st.sampled_from(["Price", "rose", "1.5", "six", "ct", "中", "国", ".", "-", "&amp;", "\n", " "])
    | st.sampled_from(["\nADVERTISEMENT\n", "\nSEE ALSO: Rates Rise 2%"]),  # furniture
    max_size=20,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(words_and_marks, min_size=1, max_size=4), st.booleans())
def test_the_kernels_keys_equal_reference(texts: list[str], furniture: bool) -> None:
    """The exact and masked keys are those of the whole text, furniture or not."""
    sketches = sketch_texts(
        texts, ngram=2, num_perm=8, seed=1, furniture=PATTERNS if furniture else KEEP
    )
    numbers = set(NUMBER_WORDS)
    assert sketches.exact_keys.tolist() == [
        reference.sequence_key(tokens(normalize(t))) for t in texts
    ]
    assert sketches.masked_keys.tolist() == [
        reference.sequence_key(reference.masked_tokens(t, numbers)) for t in texts
    ]
    assert reference.sequence_key([]) == kernel.EMPTY_KEY


@given(st.text(alphabet=st.characters(max_codepoint=127, exclude_characters="&")))
def test_ascii_fast_path_equals_the_unicode_path(text: str) -> None:
    import unicodedata

    from neardup.core.normalize import FOLD

    slow = " ".join(unicodedata.normalize("NFKC", text).casefold().translate(FOLD).split())
    assert normalize(text) == slow


@given(st.text())
def test_run_folding_equals_translating_everything(text: str) -> None:
    import unicodedata

    from neardup.core.normalize import FOLD

    folded = unicodedata.normalize("NFKC", text.replace("&", "")).casefold()
    assert normalize(text.replace("&", "")) == " ".join(folded.translate(FOLD).split())


def _batch_forms(texts: list[str]) -> list[str]:
    from neardup.core.normal_bytes import normalize_batch

    data, offsets = normalize_batch(texts)
    raw = data.tobytes()
    return [
        raw[offsets[d] : offsets[d + 1]].decode("utf-8", "surrogatepass") for d in range(len(texts))
    ]


@settings(max_examples=300, deadline=None)  # the first example builds the code point table
@given(st.lists(st.text() | st.text(alphabet=st.characters(max_codepoint=127)), max_size=5))
def test_the_kernels_normal_form_equals_normalize(texts: list[str]) -> None:
    assert _batch_forms(texts) == [normalize(t) for t in texts]


def test_the_kernels_normal_form_on_hard_cases(seed_texts: tuple[str, str]) -> None:
    hard = [
        "Straße ΐ ﬃ İstanbul ǅ",  # casefolding that grows the text
        "AT&amp;T &lt;b&gt; caf\u0065\u0301",  # entities, then NFKC composition
        "a\u2028b\x85c\u3000d\U000e0041e\ud800f",  # separators, tags, a lone surrogate
        "\U000e0000 a\U000e0005b \U000e0001",  # unassigned code points among the tags stay
        "  “quoted” — dashes…  ",
        *seed_texts,
    ]
    assert _batch_forms(hard) == [normalize(t) for t in hard]


def test_the_kernels_normal_form_of_every_code_point() -> None:
    chars = [chr(cp) for cp in range(0x110000)]
    for start in range(0, len(chars), 100_000):
        batch = chars[start : start + 100_000]
        assert _batch_forms(batch) == [normalize(c) for c in batch], f"from U+{start:04X}"


@pytest.mark.skipif(
    unicodedata.unidata_version != kernel.UNICODE_VERSION,
    reason="the native core ships another Unicode version's tables; this Python builds its own",
)
def test_the_shipped_tables_are_those_this_python_builds() -> None:
    """The tables the native core ships (`native/kernels/src/unicode-*.bin`, written by
    `python -m neardup.core.normal_bytes`) are what `unicodedata` says, array for array."""
    shipped, built = kernel.shipped_tables(), built_tables()
    assert serialized(shipped) == serialized(built)
    repository = Path(__file__).resolve().parents[2]
    shipped_file = repository / f"native/kernels/src/unicode-{kernel.UNICODE_VERSION}.bin"
    if shipped_file.exists():  # absent where neardup was installed from a wheel
        assert shipped_file.read_bytes() == serialized(built)
