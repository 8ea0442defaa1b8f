//! The Levenshtein character alignment of the second look (`neardup.core.charlook`): which
//! character of one text stands for which character of the other.
//!
//! A pair of texts has many optimal alignments, and the second look's scores depend on which
//! one is taken. The specification is rapidfuzz's `Levenshtein.editops(a, b)` (Python's default
//! arguments) read through `as_matching_blocks()`: this module takes the same decisions, one
//! for one, so that the native second look scores every pair as the Python one does. What
//! fixes the choice among optimal alignments:
//!
//! * the first bound on the distance is the longer length (with no score hint, rapidfuzz does
//!   not compute the distance first): it decides whether the whole problem is cut, and the
//!   width of the first bands;
//! * the common prefix and suffix are matched first, at every level of the recursion;
//! * a large problem is cut in two (Hirschberg) where the row of `b` at `len(b) / 2` meets the
//!   first position of `a` with the smallest sum of the two halves' distances, each half's
//!   distance then bounding its own band;
//! * a small one is solved with the whole bit-parallel matrix (Hyyrö 2003: the vertical
//!   differences of the DP matrix, 64 cells a word) and walked back from the end, preferring a
//!   deletion, then an insertion, then the diagonal;
//! * the matrices and rows are banded (Ukkonen, by blocks of 64 cells as edlib does), and the
//!   band decides both the cells a walk back reads and the positions a cut may take. Cells
//!   outside the band are not computed: they read as rapidfuzz's store leaves them.
//!
//! Characters are compared by value only, so each text is first written with small dense ids
//! (the pattern tables then have a row per distinct character, not per code point).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::RangeInclusive;

const WORD: usize = 64;

/// For each character of `a`, the position in `b` of the character it is matched with on
/// rapidfuzz's Levenshtein alignment (`editops(a, b).as_matching_blocks()`), or -1.
pub fn aligned(a: &[u32], b: &[u32]) -> Vec<i32> {
    let mut a_to_b = vec![-1; a.len()];
    if a.is_empty() || b.is_empty() {
        return a_to_b;
    }
    let (a, b, alphabet) = dense_ids(a, b);
    let max = a.len().max(b.len());
    let mut matches = Matches {
        a_to_b: &mut a_to_b,
        alphabet,
    };
    matches.align(&a, &b, 0, 0, max);
    a_to_b
}

/// The other direction of an alignment: for each of `b_len` characters, the character of `a`
/// matched with it, or -1.
pub fn inverse(a_to_b: &[i32], b_len: usize) -> Vec<i32> {
    let mut b_to_a = vec![-1; b_len];
    for (i, &j) in a_to_b.iter().enumerate() {
        if let Some(slot) = usize::try_from(j).ok().and_then(|j| b_to_a.get_mut(j)) {
            *slot = i as i32;
        }
    }
    b_to_a
}

/// Both texts with each distinct code point replaced by a small id, and how many ids there are.
fn dense_ids(a: &[u32], b: &[u32]) -> (Vec<u32>, Vec<u32>, usize) {
    // Text is mostly ASCII: those ids come from a table, the rest from a map.
    let mut ascii = [u32::MAX; 128];
    let mut other: HashMap<u32, u32> = HashMap::new();
    let mut next = 0u32;
    let mut id = |c: u32| -> u32 {
        let slot = match ascii.get_mut(c as usize) {
            Some(slot) => slot,
            None => other.entry(c).or_insert(u32::MAX),
        };
        if *slot == u32::MAX {
            *slot = next;
            next += 1;
        }
        *slot
    };
    let a: Vec<u32> = a.iter().map(|&c| id(c)).collect();
    let b: Vec<u32> = b.iter().map(|&c| id(c)).collect();
    (a, b, next as usize)
}

