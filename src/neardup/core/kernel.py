"""The hot loops, compiled with numba: tokenize, shingle, MinHash, band keys, set intersection.

Every function takes whole batches (one byte buffer with offsets, or arrays of pairs), so Python
crosses into compiled code once per batch and no per-token or per-shingle Python object exists.
`reference.py` holds the plain-Python definitions these are tested against.

Tokens: after `normalize`, a token is a run of ASCII letters/digits or non-ASCII characters; each
character of a script written without spaces (CJK, kana, Thai, ...) is a token of its own, so that
word n-grams become character n-grams there.

Longer than the other modules on purpose: it is the one module numba compiles and caches, and
the native core (a Rust extension) is to replace it whole, kernel for kernel, behind the same
function names; split, the boundary between Python and compiled code would be harder to see.
"""

from __future__ import annotations

import os

# OpenMP threads otherwise spin between parallel regions: while the reader thread prepares the
# next batch they would take its core (measured: 3x the CPU time on 2 cores). Read when numba
# loads its OpenMP layer, at the first parallel call; a user's own setting is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np
from numba import njit, prange

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_S32 = np.uint64(32)
MAX32 = np.uint32(0xFFFFFFFF)


@contextmanager
def threads(n: int | None) -> Iterator[None]:
    """Run the parallel kernels on `n` threads in this thread (None: as many as now; the setting
    is per thread)."""
    before = numba.get_num_threads()
    numba.set_num_threads(before if n is None else n)
    try:
        yield
    finally:
        numba.set_num_threads(before)


@njit(cache=True, inline="always")
def fmix64(h: np.uint64) -> np.uint64:
    """MurmurHash3's finalizer: spreads every input bit over the 64 output bits."""
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


@njit(cache=True, inline="always")
def _is_word_byte(c: np.uint8) -> bool:
    return (48 <= c <= 57) or (97 <= c <= 122) or (65 <= c <= 90) or c >= 128


@njit(cache=True, inline="always")
def _is_unspaced(cp: np.int64) -> bool:
    """Code points of scripts written without spaces between words."""
    return (
        (0x0E00 <= cp <= 0x0EFF)  # Thai, Lao
        or (0x1000 <= cp <= 0x109F)  # Myanmar
        or (0x1780 <= cp <= 0x17FF)  # Khmer
        or (0x3040 <= cp <= 0x30FF)  # Hiragana, Katakana
        or (0x3400 <= cp <= 0x4DBF)  # CJK extension A
        or (0x4E00 <= cp <= 0x9FFF)  # CJK unified ideographs
        or (0xF900 <= cp <= 0xFAFF)  # CJK compatibility ideographs
        or (0x20000 <= cp <= 0x3FFFF)  # CJK extensions B and later
    )


@njit(cache=True)
def _char_len(data: np.ndarray, i: int, end: int) -> tuple[int, int]:
    """Length in bytes and code point of the UTF-8 character at data[i]."""
    c = np.int64(data[i])
    if c < 0x80:
        return 1, c
    if c >= 0xF0:
        n = 4
        cp = c & 0x07
    elif c >= 0xE0:
        n = 3
        cp = c & 0x0F
    elif c >= 0xC0:
        n = 2
        cp = c & 0x1F
    else:
        return 1, c  # a stray continuation byte: a character of its own
    if i + n > end:
        return end - i, -1
    for k in range(1, n):
        cp = (cp << 6) | (np.int64(data[i + k]) & 0x3F)
    return n, cp


@njit(cache=True, inline="always")
def _listed(value: np.int64, sorted_values: np.ndarray) -> bool:
    i = np.searchsorted(sorted_values, value)
    return i < sorted_values.size and sorted_values[i] == value


@njit(cache=True)
def _normal_form(
    data: np.ndarray,
    start: int,
    end: int,
    starts: np.ndarray,
    pool: np.ndarray,
    spaced: np.ndarray,
    ascii_bytes: np.ndarray,
    out: np.ndarray,
) -> int:
    """Write the normal form of data[start:end] at the start of `out`; return its length.

    Code point c below the table's size becomes pool[starts[c]:starts[c + 1]] (`ascii_bytes[c]`
    for ASCII, where that is one byte); those above it listed in `spaced` (sorted) become a
    space; other code points stay as they are. Runs of spaces collapse to one, and there is none
    at either end.
    """
    size = starts.size - 1
    n = 0
    last = np.uint8(32)  # as if after a space: none at the start
    i = start
    while i < end:
        c = data[i]
        if c < 128:
            n, last = _put(out, n, last, ascii_bytes[c])
            i += 1
            continue
        width, cp = _char_len(data, i, end)
        if 0 <= cp < size:
            for k in range(starts[cp], starts[cp + 1]):
                n, last = _put(out, n, last, pool[k])
        elif cp >= size and _listed(cp, spaced):
            n, last = _put(out, n, last, np.uint8(32))
        else:
            for k in range(width):
                n, last = _put(out, n, last, data[i + k])
        i += width
    return n - 1 if n > 0 and out[n - 1] == 32 else n


@njit(cache=True, inline="always")
def _put(out: np.ndarray, n: int, last: np.uint8, byte: np.uint8) -> tuple[int, np.uint8]:
    """Write one byte of a normal form at out[n], and keep it unless it is a space after a space.

    Without a branch on the byte, which the processor cannot predict: `_normal_form` runs twice
    as fast as it did with one. Returns the new length and the byte, which is the last kept one
    either way (a space dropped after a space leaves a space last).
    """
    out[n] = byte
    return n + np.int64((byte != 32) | (last != 32)), byte


@njit(cache=True, parallel=True, nogil=True)
def normalize_utf8(
    data: np.ndarray,
    offsets: np.ndarray,
    starts: np.ndarray,
    pool: np.ndarray,
    growth: int,
    spaced: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The normal forms of a batch (see `normalize.normalize_batch`), and their offsets.

    `growth` bounds how many times longer than its UTF-8 bytes a normal form can be.
    """
    n_docs = offsets.size - 1
    lengths = np.zeros(n_docs, dtype=np.int64)
    room = np.empty(offsets[n_docs] * growth, dtype=np.uint8)
    ascii_bytes = pool[starts[:128]]  # every ASCII entry is one byte
    for d in prange(n_docs):
        place = room[offsets[d] * growth : offsets[d + 1] * growth]
        lengths[d] = _normal_form(
            data, offsets[d], offsets[d + 1], starts, pool, spaced, ascii_bytes, place
        )
    out_offsets = np.zeros(n_docs + 1, dtype=np.int64)
    out_offsets[1:] = np.cumsum(lengths)
    out = np.empty(out_offsets[n_docs], dtype=np.uint8)
    for d in prange(n_docs):
        out[out_offsets[d] : out_offsets[d + 1]] = room[offsets[d] * growth :][: lengths[d]]
    return out, out_offsets


@njit(cache=True)
def _token_hashes(
    data: np.ndarray, start: int, end: int, out: np.ndarray, digits: np.ndarray
) -> int:
    """Hash the tokens of data[start:end] into `out` (when not empty); return how many there are.

    Where `digits` is not empty, it receives 1 for each token that starts with an ASCII digit
    ("25", "1980s", "19th", "5bn"): a number, for telling look-alikes apart.
    """
    n = 0
    i = start
    h = _FNV_OFFSET
    in_word = False
    numeric = True
    while i < end:
        c = data[i]
        if c < 128:  # most bytes: no character to decode
            if _is_word_byte(c):
                if not in_word:
                    h = _FNV_OFFSET
                    in_word = True
                    numeric = 48 <= c <= 57
                h = (h ^ np.uint64(c)) * _FNV_PRIME
            elif in_word:
                if out.size:
                    out[n] = fmix64(h)
                if digits.size:
                    digits[n] = numeric
                n += 1
                in_word = False
            i += 1
            continue
        width, cp = _char_len(data, i, end)
        if _is_unspaced(cp):
            if in_word:
                if out.size:
                    out[n] = fmix64(h)
                if digits.size:
                    digits[n] = numeric
                n += 1
                in_word = False
            h = _FNV_OFFSET
            for k in range(width):
                h = (h ^ np.uint64(data[i + k])) * _FNV_PRIME
            if out.size:
                out[n] = fmix64(h)
            if digits.size:
                digits[n] = False
            n += 1
            i += width
            continue
        if not in_word:
            h = _FNV_OFFSET
            in_word = True
            numeric = 48 <= c <= 57
        for k in range(width):
            h = (h ^ np.uint64(data[i + k])) * _FNV_PRIME
        i += width
    if in_word:
        if out.size:
            out[n] = fmix64(h)
        if digits.size:
            digits[n] = numeric
        n += 1
    return n


@njit(cache=True)
def first_token_hashes(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The hash of the first token of each document (0 where it has none)."""
    n_docs = offsets.size - 1
    out = np.zeros(n_docs, dtype=np.uint64)
    no_flags = np.empty(0, dtype=np.uint8)
    for d in range(n_docs):
        count = _token_hashes(data, offsets[d], offsets[d + 1], out[:0], no_flags)
        tokens = np.empty(count, dtype=np.uint64)
        _token_hashes(data, offsets[d], offsets[d + 1], tokens, no_flags)
        if count:
            out[d] = tokens[0]
    return out


#: Fewer values than this are sorted by comparisons (and so is a bucket that holds more).
_SMALL_SORT = 64


@njit(cache=True)
def _sort_hashes(values: np.ndarray) -> None:
    """Sort hash values in place, in linear time: hashes are spread evenly, so counted into about
    as many buckets as there are values by their top bits, a bucket holds a value or two, which
    insertion sorts (np.sort's comparisons took 40% of the sketch kernel)."""
    n = values.size
    if n < _SMALL_SORT:
        values.sort()
        return
    bits = 1
    while (1 << bits) < n:
        bits += 1
    shift = np.uint64(64 - bits)
    bounds = np.zeros((1 << bits) + 1, dtype=np.int64)
    for v in values:
        bounds[np.int64(v >> shift) + 1] += 1
    for b in range(1 << bits):
        bounds[b + 1] += bounds[b]
    fill = bounds[:-1].copy()
    scratch = np.empty(n, dtype=values.dtype)
    for v in values:
        b = np.int64(v >> shift)
        scratch[fill[b]] = v
        fill[b] += 1
    for b in range(1 << bits):
        lo, hi = bounds[b], bounds[b + 1]
        if hi - lo > _SMALL_SORT:  # values that share their top bits: repeats of one, mostly
            scratch[lo:hi].sort()
            continue
        for x in range(lo + 1, hi):
            v = scratch[x]
            y = x - 1
            while y >= lo and scratch[y] > v:
                scratch[y + 1] = scratch[y]
                y -= 1
            scratch[y + 1] = v
    values[:] = scratch


@njit(cache=True)
def _sort_distinct(values: np.ndarray) -> int:
    """Sort in place and move the distinct values to the front; return how many there are."""
    _sort_hashes(values)
    m = 1
    for s in range(1, values.size):
        if values[s] != values[m - 1]:
            values[m] = values[s]
            m += 1
    return m


#: Number words are looked up only for tokens whose top bits some number word has.
_WORD_FILTER_SHIFT = np.uint64(54)


@njit(cache=True)
def _word_filter(number_words: np.ndarray) -> np.ndarray:
    """Which values of a token hash's top 10 bits a number word has (1 in 30 tokens passes)."""
    passes = np.zeros(1 << 10, dtype=np.bool_)
    for x in number_words:
        passes[x >> _WORD_FILTER_SHIFT] = True
    return passes


@njit(cache=True)
def _sequence_keys(
    tokens: np.ndarray, digits: np.ndarray, number_words: np.ndarray, word_filter: np.ndarray
) -> tuple:
    """A key of a token sequence, and the same with every number masked.

    The first is a document's exact key: texts with the same words are `exact` copies, whatever
    punctuation and spacing separate them.

    A number is a run of tokens that start with a digit or are number words (`number_words`: their
    sorted token hashes; `word_filter`: from `_word_filter`), so "1.5", "6-3/16", "1980s" and "six"
    are each one number. Two documents with equal masked keys and different token keys differ
    only in their numbers.
    """
    h = _FNV_OFFSET
    g = _FNV_OFFSET
    in_number = False
    for t in range(tokens.size):
        x = tokens[t]
        h = fmix64(h ^ x) + _FNV_PRIME
        number = digits[t] == 1 or (
            word_filter[x >> _WORD_FILTER_SHIFT] and _listed(x, number_words)
        )
        if not number:
            g = fmix64(g ^ x) + _FNV_PRIME
        elif not in_number:
            g = fmix64(g ^ _M1) + _FNV_PRIME
        in_number = number
    return h, g


#: The exact key of a text with no token (empty, or punctuation only): such a text is never
#: matched, not even to its own copies.
EMPTY_KEY = _FNV_OFFSET


@njit(cache=True, parallel=True, nogil=True)
def sequence_keys(
    data: np.ndarray, offsets: np.ndarray, docs: np.ndarray, number_words: np.ndarray
) -> tuple:
    """(exact keys, masked keys) of the documents `docs` of a normalized batch, as `sketch_batch`
    gives them: for documents whose shingles were made of less than their whole text."""
    exact_keys = np.empty(docs.size, dtype=np.uint64)
    masked_keys = np.empty(docs.size, dtype=np.uint64)
    word_filter = _word_filter(number_words)
    for k in prange(docs.size):
        start, end = offsets[docs[k]], offsets[docs[k] + 1]
        tokens = np.empty((end - start + 1) // 2, dtype=np.uint64)
        digits = np.empty(tokens.size, dtype=np.uint8)
        n = _token_hashes(data, start, end, tokens, digits)
        exact_keys[k], masked_keys[k] = _sequence_keys(
            tokens[:n], digits[:n], number_words, word_filter
        )
    return exact_keys, masked_keys


@njit(cache=True)
def _shingles_and_prints(
    tokens: np.ndarray,
    ngram: int,
    seed: np.uint64,
    window: int,
    out: np.ndarray,
    chosen: np.ndarray,
) -> tuple:
    """Word n-gram hashes into `out` and winnowed fingerprints into `chosen`, each sorted and
    distinct at the front; return how many of each."""
    n_shingles = tokens.size - ngram + 1
    if n_shingles <= 0:
        return 0, 0
    for s in range(n_shingles):
        h = seed
        for k in range(ngram):
            h = fmix64(h ^ tokens[s + k]) + np.uint64(k)
        out[s] = h
    n_windows = max(n_shingles - window + 1, 1)
    m = 0
    for w in range(n_windows):
        smallest = out[w]
        for k in range(w + 1, min(w + window, n_shingles)):
            smallest = min(smallest, out[k])
        # Neighbouring windows mostly share their smallest hash: keep it once.
        if m == 0 or chosen[m - 1] != smallest:
            chosen[m] = smallest
            m += 1
    return _sort_distinct(out[:n_shingles]), _sort_distinct(chosen[:m])


@njit(cache=True)
def _compact(buffer: np.ndarray, room: np.ndarray, used: np.ndarray) -> tuple:
    """The used front of each document's room in `buffer`, packed, and the document offsets."""
    n_docs = used.size
    starts = np.zeros(n_docs + 1, dtype=np.int64)
    for d in range(n_docs):
        starts[d + 1] = starts[d] + used[d]
    packed = np.empty(starts[n_docs], dtype=buffer.dtype)
    for d in range(n_docs):
        packed[starts[d] : starts[d + 1]] = buffer[room[d] : room[d] + used[d]]
    return packed, starts


@njit(cache=True, parallel=True, nogil=True)
def sketch_batch(
    data: np.ndarray,
    offsets: np.ndarray,
    ngram: int,
    seed: np.uint64,
    window: int,
    number_words: np.ndarray,
) -> tuple:
    """Tokenize each normalized document once and derive everything later stages need of it.

    Returns (token_counts, exact_keys, masked_keys, shingles, starts, prints, print_starts):
    document d's sorted, distinct word n-gram hashes are shingles[starts[d]:starts[d + 1]]; its
    fingerprints, the smallest shingle hash of every `window` consecutive shingles (Schleimer et
    al.'s winnowing), prints[print_starts[d]:...]. Any run of `window` shingles that two
    documents share gives them a common fingerprint. A document with fewer than `ngram` tokens
    has no shingle. Word and masked keys: see `_sequence_keys`.
    """
    n_docs = offsets.size - 1
    # A token takes at least two bytes (one of them a separator) but for the last one.
    room = np.zeros(n_docs + 1, dtype=np.int64)
    for d in range(n_docs):
        room[d + 1] = room[d] + (offsets[d + 1] - offsets[d] + 1) // 2
    buffer = np.empty(room[n_docs], dtype=np.uint64)
    print_buffer = np.empty(room[n_docs], dtype=np.uint64)
    token_counts = np.zeros(n_docs, dtype=np.int64)
    exact_keys = np.empty(n_docs, dtype=np.uint64)
    masked_keys = np.empty(n_docs, dtype=np.uint64)
    distinct = np.zeros(n_docs, dtype=np.int64)
    print_distinct = np.zeros(n_docs, dtype=np.int64)
    word_filter = _word_filter(number_words)
    for d in prange(n_docs):
        tokens = buffer[room[d] : room[d + 1]]
        digits = np.empty(tokens.size, dtype=np.uint8)
        n = _token_hashes(data, offsets[d], offsets[d + 1], tokens, digits)
        token_counts[d] = n
        exact_keys[d], masked_keys[d] = _sequence_keys(
            tokens[:n], digits[:n], number_words, word_filter
        )
        # The shingles overwrite the tokens they are made of, front to back.
        distinct[d], print_distinct[d] = _shingles_and_prints(
            tokens[:n].copy(), ngram, seed, window, tokens, print_buffer[room[d] : room[d + 1]]
        )
    shingles, starts = _compact(buffer, room, distinct)
    prints, print_starts = _compact(print_buffer, room, print_distinct)
    return token_counts, exact_keys, masked_keys, shingles, starts, prints, print_starts


@njit(cache=True, inline="always")
def _bin(h: np.uint64, k: int) -> np.int64:
    """Bin of a 64-bit hash among k, from its top 32 bits (multiply-shift, no division)."""
    return np.int64(((h >> _S32) * np.uint64(k)) >> _S32)


@njit(cache=True, parallel=True, nogil=True)
def minhash(hashes: np.ndarray, starts: np.ndarray, num_perm: int, seed: np.uint64) -> np.ndarray:
    """MinHash signatures by one-permutation hashing with optimal densification (Shrivastava,
    ICML 2017), one row per document.

    Each shingle is hashed once (fmix64 with the seed): its top bits choose one of `num_perm`
    bins, its low 32 bits are the value, and a bin keeps its least value. An empty bin j takes the
    value of the first filled bin in a sequence of bins that depends on j and the seed only, the
    same in every document. Two documents then agree on a bin with probability their Jaccard
    similarity, as with `num_perm` independent permutations, at the cost of one hash a shingle
    instead of `num_perm`. A document without shingles gets a row of 0xFFFFFFFF.
    """
    n_docs = starts.size - 1
    k = num_perm
    # Not the shingle hash's own seed: bins must not follow how shingles were hashed.
    key = fmix64(seed ^ _M2)
    signatures = np.full((n_docs, k), MAX32, dtype=np.uint32)
    for d in prange(n_docs):
        if starts[d] == starts[d + 1]:
            continue
        row = signatures[d]
        filled = np.zeros(k, dtype=np.bool_)
        for s in range(starts[d], starts[d + 1]):
            h = fmix64(hashes[s] ^ key)
            j = _bin(h, k)
            v = np.uint32(h & np.uint64(MAX32))
            filled[j] = True
            if v < row[j]:
                row[j] = v
        for j in range(k):
            if filled[j]:
                continue
            attempt = np.uint64(1)
            while True:
                source = _bin(fmix64(key + np.uint64(j) * _FNV_PRIME + attempt * _M1), k)
                if filled[source]:
                    row[j] = row[source]
                    break
                attempt += np.uint64(1)
    return signatures


@njit(cache=True, parallel=True)
def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per document and band; documents that agree on a band share its key."""
    n_docs = signatures.shape[0]
    keys = np.empty((bands, n_docs), dtype=np.uint64)
    for d in prange(n_docs):
        for j in range(bands):
            h = fmix64(np.uint64(j) + _FNV_OFFSET)
            for r in range(rows):
                h = fmix64(h ^ np.uint64(signatures[d, j * rows + r]))
            keys[j, d] = h
    return keys


@njit(cache=True, nogil=True)
def count_buckets(
    values: np.ndarray, begin: np.ndarray, end: np.ndarray, bits: int, counts: np.ndarray
) -> None:
    """Add to `counts[b + 1]` how many of the keys `values[begin[i]:end[i]]` fall in bucket b,
    the bucket of a key being its top `bits` bits."""
    shift = np.uint64(64 - bits)
    for i in range(begin.size):
        for k in range(begin[i], end[i]):
            counts[np.int64(values[k] >> shift) + 1] += 1


@njit(cache=True, nogil=True)
def fill_buckets(
    values: np.ndarray,
    begin: np.ndarray,
    end: np.ndarray,
    owners: np.ndarray,
    bits: int,
    packed: np.ndarray,
    fill: np.ndarray,
) -> None:
    """Pack the keys `values[begin[i]:end[i]]` of document `owners[i]` into their buckets.

    The rest of a key, shifted up past its bucket bits, shares one uint64 with its document (which
    must be below 2**bits): within a bucket, sorting the packed values orders them by key and,
    for equal keys, by document, and equal keys have equal high parts. `fill[b]` is where bucket
    b's next key goes (its start, from `count_buckets`, at first).
    """
    shift = np.uint64(64 - bits)
    up = np.uint64(bits)
    for i in range(owners.size):
        doc = np.uint64(owners[i])
        for k in range(begin[i], end[i]):
            b = np.int64(values[k] >> shift)
            packed[fill[b]] = (values[k] << up) | doc
            fill[b] += 1


@njit(cache=True, parallel=True)
def sort_buckets(packed: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Sort each bucket in place on both cores, dropping repeats: bucket b keeps `lengths[b]`."""
    lengths = np.zeros(bounds.size - 1, dtype=np.int64)
    for b in prange(bounds.size - 1):
        lo, hi = bounds[b], bounds[b + 1]
        if hi - lo > 1:  # the high bits of a packed key are a hash's: spread evenly
            _sort_hashes(packed[lo:hi])
        kept = 0
        for x in range(lo, hi):
            if kept == 0 or packed[x] != packed[lo + kept - 1]:
                packed[lo + kept] = packed[x]
                kept += 1
        lengths[b] = kept
    return lengths


@njit(cache=True, inline="always")
def _group_end(packed: np.ndarray, start: int, stop: int, up: np.uint64) -> int:
    end = start + 1
    while end < stop and packed[end] >> up == packed[start] >> up:
        end += 1
    return end


@njit(cache=True, nogil=True)
def left_work(
    packed: np.ndarray,
    bounds: np.ndarray,
    lengths: np.ndarray,
    bits: int,
    max_group: int,
    n_docs: int,
) -> np.ndarray:
    """For each document, how many partners `partners_in_groups` lists for it (pairs in which it
    is the smaller document, once per shared key)."""
    work = np.zeros(n_docs, dtype=np.int64)
    up = np.uint64(bits)
    mask = np.uint64((1 << bits) - 1)
    for b in range(lengths.size):
        start, stop = bounds[b], bounds[b] + lengths[b]
        while start < stop:
            end = _group_end(packed, start, stop, up)
            size = end - start
            if max_group <= 0 or size <= max_group:
                for r in range(size):
                    work[np.int64(packed[start + r] & mask)] += size - 1 - r
            start = end
    return work


@njit(cache=True, nogil=True)
def partners_in_groups(
    packed: np.ndarray,
    bounds: np.ndarray,
    lengths: np.ndarray,
    bits: int,
    max_group: int,
    lo: int,
    hi: int,
    fill: np.ndarray,
    out: np.ndarray,
) -> None:
    """For each document i in [lo, hi), every larger document it shares a key with, once per
    shared key, written to `out` from `fill[i - lo]` on (which advances past them).

    Takes sorted buckets (`fill_buckets`, `sort_buckets`); `fill` comes from the running sum of
    `left_work`. Groups larger than `max_group` are skipped (max_group <= 0: no limit).
    """
    up = np.uint64(bits)
    mask = np.uint64((1 << bits) - 1)
    for b in range(lengths.size):
        start, stop = bounds[b], bounds[b] + lengths[b]
        while start < stop:
            end = _group_end(packed, start, stop, up)
            if max_group <= 0 or end - start <= max_group:
                for x in range(start, end - 1):
                    p = np.int64(packed[x] & mask)
                    if lo <= p < hi:
                        for y in range(x + 1, end):
                            out[fill[p - lo]] = np.uint32(packed[y] & mask)
                            fill[p - lo] += 1
            start = end


@njit(cache=True, parallel=True)
def shared_partners(
    partners: np.ndarray,
    offsets: np.ndarray,
    lo: int,
    hi: int,
    sizes: np.ndarray,
    min_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (i, j) of `partners_in_groups`, as i * 2**32 + j in order, and how many keys
    each shares; only those sharing at least `min_share * min(sizes[i], sizes[j])` keys."""
    counts = np.empty(partners.size, dtype=np.uint32)
    kept = np.zeros(hi - lo + 1, dtype=np.int64)
    for i in prange(lo, hi):
        first, last = offsets[i] - offsets[lo], offsets[i + 1] - offsets[lo]
        mine = partners[first:last]
        mine.sort()
        m = 0
        x = 0
        while x < mine.size:
            y = x + 1
            while y < mine.size and mine[y] == mine[x]:
                y += 1
            j = mine[x]
            if y - x >= min_share * min(sizes[i], sizes[j]):
                mine[m] = j
                counts[first + m] = y - x
                m += 1
            x = y
        kept[i - lo + 1] = m
    starts = np.cumsum(kept)
    pairs = np.empty(starts[-1], dtype=np.int64)
    shared = np.empty(starts[-1], dtype=np.int64)
    for i in prange(lo, hi):
        first = offsets[i] - offsets[lo]
        for k in range(starts[i - lo + 1] - starts[i - lo]):
            pairs[starts[i - lo] + k] = (np.int64(i) << 32) | np.int64(partners[first + k])
            shared[starts[i - lo] + k] = counts[first + k]
    return pairs, shared


@njit(cache=True)
def gather_segments(
    values: np.ndarray,
    starts: np.ndarray,
    docs: np.ndarray,
    out: np.ndarray,
    out_starts: np.ndarray,
) -> None:
    """Copy document d's segment `values[starts[d]:starts[d + 1]]` to `out[out_starts[d]:...]`
    for each d in `docs`, in the order given."""
    for d in docs:
        out[out_starts[d] : out_starts[d + 1]] = values[starts[d] : starts[d + 1]]


@njit(cache=True, parallel=True)
def intersection_sizes(
    hashes: np.ndarray, starts: np.ndarray, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """|A ∩ B| for each pair (left[i], right[i]) of documents, by merging their sorted shingles."""
    out = np.zeros(left.size, dtype=np.int64)
    for i in prange(left.size):
        x, x_end = starts[left[i]], starts[left[i] + 1]
        y, y_end = starts[right[i]], starts[right[i] + 1]
        common = 0
        while x < x_end and y < y_end:
            hx = hashes[x]
            hy = hashes[y]
            if hx == hy:
                common += 1
                x += 1
                y += 1
            elif hx < hy:
                x += 1
            else:
                y += 1
        out[i] = common
    return out
