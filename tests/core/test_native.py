"""The native core (`neardup.core.kernel`) held to its plain-Python specification, on
hypothesis-generated input: `reference.py`, `normalize.normalize` and `tokens.words`.

`test_kernel.py` and `test_normalize.py` compare the kernel with the reference on news-like
words and short random text; this file adds what they leave out:

- odd text through `sketch_texts`: NUL and other control characters, text that is only
  punctuation or only characters of unspaced scripts, the edges of the unspaced ranges, numbers
  in every form, huge tokens (a 100,000-character word, a 10,000-digit number), any seed;
- bytes that are not UTF-8 fed straight to the kernels (`kernel.sketch_texts` takes bytes as
  they are): no crash, the same answer every time, and each document's answer its own, whatever
  its neighbours hold; where the bytes are UTF-8, the keys the reference gives their tokens;
- the cuts of `kernel.sketch_texts` (texts with their furniture left out): the keys of the
  texts, everything else of the cuts; and text with lone surrogates, sketched as the bytes
  Python's "surrogatepass" writes for it;
- the pair kernels (set intersections, band keys, shared keys) on full-range 64-bit values, with
  the group and share limits, against brute force in Python;
- bad arguments (offsets out of order or out of range, too short an index array, ngram, window
  or num_perm below one, a text that is neither str nor bytes, cuts of another length than the
  texts, a broken code point table, more band rows than a signature has), which must raise a
  `neardup.NeardupError`: never another exception, a crash, a hang or an answer read from memory
  past an array's end. Those calls run in a separate process, so that a crash fails one test.
"""

from __future__ import annotations

import itertools
import os
import signal
import string
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from neardup.core import kernel, reference
from neardup.core.keys import PAIRS_PER_CHUNK, pairs_sharing_keys
from neardup.core.normal_bytes import _ASCII_TABLE, before_table, code_point_table, normalize_batch
from neardup.core.normalize import normalize
from neardup.core.sketch import NUMBER_WORDS, number_words, sketch_texts
from neardup.core.tokens import tokens, words

MAX64 = 2**64 - 1
MAX32 = 2**32 - 1

# -- odd text ---------------------------------------------------------------------------------

#: Characters at both edges of each range of unspaced scripts (`tokens.UNSPACED`), and just
#: outside them: each inside one is a token of its own, each outside one part of a word.
UNSPACED_EDGES = (
    "\u0dff\u0e00\u0eff\u0f00\u0fff\u1000\u109f\u10a0\u177f\u1780\u17ff\u1800"
    "\u303f\u3040\u30ff\u3100\u33ff\u3400\u4dbf\u4dc0\u4dff\u4e00\u9fff\ua000"
    "\uf8ff\uf900\ufaff\ufb00\U0001ffff\U00020000\U0003ffff\U00040000"
)
unspaced_characters = st.one_of(
    st.sampled_from(UNSPACED_EDGES),
    st.characters(min_codepoint=0x0E00, max_codepoint=0x0EFF),  # Thai, Lao
    st.characters(min_codepoint=0x1000, max_codepoint=0x109F),  # Myanmar
    st.characters(min_codepoint=0x1780, max_codepoint=0x17FF),  # Khmer
    st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),  # kana
    st.characters(min_codepoint=0x3400, max_codepoint=0x9FFF),  # CJK
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),  # CJK compatibility
    st.characters(min_codepoint=0x2F800, max_codepoint=0x3FFFF),  # CJK, above the table's end
)

#: Numbers in every form the masked key sees, and what NFKC makes numbers of ("１２" is "12").
NUMBERISH = (
    *NUMBER_WORDS[::3],
    "Two",
    "TWENTY",
    "hundreds",
    "1",
    "1.5",
    "6-3/16",
    "1980s",
    "19th",
    "5bn",
    "０１２",
    "①",
    "²",
    "½",
    "Ⅻ",
    "٣",
    "price",
    "rose",
    "to",
    "dlrs",
    "9" * 300,
)

any_text = st.text(max_size=80)  # any code point but a surrogate
control_text = st.text(st.characters(categories=["Cc"]) | st.sampled_from(" a1é北"), max_size=40)
punctuation_only = st.text(
    st.characters(categories=["P", "S", "Zs"]) | st.sampled_from(string.punctuation),
    min_size=1,
    max_size=40,
)
unspaced_only = st.text(unspaced_characters, min_size=1, max_size=60)
numbers = st.lists(st.sampled_from(NUMBERISH), max_size=15).map(" ".join)
pieces = st.one_of(any_text, control_text, punctuation_only, unspaced_only, numbers)
separators = st.sampled_from(["", " ", "\x00", "\n", "\u3000", "-"])

#: A text made of odd pieces (each may also be all of it): mixes of scripts, controls, numbers.
odd_texts = st.tuples(separators, st.lists(pieces, max_size=4)).map(lambda t: t[0].join(t[1]))

#: What a huge token is made of: one character or a few, repeated.
HUGE_UNITS = (
    "x",
    "9",
    "é",
    "ß",
    "İ",
    "ﬃ",
    "한",
    "a1",
    "1a",
    "\x00",
    "-",
    "&amp;",
    "北",
    "\U00020000",
)


def _unspaced(unit: str) -> bool:
    """Whether a character of `unit` is a token of its own (as in a script without spaces)."""
    return any(len(words(c * 2)) == 2 for c in unit)


@st.composite
def huge_texts(draw: st.DrawFn) -> str:
    """A huge token (up to 100,000 characters; 10,000 of a script written without spaces, each
    of which is a token) between odd texts."""
    unit = draw(st.sampled_from(HUGE_UNITS))
    size = draw(st.integers(1_000, 10_000 if _unspaced(unit) else 100_000))
    return draw(separators).join([draw(odd_texts), unit * size, draw(odd_texts)])