fn common_prefix(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_suffix(a: &[u32], b: &[u32]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn reversed(s: &[u32]) -> Vec<u32> {
    s.iter().rev().copied().collect()
}

/// The alignment being written, and the size of the texts' alphabet.
struct Matches<'o> {
    a_to_b: &'o mut [i32],
    alphabet: usize,
}

impl Matches<'_> {
    fn matched(&mut self, src: usize, dest: usize) {
        self.a_to_b[src] = dest as i32;
    }

    /// Align `s1` (at `src` in `a`) with `s2` (at `dest` in `b`), whose distance is at most
    /// `max`.
    fn align(&mut self, s1: &[u32], s2: &[u32], src: usize, dest: usize, max: usize) {
        let prefix = common_prefix(s1, s2);
        let suffix = common_suffix(&s1[prefix..], &s2[prefix..]);
        for k in 0..prefix {
            self.matched(src + k, dest + k);
        }
        for k in 1..=suffix {
            self.matched(src + s1.len() - k, dest + s2.len() - k);
        }
        let s1 = &s1[prefix..s1.len() - suffix];
        let s2 = &s2[prefix..s2.len() - suffix];
        let (src, dest) = (src + prefix, dest + prefix);

        let max = max.min(s1.len().max(s2.len()));
        let full_band = s1.len().min(2 * max + 1);
        // rapidfuzz's rule for when the whole matrix (two bits a cell of the band) is small
        // enough to keep: under a mebibyte, or a text too short to cut.
        let matrix_bytes = 2 * full_band * s2.len() / 8;
        if matrix_bytes < 1024 * 1024 || s1.len() < 65 || s2.len() < 10 {
            self.align_whole(s1, s2, src, dest, max);
            return;
        }
        let cut = hirschberg_cut(s1, s2, max, self.alphabet);
        self.align(
            &s1[..cut.s1_mid],
            &s2[..cut.s2_mid],
            src,
            dest,
            cut.left_score,
        );
        self.align(
            &s1[cut.s1_mid..],
            &s2[cut.s2_mid..],
            src + cut.s1_mid,
            dest + cut.s2_mid,
            cut.right_score,
        );
    }

    /// Align with the whole (banded) matrix, walked back from the end.
    fn align_whole(&mut self, s1: &[u32], s2: &[u32], src: usize, dest: usize, max: usize) {
        if s1.is_empty() || s2.is_empty() {
            return;
        }
        let full_band = s1.len().min(2 * max + 1);
        let pattern = Pattern::new(s1, self.alphabet);
        let planes = if s1.len() <= WORD {
            one_word_matrix(&pattern, s1.len(), s2)
        } else if full_band <= WORD {
            small_band_matrix(&pattern, s1.len(), s2, max)
        } else {
            block_matrix(&pattern, s1.len(), s2, max)
        };
        self.walk_back(s1, s2, &planes, src, dest);
    }

    /// rapidfuzz's `recover_alignment`: from the last cell, a deletion where the cell is one
    /// more than the cell before it in `s1`; else an insertion where the cell above (one
    /// character less of `s2`) is one less than its own neighbour before it in `s1`; else the
    /// diagonal, a match where the characters are equal.
    fn walk_back(&mut self, s1: &[u32], s2: &[u32], planes: &Planes, src: usize, dest: usize) {
        let (mut col, mut row) = (s1.len(), s2.len());
        while row > 0 && col > 0 {
            if planes.vp(row - 1, col - 1) {
                col -= 1;
                continue;
            }
            row -= 1;
            if row > 0 && planes.vn(row - 1, col - 1) {
                continue;
            }
            col -= 1;
            if s1[col] == s2[row] {
                self.matched(src + col, dest + row);
            }
        }
    }
}

/// Pattern words kept in one dense table at most (64 MiB): a pair of texts with very many
/// distinct characters (hundreds of thousands, as in a page of Unicode tables) would otherwise
/// ask for a table of gigabytes, one row per character.
const DENSE_WORDS: usize = 8 << 20;

/// For each character and each 64-character block of a text, the bits of its positions: a row
/// of `words` blocks for each of the first `dense` character ids, and for the others (rare
/// characters: ids are given in order of first appearance) only their blocks that have a bit.
struct Pattern {
    words: usize,
    dense: usize,
    bits: Vec<u64>,
    /// Character `dense + k`'s blocks with a bit, in order: (block, bits).
    sparse: Vec<Vec<(usize, u64)>>,
}

