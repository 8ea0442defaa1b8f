//! UTF-8 characters and tokens of a normalized text.
//!
//! A token is a run of ASCII letters and digits or non-ASCII characters; each character of a
//! script written without spaces (CJK, kana, Thai, ...) is a token of its own, so that word
//! n-grams become character n-grams there. Invalid UTF-8 is read without failing: a stray
//! continuation byte is a character of its own, and a sequence cut short by the end of its
//! document ends there (it never reads past the document).

use std::hint::select_unpredictable;

use crate::hash::{fmix64, fnv, FNV_OFFSET};

/// Length in bytes and code point of the UTF-8 character at `data[0]` (`data` not empty); the
/// code point is -1 for a sequence that the end of `data` cuts short.
#[inline(always)]
pub fn char_len(data: &[u8]) -> (usize, i64) {
    let c = data[0] as i64;
    let (n, mut cp) = match c {
        0..=0x7F => return (1, c),
        0x80..=0xBF => return (1, c), // a stray continuation byte: a character of its own
        0xC0..=0xDF => (2, c & 0x1F),
        0xE0..=0xEF => (3, c & 0x0F),
        _ => (4, c & 0x07),
    };
    if n > data.len() {
        return (data.len(), -1);
    }
    for &b in &data[1..n] {
        cp = (cp << 6) | (b as i64 & 0x3F);
    }
    (n, cp)
}

/// Code points of scripts written without spaces between words.
#[inline(always)]
pub fn is_unspaced(cp: i64) -> bool {
    matches!(cp,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0x20000..=0x3FFFF) // CJK extensions B and later
}

#[inline(always)]
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 128
}

/// Every ASCII byte as itself.
pub const IDENTITY: [u8; 128] = {
    let mut map = [0u8; 128];
    let mut c = 0;
    while c < 128 {
        map[c] = c as u8;
        c += 1;
    }
    map
};

/// The tokens of `data`, each ASCII byte read as `ascii[byte]`: each token's hash (FNV-1a over
/// its bytes, then fmix64) and whether it starts with an ASCII digit ("25", "1980s", "19th",
/// "5bn": a number, for telling look-alikes apart), appended to `hashes` and `digits`.
///
/// With a table's ASCII part as `ascii`, the tokens of an ASCII text are those of its normal
/// form: the normal form maps each byte alone and only removes or adds separators (spaces).
pub fn tokens(data: &[u8], ascii: &[u8; 128], hashes: &mut Vec<u64>, digits: &mut Vec<bool>) {
    if data.is_ascii() {
        ascii_tokens(data, ascii, hashes, digits);
    } else {
        scanned_tokens(data, ascii, hashes, digits);
    }
}

/// [`tokens`] of any text, a token at a time.
fn scanned_tokens(data: &[u8], ascii: &[u8; 128], hashes: &mut Vec<u64>, digits: &mut Vec<bool>) {
    let read = |b: u8| if b < 128 { ascii[b as usize] } else { b };
    for_each_token(data, ascii, |start, end| {
        let token = &data[start..end];
        hashes.push(fmix64(
            token.iter().fold(FNV_OFFSET, |h, &b| fnv(h, read(b))),
        ));
        digits.push(read(token[0]).is_ascii_digit());
    });
}