def _segment(values: np.ndarray, starts: np.ndarray, d: int) -> list[int]:
    return values[starts[d] : starts[d + 1]].tolist()


def _assert_sketches_equal_reference(
    batch: list[str], *, ngram: int, num_perm: int, seed: int, window: int
) -> None:
    """Everything `sketch_texts` gives of each text is what `reference.py` defines."""
    sketches = sketch_texts(batch, ngram=ngram, num_perm=num_perm, seed=seed, window=window)
    numbers = set(NUMBER_WORDS)
    assert sketches.signatures.shape == (len(batch), num_perm)
    for d, text in enumerate(batch):
        found = words(text)
        shingles = reference.shingle_hashes(text, ngram, seed)
        assert sketches.token_counts[d] == len(found), f"document {d}: token count"
        assert _segment(sketches.shingles, sketches.starts, d) == shingles, f"document {d}"
        prints = _segment(sketches.prints, sketches.print_starts, d)
        assert prints == reference.fingerprints(text, ngram, seed, window), f"document {d}"
        signature = sketches.signatures[d].tolist()
        assert signature == reference.minhash(shingles, num_perm, seed), f"document {d}"
        assert sketches.exact_keys[d] == reference.sequence_key(found), f"document {d}"
        masked = reference.sequence_key(reference.masked_tokens(text, numbers))
        assert sketches.masked_keys[d] == masked, f"document {d}: masked key"


@settings(max_examples=250, deadline=None)
@given(
    st.lists(odd_texts, min_size=1, max_size=5),
    st.integers(1, 6),  # ngram
    st.integers(1, 40),  # num_perm
    st.integers(0, MAX64) | st.sampled_from([0, MAX64]),  # seed
    st.integers(1, 6),  # window
)
def test_sketches_of_odd_text_equal_reference(
    batch: list[str], ngram: int, num_perm: int, seed: int, window: int
) -> None:
    _assert_sketches_equal_reference(
        batch, ngram=ngram, num_perm=num_perm, seed=seed, window=window
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(huge_texts(), odd_texts, st.integers(1, 5), st.integers(0, MAX64))
@example(text="x" * 100_000, neighbour="x", ngram=1, seed=0)  # a 100,000-character word
@example(
    text="price rose to " + "9" * 10_000 + " dlrs",
    neighbour="price rose to 9 dlrs",
    ngram=2,
    seed=MAX64,
)
@example(text="é" * 100_000 + " 北" * 5_000, neighbour="\x00" * 100_000, ngram=3, seed=1)
def test_sketches_of_huge_tokens_equal_reference(
    text: str, neighbour: str, ngram: int, seed: int
) -> None:
    _assert_sketches_equal_reference(
        [text, neighbour, text], ngram=ngram, num_perm=16, seed=seed, window=4
    )


def _normal_forms(texts: list[str]) -> list[str]:
    data, offsets = normalize_batch(texts)
    raw = data.tobytes()
    return [
        raw[offsets[d] : offsets[d + 1]].decode("utf-8", "surrogatepass") for d in range(len(texts))
    ]


@settings(max_examples=100, deadline=None)
@given(st.lists(odd_texts | huge_texts(), max_size=5))
def test_normal_forms_of_odd_text_equal_normalize(texts: list[str]) -> None:
    assert _normal_forms(texts) == [normalize(t) for t in texts]


# -- bytes that are not UTF-8 -----------------------------------------------------------------

#: Byte sequences that decoders get wrong: stray continuation bytes, lead bytes cut short (at a
#: document's end, the next document's first bytes would complete them), overlong forms, an
#: encoded surrogate, bytes never valid in UTF-8, NUL; and valid characters beside them.
BYTE_PIECES = (
    b"\x00",
    b" ",
    b"a",
    b"7",
    b"one",
    b"\x80",
    b"\xbf",
    b"\xc3",
    b"\xc3\xa9",
    b"\xe3",
    b"\xe3\x81",
    b"\xe3\x81\x82",
    b"\xe4\xb8\xad",
    b"\xe0\xb8\x81",
    b"\xf0",
    b"\xf0\x9f",
    b"\xf0\x9f\x98",
    b"\xf0\xa0\x80\x80",
    b"\xf3\xa0\x81\x81",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xe0\x80\xaf",
    b"\xf8\x88\x80\x80\x80",
    b"\xfe",
    b"\xff",
)
byte_documents = st.lists(st.sampled_from(BYTE_PIECES) | st.binary(max_size=6), max_size=12).map(
    b"".join
)
byte_batches = st.lists(byte_documents, min_size=1, max_size=6)


def _batch(documents: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(documents) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in documents], out=offsets[1:])
    return np.frombuffer(b"".join(documents), dtype=np.uint8).copy(), offsets


def _alone(document: bytes) -> tuple[np.ndarray, np.ndarray]:
    """One document in an array of its own, exactly as long as it is."""
    return np.frombuffer(document, dtype=np.uint8).copy(), np.array([0, len(document)], np.int64)


def _assert_well_formed_starts(starts: np.ndarray, values: np.ndarray, n_docs: int) -> None:
    assert starts.dtype == np.int64 and starts.shape == (n_docs + 1,)
    assert starts[0] == 0 and starts[-1] == values.size
    assert (np.diff(starts) >= 0).all()