impl Pattern {
    fn new(s: &[u32], alphabet: usize) -> Self {
        Self::with_dense_words(s, alphabet, DENSE_WORDS)
    }

    fn with_dense_words(s: &[u32], alphabet: usize, most: usize) -> Self {
        let words = s.len().div_ceil(WORD);
        let dense = alphabet.min(most / words.max(1));
        let mut bits = vec![0u64; dense * words];
        let mut sparse = vec![Vec::new(); alphabet - dense];
        for (i, &c) in s.iter().enumerate() {
            let (c, word, bit) = (c as usize, i / WORD, 1 << (i % WORD));
            if c < dense {
                bits[c * words + word] |= bit;
            } else {
                let blocks: &mut Vec<(usize, u64)> = &mut sparse[c - dense];
                match blocks.last_mut() {
                    Some((last, b)) if *last == word => *b |= bit,
                    _ => blocks.push((word, bit)),
                }
            }
        }
        Pattern {
            words,
            dense,
            bits,
            sparse,
        }
    }

    #[inline]
    fn get(&self, word: usize, c: u32) -> u64 {
        let c = c as usize;
        if c < self.dense {
            return self.bits[c * self.words + word];
        }
        let blocks = &self.sparse[c - self.dense];
        match blocks.binary_search_by_key(&word, |&(w, _)| w) {
            Ok(k) => blocks[k].1,
            Err(_) => 0,
        }
    }

    /// The bits of `c` in every block.
    #[inline]
    fn row(&self, c: u32) -> Cow<'_, [u64]> {
        let c = c as usize;
        if c < self.dense {
            let start = c * self.words;
            return Cow::Borrowed(&self.bits[start..start + self.words]);
        }
        let mut row = vec![0; self.words];
        for &(word, bits) in &self.sparse[c - self.dense] {
            row[word] = bits;
        }
        Cow::Owned(row)
    }

    /// The bits of `c` at positions `start .. start + 64` (none before 0 or past the end).
    fn window(&self, c: u32, start: isize) -> u64 {
        if start < 0 {
            let shift = start.unsigned_abs();
            return if shift >= WORD {
                0
            } else {
                self.get(0, c) << shift
            };
        }
        let (word, at) = (start as usize / WORD, start as usize % WORD);
        if word >= self.words {
            return 0;
        }
        let mut bits = self.get(word, c) >> at;
        if at != 0 && word + 1 < self.words {
            bits |= self.get(word + 1, c) << (WORD - at);
        }
        bits
    }
}

/// The vertical differences of a DP matrix as rapidfuzz stores them: for row r (after the
/// character r of `s2`), `width` words that start at the cell `offsets[r]` of `s1`, bit k of
/// `vp` set where cell offset+k is one more than the cell before it, of `vn` where it is one
/// less. Rows lie end to end in one buffer, as in rapidfuzz's, which also decides what a
/// read past a row's words gives; a cell before a row's offset reads as unset.
struct Planes {
    width: usize,
    vp: Vec<u64>,
    vn: Vec<u64>,
    offsets: Vec<isize>,
}

impl Planes {
    /// Rows as rapidfuzz initialises them: every vp bit set, no vn bit, offset 0.
    fn new(rows: usize, width: usize) -> Self {
        Planes {
            width,
            vp: vec![!0; rows * width],
            vn: vec![0; rows * width],
            offsets: vec![0; rows],
        }
    }

    fn store(&mut self, row: usize, word: usize, vp: u64, vn: u64) {
        let at = row * self.width + word;
        if at < self.vp.len() {
            self.vp[at] = vp;
            self.vn[at] = vn;
        }
    }

    fn at(&self, row: usize, col: usize) -> Option<(usize, u64)> {
        let cell = col as isize - *self.offsets.get(row)?;
        if cell < 0 {
            return None;
        }
        let cell = cell as usize;
        let at = row * self.width + cell / WORD;
        (at < self.vp.len()).then_some((at, 1 << (cell % WORD)))
    }