/// [`tokens`] of an ASCII text, without a branch that depends on the bytes: where a token
/// starts and ends is as hard to predict as the text, and a mispredicted branch at each cost
/// more than hashing the bytes (a third of the time, on news text). `data` must be ASCII (a
/// byte beyond is read as its low seven bits).
///
/// Each byte waits on the hash of the byte before it (FNV's multiply), so a text is cut at a
/// separator near its middle and its halves are read in one loop, a byte of each in turn: the
/// two chains of hashes are independent and run side by side.
pub fn ascii_tokens(data: &[u8], ascii: &[u8; 128], hashes: &mut Vec<u64>, digits: &mut Vec<bool>) {
    debug_assert!(data.is_ascii());
    // Each byte's class: the byte it reads as (high bits), whether that is a word byte and
    // whether a digit (low bits).
    let classes = ascii.map(|mapped| {
        (mapped as u16) << 8 | is_word_byte(mapped) as u16 | (mapped.is_ascii_digit() as u16) << 1
    });
    let class = |byte: u8| classes[(byte & 0x7F) as usize];
    debug_assert_eq!(hashes.len(), digits.len());
    let first = hashes.len();
    // Short texts are not worth the cut; a text without a separator in its second half is read
    // whole.
    let middle = data.len() / 2;
    let cut = match data.len() {
        0..TWO_HALVES => None,
        _ => data[middle..]
            .iter()
            .position(|&b| class(b) & 1 == 0)
            .map(|at| middle + at),
    }
    .unwrap_or(data.len());
    let (left, right) = data.split_at(cut);
    // A token ends before a separator or at the end: a half writes at most one place every
    // two bytes, and one for its end.
    let room = left.len() / 2 + 1;
    hashes.resize(first + room + right.len() / 2 + 1, 0);
    digits.resize(hashes.len(), false);
    let (out_left, out_right) = hashes[first..].split_at_mut(room);
    let (digits_left, digits_right) = digits[first..].split_at_mut(room);
    let mut a = Tokenizer::new(out_left, digits_left);
    let mut b = Tokenizer::new(out_right, digits_right);
    // The right half starts at a separator, where the left half's last token ends.
    for (&x, &y) in left.iter().zip(right) {
        a.step(class(x));
        b.step(class(y));
    }
    let both = left.len().min(right.len());
    left[both..].iter().for_each(|&x| a.step(class(x)));
    right[both..].iter().for_each(|&y| b.step(class(y)));
    let (n_left, n_right) = (a.finish(), b.finish());
    // The right half's tokens follow the left half's.
    hashes.copy_within(first + room..first + room + n_right, first + n_left);
    digits.copy_within(first + room..first + room + n_right, first + n_left);
    let end = first + n_left + n_right;
    for h in &mut hashes[first..end] {
        *h = fmix64(*h);
    }
    hashes.truncate(end);
    digits.truncate(end);
}

/// Bytes from which an ASCII text is read as two halves.
const TWO_HALVES: usize = 64;

/// The tokens of a run of ASCII bytes, a byte's class at a time ([`ascii_tokens`]). Every byte
/// writes the FNV hash of the token that ends before it to the next free place, which counts
/// as taken only where a token did end there.
struct Tokenizer<'a> {
    hashes: &'a mut [u64],
    digits: &'a mut [bool],
    next: usize,
    /// The FNV hash of the token so far, and FNV's start after a separator.
    hash: u64,
    /// Whether the token so far starts with a digit.
    digit: bool,
    in_token: bool,
}

impl<'a> Tokenizer<'a> {
    fn new(hashes: &'a mut [u64], digits: &'a mut [bool]) -> Self {
        Tokenizer {
            hashes,
            digits,
            next: 0,
            hash: FNV_OFFSET,
            digit: false,
            in_token: false,
        }
    }

    #[inline(always)]
    fn step(&mut self, class: u16) {
        let word = class & 1 != 0;
        self.hashes[self.next] = self.hash;
        self.digits[self.next] = self.digit;
        self.next += (self.in_token & !word) as usize;
        self.hash = select_unpredictable(word, fnv(self.hash, (class >> 8) as u8), FNV_OFFSET);
        self.digit = select_unpredictable(self.in_token, self.digit, class & 2 != 0);
        self.in_token = word;
    }

    /// The last token, where the bytes end in one; how many tokens there are.
    fn finish(self) -> usize {
        self.hashes[self.next] = self.hash;
        self.digits[self.next] = self.digit;
        self.next + self.in_token as usize
    }
}

/// The byte spans of the tokens of a normal form: each token is `data[start..end]`.
pub fn token_spans(data: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for_each_token(data, &IDENTITY, |start, end| spans.push((start, end)));
    spans
}