def _sketch(
    texts: list,
    cuts: list | None = None,
    *,
    ngram: int,
    seed: int,
    window: int,
    num_perm: int,
    table: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple:
    """`kernel.sketch_texts` of texts as they are (str or bytes), with the whole table."""
    return kernel.sketch_texts(
        texts,
        cuts,
        *(table or code_point_table()),
        ngram,
        np.uint64(seed),
        window,
        num_perm,
        number_words(),
    )


def _sketch_of_each(result: tuple, n_docs: int) -> list[tuple]:
    """What `kernel.sketch_texts` gave each document, as plain values: (token count, exact key,
    masked key, shingles, fingerprints, signature)."""
    counts, exact, masked, shingles, starts, prints, print_starts, signatures = result
    return [
        (
            int(counts[d]),
            int(exact[d]),
            int(masked[d]),
            _segment(shingles, starts, d),
            _segment(prints, print_starts, d),
            signatures[d].tolist(),
        )
        for d in range(n_docs)
    ]


def _unchanged_by_python_steps(document: bytes) -> str | None:
    """The text of a document that is valid UTF-8 and that entities and NFKC leave as it is
    (so `reference.py`, which applies them, and the kernel, given the bytes, see the same
    text); None for any other document."""
    try:
        text = document.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if before_table(text) == text else None


@settings(max_examples=200, deadline=None)
@given(
    byte_batches,
    st.integers(1, 4),  # ngram
    st.integers(0, MAX64),  # seed
    st.integers(1, 5),  # window
    st.integers(1, 24),  # num_perm
)
@example(
    documents=[b"one 2 three", b"\xe4\xb8\xad\xe3\x81\x82 x \xf0\xa0\x80\x80", b"", b"\xff one"],
    ngram=2,
    seed=1,
    window=2,
    num_perm=8,
)
def test_sketch_texts_of_any_bytes_is_per_document_and_deterministic(
    documents: list[bytes], ngram: int, seed: int, window: int, num_perm: int
) -> None:
    kwargs = {"ngram": ngram, "seed": seed, "window": window, "num_perm": num_perm}
    result = _sketch(documents, **kwargs)
    n = len(documents)
    counts, exact, masked, shingles, starts, prints, print_starts, signatures = result
    assert counts.dtype == np.int64 and counts.shape == (n,) and (counts >= 0).all()
    assert exact.dtype == masked.dtype == shingles.dtype == prints.dtype == np.uint64
    assert exact.shape == masked.shape == (n,)
    assert signatures.dtype == np.uint32 and signatures.shape == (n, num_perm)
    _assert_well_formed_starts(starts, shingles, n)
    _assert_well_formed_starts(print_starts, prints, n)
    # The signatures are the MinHash of the shingles, as the MinHash kernel makes it.
    alone_minhash = kernel.minhash(shingles, starts, num_perm, np.uint64(seed))
    assert signatures.tolist() == alone_minhash.tolist()
    each = _sketch_of_each(result, n)
    assert _sketch_of_each(_sketch(documents, **kwargs), n) == each  # the same again
    numbers = set(NUMBER_WORDS)
    for d, (count, exact_key, masked_key, hashes, chosen, _) in enumerate(each):
        assert hashes == sorted(set(hashes)) and len(hashes) <= max(count - ngram + 1, 0)
        assert chosen == sorted(set(chosen)) and set(chosen) <= set(hashes)  # prints are shingles
        assert bool(hashes) == bool(chosen)
        if count == 0:
            assert exact_key == masked_key == kernel.EMPTY_KEY
        alone = _sketch([documents[d]], **kwargs)
        assert _sketch_of_each(alone, 1) == [each[d]], f"document {d} depends on its neighbours"
        text = _unchanged_by_python_steps(documents[d])
        if text is not None:  # the keys of its tokens, as the reference makes them
            found = words(text)
            assert count == len(found), f"document {d}: token count"
            assert exact_key == reference.sequence_key(found), f"document {d}: exact key"
            masked_tokens = reference.masked_tokens(text, numbers)
            assert masked_key == reference.sequence_key(masked_tokens), f"document {d}: masked"


#: Texts as the kernel takes them: str (not prepared by `before_table`) or bytes (any).
kernel_texts = odd_texts | byte_documents


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(kernel_texts, st.none() | kernel_texts), min_size=1, max_size=5),
    st.integers(1, 4),  # ngram
    st.integers(0, MAX64),  # seed
    st.integers(1, 5),  # window
    st.integers(1, 16),  # num_perm
)
@example(
    pairs=[("page 1 of 2 the text", "the text"), (b"a b c", None), ("", b"x y"), ("p q", "")],
    ngram=1,
    seed=0,
    window=1,
    num_perm=4,
)
def test_sketch_texts_with_cuts_keeps_the_keys_of_the_texts_and_all_else_of_the_cuts(
    pairs: list[tuple[str | bytes, str | bytes | None]],
    ngram: int,
    seed: int,
    window: int,
    num_perm: int,
) -> None:
    """Where a cut is given, everything but the exact and masked keys is that of the cut (a
    text with its furniture left out); a None cut is the text itself."""
    kwargs = {"ngram": ngram, "seed": seed, "window": window, "num_perm": num_perm}
    texts = [t for t, _ in pairs]
    cuts = [c for _, c in pairs]
    n = len(pairs)
    got = _sketch_of_each(_sketch(texts, cuts, **kwargs), n)
    of_texts = _sketch_of_each(_sketch(texts, **kwargs), n)
    of_cuts = _sketch_of_each(_sketch([t if c is None else c for t, c in pairs], **kwargs), n)
    for d in range(n):
        count, exact_key, masked_key, *rest = got[d]
        assert (exact_key, masked_key) == of_texts[d][1:3], f"document {d}: keys"
        assert (count, *rest) == (of_cuts[d][0], *of_cuts[d][3:]), f"document {d}: sketch"
    assert _sketch_of_each(_sketch(texts, [None] * n, **kwargs), n) == of_texts


#: Lone surrogates, high and low, alone or in a (still lone, in a str) pair of them.
lone_surrogates = st.characters(categories=["Cs"]) | st.sampled_from(
    ["\ud800", "\udfff", "\udbff\udc00", "\udc00\ud800"]
)
surrogate_texts = st.lists(
    st.one_of(odd_texts, lone_surrogates, st.sampled_from(["x", " ", "北", "\x00"])),
    min_size=1,
    max_size=8,
).map("".join)


