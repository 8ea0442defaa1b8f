"""Sketches of a batch of documents: shingles, MinHash signatures, and exact-text keys."""

from __future__ import annotations

import mmap
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from neardup.core import kernel
from neardup.core.furniture import FIRST_WORDS, KEEP, MAX_LINE_WORDS, Furniture
from neardup.core.normal_bytes import (
    before_table,
    casefold_table,
    code_point_table,
    quick_check_table,
    table_for,
)

if TYPE_CHECKING:
    from neardup.options import Options


@dataclass(frozen=True)
class Sketches:
    """What the later stages need of a batch of documents, with no text in it.

    Document d's distinct shingle hashes are `shingles[starts[d]:starts[d + 1]]`, sorted; its
    fingerprints `prints[print_starts[d]:print_starts[d + 1]]`, sorted. Where `prints_lead` (a
    spool's sketches), the fingerprints are instead the head of the document's shingles, each
    part sorted (:meth:`print_segments`): the spool writes each fingerprint once.
    """

    #: uint64, a key of the whole text's token sequence: equal for texts with the same words
    #: (`kernel.EMPTY_KEY` for a text with none)
    exact_keys: np.ndarray
    masked_keys: np.ndarray  # uint64, the same with every number masked
    token_counts: np.ndarray  # int64, words (tokens) per document
    shingles: np.ndarray  # uint64
    starts: np.ndarray  # int64, len = documents + 1
    signatures: np.ndarray  # uint32, documents × num_perm
    prints: np.ndarray  # uint64, winnowed fingerprints (sorted, distinct per document)
    print_starts: np.ndarray  # int64, len = documents + 1
    #: uint64, documents × bands: the LSH band keys, kept by a spool in place of the signatures
    band_keys: np.ndarray | None = None
    #: Whether each document's fingerprints lead its shingles (`prints` is then empty, and
    #: `print_starts` still counts them)
    prints_lead: bool = False

    def __len__(self) -> int:
        return self.token_counts.size

    @property
    def shingle_counts(self) -> np.ndarray:
        return np.diff(self.starts)

    def shingles_of(self, d: int) -> np.ndarray:
        """Document d's shingle hashes, sorted."""
        shingles = self.shingles[self.starts[d] : self.starts[d + 1]]
        return np.sort(shingles) if self.prints_lead else shingles

    def prints_of(self, d: int) -> np.ndarray:
        """Document d's fingerprints, sorted."""
        values, begin, end = self.print_segments(np.array([d]))
        return values[begin[0] : end[0]]

    def print_segments(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The array that holds the fingerprints, and where those of each of `docs` begin and
        end in it."""
        if not self.prints_lead:
            return self.prints, self.print_starts[docs], self.print_starts[docs + 1]
        begin = self.starts[docs]
        return self.shingles, begin, begin + self.print_starts[docs + 1] - self.print_starts[docs]

    def keys_only(self) -> Sketches:
        """These sketches with their keys and token counts only, no shingle, fingerprint,
        signature or band key: what a corpus keeps once its pairs are scored (a spool's files
        are let go with the rest)."""
        n = len(self)
        return Sketches(
            exact_keys=self.exact_keys,
            masked_keys=self.masked_keys,
            token_counts=self.token_counts,
            shingles=np.empty(0, np.uint64),
            starts=np.zeros(n + 1, np.int64),
            signatures=np.empty((n, 0), np.uint32),
            prints=np.empty(0, np.uint64),
            print_starts=np.zeros(n + 1, np.int64),
        )

    def lsh_keys(self, docs: np.ndarray | slice, lsh: tuple[int, int]) -> np.ndarray:
        """The LSH band keys of documents `docs` (documents × bands) for `lsh` (bands, rows):
        those a spool kept, or made from the signatures."""
        if self.band_keys is not None:
            return self.band_keys[docs]
        return kernel.band_keys(self.signatures[docs], *lsh).T


#: Number words: masked like digits when telling look-alikes that differ only in numbers.
NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
    "half",
    "quarter",
)


@cache
def number_words() -> np.ndarray:
    """Sorted token hashes of NUMBER_WORDS."""
    data, offsets = encode_batch(NUMBER_WORDS)
    return np.sort(kernel.first_token_hashes(data, offsets))


def encode_batch(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One UTF-8 byte buffer and the document offsets into it, as the kernel takes them."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def sketch_texts(
    texts: list[str],
    *,
    ngram: int,
    num_perm: int,
    seed: int,
    window: int = 4,
    furniture: Furniture = KEEP,
    prints_lead: bool = False,
) -> Sketches:
    """Normalize, tokenize, shingle and MinHash a batch of raw texts.

    What `furniture` leaves out is left out of everything but the exact and masked keys, which
    are always those of the whole text: texts that differ only in a furniture line are not
    `exact`, and differ only in numbers if that line does. With `prints_lead`, each document's
    fingerprints lead its shingles (`Sketches.prints_lead`).
    """
    prepared, cuts = _prepared(texts, furniture)
    table = table_for(prepared + [c for c in cuts or () if c is not None])
    settings = _kernel_settings(ngram, seed, window, num_perm)
    arrays = kernel.sketch_texts(prepared, cuts, *table, *settings, prints_lead=prints_lead)
    return _sketches(arrays, prints_lead=prints_lead)


def sketch_utf8(
    data: np.ndarray,
    offsets: np.ndarray,
    given: Mapping[int, str],
    *,
    ngram: int,
    num_perm: int,
    seed: int,
    window: int = 4,
    furniture: Furniture = KEEP,
    prints_lead: bool = False,
) -> Sketches:
    """:func:`sketch_texts` of the texts `data[offsets[d]:offsets[d + 1]]` (UTF-8, read in
    place), but that text d is `given[d]` where there is one.

    The native core sketches a text from its bytes where it can tell that Python's steps
    would leave it as it is: no HTML character reference and NFKC's quick check passed
    (`before_table`), and no line that may be furniture (`furniture.strip`). Python prepares the
    others, and the given ones, as :func:`sketch_texts` does.
    """
    sent = kernel.texts_for_python(data, offsets, *_screen(furniture))
    at = sorted({*sent.tolist(), *given})
    texts = [given[d] if d in given else _text(data, offsets, d) for d in at]
    prepared, cuts = _prepared(texts, furniture)
    # A text that Python leaves as it is is read from the buffer.
    replaced = [
        None if t is p and d not in given else p
        for d, t, p in zip(at, texts, prepared, strict=True)
    ]
    arrays = kernel.sketch_utf8(
        data,
        offsets,
        np.array(at, dtype=np.int64),
        replaced,
        cuts or [None] * len(at),
        *code_point_table(),
        *_kernel_settings(ngram, seed, window, num_perm),
        prints_lead=prints_lead,
    )
    return _sketches(arrays, prints_lead=prints_lead)


def _kernel_settings(ngram: int, seed: int, window: int, num_perm: int) -> tuple[Any, ...]:
    """The sketch settings as the kernel's sketch functions take them, after the table."""
    return ngram, np.uint64(seed), window, num_perm, number_words()


def _text(data: np.ndarray, offsets: np.ndarray, d: int) -> str:
    return data[offsets[d] : offsets[d + 1]].tobytes().decode("utf-8")


def _prepared(texts: list[str], furniture: Furniture) -> tuple[list[str], list[str | None] | None]:
    """The texts through `before_table`, and where `furniture` leaves something out of one, that
    text without it, through `before_table` too (else None; no list where furniture is kept)."""
    prepared = [before_table(t) for t in texts]
    if not furniture.ignored:
        return prepared, None
    cut = [furniture.strip(t) for t in texts]
    return prepared, [None if c is t else before_table(c) for c, t in zip(cut, texts, strict=True)]


#: A run has one: kept for its chunks, not for every run of a long-lived process.
@lru_cache(maxsize=2)
def _screen(furniture: Furniture) -> tuple[Any, ...]:
    """The arguments of `kernel.texts_for_python` after the texts, for `furniture`."""
    words = list(FIRST_WORDS) if furniture.ignored else []
    recurring = np.array(sorted(furniture.lines), dtype=np.uint64)
    return quick_check_table(), words, recurring, MAX_LINE_WORDS, *casefold_table()


def _sketches(arrays: tuple[np.ndarray, ...], *, prints_lead: bool) -> Sketches:
    """Sketches of the arrays the kernel's sketch functions return."""
    token_counts, exact_keys, masked_keys, shingles, starts, prints, print_starts, signatures = (
        arrays
    )
    return Sketches(
        exact_keys=exact_keys,
        masked_keys=masked_keys,
        token_counts=token_counts,
        shingles=shingles,
        starts=starts,
        signatures=signatures,
        prints=prints,
        print_starts=print_starts,
        prints_lead=prints_lead,
    )


def sketch_settings(options: Options) -> dict[str, int]:
    """The sketch settings of `options`, as :func:`sketch_texts` takes them."""
    return {
        "ngram": options.ngram,
        "num_perm": options.num_perm,
        "seed": options.seed,
        "window": options.window,
    }


def sketch_with(
    options: Options, texts: list[str], furniture: Furniture = KEEP, *, prints_lead: bool = False
) -> Sketches:
    """:func:`sketch_texts` with the sketch settings of `options`."""
    return sketch_texts(
        texts, furniture=furniture, prints_lead=prints_lead, **sketch_settings(options)
    )


def for_scoring(
    shingles: np.ndarray, starts: np.ndarray, exact_keys: np.ndarray, masked_keys: np.ndarray
) -> Sketches:
    """Sketches that hold only what exact scoring reads (`verify.score_pairs`): each document's
    sorted shingle hashes (`shingles[starts[d]:starts[d + 1]]`) and its exact and masked keys.
    For documents whose shingles come from elsewhere: an index's table, Spark's rows."""
    n = starts.size - 1
    return Sketches(
        exact_keys=exact_keys,
        masked_keys=masked_keys,
        token_counts=np.zeros(n, np.int64),
        shingles=shingles,
        starts=starts,
        signatures=np.empty((n, 0), np.uint32),
        prints=np.empty(0, np.uint64),
        print_starts=np.zeros(n + 1, np.int64),
    )


class SketchSpool:
    """The sketches of a stream of batches, joined in order without holding two copies.

    Shingles and fingerprints, most of a sketch's bytes, go to an unlinked temporary file as each
    batch comes and are memory-mapped at the end: verification reads back only the shingles of
    the documents it compares, and the rest stay on disk. Batches sketched with their
    fingerprints leading their shingles (`Sketches.prints_lead`) write each fingerprint once.
    """

    def __init__(
        self, num_perm: int, lsh: tuple[int, int] | None = None, *, prints_lead: bool = False
    ) -> None:
        """With `lsh` (bands, rows), each batch's band keys are kept instead of its signatures:
        a fifth of the memory with 128 permutations and 14 bands. `prints_lead` is how every
        batch is sketched."""
        self.num_perm = num_perm
        self.lsh = lsh
        self.prints_lead = prints_lead
        self.parts: list[Sketches] = []
        # Closed by `sketches()`; unlinked from the start, so nothing is left behind on an error.
        # Fingerprints that lead the shingles are written with them.
        written = _SPOOLED[:1] if prints_lead else _SPOOLED
        self.files = {name: tempfile.TemporaryFile() for name in written}  # noqa: SIM115

    def add(self, part: Sketches) -> None:
        if part.prints_lead != self.prints_lead:
            raise ValueError("a batch sketched with its fingerprints laid out otherwise")
        for name, file in self.files.items():
            getattr(part, name).tofile(file)
        kept = {name: _NOTHING for name in _SPOOLED}
        if self.lsh is not None:
            keys = kernel.band_keys(part.signatures, *self.lsh)
            kept.update(
                signatures=np.empty((len(part), 0), np.uint32),
                band_keys=np.ascontiguousarray(keys.T),
            )
        self.parts.append(replace(part, **kept))

    def sketches(self) -> Sketches:
        """All batches as one. Called once: the spool's files are closed by it."""
        parts, self.parts = self.parts, []
        spooled = {name: _NOTHING for name in _SPOOLED}
        spooled.update({name: _mapped(file) for name, file in self.files.items()})
        keys = None
        if self.lsh is not None:
            keys = np.concatenate(
                [np.empty((0, self.lsh[0]), np.uint64)] + [p.band_keys for p in parts]
            )
        n_perm = 0 if self.lsh is not None else self.num_perm
        if not parts:
            return Sketches(
                exact_keys=np.empty(0, np.uint64),
                masked_keys=np.empty(0, np.uint64),
                token_counts=np.empty(0, np.int64),
                starts=np.zeros(1, np.int64),
                signatures=np.empty((0, n_perm), np.uint32),
                print_starts=np.zeros(1, np.int64),
                band_keys=keys,
                prints_lead=self.prints_lead,
                **spooled,
            )
        return Sketches(
            exact_keys=np.concatenate([p.exact_keys for p in parts]),
            masked_keys=np.concatenate([p.masked_keys for p in parts]),
            token_counts=np.concatenate([p.token_counts for p in parts]),
            starts=joined_starts([p.starts for p in parts]),
            signatures=np.concatenate([p.signatures for p in parts]),
            print_starts=joined_starts([p.print_starts for p in parts]),
            band_keys=keys,
            prints_lead=self.prints_lead,
            **spooled,
        )


#: The segmented arrays a spool keeps on disk.
_SPOOLED = ("shingles", "prints")
_NOTHING = np.empty(0, np.uint64)


def _mapped(file: IO[bytes]) -> np.ndarray:
    """The uint64 values written to `file`, mapped copy-on-write; the map outlives the file."""
    with file:
        file.flush()
        if file.tell() == 0:
            return np.empty(0, np.uint64)
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)
        return np.frombuffer(mapped, np.uint64)


def release_pages(values: np.ndarray) -> None:
    """Give back the memory of a spooled array read through (its pages are read from disk again
    if it is used later); nothing happens to an array that is not a spool's map.

    Only for arrays nothing wrote to: a spool's map is private, and writes would be dropped.
    """
    base = values.base.obj if isinstance(values.base, memoryview) else values.base
    if isinstance(base, mmap.mmap):
        base.madvise(mmap.MADV_DONTNEED)


def joined_starts(parts: list[np.ndarray]) -> np.ndarray:
    """The offsets of several concatenated segmented arrays."""
    counts = np.concatenate([np.diff(s) for s in parts])
    starts = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts
