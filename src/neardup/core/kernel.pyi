"""The native core (`native/`, Rust through PyO3): tokenize, shingle, MinHash, band keys,
pair counting and set intersection, over whole batches, on every core, without the GIL.

Bad input raises `neardup.errors.InputError`; a failure inside raises `NeardupError`.
`reference.py` holds the plain-Python definitions these are tested against.
"""

import numpy as np

#: The Unicode version of the tables the core ships (`shipped_tables`).
UNICODE_VERSION: str

#: The exact key of a text with no token (empty, or punctuation only): such a text is never
#: matched, not even to its own copies.
EMPTY_KEY: int

def normalize_utf8(
    data: np.ndarray, offsets: np.ndarray, starts: np.ndarray, pool: np.ndarray, spaced: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The normal forms of a batch (uint8) and their offsets (int64): each code point through
    the table of `normalize.code_point_table`, runs of spaces collapsed, none at either end."""

def first_token_hashes(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The hash of the first token of each document (uint64; 0 where it has none)."""

def sketch_texts(
    texts: list[str | bytes],
    cuts: list[str | bytes | None] | None,
    starts: np.ndarray,
    pool: np.ndarray,
    spaced: np.ndarray,
    ngram: int,
    seed: int,
    window: int,
    num_perm: int,
    number_words: np.ndarray,
    prints_lead: bool = False,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    """(token_counts, exact_keys, masked_keys, shingles, starts, prints, print_starts,
    signatures) of raw texts, each normalized, tokenized, shingled, winnowed and MinHashed in
    one pass; where `cuts[d]` is not None (text d without its furniture), all but the keys are
    of it. With `prints_lead`, each document's fingerprints lead its shingles and `prints` is
    empty (`print_starts` still counts them)."""

def sketch_utf8(
    data: np.ndarray,
    offsets: np.ndarray,
    at: np.ndarray,
    texts: list[str | None],
    cuts: list[str | None],
    starts: np.ndarray,
    pool: np.ndarray,
    spaced: np.ndarray,
    ngram: int,
    seed: int,
    window: int,
    num_perm: int,
    number_words: np.ndarray,
    prints_lead: bool = False,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    """`sketch_texts` of the texts `data[offsets[d]:offsets[d + 1]]` (UTF-8), read in place,
    but that text `at[k]` is `texts[k]` where that is not None, and its cut `cuts[k]` where that
    is not None."""

def minhash(hashes: np.ndarray, starts: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """One-permutation MinHash signatures with optimal densification (documents × num_perm,
    uint32); a document without shingles gets a row of 0xFFFFFFFF."""

def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per band and document (bands × documents)."""

def count_buckets(
    values: np.ndarray, begin: np.ndarray, end: np.ndarray, bits: int, counts: np.ndarray
) -> None:
    """Add to `counts[b + 1]` how many keys `values[begin[i]:end[i]]` fall in bucket b."""

def fill_buckets(
    values: np.ndarray,
    begin: np.ndarray,
    end: np.ndarray,
    owners: np.ndarray,
    bits: int,
    packed: np.ndarray,
    fill: np.ndarray,
) -> None:
    """Pack each key with its owner into its bucket at `fill[b]` (which advances)."""

def sort_buckets(packed: np.ndarray, bounds: np.ndarray, bits: int) -> np.ndarray:
    """Sort each bucket in place, keeping each key once per document and only the keys two or
    more documents hold; return how many each keeps."""

#: Sorted buckets read as groups of equal keys (`keys.Groups`): packed, bounds, lengths (of
#: `sort_buckets`), bits, max_group.
Groups = tuple[np.ndarray, np.ndarray, np.ndarray, int, int]

def left_work(groups: Groups, n_docs: int) -> np.ndarray:
    """For each document, how many partners `partners_in_groups` lists for it."""

def pairs_per_bucket(groups: Groups) -> np.ndarray:
    """For each bucket, how many partners `partners_in_groups` lists from it."""

def partners_in_groups(groups: Groups, lo: int, hi: int, fill: np.ndarray, out: np.ndarray) -> None:
    """For each document i in [lo, hi), every larger document it shares a key with, once per
    shared key, written to `out` from `fill[i - lo]` on."""

def shared_partners(
    partners: np.ndarray, offsets: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs i * 2**32 + j (int64, in order) of the partner lists of documents lo to hi,
    and how many keys each shares."""

def pairs_sharing_enough(
    groups: Groups, n_docs: int, sizes: np.ndarray, min_share: float, budget: int
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs i * 2**32 + j (int64, in order) that share at least
    `min_share * min(sizes[i], sizes[j])` keys of the groups, and how many each shares, found
    by prefix filtering, about `budget` partners listed at a time."""

def gather_segments(
    values: np.ndarray,
    starts: np.ndarray,
    docs: np.ndarray,
    out: np.ndarray,
    out_starts: np.ndarray,
    splits: np.ndarray | None = None,
) -> None:
    """Copy the segments of `docs` to their places in `out`; with `splits`, each segment is
    two sorted runs (cut at `splits[d]`), written merged."""

def intersection_sizes(
    hashes: np.ndarray, starts: np.ndarray, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """|A ∩ B| for each pair (left[i], right[i]) of sorted, distinct segments (int64)."""

def bloom_set_bits(bits: np.ndarray, mixed: np.ndarray, shift: int) -> None:
    """Set the bit `m >> shift` of a Bloom filter's `bits` for every mixed hash `m`."""

def line_pairs(
    texts: list[str], max_words: int, code_points: np.ndarray, starts: np.ndarray, pool: np.ndarray
) -> np.ndarray:
    """(text key, line key) rows (uint64, n × 2) for the lines of 1 to `max_words` words of
    each distinct text, with the casefold table (code points, starts, pool)."""

def line_pairs_utf8(
    data: np.ndarray,
    offsets: np.ndarray,
    max_words: int,
    code_points: np.ndarray,
    starts: np.ndarray,
    pool: np.ndarray,
) -> np.ndarray:
    """`line_pairs` of the texts `data[offsets[d]:offsets[d + 1]]` (UTF-8), read in place."""

def jsonl_line_pairs(
    chunk: np.ndarray,
    id_field: str,
    text_field: str,
    max_words: int,
    code_points: np.ndarray,
    starts: np.ndarray,
    pool: np.ndarray,
) -> tuple[int, np.ndarray | None]:
    """How many lines a chunk of whole JSONL lines has, and `line_pairs` of its records' texts;
    None where a record is not the simple case of `read_jsonl`."""

def texts_for_python(
    data: np.ndarray,
    offsets: np.ndarray,
    quick_check: np.ndarray,
    words: list[str],
    recurring: np.ndarray,
    max_words: int,
    code_points: np.ndarray,
    starts: np.ndarray,
    pool: np.ndarray,
) -> np.ndarray:
    """The texts `data[offsets[d]:offsets[d + 1]]` (UTF-8) that Python must see before they are
    sketched (int64, ascending): those that may hold an HTML character reference, that NFKC's
    quick check (`quick_check`) does not pass, or with a line that starts with one of `words`
    or whose key is one of `recurring` (sorted; lines of 1 to `max_words` words)."""

def read_jsonl(
    chunk: np.ndarray, id_field: str, text_field: str
) -> tuple[
    int,
    np.ndarray,
    list[str | None],
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    """(line_count, lines, ids, data, offsets, chars, left, spans) of a chunk of whole JSONL
    lines (uint8), parsed on every core: each line that is not blank is a record, at line
    `lines[r]` of the chunk, with id `ids[r]` and text `data[offsets[r]:offsets[r + 1]]` (UTF-8)
    of `chars[r]` code points, in the line of bytes `spans[r]` ([start, end)); the records in
    `left` (None as id, an empty text) are the ones Python must read."""

class KeptScan:
    """The records of a chunk of JSONL lines as `dedup` writes them (`scan_kept`)."""

def scan_kept(chunk: np.ndarray, id_field: str, text_field: str) -> KeptScan:
    """The records of a chunk of whole JSONL lines (uint8), each written, on every core, as
    `io/write.jsonl_line` writes what Python reads of its line, where the native core writes
    it (for `kept_lines`)."""

def kept_lines(
    scan: KeptScan,
    ids: list[str],
    first: int,
    removed: np.ndarray,
    cluster_ids: np.ndarray | None = None,
) -> tuple[int, int, np.ndarray, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(line_count, records, data, count, left, places, before, lines, spans) of `dedup`'s
    kept records in a scanned chunk whose `records` records are `ids[first:]` (bool `removed`
    and int64 `cluster_ids` by the same index): `data` (uint8) holds `count` lines, the kept
    records as the scan wrote them, with `"cluster_id"` added where `cluster_ids` is given
    (null where negative). The records in `left` are the ones Python must read: each one's
    line goes at byte `places[k]` of `data`, after `before[k]` of its lines, and is line
    `lines[k]` of the chunk, the bytes `spans[k]`."""

def shipped_tables() -> tuple[
    tuple[np.ndarray, np.ndarray, np.ndarray],
    np.ndarray,
    tuple[np.ndarray, np.ndarray, np.ndarray],
    tuple[np.ndarray, np.ndarray],
]:
    """((fold code points, starts, pool), spaced, (casefold code points, starts, pool),
    (quick check code points, values)) for UNICODE_VERSION (`normal_bytes.built_tables`)."""

def dense_table(
    code_points: np.ndarray, starts: np.ndarray, pool: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(starts, pool) of `size` code points: each its own UTF-8 but where the changes say."""

def shipped_char_table() -> np.ndarray:
    """The character classes the fact reader uses (uint32 ranges) for UNICODE_VERSION
    (`char_classes.built_char_table`)."""

def fact_tokens(texts: list[str | bytes], table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pairs, starts): each text's fact tokens (`facts.fact_tokens`) as distinct (token, word
    after it) hash pairs in ascending order, those of text d `pairs[starts[d]:starts[d + 1]]`
    (uint64, n × 2; int64)."""

def may_differ(
    pairs: np.ndarray, starts: np.ndarray, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """For each i, whether a fact of text `left[i]` may stand in place of one of text
    `right[i]` (bool), the fact tokens of text d being `pairs[starts[d]:starts[d + 1]]`."""

def text_facts(texts: list[str | bytes], table: np.ndarray) -> list[tuple[list[str], str]]:
    """(fields, caps_text) of each text as `facts.prepared` prepares it: the fields of its facts
    in order, five a fact (kind, value, shown, before, after), in one flat list."""

def compare_facts(
    texts: list[str | bytes], left: np.ndarray, right: np.ndarray, table: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(changes, dated, only_numbers, fewer, found) of each pair of texts (`left[i]`,
    `right[i]`) as `facts.prepared` prepares them, their facts read and compared as
    `facts.compare_facts` compares them (int64 but the flags, bool)."""

def char_look_scores(
    joined_a: str,
    joined_b: str,
    a_to_b: np.ndarray,
    b_to_a: np.ndarray,
    ngram: int,
    char_errors: float,
    number_words: list[str],
) -> tuple[float, float, float] | None:
    """The scores of the character-level second look (`charlook_reference._scored`) of two
    texts given as their words joined by single spaces (`charlook_reference._Side.joined`) and
    their characters' alignment (int64; `a_to_b[i]`: the character of b aligned to character i
    of a, or -1): (Jaccard, containment of a in b, containment of b in a) of their distinct
    word n-grams, or None where numbers stand in one text where the other has other numbers,
    more than the noise explains. `number_words` are `sketch.NUMBER_WORDS`."""

def char_alignment(a: str, b: str) -> np.ndarray:
    """For each character of `a`, the position in `b` of the character the Levenshtein
    alignment matches it with, or -1 (int64): rapidfuzz's alignment, that of
    `Levenshtein.editops(a, b).as_matching_blocks()`, on every input (characters compared by
    code point)."""

def char_look_pairs(
    texts: list[str],
    left: np.ndarray,
    right: np.ndarray,
    starts: np.ndarray,
    pool: np.ndarray,
    spaced: np.ndarray,
    ngram: int,
    char_errors: float,
    number_words: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """The character-level second look at the pairs (`texts[left[p]]`, `texts[right[p]]`),
    texts through `normal_bytes.before_table` and then normalized here with the table
    (`normal_bytes.code_point_table`), on every core: (scores, looked), scores float64 (pairs x
    3: Jaccard, containment of the left text in the right, of the right in the left, as
    `charlook.char_scores`) and looked bool, False where `char_scores` is None (scores 0)."""