def _surrogatepass(text: str | None) -> bytes | None:
    return None if text is None else text.encode("utf-8", "surrogatepass")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(surrogate_texts, st.none() | surrogate_texts), min_size=1, max_size=4),
    st.integers(1, 3),  # ngram
    st.integers(0, MAX64),  # seed
)
@example(pairs=[("a\ud800b c", None), ("\udc00", "x \udfff y")], ngram=1, seed=0)
def test_text_with_lone_surrogates_sketches_as_its_surrogatepass_bytes(
    pairs: list[tuple[str, str | None]], ngram: int, seed: int
) -> None:
    kwargs = {"ngram": ngram, "seed": seed, "window": 3, "num_perm": 8}
    texts = [t for t, _ in pairs]
    cuts = [c for _, c in pairs]
    n = len(pairs)
    got = _sketch_of_each(_sketch(texts, cuts, **kwargs), n)
    encoded = [_surrogatepass(t) for t in texts]
    assert got == _sketch_of_each(_sketch(encoded, [_surrogatepass(c) for c in cuts], **kwargs), n)


ascii_numbers = st.lists(st.sampled_from([w for w in NUMBERISH if w.isascii()]), max_size=15).map(
    " ".join
)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.text(st.characters(max_codepoint=0x7F), max_size=40) | ascii_numbers, max_size=5),
    st.integers(1, 3),
)
def test_ascii_table_sketches_ascii_text_as_the_whole_table(texts: list[str], ngram: int) -> None:
    """`sketch.sketch_texts` gives the kernel the small ASCII table for all-ASCII batches."""
    kwargs = {"ngram": ngram, "seed": 5, "window": 2, "num_perm": 8}
    n = len(texts)
    whole = _sketch_of_each(_sketch(texts, **kwargs), n)
    assert _sketch_of_each(_sketch(texts, table=_ASCII_TABLE, **kwargs), n) == whole


@settings(max_examples=150, deadline=None)
@given(byte_batches)
def test_first_token_hashes_of_any_bytes_are_per_document(documents: list[bytes]) -> None:
    buffer, offsets = _batch(documents)
    n = len(documents)
    first = kernel.first_token_hashes(buffer, offsets)
    assert first.dtype == np.uint64 and first.shape == (n,)
    assert kernel.first_token_hashes(buffer, offsets).tolist() == first.tolist()
    for d, document in enumerate(documents):
        assert kernel.first_token_hashes(*_alone(document)).tolist() == [first[d]], f"document {d}"
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError:
            continue
        found = tokens(text)  # of the text as it is: this kernel reads normal forms
        assert first[d] == (reference.token_hash(found[0]) if found else 0), f"document {d}"


@settings(max_examples=200, deadline=None)
@given(byte_batches)
def test_normalize_utf8_of_any_bytes_is_per_document_and_spaced_once(
    documents: list[bytes],
) -> None:
    data, offsets = _batch(documents)
    table = code_point_table()
    out, out_offsets = kernel.normalize_utf8(data, offsets, *table)
    assert out.dtype == np.uint8
    _assert_well_formed_starts(out_offsets, out, len(documents))
    raw = out.tobytes()
    forms = [raw[out_offsets[d] : out_offsets[d + 1]] for d in range(len(documents))]
    again, again_offsets = kernel.normalize_utf8(data, offsets, *table)
    assert again.tobytes() == raw and again_offsets.tolist() == out_offsets.tolist()
    for d, form in enumerate(forms):
        assert not form.startswith(b" ") and not form.endswith(b" ") and b"  " not in form, form
        alone, alone_offsets = kernel.normalize_utf8(*_alone(documents[d]), *table)
        assert alone_offsets.tolist() == [0, len(form)] and alone.tobytes() == form, f"doc {d}"


# -- pairs ------------------------------------------------------------------------------------

#: 64-bit values at the edges: a merge that compares them as signed integers misorders the top
#: half, and a bucket chosen by top bits puts the first and last far apart.
EDGE_VALUES = (0, 1, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**63 + 1, MAX64 - 1, MAX64)
values64 = st.integers(0, MAX64) | st.sampled_from(EDGE_VALUES)


@st.composite
def sorted_segments(draw: st.DrawFn) -> tuple[list[set[int]], list[tuple[int, int]]]:
    """Sets of 64-bit values that share some, and pairs of them (a set with itself, too)."""
    pool = draw(st.lists(values64, min_size=1, max_size=40, unique=True))
    sets = draw(
        st.lists(st.sets(st.sampled_from(pool) | values64, max_size=30), min_size=1, max_size=8)
    )
    pairs = draw(st.lists(st.tuples(*[st.integers(0, len(sets) - 1)] * 2), max_size=30))
    return sets, pairs


@settings(max_examples=200, deadline=None)
@given(sorted_segments())
def test_intersection_sizes_of_full_range_values_equal_sets(
    case: tuple[list[set[int]], list[tuple[int, int]]],
) -> None:
    sets, pairs = case
    hashes = np.array([h for s in sets for h in sorted(s)], dtype=np.uint64)
    starts = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in sets], out=starts[1:])
    left = np.array([i for i, _ in pairs], dtype=np.int64)
    right = np.array([j for _, j in pairs], dtype=np.int64)
    got = kernel.intersection_sizes(hashes, starts, left, right)
    assert got.dtype == np.int64 and got.shape == (len(pairs),)
    assert got.tolist() == [len(sets[i] & sets[j]) for i, j in pairs]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(values64, max_size=60), min_size=1, max_size=5),
    st.integers(1, 48) | st.sampled_from([64, 128, 256]),
    st.integers(0, MAX64),
)
def test_minhash_of_any_hashes_equals_reference(
    segments: list[list[int]], num_perm: int, seed: int
) -> None:
    """Hashes in any order, repeated or not, any width and seed: each row is the reference's."""
    hashes = np.array([h for s in segments for h in s], dtype=np.uint64)
    starts = np.zeros(len(segments) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in segments], out=starts[1:])
    got = kernel.minhash(hashes, starts, num_perm, np.uint64(seed))
    assert got.dtype == np.uint32 and got.shape == (len(segments), num_perm)
    for d, segment in enumerate(segments):
        assert got[d].tolist() == reference.minhash(segment, num_perm, seed), f"document {d}"


