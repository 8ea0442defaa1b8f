//! Sketches of normalized documents: exact and number-masked keys, word n-gram (shingle)
//! hashes, winnowed fingerprints, one-permutation MinHash signatures and LSH band keys.

use multiversion::multiversion;

use crate::hash::{chain, fmix64, FNV_OFFSET, FNV_PRIME, M1, M2, MAX32};
use crate::normal::Folder;
use crate::parallel;
use crate::spread;
use crate::text;

/// The key of a text with no token (empty, or punctuation only): such a text is never
/// matched, not even to its own copies.
pub const EMPTY_KEY: u64 = FNV_OFFSET;

/// Number words are looked up only for tokens whose top bits some number word has.
const WORD_FILTER_SHIFT: u32 = 54;

/// The token hashes of number words ("six", "million"), which count as numbers as digits do.
pub struct NumberWords {
    sorted: Vec<u64>,
    /// Which values of a token hash's top 10 bits a number word has (1 in 30 tokens passes).
    filter: [bool; 1 << 10],
}

impl NumberWords {
    pub fn new(hashes: &[u64]) -> Self {
        let mut sorted = hashes.to_vec();
        sorted.sort_unstable();
        let mut filter = [false; 1 << 10];
        for &x in &sorted {
            filter[(x >> WORD_FILTER_SHIFT) as usize] = true;
        }
        NumberWords { sorted, filter }
    }

    #[inline(always)]
    fn holds(&self, x: u64) -> bool {
        self.filter[(x >> WORD_FILTER_SHIFT) as usize] && self.sorted.binary_search(&x).is_ok()
    }
}

/// A key of a token sequence, and the same with every number masked.
///
/// The first is a document's exact key: texts with the same words are `exact` copies, whatever
/// punctuation and spacing separate them. A number is a run of tokens that start with a digit
/// or are number words, so "1.5", "6-3/16", "1980s" and "six" are each one number. Two
/// documents with equal masked keys and different exact keys differ only in their numbers.
pub fn sequence_keys(tokens: &[u64], digits: &[bool], numbers: &NumberWords) -> (u64, u64) {
    let (mut h, mut g) = (FNV_OFFSET, FNV_OFFSET);
    let mut in_number = false;
    for (&x, &digit) in tokens.iter().zip(digits) {
        h = chain(h, x);
        let number = digit || numbers.holds(x);
        if !number {
            g = chain(g, x);
        } else if !in_number {
            g = chain(g, M1);
        }
        in_number = number;
    }
    (h, g)
}

/// Buffers that sketching one document after another reuses.
#[derive(Default)]
pub struct Buffers {
    /// Shingle hashes in text order, and the fingerprints as winnowing picks them.
    shingles: Vec<u64>,
    prints: Vec<u64>,
    /// The buckets of `spread::sort_into`.
    ends: Vec<u32>,
}

/// `values` sorted, without repeats (`spread::sort_into`: hashes sort in linear time).
fn sorted_distinct(values: &[u64], ends: &mut Vec<u32>) -> Vec<u64> {
    let mut sorted = vec![0; values.len()];
    spread::sort_into(values, &mut sorted, ends);
    sorted.dedup();
    sorted
}

/// A document's sorted distinct word n-gram hashes, and its fingerprints: the smallest
/// shingle hash of every `window` consecutive shingles (Schleimer et al.'s winnowing), sorted
/// and distinct. Any run of `window` shingles that two documents share gives them a common
/// fingerprint. Fewer than `ngram` tokens make no shingle.
///
/// Compiled again for wider vector units, chosen on the machine that runs it: the shingles'
/// hashes and the windows' least values are computed many at a time (`shingle_hashes`).
#[multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2"))]
pub fn shingles_and_prints(
    tokens: &[u64],
    ngram: usize,
    seed: u64,
    window: usize,
    buffers: &mut Buffers,
) -> (Vec<u64>, Vec<u64>) {
    if tokens.len() < ngram {
        return (Vec::new(), Vec::new());
    }
    let Buffers {
        shingles,
        prints,
        ends,
    } = buffers;
    shingle_hashes(tokens, ngram, seed, shingles);
    winnow(shingles, window, prints);
    (
        sorted_distinct(shingles, ends),
        sorted_distinct(prints, ends),
    )
}