    fn vp(&self, row: usize, col: usize) -> bool {
        self.at(row, col)
            .is_some_and(|(at, mask)| self.vp[at] & mask != 0)
    }

    fn vn(&self, row: usize, col: usize) -> bool {
        self.at(row, col)
            .is_some_and(|(at, mask)| self.vn[at] & mask != 0)
    }
}

/// One step of Hyyrö's algorithm on one word: the vertical differences (vp, vn) of the
/// column before, the characters' match bits, and the horizontal difference carried in from
/// the word above (hp_in, hn_in: 1 or 0). Gives the new vertical differences and the word's
/// horizontal differences (hp, hn) before they are shifted down.
#[inline(always)]
fn hyyro_step(vp: u64, vn: u64, matches: u64, hp_in: u64, hn_in: u64) -> (u64, u64, u64, u64) {
    let x = matches | hn_in;
    let d0 = ((x & vp).wrapping_add(vp) ^ vp) | x | vn;
    let hp = vn | !(d0 | vp);
    let hn = d0 & vp;
    let hp_shifted = (hp << 1) | hp_in;
    let hn_shifted = (hn << 1) | hn_in;
    (hn_shifted | !(d0 | hp_shifted), hp_shifted & d0, hp, hn)
}

/// The whole matrix of an `s1` of at most 64 characters: one word a row, unbanded.
fn one_word_matrix(pattern: &Pattern, len1: usize, s2: &[u32]) -> Planes {
    debug_assert!(len1 <= WORD);
    let mut planes = Planes::new(s2.len(), 1);
    let (mut vp, mut vn) = (!0u64, 0u64);
    for (row, &c) in s2.iter().enumerate() {
        (vp, vn, _, _) = hyyro_step(vp, vn, pattern.get(0, c), 1, 0);
        planes.store(row, 0, vp, vn);
    }
    planes
}

/// The matrix of a band of at most 64 cells (2 * max + 1 ≤ 64, `s1` longer than 64) that
/// slides one cell down `s1` a row: one word a row, row r starting at cell r + max + 2 - 64.
fn small_band_matrix(pattern: &Pattern, len1: usize, s2: &[u32], max: usize) -> Planes {
    let len2 = s2.len();
    let mut planes = Planes::new(len2, 1);
    for (row, offset) in planes.offsets.iter_mut().enumerate() {
        *offset = row as isize + max as isize + 2 - WORD as isize;
    }
    let mut vp = !0u64 << (WORD - max - 1);
    let mut vn = 0u64;
    let mut dist = max;
    // rapidfuzz gives up (leaving the rows not reached as initialised) once the band's score
    // shows the distance is above `max`; that cannot happen for a true bound, but where it
    // would, the same rows are left.
    let break_score = (2 * max + len2).wrapping_sub(len1);
    let diagonal_until = len1 - max;
    let mut horizontal = 1u64 << (WORD - 2);
    for (row, &c) in s2.iter().enumerate() {
        let start = row as isize + max as isize + 1 - WORD as isize;
        let x = pattern.window(c, start);
        let d0 = ((x & vp).wrapping_add(vp) ^ vp) | x | vn;
        let hp = vn | !(d0 | vp);
        let hn = d0 & vp;
        if row < diagonal_until {
            dist += usize::from(d0 >> (WORD - 1) == 0);
        } else {
            dist += usize::from(hp & horizontal != 0);
            dist = dist.wrapping_sub(usize::from(hn & horizontal != 0));
            horizontal >>= 1;
        }
        if dist > break_score {
            break;
        }
        vp = hn | !((d0 >> 1) | hp);
        vn = (d0 >> 1) & hp;
        planes.store(row, 0, vp, vn);
    }
    planes
}