@st.composite
def signature_tables(draw: st.DrawFn) -> tuple[np.ndarray, int, int]:
    """Signatures whose values come from a few (so that bands often agree), and a banding of
    them that may leave columns out."""
    width = draw(st.integers(1, 24))
    rows = draw(st.integers(1, min(width, 4)))
    bands = draw(st.integers(1, width // rows))
    alphabet = draw(
        st.lists(st.integers(0, MAX32) | st.sampled_from([0, MAX32]), min_size=1, max_size=3)
    )
    n_docs = draw(st.integers(0, 8))
    picks = draw(
        st.lists(
            st.integers(0, len(alphabet) - 1), min_size=n_docs * width, max_size=n_docs * width
        )
    )
    table = np.array([alphabet[p] for p in picks], dtype=np.uint32).reshape(n_docs, width)
    return table, bands, rows


@settings(max_examples=150, deadline=None)
@given(signature_tables(), st.integers(0, MAX32))
def test_band_keys_are_deterministic_and_shared_exactly_by_equal_bands(
    case: tuple[np.ndarray, int, int], filler: int
) -> None:
    signatures, bands, rows = case
    n_docs = signatures.shape[0]
    keys = kernel.band_keys(signatures, bands, rows)
    assert keys.dtype == np.uint64 and keys.shape == (bands, n_docs)
    assert kernel.band_keys(signatures, bands, rows).tolist() == keys.tolist()
    for d in range(n_docs):  # a document's keys are its own (an index query asks for one)
        assert (
            kernel.band_keys(signatures[d : d + 1], bands, rows)[:, 0].tolist()
            == keys[:, d].tolist()
        )
    cells = [
        [tuple(signatures[d, j * rows : (j + 1) * rows]) for d in range(n_docs)]
        for j in range(bands)
    ]
    for j, a, b in itertools.product(range(bands), range(n_docs), range(n_docs)):
        assert (keys[j, a] == keys[j, b]) == (cells[j][a] == cells[j][b]), (j, a, b)
    # The same values in two bands make two keys: a band's key says which band it is.
    assert len(set(keys.ravel().tolist())) == sum(len(set(cells[j])) for j in range(bands))
    # Columns past bands × rows are not looked at.
    changed = signatures.copy()
    changed[:, bands * rows :] = filler
    assert kernel.band_keys(changed, bands, rows).tolist() == keys.tolist()


def _band_key(values: list[int], band: int) -> int:
    """The band key as index files store it: fmix64 chained over the band's values, from a start
    that depends on the band."""
    h = reference.fmix64((band + 0xCBF29CE484222325) & MAX64)
    for value in values:
        h = reference.fmix64(h ^ value)
    return h


@settings(max_examples=50, deadline=None)
@given(signature_tables())
def test_band_keys_equal_their_definition(case: tuple[np.ndarray, int, int]) -> None:
    """Index files hold band keys: a kernel that computes other ones cannot query them."""
    signatures, bands, rows = case
    keys = kernel.band_keys(signatures, bands, rows)
    for j, d in itertools.product(range(bands), range(signatures.shape[0])):
        assert keys[j, d] == _band_key(signatures[d, j * rows : (j + 1) * rows].tolist(), j)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 15), st.integers(0, 40)), max_size=200),  # (key, document)
    st.lists(values64, min_size=16, max_size=16, unique=True),  # the keys
    st.integers(0, 6),  # max_group (0: no limit)
    st.integers(1, 40) | st.just(PAIRS_PER_CHUNK),  # budget
)
def test_pairs_sharing_keys_with_group_limits_equal_brute_force(
    held: list[tuple[int, int]], pool: list[int], max_group: int, budget: int
) -> None:
    keys = np.array([pool[k] for k, _ in held], dtype=np.uint64)
    docs = np.array([d for _, d in held], dtype=np.int64)
    pairs, shared = pairs_sharing_keys(keys, docs, max_group=max_group, budget=budget)
    holders: defaultdict[int, set[int]] = defaultdict(set)
    for k, d in held:  # a key a document holds twice is one key of it
        holders[pool[k]].add(d)
    counts: Counter[tuple[int, int]] = Counter()
    for group in holders.values():
        if max_group <= 0 or len(group) <= max_group:
            counts.update(itertools.combinations(sorted(group), 2))
    expected = sorted((i, j, c) for (i, j), c in counts.items())
    got = zip((pairs >> 32).tolist(), (pairs & MAX32).tolist(), shared.tolist(), strict=True)
    assert list(got) == expected


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_shared_partners_equal_counted_partners(data: st.DataObject) -> None:
    """Each document's partner list counted, for a range of documents in the middle of all."""
    n = data.draw(st.integers(1, 12))
    lo = data.draw(st.integers(0, n))
    hi = data.draw(st.integers(lo, n))
    # Partners are larger documents, as `partners_in_groups` lists them.
    lists = [
        data.draw(st.lists(st.integers(i + 1, n - 1), max_size=10)) if i + 1 < n else []
        for i in range(n)
    ]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(p) for p in lists], out=offsets[1:])
    partners = np.array([j for p in lists[lo:hi] for j in p], dtype=np.uint32)
    pairs, shared = kernel.shared_partners(partners, offsets, lo, hi)
    expected = [
        ((i << 32) | j, c) for i in range(lo, hi) for j, c in sorted(Counter(lists[i]).items())
    ]
    assert list(zip(pairs.tolist(), shared.tolist(), strict=True)) == expected


