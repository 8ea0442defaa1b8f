//! The scores of the character-level second look (`neardup.core.charlook_reference._scored`, the
//! specification): which words of one text the characters of the other, aligned to them, spell
//! with few errors, and how many distinct word n-grams of such words, in the same order with
//! nothing between them, each text keeps in the other.
//!
//! The alignment is given (each character's partner in the other text, or -1). Every count and
//! comparison is the one the Python code makes on its numpy arrays, and the scores are the same
//! divisions of the same integers, so they are the same floats, bit for bit.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::hash::chain;

/// `charlook.GAP`: characters other than spaces that may stand between two words that follow
/// each other in the other text, beyond the characters of either word that found no match.
pub const GAP: i64 = 1;
/// `charlook.LOCAL`: a number counts as replaced by another where at most this many words of
/// either text stand between the nearest words present in both.
pub const LOCAL: i64 = 3;
/// `charlook.NOISE_PER_NUMBER`: numbers replaced by others are taken for noise only up to one
/// per this many words with character errors.
pub const NOISE_PER_NUMBER: usize = 10;

/// What joins the words of a side.
pub const SPACE: u32 = ' ' as u32;

/// The words that are numbers though written without digits ("million"), as code points
/// (`sketch.NUMBER_WORDS`).
pub struct NumberWords(HashSet<Vec<u32>, Fast>);

impl NumberWords {
    pub fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> Self {
        Self(
            words
                .into_iter()
                .map(|word| word.chars().map(u32::from).collect())
                .collect(),
        )
    }

    fn contains(&self, word: &[u32]) -> bool {
        self.0.contains(word)
    }
}

/// One token of a side: where it stands in the joined form, in code points.
#[derive(Clone, Copy, Debug)]
struct Word {
    start: usize,
    len: usize,
    /// "million" in place of "billion" is another number, not a noisy spelling of it.
    number_word: bool,
    /// A number word, or a token that starts with an ASCII digit: it counts as present only
    /// where the other text has it whole and exactly.
    number: bool,
}

impl Word {
    fn end(&self) -> usize {
        self.start + self.len
    }
}

/// One text's tokens as spans of its joined form ("w1 w2 ...") and its word n-grams
/// (`charlook_reference._Side`): built once, read in every pair the text is in.
#[derive(Debug)]
pub struct Side {
    ngram: usize,
    words: Vec<Word>,
    /// The word each character belongs to, -1 for the spaces between words. This and
    /// `spaces`, a number per character, are most of a side: 32 bits each keep it small.
    token_of: Vec<i32>,
    /// Spaces before each position (one more than the characters), to tell spaces from other
    /// characters in a span.
    spaces: Vec<u32>,
    /// Numbers among the words before each word (one more than the words).
    numbers: Vec<u32>,
    /// The n-gram starting at each word, as a number: the same n-gram, the same number.
    gram: Vec<u32>,
    /// How many distinct n-grams.
    grams: usize,
}

impl Side {
    /// The side of the text whose words (none empty, none holding a space) joined by single
    /// spaces are the code points `joined`; `ngram` is at least 1, the number of characters
    /// fits an `i32`.
    pub fn new(joined: &[u32], ngram: usize, number_words: &NumberWords) -> Self {
        assert!(ngram >= 1, "n-grams of at least one word");
        let tokens: Vec<&[u32]> = if joined.is_empty() {
            Vec::new()
        } else {
            joined.split(|&c| c == SPACE).collect()
        };
        let mut start = 0;
        let words: Vec<Word> = tokens
            .iter()
            .map(|token| {
                let number_word = number_words.contains(token);
                let word = Word {
                    start,
                    len: token.len(),
                    number_word,
                    number: number_word || token.first().is_some_and(|&c| is_ascii_digit(c)),
                };
                start += token.len() + 1;
                word
            })
            .collect();
        let mut token_of = vec![-1; joined.len()];
        for (t, word) in words.iter().enumerate() {
            token_of[word.start..word.end()].fill(t as i32);
        }
        let spaces = running_counts(token_of.iter().map(|&t| t < 0));
        let numbers = running_counts(words.iter().map(|w| w.number));
        // Words numbered, then runs of `ngram` word numbers.
        let (gram, grams) = numbered(numbered(tokens.iter().copied()).0.windows(ngram));
        Side {
            ngram,
            words,
            token_of,
            spaces,
            numbers,
            gram,
            grams,
        }
    }