/// The hash of each run of `ngram` tokens, in text order, into `hashes`: the tokens folded in
/// from the seed, each by fmix64 of the hash so far and the token, plus its place in the run.
/// One token place at a time over every shingle, not one shingle at a time: the shingles'
/// chains are independent, so each step is a loop the compiler runs on vector lanes (a
/// shingle's own five steps wait on each other).
#[inline(always)]
fn shingle_hashes(tokens: &[u64], ngram: usize, seed: u64, hashes: &mut Vec<u64>) {
    let n = tokens.len() + 1 - ngram;
    hashes.clear();
    hashes.resize(n, seed);
    for k in 0..ngram {
        for (h, &t) in hashes.iter_mut().zip(&tokens[k..k + n]) {
            *h = fmix64(*h ^ t).wrapping_add(k as u64);
        }
    }
}

/// The smallest of every `window` consecutive `values` (of the fewer there are), into
/// `smallest`, each once where neighbouring windows share it (as they mostly do). The least of
/// each window is found one offset in the window at a time, on vector lanes; which window's
/// least is new is as hard to predict as the hashes: each is written, and counted only where
/// it is new.
#[inline(always)]
fn winnow(values: &[u64], window: usize, smallest: &mut Vec<u64>) {
    let windows = values.len().saturating_sub(window) + 1;
    smallest.clear();
    smallest.extend_from_slice(&values[..windows]);
    for k in 1..window.min(values.len()) {
        for (least, &v) in smallest.iter_mut().zip(&values[k..k + windows]) {
            *least = (*least).min(v);
        }
    }
    let mut kept = 0;
    let mut last = None;
    for w in 0..windows {
        let least = smallest[w];
        smallest[kept] = least;
        kept += (last != Some(least)) as usize;
        last = Some(least);
    }
    smallest.truncate(kept);
}

/// How documents are sketched.
pub struct Settings {
    /// Words a shingle.
    pub ngram: usize,
    pub seed: u64,
    /// Shingles a winnowing window.
    pub window: usize,
    /// Values a MinHash signature.
    pub num_perm: usize,
    /// Whether each document's fingerprints lead its shingles ([`prints_first`]) instead of
    /// being given apart: a spool then writes each fingerprint once, not twice.
    pub prints_lead: bool,
}

/// The sketches of a batch: document d's sorted, distinct shingle hashes are
/// `shingles[starts[d]..starts[d + 1]]`, its fingerprints `prints[print_starts[d]..]`, its
/// signature `signatures[d * num_perm..(d + 1) * num_perm]`. Where fingerprints lead the
/// shingles (`Settings::prints_lead`), `prints` is empty, and document d's shingles are its
/// `print_starts[d + 1] - print_starts[d]` fingerprints, sorted, then the others, sorted.
pub struct Sketched {
    pub token_counts: Vec<i64>,
    pub exact_keys: Vec<u64>,
    pub masked_keys: Vec<u64>,
    pub shingles: Vec<u64>,
    pub starts: Vec<i64>,
    pub prints: Vec<u64>,
    pub print_starts: Vec<i64>,
    pub signatures: Vec<u32>,
}

/// One thread's buffers, reused from document to document.
#[derive(Default)]
struct Scratch {
    normal: Vec<u8>,
    tokens: Vec<u64>,
    digits: Vec<bool>,
    buffers: Buffers,
}

impl Scratch {
    /// The tokens of `text`'s normal form, into `tokens` and `digits`.
    fn tokenize(&mut self, folder: &Folder, text: &[u8]) {
        self.tokens.clear();
        self.digits.clear();
        if text.is_ascii() {
            // Its normal form's tokens, without writing the normal form (`text::tokens`).
            text::ascii_tokens(text, folder.ascii(), &mut self.tokens, &mut self.digits);
            return;
        }
        self.normal.clear();
        folder.normal_form(text, &mut self.normal);
        text::tokens(
            &self.normal,
            &text::IDENTITY,
            &mut self.tokens,
            &mut self.digits,
        );
    }
}