# -- bad arguments ----------------------------------------------------------------------------

#: What runs in the separate process: each request is a kernel's name and its arguments; the
#: answer says whether it raised a neardup error, raised something else, or returned.
_SERVE = """
import sys
from multiprocessing.connection import Connection

from neardup.core import kernel
from neardup.errors import NeardupError

requests = Connection(int(sys.argv[1]), writable=False)
replies = Connection(int(sys.argv[2]), readable=False)
while True:
    try:
        name, args = requests.recv()
    except EOFError:
        break
    try:
        result = getattr(kernel, name)(*args)
    except NeardupError as error:
        replies.send(("neardup error", type(error).__name__, str(error)))
    except BaseException as error:  # a panic that crossed into Python, too
        kind = f"{type(error).__module__}.{type(error).__qualname__}"
        replies.send(("another exception", kind, str(error)[:300]))
    else:
        replies.send(("returned", type(result).__name__, repr(result)[:300]))
"""


class Outcome(NamedTuple):
    kind: str  # "neardup error", "another exception", "returned", "crashed" or "hung"
    name: str  # the exception's type, or what was returned
    detail: str


class Isolated:
    """Calls kernels in a process of their own, one at a time: a crash or a hang there fails one
    test here, and the next call starts a new process."""

    #: Seconds a call may take: bad arguments are small, so only a hang takes this long.
    TIMEOUT = 10.0

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def _start(self) -> None:
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by `close`)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(down_read), str(up_write)],
            pass_fds=(down_read, up_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
        )
        os.close(down_read)
        os.close(up_write)
        self.requests = Connection(down_write, readable=False)
        self.replies = Connection(up_read, writable=False)

    def close(self) -> tuple[int, str]:
        """Stop the process; its exit status and the end of what it wrote to stderr."""
        if self.process is None:
            return 0, ""
        self.requests.close()
        try:
            status = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self.replies.close()
        self.errors.seek(0)
        said = self.errors.read()[-400:].decode("utf-8", "replace").strip()
        self.errors.close()
        self.process = None
        return status, said

    def call(self, name: str, *args: Any) -> Outcome:
        if self.process is None:
            self._start()
        assert self.process is not None
        try:
            self.requests.send((name, args))
            if self.replies.poll(self.TIMEOUT):
                return Outcome(*self.replies.recv())
            self.process.kill()
            kind, how = "hung", f"no answer in {self.TIMEOUT:g} s"
        except (EOFError, OSError):
            kind, how = "crashed", ""
        status, said = self.close()
        if kind == "crashed":
            how = f"killed by {signal.Signals(-status).name}" if status < 0 else f"exit {status}"
        return Outcome(kind, how, said)


@pytest.fixture(scope="module")
def isolated() -> Iterator[Isolated]:
    calls = Isolated()
    yield calls
    calls.close()


def assert_neardup_error(outcome: Outcome) -> None:
    assert outcome.kind == "neardup error", f"wanted a neardup error, got {outcome}"
    assert outcome.detail.strip(), f"a neardup error without a message: {outcome}"


TEXT = b"hello world again"  # 17 bytes


def _byte_kernel_args(name: str, data: np.ndarray, offsets: np.ndarray) -> tuple:
    """Arguments of a kernel that reads a batch of documents in one byte buffer."""
    return {
        "normalize_utf8": (data, offsets, *code_point_table()),
        "first_token_hashes": (data, offsets),
    }[name]


byte_kernels = pytest.mark.parametrize("name", ["normalize_utf8", "first_token_hashes"])


def _call_on_text(isolated: Isolated, name: str, offsets: list[int]) -> Outcome:
    data = np.frombuffer(TEXT, dtype=np.uint8).copy()
    return isolated.call(name, *_byte_kernel_args(name, data, np.array(offsets, np.int64)))


def _sketch_texts_args(
    texts: list | None = None,
    cuts: list | None = None,
    table: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    *,
    ngram: int = 2,
    window: int = 4,
    num_perm: int = 8,
) -> tuple:
    """Arguments of `kernel.sketch_texts`: good ones but for those given."""
    texts = ["hello world", b"again and again"] if texts is None else texts
    table = code_point_table() if table is None else table
    return (texts, cuts, *table, ngram, np.uint64(1), window, num_perm, number_words())


def test_good_arguments_are_answered_in_the_separate_process(isolated: Isolated) -> None:
    """The harness itself: the calls below fail for their arguments, not for the way they run."""
    for name in ("normalize_utf8", "first_token_hashes"):
        assert _call_on_text(isolated, name, [0, 5, 17]).kind == "returned", name
    for args in (
        _sketch_texts_args(),
        _sketch_texts_args(cuts=[None, "again"], table=_ASCII_TABLE),
        _sketch_texts_args(["a\ud800b", b"\xff\xfe"], [b"\xc3", None], ngram=1, window=1),
        _sketch_texts_args([], [], num_perm=1),
    ):
        assert isolated.call("sketch_texts", *args).kind == "returned", args[:2]


@byte_kernels
def test_decreasing_offsets_are_a_neardup_error(isolated: Isolated, name: str) -> None:
    assert_neardup_error(_call_on_text(isolated, name, [0, 11, 5, 17]))


@byte_kernels
def test_offsets_past_the_end_of_the_data_are_a_neardup_error(
    isolated: Isolated, name: str
) -> None:
    assert_neardup_error(_call_on_text(isolated, name, [0, 5, 17 + 64]))


@byte_kernels
def test_negative_offsets_are_a_neardup_error(isolated: Isolated, name: str) -> None:
    assert_neardup_error(_call_on_text(isolated, name, [-8, 5, 17]))