/// The banded matrix of a long `s1`, by 64-cell blocks (rapidfuzz's
/// `levenshtein_hyrroe2003_block`, recording each row's words from its first block on).
fn block_matrix(pattern: &Pattern, len1: usize, s2: &[u32], max: usize) -> Planes {
    let full_band = len1.min(2usize.saturating_mul(max).saturating_add(1));
    let width = pattern.words.min(full_band / WORD + 2);
    let mut planes = Planes::new(s2.len(), width);
    let Some(mut band) = Band::new(pattern, len1, s2.len(), max) else {
        // Unreachable for a true bound; rapidfuzz keeps no rows then.
        return Planes::new(0, width);
    };
    for (row, &c) in s2.iter().enumerate() {
        let (computed, alive) = band.step(c, row);
        band.store(&mut planes, row, computed);
        if !alive {
            break;
        }
    }
    planes
}

/// The state of the banded block computation after some rows: each block's vertical
/// differences and the score of its last cell, and the blocks in the band.
struct Band<'p> {
    pattern: &'p Pattern,
    len1: usize,
    len2: usize,
    vp: Vec<u64>,
    vn: Vec<u64>,
    scores: Vec<usize>,
    first: usize,
    last: usize,
    max: usize,
    /// The bit of the last cell of `s1` in the last word.
    last_bit: u64,
}

impl<'p> Band<'p> {
    /// The band before the first row; None where the lengths alone exceed `max` (or `s1` is
    /// empty, which rapidfuzz never bands).
    fn new(pattern: &'p Pattern, len1: usize, len2: usize, max: usize) -> Option<Self> {
        if max < len1.abs_diff(len2) || len1 == 0 {
            return None;
        }
        let words = pattern.words;
        let mut scores: Vec<usize> = (1..=words).map(|w| w * WORD).collect();
        scores[words - 1] = len1;
        let max = max.min(len1.max(len2));
        let reach = max.min((max + len1 - len2) / 2) + 1;
        let last = words.min(reach.div_ceil(WORD)) - 1;
        Some(Band {
            pattern,
            len1,
            len2,
            vp: vec![!0; words],
            vn: vec![0; words],
            scores,
            first: 0,
            last,
            max,
            last_bit: 1 << ((len1 - 1) % WORD),
        })
    }

    /// The index in `s1` of the last cell of block `word`.
    fn last_cell(&self, word: usize) -> i64 {
        if word + 1 == self.pattern.words {
            self.len1 as i64 - 1
        } else {
            ((word + 1) * WORD - 1) as i64
        }
    }

    /// Advance blocks `from ..= to` by the character `c`, with the horizontal difference
    /// `carry` (hp, hn) into the first; gives the one out of the last, for the block below.
    // The hot loop of the whole alignment: one pass over the words in the band, each word's
    // carry feeding the next, with no other branch than the last word of `s1`.
    #[inline(always)]
    fn advance(&mut self, c: u32, from: usize, to: usize, mut carry: (u64, u64)) -> (u64, u64) {
        let words = self.pattern.words;
        let whole_end = if to + 1 == words { to } else { to + 1 };
        let row = self.pattern.row(c);
        let matches = &row[from..whole_end];
        let vps = &mut self.vp[from..whole_end];
        let vns = &mut self.vn[from..whole_end];
        let scores = &mut self.scores[from..whole_end];
        for (((vp, vn), score), &m) in vps.iter_mut().zip(vns).zip(scores).zip(matches) {
            let (p, n, hp, hn) = hyyro_step(*vp, *vn, m, carry.0, carry.1);
            carry = (hp >> (WORD - 1), hn >> (WORD - 1));
            (*vp, *vn) = (p, n);
            *score = score
                .wrapping_add(carry.0 as usize)
                .wrapping_sub(carry.1 as usize);
        }
        if whole_end == to {
            // The last word of s1: its carry is that of s1's last cell.
            let m = self.pattern.get(to, c);
            let (p, n, hp, hn) = hyyro_step(self.vp[to], self.vn[to], m, carry.0, carry.1);
            carry = (
                u64::from(hp & self.last_bit != 0),
                u64::from(hn & self.last_bit != 0),
            );
            (self.vp[to], self.vn[to]) = (p, n);
            self.scores[to] = self.scores[to]
                .wrapping_add(carry.0 as usize)
                .wrapping_sub(carry.1 as usize);
        }
        carry
    }