/// Normalize, tokenize, shingle, winnow and MinHash each raw UTF-8 text in one pass over its
/// bytes, on every core. Where `cuts[d]` holds the text with its page furniture left out, the
/// shingles, fingerprints and signature are that text's, and the exact and masked keys still
/// the whole text's: texts that differ only in a furniture line are not `exact`.
pub fn sketch_texts(
    texts: &[&[u8]],
    cuts: &[Option<&[u8]>],
    folder: &Folder,
    numbers: &NumberWords,
    settings: &Settings,
) -> Sketched {
    let docs = parallel::map_init(texts.len(), Scratch::default, |scratch, d| {
        scratch.tokenize(folder, texts[d]);
        let keys = sequence_keys(&scratch.tokens, &scratch.digits, numbers);
        if let Some(cut) = cuts[d] {
            scratch.tokenize(folder, cut);
        }
        let (shingles, prints) = shingles_and_prints(
            &scratch.tokens,
            settings.ngram,
            settings.seed,
            settings.window,
            &mut scratch.buffers,
        );
        let mut signature = vec![0u32; settings.num_perm];
        minhash_row(&shingles, settings.seed, &mut signature);
        let n_prints = prints.len();
        let (shingles, prints) = match settings.prints_lead {
            true => (prints_first(&prints, &shingles), Vec::new()),
            false => (shingles, prints),
        };
        (
            scratch.tokens.len() as i64,
            keys,
            shingles,
            (prints, n_prints),
            signature,
        )
    });
    let n = docs.len();
    let (mut token_counts, mut exact_keys, mut masked_keys) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut shingle_parts, mut print_parts) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut print_counts = Vec::with_capacity(n);
    let mut signatures = Vec::with_capacity(n * settings.num_perm);
    for (count, (exact, masked), shingles, (prints, n_prints), signature) in docs {
        token_counts.push(count);
        exact_keys.push(exact);
        masked_keys.push(masked);
        shingle_parts.push(shingles);
        print_parts.push(prints);
        print_counts.push(n_prints);
        signatures.extend_from_slice(&signature);
    }
    let (shingles, starts) = parallel::joined(&shingle_parts);
    // Where fingerprints lead the shingles, none is given apart, but all are counted.
    let (prints, _) = parallel::joined(&print_parts);
    let print_starts = parallel::starts_of(print_counts);
    Sketched {
        token_counts,
        exact_keys,
        masked_keys,
        shingles,
        starts,
        prints,
        print_starts,
        signatures,
    }
}

/// A document's sorted `shingles` laid out with its fingerprints (`prints`, some of them,
/// sorted) first, then the others, sorted: the fingerprints are the segment's head, and the
/// whole is two sorted runs (merged again where the set is wanted sorted). Whether the next
/// shingle is a fingerprint is as hard to predict as the hashes: each shingle is written at the
/// next free place, which counts as taken only where it is not one.
fn prints_first(prints: &[u64], shingles: &[u64]) -> Vec<u64> {
    // One place more than the shingles: a fingerprint that comes last is written past the end.
    let mut out = vec![0u64; shingles.len() + 1];
    out[..prints.len()].copy_from_slice(prints);
    let (mut next, mut p) = (prints.len(), 0);
    for &s in shingles {
        let print = prints.get(p) == Some(&s);
        out[next] = s;
        next += !print as usize;
        p += print as usize;
    }
    debug_assert_eq!(p, prints.len(), "fingerprints not among the shingles");
    out.truncate(shingles.len());
    out
}

/// Bin of a 64-bit hash among k, from its top 32 bits (multiply-shift, no division).
#[inline(always)]
fn bin(h: u64, k: u64) -> usize {
    (((h >> 32) * k) >> 32) as usize
}

/// A MinHash signature by one-permutation hashing with optimal densification (Shrivastava,
/// ICML 2017), written to `row` (`num_perm` values).
///
/// Each shingle is hashed once (fmix64 with the seed): its top bits choose one of `num_perm`
/// bins, its low 32 bits are the value, and a bin keeps its least value. An empty bin j takes
/// the value of the first filled bin in a sequence of bins that depends on j and the seed only,
/// the same in every document. Two documents then agree on a bin with probability their
/// Jaccard similarity, as with `num_perm` independent permutations, at the cost of one hash a
/// shingle. A document without shingles gets a row of 0xFFFFFFFF.
#[multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2"))]
pub fn minhash_row(hashes: &[u64], seed: u64, row: &mut [u32]) {
    row.fill(MAX32);
    if hashes.is_empty() {
        return;
    }
    let k = row.len() as u64;
    // Not the shingle hash's own seed: bins must not follow how shingles were hashed.
    let key = fmix64(seed ^ M2);
    let mut filled = vec![false; row.len()];
    // Hashed a block at a time on vector lanes, then each put in its bin.
    let mut block = [0u64; 64];
    for part in hashes.chunks(block.len()) {
        for (h, &x) in block.iter_mut().zip(part) {
            *h = fmix64(x ^ key);
        }
        for &h in &block[..part.len()] {
            let j = bin(h, k);
            filled[j] = true;
            row[j] = row[j].min(h as u32);
        }
    }
    for j in 0..row.len() {
        if filled[j] {
            continue;
        }
        let mut attempt: u64 = 1;
        loop {
            let probe = key
                .wrapping_add((j as u64).wrapping_mul(FNV_PRIME))
                .wrapping_add(attempt.wrapping_mul(M1));
            let source = bin(fmix64(probe), k);
            if filled[source] {
                row[j] = row[source];
                break;
            }
            attempt += 1;
        }
    }
}