@pytest.mark.parametrize("ngram", [0, -1])
def test_sketch_texts_with_ngram_below_one_is_a_neardup_error(
    isolated: Isolated, ngram: int
) -> None:
    assert_neardup_error(isolated.call("sketch_texts", *_sketch_texts_args(ngram=ngram)))


@pytest.mark.parametrize("window", [0, -1])
def test_sketch_texts_with_window_below_one_is_a_neardup_error(
    isolated: Isolated, window: int
) -> None:
    assert_neardup_error(isolated.call("sketch_texts", *_sketch_texts_args(window=window)))


@pytest.mark.parametrize("num_perm", [0, -1, 2**32])
def test_sketch_texts_with_num_perm_below_one_or_too_large_is_a_neardup_error(
    isolated: Isolated, num_perm: int
) -> None:
    assert_neardup_error(isolated.call("sketch_texts", *_sketch_texts_args(num_perm=num_perm)))


@pytest.mark.parametrize(
    ("texts", "cuts"),
    [
        (["a b", 7], None),
        ([None, "a b"], None),
        (["a b", 2.5], None),
        (["a b", bytearray(b"a b")], None),
        (["a b", "c d"], [None, 7]),
        (["a b", "c d"], [[], None]),
    ],
)
def test_sketch_texts_of_an_element_that_is_no_text_is_a_neardup_error(
    isolated: Isolated, texts: list, cuts: list | None
) -> None:
    assert_neardup_error(isolated.call("sketch_texts", *_sketch_texts_args(texts, cuts)))


@pytest.mark.parametrize("cuts", [[], [None], [None, None, None], ["a", "b", "c"]])
def test_sketch_texts_with_cuts_of_another_length_is_a_neardup_error(
    isolated: Isolated, cuts: list
) -> None:
    assert_neardup_error(isolated.call("sketch_texts", *_sketch_texts_args(cuts=cuts)))