/// Calls `token(start, end)` for each token of `data` in order, each ASCII byte read as
/// `ascii[byte]`: a run of word bytes, or one character of a script written without spaces.
#[inline(always)]
fn for_each_token(data: &[u8], ascii: &[u8; 128], mut token: impl FnMut(usize, usize)) {
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < data.len() {
        if data[i] < 128 {
            // most bytes: no character to decode
            match (is_word_byte(ascii[data[i] as usize]), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    token(s, i);
                    start = None;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        let (width, cp) = char_len(&data[i..]);
        if is_unspaced(cp) {
            if let Some(s) = start.take() {
                token(s, i);
            }
            token(i, i + width);
        } else if start.is_none() {
            start = Some(i);
        }
        i += width;
    }
    if let Some(s) = start {
        token(s, data.len());
    }
}

/// The hash of the first token of `data`, if it has one.
pub fn first_token(data: &[u8]) -> Option<u64> {
    let (mut hashes, mut digits) = (Vec::new(), Vec::new());
    tokens(data, &IDENTITY, &mut hashes, &mut digits);
    hashes.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(text: &[u8]) -> Vec<u64> {
        let (mut h, mut d) = (Vec::new(), Vec::new());
        tokens(text, &IDENTITY, &mut h, &mut d);
        h
    }

    #[test]
    fn words_are_runs_of_letters_digits_and_non_ascii() {
        assert_eq!(hashes(b"the cat, the CAT").len(), 4);
        assert_eq!(hashes(b"the cat")[0], hashes(b"  the")[0]);
        assert_eq!(hashes("café au lait".as_bytes()).len(), 3);
    }

    #[test]
    fn each_unspaced_character_is_a_token() {
        assert_eq!(hashes("東京は晴れ".as_bytes()).len(), 5);
        assert_eq!(hashes("ab東京cd".as_bytes()).len(), 4);
    }

    #[test]
    fn digits_mark_tokens_that_start_with_one() {
        let (mut h, mut d) = (Vec::new(), Vec::new());
        tokens(b"in 1980s x5 25", &IDENTITY, &mut h, &mut d);
        assert_eq!(d, vec![false, true, false, true]);
    }

    #[test]
    fn ascii_texts_have_the_tokens_of_the_general_scan() {
        // Letters to other letters and to separators, separators to letters and a byte that
        // reads as non-ASCII (a word byte).
        let mut table = IDENTITY;
        table[b'A' as usize] = b'a';
        table[b'-' as usize] = b' ';
        table[b'x' as usize] = b'.';
        table[b'.' as usize] = b'q';
        table[b'9' as usize] = 0xC3;
        let mut state = 11u64;
        for size in 0..400 {
            let text: Vec<u8> = (0..size)
                .map(|_| {
                    state = fmix64(state.wrapping_add(1));
                    b"aA0 -x.9\n\0\x7f"[(state % 11) as usize]
                })
                .collect();
            let (mut fast, mut fast_digits) = (vec![7], vec![true]);
            ascii_tokens(&text, &table, &mut fast, &mut fast_digits);
            let (mut general, mut general_digits) = (vec![7], vec![true]);
            scanned_tokens(&text, &table, &mut general, &mut general_digits);
            assert_eq!((fast, fast_digits), (general, general_digits), "{text:?}");
        }
    }

    #[test]
    fn ascii_text_cut_anywhere_or_nowhere_gives_the_tokens_of_one_pass() {
        // No separator past the middle, or none at all (read whole); one at the middle itself,
        // and one near the end (the right half a separator and a short token).
        let table = std::array::from_fn(|b| b as u8);
        for text in [
            format!("ab 1c {}", "x".repeat(200)),
            "y".repeat(300),
            format!("{} {}", "a".repeat(100), "7b".repeat(50)),
            format!("{} 9z", "w".repeat(200)),
        ] {
            let (mut fast, mut fast_digits) = (vec![], vec![]);
            ascii_tokens(text.as_bytes(), &table, &mut fast, &mut fast_digits);
            let (mut general, mut general_digits) = (vec![], vec![]);
            scanned_tokens(text.as_bytes(), &table, &mut general, &mut general_digits);
            assert_eq!((fast, fast_digits), (general, general_digits), "{text}");
        }
    }

    #[test]
    fn spans_are_the_tokens() {
        let text = "the 1980s: café, 東京";
        let spans = token_spans(text.as_bytes());
        let words: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(words, ["the", "1980s", "café", "東", "京"]);
        assert_eq!(token_spans(b" .,"), []);
    }

    #[test]
    fn a_sequence_cut_short_ends_with_its_document() {
        assert_eq!(char_len(&[0xE6, 0x9D]), (2, -1));
        assert_eq!(char_len(&[0x9D]), (1, 0x9D));
        assert_eq!(hashes(&[b'a', b' ', 0xF0]).len(), 2);
    }
}