/// Signatures of every document (`hashes[starts[d]..starts[d + 1]]`), `num_perm` values a row.
pub fn minhash(hashes: &[u64], starts: &[i64], num_perm: usize, seed: u64) -> Vec<u32> {
    let n_docs = starts.len() - 1;
    let mut signatures = vec![0u32; n_docs * num_perm];
    let mut rows: Vec<&mut [u32]> = signatures.chunks_mut(num_perm.max(1)).collect();
    parallel::map_mut(&mut rows, |d, row| {
        minhash_row(
            &hashes[starts[d] as usize..starts[d + 1] as usize],
            seed,
            row,
        )
    });
    signatures
}

/// One 64-bit key per band and document (band-major); documents that agree on a band share
/// its key. `signatures` holds `width` values a row.
pub fn band_keys(signatures: &[u32], width: usize, bands: usize, rows: usize) -> Vec<u64> {
    let n_docs = signatures.len().checked_div(width).unwrap_or(0);
    let per_doc = parallel::map(n_docs, |d| {
        let row = &signatures[d * width..(d + 1) * width];
        (0..bands)
            .map(|j| {
                let start = fmix64((j as u64).wrapping_add(FNV_OFFSET));
                row[j * rows..(j + 1) * rows]
                    .iter()
                    .fold(start, |h, &v| fmix64(h ^ v as u64))
            })
            .collect::<Vec<u64>>()
    });
    let mut keys = vec![0u64; bands * n_docs];
    for (d, doc_keys) in per_doc.iter().enumerate() {
        for (j, &key) in doc_keys.iter().enumerate() {
            keys[j * n_docs + d] = key;
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winnowing_keeps_the_least_of_each_window() {
        let tokens: Vec<u64> = (1..=10).collect();
        let (shingles, prints) = shingles_and_prints(&tokens, 1, 0, 4, &mut Buffers::default());
        assert_eq!(shingles.len(), 10);
        assert!(prints.len() <= 7 && !prints.is_empty());
        assert!(prints.iter().all(|p| shingles.binary_search(p).is_ok()));
    }

    #[test]
    fn winnowing_equals_the_least_of_each_window_once_where_neighbours_share_it() {
        let values: Vec<u64> = (0..40u64).map(|i| fmix64(i % 13) % 50).collect();
        for len in 1..values.len() {
            for window in 1..8 {
                let values = &values[..len];
                let mut expected: Vec<u64> = values
                    .windows(window.min(len))
                    .map(|w| *w.iter().min().unwrap())
                    .collect();
                expected.dedup();
                let mut found = Vec::new();
                winnow(values, window, &mut found);
                assert_eq!(found, expected, "{len} values, window {window}");
            }
        }
    }

    #[test]
    fn shingles_fold_their_tokens_in_order() {
        let tokens: Vec<u64> = (0..30u64).map(fmix64).collect();
        for ngram in 1..6 {
            let mut found = Vec::new();
            shingle_hashes(&tokens, ngram, 7, &mut found);
            let expected: Vec<u64> = tokens
                .windows(ngram)
                .map(|gram| {
                    gram.iter()
                        .enumerate()
                        .fold(7, |h, (k, &t)| fmix64(h ^ t).wrapping_add(k as u64))
                })
                .collect();
            assert_eq!(found, expected, "ngram {ngram}");
        }
    }

    #[test]
    fn prints_lead_the_shingles_and_the_rest_follow_sorted() {
        let shingles = [2u64, 3, 5, 8, 13, 21];
        for prints in [&[][..], &[2], &[21], &[3, 8, 21], &shingles] {
            let laid = prints_first(prints, &shingles);
            let rest: Vec<u64> = shingles
                .iter()
                .copied()
                .filter(|s| !prints.contains(s))
                .collect();
            assert_eq!(laid, [prints, &rest[..]].concat(), "{prints:?}");
        }
    }

    #[test]
    fn short_documents_have_no_shingle() {
        assert_eq!(
            shingles_and_prints(&[1, 2], 3, 0, 4, &mut Buffers::default()),
            (vec![], vec![])
        );
    }

    #[test]
    fn minhash_of_nothing_is_all_ones_and_of_something_fills_every_bin() {
        let mut row = vec![0u32; 16];
        minhash_row(&[], 1, &mut row);
        assert!(row.iter().all(|&v| v == MAX32));
        minhash_row(&[42], 1, &mut row);
        assert!(row.iter().all(|&v| v == row[0]));
    }

    #[test]
    fn masked_keys_ignore_which_number() {
        let numbers = NumberWords::new(&[]);
        let a = sequence_keys(&[1, 2, 3], &[false, true, false], &numbers);
        let b = sequence_keys(&[1, 9, 3], &[false, true, false], &numbers);
        assert_ne!(a.0, b.0);
        assert_eq!(a.1, b.1);
    }
}