def _broken_table(how: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A code point table (the whole one, or the ASCII one) broken in one way."""
    ascii_starts, ascii_pool, nothing = _ASCII_TABLE
    starts, pool, spaced = code_point_table()
    if how == "decreasing inside ASCII":
        broken = ascii_starts.copy()
        broken[5] = 3
        return broken, ascii_pool, nothing
    if how == "decreasing past ASCII":
        broken = starts.copy()
        broken[0x4E01] = broken[0x4E00] - 2  # "一" (U+4E00) and the next overlap, inside the pool
        return broken, pool, spaced
    if how == "negative":
        return ascii_starts - 1, ascii_pool, nothing
    if how == "past the end of the pool":
        return starts, pool[: pool.size - 10], spaced
    if how == "far past the end of the pool":
        broken = ascii_starts.copy()
        broken[-1] = 2**40
        return broken, ascii_pool, nothing
    if how == "too short for ASCII":
        return np.arange(10, dtype=np.int64), ascii_pool[:9], nothing
    if how == "empty":
        return np.empty(0, np.int64), np.empty(0, np.uint8), nothing
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "decreasing inside ASCII",
        "decreasing past ASCII",
        "negative",
        "past the end of the pool",
        "far past the end of the pool",
        "too short for ASCII",
        "empty",
    ],
)
@pytest.mark.parametrize("name", ["sketch_texts", "normalize_utf8"])
def test_a_broken_code_point_table_is_a_neardup_error(
    isolated: Isolated, name: str, how: str
) -> None:
    table = _broken_table(how)
    if name == "sketch_texts":
        args = _sketch_texts_args(["hello 北京 world", b"\xe4\xb8\x80 again"], table=table)
    else:
        data = np.frombuffer("hello 北京 world".encode(), dtype=np.uint8).copy()
        args = (data, np.array([0, 6, data.size], np.int64), *table)
    assert_neardup_error(isolated.call(name, *args))


HASHES = np.array([3, 9, 27, 81, 243, 729], dtype=np.uint64)


def test_minhash_without_starts_is_a_neardup_error(isolated: Isolated) -> None:
    """Starts hold one more entry than there are documents: an empty array is too short."""
    starts = np.empty(0, np.int64)
    assert_neardup_error(isolated.call("minhash", HASHES, starts, 8, np.uint64(1)))


def test_minhash_with_starts_past_the_end_of_the_hashes_is_a_neardup_error(
    isolated: Isolated,
) -> None:
    starts = np.array([0, 3, 6 + 64], np.int64)
    assert_neardup_error(isolated.call("minhash", HASHES, starts, 8, np.uint64(1)))


def test_minhash_with_decreasing_starts_is_a_neardup_error(isolated: Isolated) -> None:
    starts = np.array([0, 4, 2, 6], np.int64)
    assert_neardup_error(isolated.call("minhash", HASHES, starts, 8, np.uint64(1)))


@pytest.mark.parametrize("num_perm", [0, -1])
def test_minhash_with_num_perm_below_one_is_a_neardup_error(
    isolated: Isolated, num_perm: int
) -> None:
    starts = np.array([0, 3, 6], np.int64)
    assert_neardup_error(isolated.call("minhash", HASHES, starts, num_perm, np.uint64(1)))


@pytest.mark.parametrize("splits", [[0], [0, 3, 6], [4, 5], [0, -1], [3, 7]])
def test_gather_segments_with_splits_outside_their_segments_is_a_neardup_error(
    isolated: Isolated, splits: list[int]
) -> None:
    """Two segments (0-3, 3-6): a split per segment, each within its own; [3, 6] is good."""
    starts, docs = np.array([0, 3, 6], np.int64), np.array([0, 1], np.int64)
    args = (HASHES, starts, docs, np.zeros(6, np.uint64), starts)
    assert_neardup_error(isolated.call("gather_segments", *args, np.array(splits, np.int64)))


def test_gather_segments_with_good_splits_merges_each_segment(isolated: Isolated) -> None:
    values = np.array([27, 3, 9, 81, 243, 729], np.uint64)  # 27 | 3 9, then | 81 243 729
    starts, docs = np.array([0, 3, 6], np.int64), np.array([0, 1], np.int64)
    out = np.zeros(6, np.uint64)
    kernel.gather_segments(values, starts, docs, out, starts, np.array([1, 3], np.int64))
    assert out.tolist() == HASHES.tolist()


def _intersect(isolated: Isolated, starts: list[int], left: list[int], right: list[int]) -> Outcome:
    return isolated.call(
        "intersection_sizes",
        HASHES,
        np.array(starts, np.int64),
        np.array(left, np.int64),
        np.array(right, np.int64),
    )


def test_intersection_sizes_with_starts_shorter_than_the_documents_named_is_a_neardup_error(
    isolated: Isolated,
) -> None:
    """Documents 0 and 1 need three starts; there are two."""
    assert_neardup_error(_intersect(isolated, [0, 3], [0], [1]))


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("doc", [-1, 2, 2**40])
def test_intersection_sizes_of_documents_out_of_range_is_a_neardup_error(
    isolated: Isolated, side: str, doc: int
) -> None:
    pair = [[doc], [0]] if side == "left" else [[0], [doc]]
    assert_neardup_error(_intersect(isolated, [0, 3, 6], *pair))


def test_intersection_sizes_with_starts_past_the_end_of_the_hashes_is_a_neardup_error(
    isolated: Isolated,
) -> None:
    assert_neardup_error(_intersect(isolated, [0, 3, 6 + 64], [0], [1]))


def test_intersection_sizes_of_left_and_right_of_different_lengths_is_a_neardup_error(
    isolated: Isolated,
) -> None:
    assert_neardup_error(_intersect(isolated, [0, 3, 6], [0, 1, 0], [1]))


@pytest.mark.parametrize(("bands", "rows"), [(3, 3), (1, 9), (9, 1), (2, 2**40)])
def test_band_keys_of_more_rows_than_the_signatures_hold_is_a_neardup_error(
    isolated: Isolated, bands: int, rows: int
) -> None:
    signatures = np.arange(24, dtype=np.uint32).reshape(3, 8)
    assert_neardup_error(isolated.call("band_keys", signatures, bands, rows))


def _sharing_enough(
    n_docs: int = 3, sizes: int = 3, min_share: float = 0.5, budget: int = 10
) -> tuple:
    """`pairs_sharing_enough`'s arguments: documents 0 to 2 sharing key 1, in the first of 8
    buckets (3 bits)."""
    packed = np.array([(1 << 3) | d for d in range(3)], np.uint64)
    bounds = np.r_[0, np.full(8, 3)].astype(np.int64)
    lengths = np.r_[3, np.zeros(7)].astype(np.int64)
    return ((packed, bounds, lengths, 3, 0), n_docs, np.ones(sizes, np.int64), min_share, budget)


def test_pairs_sharing_enough_of_good_arguments_are_found() -> None:
    pairs, shared = kernel.pairs_sharing_enough(*_sharing_enough())
    assert pairs.tolist() == [1, 2, (1 << 32) | 2]
    assert shared.tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    "bad",
    [
        {"sizes": 2},  # a size short
        {"min_share": float("nan")},
        {"min_share": -0.5},
        {"budget": 0},
        {"n_docs": -1},
        {"n_docs": 9, "sizes": 9},  # more documents than 3 bits number
        {"n_docs": 2**40},
    ],
)
def test_pairs_sharing_enough_of_bad_arguments_is_a_neardup_error(
    isolated: Isolated, bad: dict
) -> None:
    assert_neardup_error(isolated.call("pairs_sharing_enough", *_sharing_enough(**bad)))


_NO_KEYS, _NO_BYTES = np.empty(0, np.uint64), np.empty(0, np.uint8)


@pytest.mark.parametrize("name", ["pairs_sharing_enough", "left_work"])
def test_more_documents_than_a_pair_s_32_bits_hold_are_a_neardup_error(
    isolated: Isolated, name: str
) -> None:
    """Packed in 40 bits, but a pair holds each document in 32."""
    groups = (_NO_KEYS, np.zeros(2, np.int64), np.zeros(1, np.int64), 40, 0)
    rest = (np.ones(1, np.int64), 0.5, 10) if name == "pairs_sharing_enough" else ()
    assert_neardup_error(isolated.call(name, groups, 2**32 + 1, *rest))


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("minhash", (HASHES, np.array([0, 3, 6], np.int64), 2**31, np.uint64(1))),
        (
            "left_work",
            ((np.empty(0, np.uint64), np.zeros(1, np.int64), np.empty(0, np.int64), 3, 0), 2**40),
        ),
        (
            "dense_table",
            (np.empty(0, np.uint32), np.zeros(1, np.int64), np.empty(0, np.uint8), 2**40),
        ),
    ],
)
def test_sizes_too_large_to_allocate_are_a_neardup_error(
    isolated: Isolated, name: str, args: tuple
) -> None:
    """A size the core would allocate for is bounded first: an allocation that fails aborts the
    process, which no exception handler catches."""
    assert_neardup_error(isolated.call(name, *args))


def test_an_argument_numpy_cannot_make_an_array_of_is_a_neardup_error(isolated: Isolated) -> None:
    starts = np.array([0, 1, 2], np.int64)
    outcome = isolated.call("intersection_sizes", np.zeros(2, np.uint64), starts, [0], ["a"])
    assert_neardup_error(outcome)


def test_a_fortran_ordered_signature_array_is_read_by_rows() -> None:
    signatures = np.arange(32, dtype=np.uint32).reshape(4, 8)
    fortran = np.asfortranarray(signatures)
    assert kernel.band_keys(fortran, 2, 4).tolist() == kernel.band_keys(signatures, 2, 4).tolist()