    /// Whether characters `first` to `last` of this text are one of its words, whole.
    fn is_whole_word(&self, first: usize, last: usize) -> bool {
        let token = self.token_of[first];
        token >= 0 && token == self.token_of[last] && {
            let word = self.words[token as usize];
            word.start == first && word.end() == last + 1
        }
    }
}

fn is_ascii_digit(c: u32) -> bool {
    (u32::from(b'0')..=u32::from(b'9')).contains(&c)
}

/// 0, then how many of `flags` are true up to each one.
fn running_counts(flags: impl Iterator<Item = bool>) -> Vec<u32> {
    std::iter::once(0)
        .chain(flags.scan(0, |count, flag| {
            *count += u32::from(flag);
            Some(*count)
        }))
        .collect()
}

/// Each key as a number (equal keys, equal numbers), and how many distinct keys there are.
fn numbered<K: Hash + Eq>(keys: impl ExactSizeIterator<Item = K>) -> (Vec<u32>, usize) {
    let mut numbers: HashMap<K, u32, Fast> =
        HashMap::with_capacity_and_hasher(keys.len(), Fast::default());
    let numbered = keys
        .map(|key| {
            let next = numbers.len() as u32;
            *numbers.entry(key).or_insert(next)
        })
        .collect();
    (numbered, numbers.len())
}

type Fast = BuildHasherDefault<Chained>;

/// A hasher of short keys (a text's words and n-grams), several times faster than the default
/// one, whose resistance to keys chosen to collide is worth less here than its cost.
#[derive(Default)]
struct Chained(u64);