    /// Store the blocks `computed` for row `row`, the row starting at the first of them.
    fn store(&self, planes: &mut Planes, row: usize, computed: RangeInclusive<usize>) {
        let first = *computed.start();
        planes.offsets[row] = (first * WORD) as isize;
        for word in computed {
            planes.store(row, word - first, self.vp[word], self.vn[word]);
        }
    }

    /// Compute row `row` (character `c` of `s2`) over the band, then move the band. Gives the
    /// blocks computed (to store), and false where the band is gone (distance above `max`).
    fn step(&mut self, c: u32, row: usize) -> (RangeInclusive<usize>, bool) {
        let first = self.first;
        let carry = self.advance(c, first, self.last, (1, 0));

        // The arithmetic is rapidfuzz's: sizes that wrap, compared as signed where it casts.
        let rows_left = self.len2 as i64 - row as i64 - 1;
        let cells_below = self.len1 as i64 - ((1 + self.last) * WORD) as i64 + 2;
        let bound = (self.scores[self.last] as i64).wrapping_add(rows_left.max(cells_below));
        self.max = (self.max as i64).min(bound) as usize;
        let (max, len2) = (self.max, self.len2);
        let slack = max.wrapping_add(2 * WORD + row + self.len1);
        let past = move |score: usize| score.wrapping_add(2 + len2) as i64;
        let within = move |score: usize| score < max.wrapping_add(WORD);

        // One more block where the band may reach below the last one.
        if self.last + 1 < self.pattern.words
            && self.last_cell(self.last) < (slack as i64).wrapping_sub(past(self.scores[self.last]))
        {
            self.last += 1;
            let word = self.last;
            self.vp[word] = !0;
            self.vn[word] = 0;
            let cells = if word + 1 == self.pattern.words {
                (self.len1 - 1) % WORD + 1
            } else {
                WORD
            };
            self.scores[word] = self.scores[word - 1]
                .wrapping_add(cells)
                .wrapping_sub(carry.0 as usize)
                .wrapping_add(carry.1 as usize);
            self.advance(c, word, word, carry);
        }
        let computed = first..=self.last;

        // Drop blocks that left the band: below, then above.
        loop {
            let score = self.scores[self.last];
            let below = (slack.wrapping_add(1) as i64).wrapping_sub(past(score));
            if within(score) && self.last_cell(self.last) <= below {
                break;
            }
            if self.last == self.first {
                return (computed, false);
            }
            self.last -= 1;
        }
        while self.first <= self.last {
            let score = self.scores[self.first];
            let above = (score.wrapping_add(self.len1 + row) as i64)
                .wrapping_sub(max.wrapping_add(len2) as i64);
            if within(score) && self.last_cell(self.first) >= above {
                break;
            }
            self.first += 1;
        }
        (computed, self.first <= self.last)
    }

    /// The score of the cell just before the band (of `s1` index first * 64 - 1), after row
    /// `row`.
    fn score_before_band(&self, row: usize) -> usize {
        if self.first == 0 {
            return row + 1;
        }
        let word = self.first;
        let bits = ((word + 1) * WORD).min(self.len1) % WORD;
        let mask = if bits == 0 { !0 } else { !0 >> (WORD - bits) };
        self.scores[word]
            .wrapping_add((self.vn[word] & mask).count_ones() as usize)
            .wrapping_sub((self.vp[word] & mask).count_ones() as usize)
    }
}

/// Where rapidfuzz cuts a problem in two: `s2` at its middle, `s1` at `s1_mid`, with the two
/// halves' distances.
struct Cut {
    left_score: usize,
    right_score: usize,
    s1_mid: usize,
    s2_mid: usize,
}

/// The scores of the row after `stop_row` characters of `s2` over the cells of the band,
/// and the cell the band starts at; None where the band is gone before (distance above
/// `max`).
fn band_row(
    s1: &[u32],
    s2: &[u32],
    max: usize,
    stop_row: usize,
    alphabet: usize,
) -> Option<(usize, Vec<usize>)> {
    let pattern = Pattern::new(s1, alphabet);
    let mut band = Band::new(&pattern, s1.len(), s2.len(), max)?;
    for (row, &c) in s2.iter().enumerate().take(stop_row + 1) {
        if !band.step(c, row).1 {
            return None;
        }
    }
    // Scores of cells band.first * 64 - 1 ..= end of the band's last block (or of s1), each
    // the one before plus its vertical difference; sizes wrap as rapidfuzz's do.
    let start = band.first * WORD;
    let end = s1.len().min(band.last * WORD + WORD);
    let mut scores = Vec::with_capacity(end - start + 1);
    let mut score = band.score_before_band(stop_row);
    scores.push(score);
    for cell in start..end {
        let (word, bit) = (cell / WORD, 1u64 << (cell % WORD));
        score = score
            .wrapping_sub(usize::from(band.vn[word] & bit != 0))
            .wrapping_add(usize::from(band.vp[word] & bit != 0));
        scores.push(score);
    }
    Some((start, scores))
}

/// rapidfuzz's `find_hirschberg_pos`: the first cut of `s1` with the smallest sum of the
/// left half's score (row len2 / 2) and the right half's (the reversed texts' row), over the
/// cells both bands cover; `max` doubled until the bands hold the distance.
fn hirschberg_cut(s1: &[u32], s2: &[u32], mut max: usize, alphabet: usize) -> Cut {
    let (len1, len2) = (s1.len(), s2.len());
    loop {
        if let Some(cut) = try_cut(s1, s2, max, alphabet) {
            return cut;
        }
        if max > len1 + len2 {
            // Not reached: a bound above the distance always holds. Rather than loop, cut at
            // the middles, with bounds that hold for the halves.
            let (s1_mid, s2_mid) = (len1 / 2, len2 / 2);
            return Cut {
                left_score: s1_mid.max(s2_mid),
                right_score: (len1 - s1_mid).max(len2 - s2_mid),
                s1_mid,
                s2_mid,
            };
        }
        // A zero bound cannot be too small for texts that differ; doubled at least to 2.
        max = max.max(1) * 2;
    }
}