impl Hasher for Chained {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.0 = chain(
                self.0,
                u64::from_le_bytes(word.try_into().expect("8 bytes")),
            );
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.0 = chain(self.0, u64::from_le_bytes(last));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.0 = chain(self.0, u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.0 = chain(self.0, value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What the characters of the other text aligned to one word say of it
/// (`charlook_reference._Found`).
#[derive(Clone, Copy, Debug, Default)]
struct Found {
    /// Spelt with few errors (a number: exactly, as a whole token).
    present: bool,
    /// Spelt with few errors, even if a number (but a number word only where present).
    close: bool,
    /// Present, not a number, with some errors.
    noisy: bool,
    /// The first and last aligned characters in the other text (0 where none is).
    first: usize,
    last: usize,
    /// Characters that found no match.
    unmatched: usize,
}

/// How `word` is spelt by the characters of `other` aligned to it
/// (`charlook_reference._present`, one token; its reduceat segment holds the space after it
/// too, which is never a hit).
fn found(word: Word, aligned: &[i32], other: &Side, char_errors: f64) -> Found {
    let mut matched = 0;
    let (mut first, mut last) = (usize::MAX, 0);
    for &to in aligned[word.start..word.end()]
        .iter()
        .filter(|&&to| to >= 0)
    {
        matched += 1;
        first = first.min(to as usize);
        last = last.max(to as usize);
    }
    if matched == 0 {
        return Found {
            unmatched: word.len,
            ..Found::default()
        };
    }
    // Characters of the other text inside the span that are not aligned to this word and are
    // not spaces (a split word's space costs nothing).
    let span = (last - first + 1) as i64;
    let spaces = i64::from(other.spaces[last + 1] - other.spaces[first]);
    let inserted = (span - matched as i64 - spaces).max(0);
    // Edits at least: a character replaced is one missing and one inserted, one edit.
    let errors = ((word.len - matched) as i64).max(inserted);
    let allowed = (word.len as f64 * char_errors).floor();
    let close = errors as f64 <= allowed;
    let present = close && (!word.number || (errors == 0 && other.is_whole_word(first, last)));
    Found {
        present,
        close: close && (!word.number_word || present),
        noisy: present && !word.number && errors > 0,
        first,
        last,
        unmatched: word.len - matched,
    }
}

/// Whether present words `a` and `b`, one after the other here, follow each other in `other`:
/// no whole word of `other` between them there, and no more characters (spaces aside) than
/// their unmatched ones and GAP more.
fn linked(a: &Found, b: &Found, other: &Side) -> bool {
    if !(a.present && b.present) {
        return false;
    }
    let between = b.first as i64 - a.last as i64 - 1;
    let spaces = i64::from(other.spaces[b.first]) - i64::from(other.spaces[a.last + 1]);
    let slack = (a.unmatched + b.unmatched) as i64 + GAP;
    let adjacent = other.token_of[b.first] - other.token_of[a.last] <= 1;
    adjacent && between >= 0 && between - spaces <= slack
}

/// How many distinct n-grams of `this` are made of present words, each linked to the next.
fn kept(this: &Side, found: &[Found], other: &Side) -> usize {
    let mut seen = vec![false; this.grams];
    let mut keep = |at: usize| !std::mem::replace(&mut seen[this.gram[at] as usize], true);
    if this.ngram == 1 {
        return (0..found.len())
            .filter(|&at| found[at].present && keep(at))
            .count();
    }
    // The n-gram at p is whole when links p .. p + n - 2 all hold: when the run of links that
    // ends at link p + n - 2 is n - 1 long.
    let mut run = 0;
    let mut count = 0;
    for (k, pair) in found.windows(2).enumerate() {
        run = if linked(&pair[0], &pair[1], other) {
            run + 1
        } else {
            0
        };
        if run >= this.ngram - 1 && keep(k + 2 - this.ngram) {
            count += 1;
        }
    }
    count
}

/// How many numbers of `this`, not even spelt with few errors in `other`, stand where `other`
/// has a number (`charlook_reference._numbers_replaced`). The missing numbers between the same two
/// present words (or an end) share the test, made once for them.
fn numbers_replaced(this: &Side, other: &Side, found: &[Found]) -> usize {
    let mut replaced = 0;
    let mut before = -1;
    let mut missing = 0;
    for at in 0..=found.len() {
        if found.get(at).is_none_or(|f| f.present) {
            if missing > 0 && number_between(other, found, before, at as i64) {
                replaced += missing;
            }
            (before, missing) = (at as i64, 0);
        } else if this.words[at].number && !found[at].close {
            missing += 1;
        }
    }
    replaced
}

/// Whether `other` has a number between the counterparts of present words `before` and `after`
/// of this text (-1 and the word count: its ends), with at most LOCAL words between them on
/// either side.
fn number_between(other: &Side, found: &[Found], before: i64, after: i64) -> bool {
    let token = |at: usize| i64::from(other.token_of[at]);
    let lo = if before >= 0 {
        token(found[before as usize].last)
    } else {
        -1
    };
    let hi = match found.get(after as usize) {
        Some(f) => token(f.first),
        None => other.words.len() as i64,
    };
    let numbers_before = |word: i64| other.numbers[word as usize];
    let inside = numbers_before(hi.max(lo + 1)) - numbers_before(lo + 1);
    after - before - 1 <= LOCAL && hi - lo - 1 <= LOCAL && inside > 0
}

/// (how many distinct word n-grams of `this` are present in order in `other`, whether numbers
/// of `this` stand where `other` has other numbers, more than its noise explains), `aligned`
/// holding each character's partner in `other` (`charlook_reference._look`).
fn look(this: &Side, other: &Side, aligned: &[i32], char_errors: f64) -> (usize, bool) {
    if this.grams == 0 {
        return (0, false);
    }
    let found: Vec<Found> = this
        .words
        .iter()
        .map(|&word| found(word, aligned, other, char_errors))
        .collect();
    let noisy = found.iter().filter(|f| f.noisy).count();
    let replaced = numbers_replaced(this, other, &found);
    (
        kept(this, &found, other),
        replaced > noisy / NOISE_PER_NUMBER,
    )
}

/// (Jaccard, containment of a in b, containment of b in a) of the distinct word n-grams of two
/// sides once words spelt with a few character errors count as the same, or None where numbers
/// stand in one where the other has other numbers, more than the noise explains
/// (`charlook_reference._scored`). `a_to_b[i]` is the character of b aligned to character i
/// of a, or -1; `b_to_a` the other way.
pub fn scores(
    a: &Side,
    b: &Side,
    a_to_b: &[i32],
    b_to_a: &[i32],
    char_errors: f64,
) -> Option<(f64, f64, f64)> {
    let (in_b, replaced_a) = look(a, b, a_to_b, char_errors);
    let (in_a, replaced_b) = look(b, a, b_to_a, char_errors);
    if replaced_a || replaced_b {
        return None;
    }
    let common = in_b.min(in_a);
    let union = a.grams + b.grams - common;
    Some((
        share(common, union),
        share(in_b, a.grams),
        share(in_a, b.grams),
    ))
}

/// `part / whole if whole else 0.0`, as Python divides two integers.
fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_points(text: &str) -> Vec<u32> {
        text.chars().map(u32::from).collect()
    }

    fn side(text: &str, ngram: usize) -> Side {
        Side::new(
            &code_points(text),
            ngram,
            &NumberWords::new(["million", "billion"]),
        )
    }

    /// Each character aligned to the one at the same place, but where the two differ.
    fn same_places(a: &str, b: &str) -> Vec<i32> {
        a.chars()
            .zip(b.chars())
            .enumerate()
            .map(|(i, (x, y))| if x == y { i as i32 } else { -1 })
            .collect()
    }

    fn same_length_scores(a: &str, b: &str, ngram: usize) -> Option<(f64, f64, f64)> {
        let (to_b, to_a) = (same_places(a, b), same_places(b, a));
        scores(&side(a, ngram), &side(b, ngram), &to_b, &to_a, 0.34)
    }

    #[test]
    fn a_side_holds_its_tokens_and_ngrams() {
        let s = side("the 2 million the 2 x", 2);
        assert_eq!(
            s.token_of,
            [0, 0, 0, -1, 1, -1, 2, 2, 2, 2, 2, 2, 2, -1, 3, 3, 3, -1, 4, -1, 5]
        );
        assert_eq!(s.spaces[s.spaces.len() - 1], 5);
        assert_eq!(s.numbers, [0, 0, 1, 2, 2, 3, 3]);
        // "the 2" twice: four distinct 2-grams at five places.
        assert_eq!(
            (s.gram.as_slice(), s.grams),
            ([0, 1, 2, 0, 3].as_slice(), 4)
        );
    }

    #[test]
    fn sides_without_ngrams_score_nothing() {
        for (a, b, ngram) in [
            ("", "", 1),
            ("", "a b", 1),
            ("a b", "a b", 3),
            ("a", "b", 1),
        ] {
            let (to_b, to_a) = (vec![-1; a.chars().count()], vec![-1; b.chars().count()]);
            let got = scores(&side(a, ngram), &side(b, ngram), &to_b, &to_a, 0.34);
            assert_eq!(got, Some((0.0, 0.0, 0.0)), "{a:?} {b:?} {ngram}");
        }
    }

    #[test]
    fn a_copy_with_a_typo_keeps_its_ngrams() {
        let a = "the modern railway line would open in spring";
        let b = "the modarn railway line would open in spring";
        assert_eq!(same_length_scores(a, a, 3), Some((1.0, 1.0, 1.0)));
        assert_eq!(same_length_scores(a, b, 3), Some((1.0, 1.0, 1.0)));
        // At most a third of a word's characters may differ: not two of "line".
        let c = "the modern railway lxxe would open in spring";
        assert_eq!(
            same_length_scores(a, c, 1),
            Some((7.0 / 9.0, 7.0 / 8.0, 7.0 / 8.0))
        );
    }

    #[test]
    fn other_numbers_are_not_a_copy() {
        let a = "the line will cost 120 million pounds and open in 2027 they said";
        assert_eq!(
            same_length_scores(a, &a.replace("million", "billion"), 5),
            None
        );
        assert_eq!(same_length_scores(a, &a.replace("120", "450"), 5), None);
        // A number one error away may be a noisy copy of it: it only breaks n-grams.
        assert!(same_length_scores(a, &a.replace("2027", "2028"), 5).is_some());
        // Not a number word: a typo.
        let typo = same_length_scores(a, &a.replace("pounds", "pounbs"), 5);
        assert_eq!(typo, Some((1.0, 1.0, 1.0)));
    }
}