fn try_cut(s1: &[u32], s2: &[u32], max: usize, alphabet: usize) -> Option<Cut> {
    let len1 = s1.len();
    let left_size = s2.len() / 2;
    let right_size = s2.len() - left_size;
    let (right_start, right_scores) =
        band_row(&reversed(s1), &reversed(s2), max, right_size - 1, alphabet)?;
    let (left_start, left_scores) = band_row(s1, s2, max, left_size - 1, alphabet)?;
    // The right score that goes with a cut after `cut` characters of s1: the reversed row's
    // score after len1 - cut characters.
    let right_of = |cut: usize| -> Option<usize> {
        let index = len1.checked_sub(cut)?.checked_sub(right_start)?;
        right_scores.get(index).copied()
    };
    let mut cut = Cut {
        left_score: 0,
        right_score: 0,
        s1_mid: 0,
        s2_mid: left_size,
    };
    let mut best = usize::MAX;
    // The cut at the band's start is taken whatever its sum; each later one only if smaller.
    for (k, &left) in left_scores.iter().enumerate() {
        let s1_mid = left_start + k;
        let Some(right) = right_of(s1_mid) else {
            continue;
        };
        let sum = left.wrapping_add(right);
        if k == 0 || sum < best {
            best = sum;
            cut = Cut {
                left_score: left,
                right_score: right,
                s1_mid,
                s2_mid: left_size,
            };
        }
    }
    (cut.left_score.wrapping_add(cut.right_score) <= max).then_some(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_points(s: &str) -> Vec<u32> {
        s.chars().map(u32::from).collect()
    }

    fn align(a: &str, b: &str) -> Vec<i32> {
        aligned(&code_points(a), &code_points(b))
    }

    /// The Levenshtein distance by the plain DP.
    fn distance(a: &[u32], b: &[u32]) -> usize {
        let mut row: Vec<usize> = (0..=a.len()).collect();
        for (j, &cb) in b.iter().enumerate() {
            let mut diagonal = row[0];
            row[0] = j + 1;
            for (i, &ca) in a.iter().enumerate() {
                let next = (row[i + 1] + 1)
                    .min(row[i] + 1)
                    .min(diagonal + usize::from(ca != cb));
                diagonal = row[i + 1];
                row[i + 1] = next;
            }
        }
        row[a.len()]
    }

    /// The cost of an alignment given by its matches: between consecutive matches, the longer
    /// of the two gaps (a replaced pair counts once).
    fn cost(a_to_b: &[i32], b_len: usize) -> usize {
        let (mut cost, mut pi, mut pj) = (0usize, 0usize, 0usize);
        for (i, &j) in a_to_b.iter().enumerate() {
            if j >= 0 {
                let j = j as usize;
                assert!(j >= pj, "matches cross");
                cost += (i - pi).max(j - pj);
                pi = i + 1;
                pj = j + 1;
            }
        }
        cost + (a_to_b.len() - pi).max(b_len - pj)
    }

    #[test]
    fn empty_texts_match_nothing() {
        assert_eq!(align("", ""), Vec::<i32>::new());
        assert_eq!(align("abc", ""), vec![-1, -1, -1]);
        assert_eq!(align("", "abc"), Vec::<i32>::new());
    }

    #[test]
    fn equal_texts_match_each_character() {
        assert_eq!(align("a\0b𝄞", "a\0b𝄞"), vec![0, 1, 2, 3]);
    }

    #[test]
    fn ties_go_as_rapidfuzz_takes_them() {
        // Values read off rapidfuzz 3.14 (editops(...).as_matching_blocks()).
        assert_eq!(align("ab", "ba"), vec![1, -1]);
        assert_eq!(align("abc", "bca"), vec![-1, 0, 1]);
        assert_eq!(align("aab", "aba"), vec![0, 2, -1]);
    }

    #[test]
    fn inverse_reverses_the_matches() {
        assert_eq!(inverse(&[-1, 0, 2], 4), vec![1, -1, 2, -1]);
    }

    #[test]
    fn long_alignments_are_optimal() {
        // A pseudo-random text and a noisy copy, long enough to be cut (Hirschberg).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let a: Vec<u32> = (0..3000)
            .map(|_| u32::from(b'a') + next(6) as u32)
            .collect();
        let mut b = Vec::new();
        for &c in &a {
            match next(10) {
                0 => {}
                1 => b.extend([c, u32::from(b'z')]),
                2 => b.push(u32::from(b'y')),
                _ => b.push(c),
            }
        }
        let a_to_b = aligned(&a, &b);
        assert_eq!(cost(&a_to_b, b.len()), distance(&a, &b));
        for (i, &j) in a_to_b.iter().enumerate() {
            if j >= 0 {
                assert_eq!(a[i], b[j as usize]);
            }
        }
    }

    #[test]
    fn rare_characters_kept_sparse_read_as_a_dense_table() {
        let s: Vec<u32> = (0..700u32).map(|i| (i * 7919) % 97 + (i % 5) * 3).collect();
        let alphabet = *s.iter().max().unwrap() as usize + 3; // ids that s never has, too
        let dense = Pattern::with_dense_words(&s, alphabet, usize::MAX);
        for most in [0, 11, 40] {
            let mixed = Pattern::with_dense_words(&s, alphabet, most);
            assert!(mixed.dense < alphabet);
            for c in 0..alphabet as u32 {
                assert_eq!(mixed.row(c), dense.row(c));
                for start in -70..(s.len() as isize + 70) {
                    assert_eq!(mixed.window(c, start), dense.window(c, start));
                }
            }
        }
    }
}
