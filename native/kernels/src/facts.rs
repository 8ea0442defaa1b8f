//! The facts of a text and its fact tokens (`neardup.core.facts`). The pure-Python reader of
//! `neardup/core/facts_reference.py` is the specification: its regular expressions
//! (`_TOKEN`, `_FACT_TOKEN`, those of `_number` and `_NAME_CUT`) are matched here character for
//! character, as Python's `re` matches them, their Unicode classes read from a table that
//! Python's `unicodedata` made (`neardup.core.char_classes`).
//!
//! Texts are UTF-8 with lone surrogates as Python's "surrogatepass" writes them; a byte that
//! is not part of such a character is a character of no class (only bytes a caller made
//! could hold one).

use std::sync::OnceLock;

use xxhash_rust::xxh3::xxh3_64;

use crate::parallel;

/// Class bits of a table entry (`char_classes.SPACE`, `WORD`, `DIGIT`).
pub const SPACE: u8 = 1;
pub const WORD: u8 = 2;
pub const DIGIT: u8 = 4;

/// What stands for a byte that starts no character.
const INVALID: u32 = u32::MAX;

/// `python -m neardup.core.char_classes` with Python 3.11 (`unicode::UNICODE_VERSION`); a
/// Python test checks it anew.
static SHIPPED: &[u8] = include_bytes!("chars-14.0.0.bin");

/// The shipped table of character classes, read once.
pub fn shipped_char_table() -> &'static [u32] {
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        SHIPPED
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    })
}

/// The classes of every code point: entries `start << 8 | classes << 4 | digit`, by ascending
/// start (`char_classes.built_char_table`).
pub struct Chars<'a> {
    entries: &'a [u32],
    ascii: [u8; 128],
    /// Bytes that start no fact token (`fact_tokens`), nor a token (`tokens`): passed over a
    /// byte at a time. A byte inside a character is one (a scan never stops inside one).
    no_fact_token: [bool; 256],
    no_token: [bool; 256],
}

impl<'a> Chars<'a> {
    /// The table, checked: it starts at code point 0, ascends, and gives each digit a value
    /// of 0 to 9.
    pub fn new(entries: &'a [u32]) -> Result<Self, String> {
        if entries.first().is_none_or(|e| e >> 8 != 0) {
            return Err("the table must start at code point 0".into());
        }
        for (i, &e) in entries.iter().enumerate() {
            let start = e >> 8;
            let end = entries.get(i + 1).map_or(0x11_0000, |next| next >> 8);
            if end <= start || end > 0x11_0000 {
                return Err(format!("entry {i} is out of order"));
            }
            let (classes, digit) = ((e >> 4) & 0xF, e & 0xF);
            let digits = classes & DIGIT as u32 != 0;
            if classes > 7 || (digits && digit + (end - start - 1) > 9) || (!digits && digit != 0) {
                return Err(format!("entry {i} holds no valid classes"));
            }
        }
        let mut chars = Chars {
            entries,
            ascii: [0; 128],
            no_fact_token: [false; 256],
            no_token: [false; 256],
        };
        for c in 0..=255u8 {
            let digit = c < 0x80 && chars.lookup_classes(c as u32) & DIGIT != 0;
            let inside = (0x80..0xC0).contains(&c);
            let spelt_number = matches!(c, b'e' | b'f' | b'n' | b'o' | b's' | b't');
            let fact = matches!(c, b'<' | b'$' | b'A'..=b'Z') || spelt_number || digit || c >= 0xC0;
            chars.no_fact_token[c as usize] = !fact || inside;
            let token = fact || c.is_ascii_alphabetic() || b"\".!?;:\n,()".contains(&c);
            chars.no_token[c as usize] = !token || inside;
            if c < 0x80 {
                chars.ascii[c as usize] = chars.lookup_classes(c as u32);
            }
        }
        Ok(chars)
    }

    fn entry(&self, cp: u32) -> u32 {
        self.entries[self.entries.partition_point(|e| e >> 8 <= cp) - 1]
    }

    fn lookup_classes(&self, cp: u32) -> u8 {
        ((self.entry(cp) >> 4) & 0xF) as u8
    }

    #[inline]
    fn classes(&self, cp: u32) -> u8 {
        match cp {
            0..=0x7F => self.ascii[cp as usize],
            INVALID => 0,
            _ => self.lookup_classes(cp),
        }
    }

    #[inline]
    fn is(&self, cp: u32, class: u8) -> bool {
        self.classes(cp) & class != 0
    }

    /// The value of a digit (what Python's `int` makes of it).
    fn digit(&self, cp: u32) -> Option<u32> {
        let e = self.entry(cp);
        (e & (DIGIT as u32) << 4 != 0).then(|| (e & 0xF) + cp - (e >> 8))
    }
}

/// The code point at byte `i` (a byte of no character: INVALID) and its length in bytes.
#[inline]
fn decode(b: &[u8], i: usize) -> (u32, usize) {
    let b0 = b[i];
    if b0 < 0x80 {
        return (b0 as u32, 1);
    }
    let cont = |k: usize| {
        b.get(i + k)
            .filter(|&&x| x & 0xC0 == 0x80)
            .map(|&x| (x & 0x3F) as u32)
    };
    let found = match b0 {
        0xC2..=0xDF => cont(1).map(|c1| ((b0 as u32 & 0x1F) << 6 | c1, 2)),
        0xE0..=0xEF => cont(1)
            .zip(cont(2))
            .map(|(c1, c2)| ((b0 as u32 & 0xF) << 12 | c1 << 6 | c2, 3))
            .filter(|&(cp, _)| cp >= 0x800),
        0xF0..=0xF4 => cont(1)
            .zip(cont(2))
            .zip(cont(3))
            .map(|((c1, c2), c3)| ((b0 as u32 & 0x7) << 18 | c1 << 12 | c2 << 6 | c3, 4))
            .filter(|&(cp, _)| (0x1_0000..0x11_0000).contains(&cp)),
        _ => None,
    };
    found.unwrap_or((INVALID, 1))
}

/// The code point that ends at byte `i`, if any.
fn decode_before(b: &[u8], i: usize) -> Option<u32> {
    if i == 0 {
        return None;
    }
    let mut j = i - 1;
    while j > 0 && i - j < 4 && b[j] & 0xC0 == 0x80 {
        j -= 1;
    }
    let (cp, len) = decode(b, j);
    Some(if j + len == i { cp } else { INVALID })
}

/// `(?<![A-Za-z0-9])` at byte `i`: a byte of a longer character is no ASCII letter or digit.
fn after_no_ascii_alnum(b: &[u8], i: usize) -> bool {
    i == 0 || !b[i - 1].is_ascii_alphanumeric()
}

/// Where a run of `\d` from byte `i` ends (`i` itself where there is none).
fn digits_end(b: &[u8], mut i: usize, chars: &Chars) -> usize {
    while i < b.len() {
        let (cp, len) = decode(b, i);
        if !chars.is(cp, DIGIT) {
            break;
        }
        i += len;
    }
    i
}

/// `\d+` from byte `i`: where it ends.
fn digits(b: &[u8], i: usize, chars: &Chars) -> Option<usize> {
    let end = digits_end(b, i, chars);
    (end > i).then_some(end)
}

/// Where a run of bytes that pass `keep` ends.
fn ascii_run(b: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && keep(b[i]) {
        i += 1;
    }
    i
}

/// `<[A-Z][A-Z0-9.]{0,9}>` at the '<' at byte `i`: where it ends.
fn ticker(b: &[u8], i: usize) -> Option<usize> {
    if !b.get(i + 1).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let body = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'.';
    let end = ascii_run(&b[..b.len().min(i + 11)], i + 2, body);
    (b.get(end) == Some(&b'>')).then_some(end + 1)
}

// -- fact tokens ------------------------------------------------------------------------------

/// `(?<![A-Za-z0-9])\$?\d[\d,./-]*%?(?:[ \t]+[a-z]+)?` at byte `i`: where it ends.
fn fact_number(b: &[u8], i: usize, chars: &Chars) -> Option<usize> {
    if !after_no_ascii_alnum(b, i) {
        return None;
    }
    let mut p = i + (b[i] == b'$') as usize;
    if p >= b.len() || !chars.is(decode(b, p).0, DIGIT) {
        return None;
    }
    while p < b.len() {
        if matches!(b[p], b',' | b'.' | b'/' | b'-') {
            p += 1;
            continue;
        }
        let (cp, len) = decode(b, p);
        if !chars.is(cp, DIGIT) {
            break;
        }
        p += len;
    }
    if b.get(p) == Some(&b'%') {
        p += 1;
    }
    let spaces = ascii_run(b, p, |c| c == b' ' || c == b'\t');
    if spaces > p && b.get(spaces).is_some_and(u8::is_ascii_lowercase) {
        p = ascii_run(b, spaces, |c| c.is_ascii_lowercase());
    }
    Some(p)
}

/// `\b(?:_SPELT_NUMBER)[ \t]+[a-z]+` at byte `i`: where it ends.
fn fact_spelt_number(b: &[u8], i: usize, chars: &Chars) -> Option<usize> {
    if decode_before(b, i).is_some_and(|cp| chars.is(cp, WORD)) {
        return None;
    }
    let letters = ascii_run(b, i, |c| c.is_ascii_alphabetic());
    number_word(&b[i..letters])?;
    let spaces = ascii_run(b, letters, |c| c == b' ' || c == b'\t');
    let end = ascii_run(b, spaces, |c| c.is_ascii_lowercase());
    (spaces > letters && end > spaces).then_some(end)
}

/// `\b[A-Z][\w.'&-]*` at the capital at byte `i`: where it ends.
fn fact_capital(b: &[u8], i: usize, chars: &Chars) -> Option<usize> {
    if decode_before(b, i).is_some_and(|cp| chars.is(cp, WORD)) {
        return None;
    }
    let mut p = i + 1;
    while p < b.len() {
        let (cp, len) = decode(b, p);
        if !(matches!(cp, 0x2E | 0x27 | 0x26 | 0x2D) || chars.is(cp, WORD)) {
            break;
        }
        p += len;
    }
    Some(p)
}

/// `(?=[\s,]+(\w+))` at byte `i`: the word it captures (empty where it fails).
fn word_after<'t>(b: &'t [u8], i: usize, chars: &Chars) -> &'t [u8] {
    let mut p = i;
    while p < b.len() {
        let (cp, len) = decode(b, p);
        if cp != b',' as u32 && !chars.is(cp, SPACE) {
            break;
        }
        p += len;
    }
    if p == i {
        return b"";
    }
    let mut end = p;
    while end < b.len() {
        let (cp, len) = decode(b, end);
        if !chars.is(cp, WORD) {
            break;
        }
        end += len;
    }
    &b[p..end]
}

/// The hashes of `_FACT_TOKEN`'s matches in a text, each `token\tword` split at its first tab
/// as `may_differ` splits it (a number's unit may follow a tab), as distinct (token, word)
/// pairs in ascending order: XXH3 of the UTF-8 of each side.
pub fn fact_tokens(b: &[u8], chars: &Chars) -> Vec<[u64; 2]> {
    let mut found = Vec::new();
    let mut tail = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if chars.no_fact_token[b[i] as usize] {
            i += 1;
            continue;
        }
        let (cp, len) = decode(b, i);
        let end = match cp {
            0x3C => ticker(b, i),
            0x24 => fact_number(b, i, chars),
            0x41..=0x5A => fact_spelt_number(b, i, chars).or_else(|| fact_capital(b, i, chars)),
            0x61..=0x7A => fact_spelt_number(b, i, chars),
            _ if chars.is(cp, DIGIT) => fact_number(b, i, chars),
            _ => None,
        };
        let Some(end) = end else {
            i += len;
            // No token starts at a letter after a word character (`\b`): the rest of a word
            // begun by a letter is passed over at once (the byte before each is an ASCII
            // letter, a word character).
            if matches!(cp, 0x41..=0x5A | 0x61..=0x7A) {
                i = ascii_run(b, i, |c| c.is_ascii_alphabetic());
            }
            continue;
        };
        let (token, after) = (&b[i..end], word_after(b, end, chars));
        found.push(match token.iter().position(|&c| c == b'\t') {
            None => [xxh3_64(token), xxh3_64(after)],
            Some(tab) => {
                tail.clear();
                tail.extend_from_slice(&token[tab + 1..]);
                tail.push(b'\t');
                tail.extend_from_slice(after);
                [xxh3_64(&token[..tab]), xxh3_64(&tail)]
            }
        });
        i = end;
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The fact tokens of each text: the pairs of all, laid end to end (two values a pair), and
/// where each text's start, in pairs (`starts`, one more than the texts).
pub fn fact_tokens_batch(texts: &[&[u8]], chars: &Chars) -> (Vec<u64>, Vec<i64>) {
    let found = parallel::map(texts.len(), |d| fact_tokens(texts[d], chars));
    let (pairs, starts) = parallel::joined(&found);
    (pairs.into_flattened(), starts)
}

/// Whether a fact of one text may stand in place of one of the other (`may_differ`): some
/// word follows, in each, a token that the other lacks. `a` and `b` are (token, word) pairs
/// laid end to end, ascending, distinct.
pub fn may_differ(a: &[u64], b: &[u64], scratch: &mut (Vec<u64>, Vec<u64>)) -> bool {
    let (after_a, after_b) = scratch;
    words_after_lacking(a, b, after_a);
    words_after_lacking(b, a, after_b);
    after_a.sort_unstable();
    after_b.sort_unstable();
    let (mut i, mut j) = (0, 0);
    while i < after_a.len() && j < after_b.len() {
        match after_a[i].cmp(&after_b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The words after the tokens of `a` that `b` lacks, into `out`.
fn words_after_lacking(a: &[u64], b: &[u64], out: &mut Vec<u64>) {
    out.clear();
    let mut j = 0;
    for pair in a.chunks_exact(2) {
        while j < b.len() && b[j] < pair[0] {
            j += 2;
        }
        if j >= b.len() || b[j] != pair[0] {
            out.push(pair[1]);
        }
    }
}

/// `may_differ` for each pair of texts (`left[i]`, `right[i]`), whose (token, word) pairs are
/// `pairs[2 * starts[d]..2 * starts[d + 1]]`.
pub fn may_differ_batch(pairs: &[u64], starts: &[i64], left: &[i64], right: &[i64]) -> Vec<bool> {
    let of = |d: i64| &pairs[2 * starts[d as usize] as usize..2 * starts[d as usize + 1] as usize];
    parallel::map_init(left.len(), Default::default, |scratch, i| {
        may_differ(of(left[i]), of(right[i]), scratch)
    })
}

// -- facts ------------------------------------------------------------------------------------

/// The kinds of token of `_TOKEN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ticker,
    Number,
    Word,
    Quote,
    Stop,
    Comma,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// `(?<![A-Za-z0-9])\$?\d+(?:[,.]\d+)*(?:-\d+/\d+|/\d+)?%?` at byte `i`: where it ends.
fn number(b: &[u8], i: usize, chars: &Chars) -> Option<usize> {
    if !after_no_ascii_alnum(b, i) {
        return None;
    }
    let mut p = digits(b, i + (b[i] == b'$') as usize, chars)?;
    while let Some(end) = b
        .get(p)
        .filter(|&&c| c == b',' || c == b'.')
        .and_then(|_| digits(b, p + 1, chars))
    {
        p = end;
    }
    let fraction = match b.get(p) {
        Some(b'-') => digits(b, p + 1, chars)
            .filter(|&q| b.get(q) == Some(&b'/'))
            .and_then(|q| digits(b, q + 1, chars)),
        Some(b'/') => digits(b, p + 1, chars),
        _ => None,
    };
    p = fraction.unwrap_or(p);
    Some(p + (b.get(p) == Some(&b'%')) as usize)
}

/// `[A-Za-z]+(?:\.[A-Za-z]+)+\.?|[A-Za-z][A-Za-z0-9]*(?:['&-][A-Za-z0-9]+)*` at the letter at
/// byte `i`: where it ends.
fn word(b: &[u8], i: usize) -> usize {
    let letters = |p: usize| ascii_run(b, p, |c| c.is_ascii_alphabetic());
    let followed = |p: usize, sep: &dyn Fn(u8) -> bool, body: fn(&u8) -> bool| {
        b.get(p).is_some_and(|&c| sep(c)) && b.get(p + 1).is_some_and(body)
    };
    let mut p = letters(i);
    let mut dotted = false;
    while followed(p, &|c| c == b'.', u8::is_ascii_alphabetic) {
        p = letters(p + 1);
        dotted = true;
    }
    if dotted {
        return p + (b.get(p) == Some(&b'.')) as usize;
    }
    let alnum = |p: usize| ascii_run(b, p, |c| c.is_ascii_alphanumeric());
    let mut p = alnum(i + 1);
    while followed(
        p,
        &|c| matches!(c, b'\'' | b'&' | b'-'),
        u8::is_ascii_alphanumeric,
    ) {
        p = alnum(p + 1);
    }
    p
}

/// `[.!?;:]+(?=\s|$|")` at byte `i`: where it ends.
fn stop(b: &[u8], i: usize, chars: &Chars) -> Option<usize> {
    let end = ascii_run(b, i, |c| matches!(c, b'.' | b'!' | b'?' | b';' | b':'));
    let next = (end < b.len()).then(|| decode(b, end).0);
    next.is_none_or(|cp| cp == b'"' as u32 || chars.is(cp, SPACE))
        .then_some(end)
}

/// `\n\s*\n|\n[ \t]{2,}` at the newline at byte `i`: where it ends (`\s*` gives back what
/// follows the run's last newline).
fn paragraph(b: &[u8], i: usize, chars: &Chars) -> Option<usize> {
    let mut p = i + 1;
    let mut last_newline = None;
    while p < b.len() {
        let (cp, len) = decode(b, p);
        if !chars.is(cp, SPACE) {
            break;
        }
        if cp == b'\n' as u32 {
            last_newline = Some(p + 1);
        }
        p += len;
    }
    last_newline.or_else(|| {
        let end = ascii_run(b, i + 1, |c| c == b' ' || c == b'\t');
        (end - (i + 1) >= 2).then_some(end)
    })
}

/// `_TOKEN`'s matches (`finditer`) in a prepared text.
fn tokens(b: &[u8], chars: &Chars) -> Vec<Token> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if chars.no_token[b[i] as usize] {
            i += 1;
            continue;
        }
        let (cp, len) = decode(b, i);
        let token = match cp {
            0x3C => ticker(b, i).map(|e| (Kind::Ticker, e)),
            0x24 => number(b, i, chars).map(|e| (Kind::Number, e)),
            0x41..=0x5A | 0x61..=0x7A => Some((Kind::Word, word(b, i))),
            0x22 => Some((Kind::Quote, i + 1)),
            0x2E | 0x21 | 0x3F | 0x3B | 0x3A => stop(b, i, chars).map(|e| (Kind::Stop, e)),
            0x0A => paragraph(b, i, chars).map(|e| (Kind::Stop, e)),
            0x2C | 0x28 | 0x29 => Some((Kind::Comma, i + 1)),
            _ if chars.is(cp, DIGIT) => number(b, i, chars).map(|e| (Kind::Number, e)),
            _ => None,
        };
        match token {
            Some((kind, end)) => {
                found.push(Token {
                    kind,
                    start: i,
                    end,
                });
                i = end;
            }
            None => i += len,
        }
    }
    found
}

/// The kinds of fact, by the names Python compares and sorts them by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FactKind {
    // In the order of their names: facts are sorted by them.
    Date,
    Month,
    Name,
    Number,
    Quote,
    Weekday,
}

impl FactKind {
    pub fn name(self) -> &'static str {
        match self {
            FactKind::Date => "date",
            FactKind::Month => "month",
            FactKind::Name => "name",
            FactKind::Number => "number",
            FactKind::Quote => "quote",
            FactKind::Weekday => "weekday",
        }
    }
}

/// One fact: its kind, its value as compared, as shown, and its slot (the words around).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub kind: FactKind,
    pub value: String,
    pub shown: String,
    pub before: String,
    pub after: String,
}

/// A text's facts in order, and whether it is written mostly in capitals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextFacts {
    pub facts: Vec<Fact>,
    pub caps_text: bool,
}

/// A slot's side at the start or end of a sentence.
pub const EDGE: &str = "|";
/// Quotes longer than this are passages, not quoted words.
const QUOTE_WORDS: usize = 30;

/// Month names and abbreviations, by their capitalised spelling.
fn month_named(word: &[u8]) -> Option<&'static str> {
    Some(match word {
        b"January" | b"Jan" => "january",
        b"February" | b"Feb" => "february",
        b"March" | b"Mar" => "march",
        b"April" | b"Apr" => "april",
        b"May" => "may",
        b"June" | b"Jun" => "june",
        b"July" | b"Jul" => "july",
        b"August" | b"Aug" => "august",
        b"September" | b"Sep" | b"Sept" => "september",
        b"October" | b"Oct" => "october",
        b"November" | b"Nov" => "november",
        b"December" | b"Dec" => "december",
        _ => return None,
    })
}

/// Whether a word is one of a list of byte strings (one `match`: the compiler sorts them by
/// length and bytes).
macro_rules! one_of {
    ($word:expr, $($w:literal)+) => {
        matches!($word, $($w)|+)
    };
}

fn is_weekday(word: &[u8]) -> bool {
    one_of!(word, b"Monday" b"Tuesday" b"Wednesday" b"Thursday" b"Friday" b"Saturday" b"Sunday")
}

/// Words before "May" that make it the month.
fn may_before(word: &[u8]) -> bool {
    one_of!(word, b"in" b"of" b"since" b"until" b"till" b"by" b"from" b"to" b"early" b"late"
        b"mid" b"end" b"last" b"next" b"this")
}

/// Capitalised words that are not names where they start a name's run.
fn not_name(word: &[u8]) -> bool {
    one_of!(word,
        b"The" b"A" b"An" b"In" b"On" b"At" b"But" b"And" b"Or" b"He" b"She" b"It" b"They" b"We"
        b"I" b"You" b"This" b"That" b"These" b"Those" b"Its" b"His" b"Her" b"Their" b"Our"
        b"Your" b"My" b"For" b"Of" b"To" b"With" b"As" b"By" b"From" b"If" b"When" b"While"
        b"After" b"Before" b"Since" b"Under" b"Over" b"Mr" b"Mrs" b"Ms" b"Dr" b"Sir" b"Lord"
        b"Prof" b"So" b"Then" b"There" b"Here" b"What" b"Who" b"Which" b"Why" b"How" b"Also"
        b"Yet" b"Not" b"No" b"All" b"Some" b"Any" b"Each" b"Both" b"Such" b"Many" b"Most"
        b"More" b"Other" b"Last" b"Next" b"Earlier" b"Later" b"Meanwhile" b"However"
        b"Although" b"Though" b"Because" b"Shares" b"Net" b"Revs" b"Qtly" b"Div" b"Pay"
        b"Record" b"Oper" b"Shr" b"Avg" b"Sales" b"Reuter" b"Reuters" b"Note" b"Year" b"Mths"
        b"Qtr" b"Nine" b"Six" b"Three")
}

/// Unit words after a number, spelt one way.
fn unit(word: &[u8]) -> Option<&'static str> {
    Some(match word {
        b"pct" | b"percent" | b"per" | b"%" => "pct",
        b"mln" | b"million" | b"m" => "mln",
        b"bln" | b"billion" | b"bn" => "bln",
        b"trillion" => "trillion",
        b"dlrs" | b"dlr" | b"dollars" | b"dollar" => "dlrs",
        b"cts" | b"ct" | b"cents" | b"cent" => "cts",
        b"tonnes" | b"tonne" | b"tons" | b"ton" => "tonnes",
        b"yen" => "yen",
        b"marks" => "marks",
        b"francs" => "francs",
        b"pounds" => "pounds",
        b"stg" => "stg",
        b"barrels" => "barrels",
        b"bpd" => "bpd",
        b"shares" => "shares",
        b"pence" | b"p" => "pence",
        b"points" | b"pts" => "points",
        b"ounces" | b"ozs" => "ounces",
        b"bushels" => "bushels",
        b"acres" => "acres",
        b"years" | b"year" => "years",
        b"months" => "months",
        b"weeks" => "weeks",
        b"days" => "days",
        _ => return None,
    })
}

/// `NUMBER_WORDS`: a number to twelve spelt out (as written or capitalised), as a figure.
fn number_word(word: &[u8]) -> Option<&'static str> {
    Some(match word {
        b"one" | b"One" => "1",
        b"two" | b"Two" => "2",
        b"three" | b"Three" => "3",
        b"four" | b"Four" => "4",
        b"five" | b"Five" => "5",
        b"six" | b"Six" => "6",
        b"seven" | b"Seven" => "7",
        b"eight" | b"Eight" => "8",
        b"nine" | b"Nine" => "9",
        b"ten" | b"Ten" => "10",
        b"eleven" | b"Eleven" => "11",
        b"twelve" | b"Twelve" => "12",
        _ => return None,
    })
}

/// `str.isupper() and sum(map(str.isalpha, word)) >= 2` of an ASCII word.
fn all_caps(word: &[u8]) -> bool {
    !word.iter().any(u8::is_ascii_lowercase)
        && word.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 2
}

/// `_spelt`: a word as month and weekday names are looked up ("MARCH" as "March").
fn spelt(word: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !all_caps(word) {
        return word.into();
    }
    let mut out = word.to_ascii_lowercase();
    out[0] = out[0].to_ascii_uppercase();
    out.into()
}

/// `_NAME_CUT.match(word)[1]`: the word before its first "'s" that ends it or its first "-"
/// and lower-case letter, if any (at least one character).
fn name_cut(word: &[u8]) -> Option<&[u8]> {
    (1..word.len())
        .find(|&p| {
            &word[p..] == b"'s"
                || (word[p] == b'-' && word.get(p + 1).is_some_and(u8::is_ascii_lowercase))
        })
        .map(|p| &word[..p])
}

/// One of a text's facts as found: its tokens, kind, value and how it is shown.
struct Found {
    start: usize,
    end: usize,
    kind: FactKind,
    value: Vec<u8>,
    shown: Vec<u8>,
}

/// One pass over a text's tokens, collecting its facts (`_Reader`).
struct Reader<'a> {
    text: &'a [u8],
    chars: &'a Chars<'a>,
    tokens: Vec<Token>,
    caps_text: bool,
    found: Vec<Found>,
}

fn joined<'a>(words: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, w) in words.into_iter().enumerate() {
        if n > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(w);
    }
    out
}

fn string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("facts hold ASCII and whole decimal digits")
}

impl<'a> Reader<'a> {
    fn new(text: &'a [u8], chars: &'a Chars<'a>) -> Self {
        let tokens = tokens(text, chars);
        let words = tokens.iter().filter(|t| t.kind == Kind::Word);
        let (count, caps) = words.fold((0, 0), |(n, c), t| {
            (n + 1, c + all_caps(&text[t.start..t.end]) as usize)
        });
        Reader {
            text,
            chars,
            tokens,
            caps_text: 2 * caps > count.max(1),
            found: Vec::new(),
        }
    }

    fn text(&self, i: usize) -> &'a [u8] {
        &self.text[self.tokens[i].start..self.tokens[i].end]
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.tokens.get(i).map(|t| t.kind)
    }

    fn sentence_start(&self, i: usize) -> bool {
        i == 0 || matches!(self.tokens[i - 1].kind, Kind::Stop | Kind::Quote)
    }

    fn read(mut self) -> TextFacts {
        let mut done = 0;
        for i in 0..self.tokens.len() {
            let t = self.tokens[i];
            // Only numbers (spelt out too), tickers and capitalised words start a fact.
            let starts = t.kind != Kind::Word
                || self.text[t.start].is_ascii_uppercase()
                || number_word(self.text(i)).is_some();
            if starts && i >= done {
                done = self.fact_at(i);
            }
        }
        self.quotes();
        let caps_text = self.caps_text;
        TextFacts {
            facts: self.with_slots(),
            caps_text,
        }
    }

    fn add(
        &mut self,
        start: usize,
        end: usize,
        kind: FactKind,
        value: Vec<u8>,
        shown: Vec<u8>,
    ) -> usize {
        self.found.push(Found {
            start,
            end,
            kind,
            value,
            shown,
        });
        end
    }

    fn fact_at(&mut self, i: usize) -> usize {
        let text = self.text(i);
        match self.tokens[i].kind {
            Kind::Ticker => {
                let value = text[1..text.len() - 1].to_ascii_lowercase();
                self.add(i, i + 1, FactKind::Name, value, text.to_vec())
            }
            Kind::Number => self.number_at(i),
            Kind::Word => {
                if number_word(text).is_some() && self.unit_after(i) {
                    return self.number_at(i);
                }
                if let Some(month) = self.month(i) {
                    return self.month_at(i, month);
                }
                if is_weekday(&spelt(text)) {
                    let value = text.to_ascii_lowercase();
                    return self.add(i, i + 1, FactKind::Weekday, value, text.to_vec());
                }
                if text[0].is_ascii_uppercase() && !self.caps_text {
                    return self.name_at(i);
                }
                i + 1
            }
            _ => i + 1,
        }
    }

    /// The month word `i` names, if it is one ("May" only beside a number or after "in"...).
    fn month(&self, i: usize) -> Option<&'static str> {
        let text = self.text(i);
        let trimmed = &text[..text.iter().rposition(|&c| c != b'.').map_or(0, |p| p + 1)];
        let word = spelt(trimmed);
        let month = month_named(&word);
        if &*word == b"May" {
            let near_number = self.kind(i + 1) == Some(Kind::Number);
            let before = if i > 0 { self.text(i - 1) } else { b"" };
            if !near_number && !may_before(&before.to_ascii_lowercase()) {
                return None;
            }
        }
        month
    }

    /// Whether token `i + 1` is a unit word.
    fn unit_after(&self, i: usize) -> bool {
        self.kind(i + 1) == Some(Kind::Word)
            && unit(&self.text(i + 1).to_ascii_lowercase()).is_some()
    }

    /// `re.fullmatch(r"\d{1,2}", text)`: the day it is.
    fn day(&self, text: &[u8]) -> Option<u32> {
        let mut value = 0;
        let mut p = 0;
        for n in 0..3 {
            if p == text.len() {
                return (n > 0).then_some(value);
            }
            let (cp, len) = decode(text, p);
            value = value * 10 + self.chars.digit(cp)?;
            p += len;
        }
        None
    }

    fn month_at(&mut self, i: usize, month: &str) -> usize {
        let text = self.text(i);
        if self.kind(i + 1) == Some(Kind::Number) {
            let after = self.text(i + 1);
            if let Some(day) = self.day(after) {
                let value = format!("{month} {day}").into_bytes();
                return self.add(i, i + 2, FactKind::Date, value, joined([text, after]));
            }
        }
        self.add(i, i + 1, FactKind::Month, month.into(), text.to_vec())
    }

    fn number_at(&mut self, i: usize) -> usize {
        let text = self.text(i);
        // "31 March" is a date.
        if let Some(day) = self.day(text) {
            if self.kind(i + 1) == Some(Kind::Word) {
                if let Some(month) = self.month(i + 1) {
                    let value = format!("{month} {day}").into_bytes();
                    let shown = joined([text, self.text(i + 1)]);
                    return self.add(i, i + 2, FactKind::Date, value, shown);
                }
            }
        }
        let mut units: Vec<&str> = Vec::new();
        if text.ends_with(b"%") {
            units.push("pct");
        }
        let mut end = i + 1;
        while units.len() < 2 && self.kind(end) == Some(Kind::Word) {
            let word = self.text(end).to_ascii_lowercase();
            let Some(found) = unit(&word).filter(|u| !units.contains(u)) else {
                break;
            };
            units.push(found);
            end += 1;
            if found == "pct" && word == b"per" && self.kind(end).is_some() {
                end += (self.text(end) == b"cent") as usize;
            }
        }
        if text.starts_with(b"$") && !units.contains(&"dlrs") {
            units.push("dlrs");
        }
        let number = match number_word(text) {
            Some(figure) => figure.as_bytes().to_vec(),
            None => self.number_value(text),
        };
        let value = joined(std::iter::once(&number[..]).chain(units.iter().map(|u| u.as_bytes())));
        let shown = joined((i..end).map(|n| self.text(n)));
        self.add(i, end, FactKind::Number, value, shown)
    }

    /// `_number`: a number as compared, without currency sign, thousands separators or
    /// trailing zeros.
    fn number_value(&self, text: &[u8]) -> Vec<u8> {
        let from = text.iter().position(|&c| c != b'$').unwrap_or(text.len());
        let to = text
            .iter()
            .rposition(|&c| c != b'.' && c != b'%')
            .map_or(0, |p| p + 1);
        let value = &text[from..to.max(from)];
        // (?<=\d),(?=\d{3}\b)
        let mut chars = Vec::new();
        let mut p = 0;
        while p < value.len() {
            let (cp, len) = decode(value, p);
            chars.push((cp, p, len));
            p += len;
        }
        let digit = |k: usize| {
            chars
                .get(k)
                .is_some_and(|&(cp, _, _)| self.chars.is(cp, DIGIT))
        };
        let mut out = Vec::with_capacity(value.len());
        for (k, &(cp, at, len)) in chars.iter().enumerate() {
            let separator = cp == b',' as u32
                && k > 0
                && digit(k - 1)
                && (k + 1..k + 4).all(digit)
                && !chars
                    .get(k + 4)
                    .is_some_and(|&(c, _, _)| self.chars.is(c, WORD));
            if !separator {
                out.extend_from_slice(&value[at..at + len]);
            }
        }
        // \d+\.\d+: trailing zeros go.
        let digits_to = |p: usize| digits_end(&out, p, self.chars);
        let whole = digits_to(0);
        let decimal = whole > 0
            && out.get(whole) == Some(&b'.')
            && digits_to(whole + 1) == out.len()
            && out.len() > whole + 1;
        if decimal {
            while out.last() == Some(&b'0') {
                out.pop();
            }
            while out.last() == Some(&b'.') {
                out.pop();
            }
        }
        out
    }

    /// A run of capitalised words is one name (`_Reader._name_at`).
    fn name_at(&mut self, i: usize) -> usize {
        let mut end = i;
        while self.kind(end) == Some(Kind::Word)
            && self.text(end)[0].is_ascii_uppercase()
            && self.month(end).is_none()
            && !is_weekday(self.text(end))
        {
            end += 1;
        }
        let mut start = self.past_not_names(i, end);
        if start == end {
            return end;
        }
        let single = end - start == 1;
        if single && start == i && self.sentence_start(i) && !all_caps(self.text(start)) {
            return end;
        }
        // One pass over the run: each word cut (but the last) closes a name there. The words
        // are those of the run as first found (Python's `range`), though `start` moves on.
        let run = start..end - 1;
        for n in run {
            let Some(cut) = name_cut(self.text(n)) else {
                continue;
            };
            if n < start {
                continue;
            }
            let shown = joined((start..n).map(|k| self.text(k)).chain([cut]));
            self.add(
                start,
                n + 1,
                FactKind::Name,
                shown.to_ascii_lowercase(),
                shown,
            );
            start = self.past_not_names(n + 1, end);
        }
        if start == end {
            return end;
        }
        let last = self.text(end - 1);
        let last = last.strip_suffix(b"'s").unwrap_or(last);
        let shown = joined((start..end - 1).map(|k| self.text(k)).chain([last]));
        self.add(
            start,
            end,
            FactKind::Name,
            shown.to_ascii_lowercase(),
            shown,
        )
    }

    fn past_not_names(&self, mut start: usize, end: usize) -> usize {
        while start < end && not_name(self.text(start)) {
            start += 1;
        }
        start
    }

    /// The words between two quote marks, when few enough to be quoted words.
    fn quotes(&mut self) {
        let marks: Vec<usize> = (0..self.tokens.len())
            .filter(|&i| self.tokens[i].kind == Kind::Quote)
            .collect();
        for pair in marks.chunks_exact(2) {
            let (open, close) = (pair[0], pair[1]);
            let words: Vec<&[u8]> = (open + 1..close)
                .filter(|&i| matches!(self.tokens[i].kind, Kind::Word | Kind::Number))
                .map(|i| self.text(i))
                .collect();
            if (1..=QUOTE_WORDS).contains(&words.len()) {
                let shown = joined(words);
                let quoted = [&b"\""[..], &shown, b"\""].concat();
                self.add(
                    open,
                    close + 1,
                    FactKind::Quote,
                    shown.to_ascii_lowercase(),
                    quoted,
                );
            }
        }
    }

    /// Each fact with the words beside it (EDGE at a sentence's edge): the first word each
    /// way that is not a fact, commas and other facts passed over.
    fn with_slots(self) -> Vec<Fact> {
        let mut found = self.found;
        if found.is_empty() {
            return Vec::new();
        }
        let n = self.tokens.len();
        let mut inside = vec![false; n];
        for f in &found {
            inside[f.start..f.end].fill(true);
        }
        let side = |i: usize, next: Option<usize>| match self.tokens[i].kind {
            Kind::Stop | Kind::Quote => None,
            Kind::Comma => next,
            _ if inside[i] => next,
            _ => Some(i),
        };
        // after[i]: the side a scan forwards from token i finds; before[i]: backwards from
        // token i - 1.
        let mut after = vec![None; n + 1];
        for i in (0..n).rev() {
            after[i] = side(i, after[i + 1]);
        }
        let mut before = vec![None; n + 1];
        for i in 1..=n {
            before[i] = side(i - 1, before[i - 1]);
        }
        let word = |found: Option<usize>| match found {
            Some(i) => {
                let t = self.tokens[i];
                string(self.text[t.start..t.end].to_ascii_lowercase())
            }
            None => EDGE.to_string(),
        };
        found.sort_unstable_by(|a, b| {
            (a.start, a.end, a.kind.name(), &a.value, &a.shown).cmp(&(
                b.start,
                b.end,
                b.kind.name(),
                &b.value,
                &b.shown,
            ))
        });
        found
            .into_iter()
            .map(|f| Fact {
                kind: f.kind,
                before: word(before[f.start]),
                after: word(after[f.end]),
                value: string(f.value),
                shown: string(f.shown),
            })
            .collect()
    }
}

/// `_FOLD`: the quotes and apostrophes folded to ASCII before tokens are read.
fn folded(cp: u32) -> Option<u8> {
    match cp {
        0x201C..=0x201F | 0x2033 | 0xAB | 0xBB => Some(b'"'),
        0x2018..=0x201B | 0x2032 | 0x60 | 0xB4 => Some(b'\''),
        _ => None,
    }
}

/// The text with `_FOLD` applied (`str.translate`): here, as Python's `translate` reads text
/// that is not ASCII a character at a time through a dict (60 ns a character).
fn fold_quotes(text: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    // Every folded character's UTF-8 starts with one of these bytes.
    if !text.iter().any(|&c| matches!(c, b'`' | 0xC2 | 0xE2)) {
        return text.into();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let (cp, len) = decode(text, i);
        match folded(cp) {
            Some(ascii) => out.push(ascii),
            None => out.extend_from_slice(&text[i..i + len]),
        }
        i += len;
    }
    out.into()
}

/// The facts of a text prepared as `facts.prepared` prepares it (entities decoded, NFKC),
/// and whether it is written mostly in capitals.
pub fn text_facts(text: &[u8], chars: &Chars) -> TextFacts {
    Reader::new(&fold_quotes(text), chars).read()
}

/// `text_facts` of each text.
pub fn text_facts_batch(texts: &[&[u8]], chars: &Chars) -> Vec<TextFacts> {
    parallel::map(texts.len(), |d| text_facts(texts[d], chars))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars() -> Chars<'static> {
        Chars::new(shipped_char_table()).unwrap()
    }

    fn facts(text: &str) -> Vec<(&'static str, String, String, String, String)> {
        text_facts(text.as_bytes(), &chars())
            .facts
            .into_iter()
            .map(|f| (f.kind.name(), f.value, f.shown, f.before, f.after))
            .collect()
    }

    fn fact(
        kind: &'static str,
        value: &str,
        shown: &str,
        before: &str,
        after: &str,
    ) -> (&'static str, String, String, String, String) {
        (
            kind,
            value.into(),
            shown.into(),
            before.into(),
            after.into(),
        )
    }

    #[test]
    fn the_shipped_table_has_python_classes() {
        let c = chars();
        assert!(c.is(b' ' as u32, SPACE) && c.is(0x1C, SPACE) && c.is(0x85, SPACE));
        assert!(!c.is(0x200B, SPACE)); // zero width space: not str.isspace
        assert!(c.is(b'_' as u32, WORD) && c.is(0xB2, WORD) && !c.is(b'-' as u32, WORD));
        assert_eq!(c.digit(0x0663), Some(3)); // ARABIC-INDIC DIGIT THREE
        assert_eq!(c.digit(0x1D7D9), Some(1)); // MATHEMATICAL DOUBLE-STRUCK DIGIT ONE
        assert_eq!(c.digit(0xB2), None); // superscript two: a digit, not a decimal
        assert!(!c.is(0xD800, WORD) && !c.is(INVALID, WORD));
    }

    #[test]
    fn a_bad_table_is_refused() {
        assert!(Chars::new(&[]).is_err());
        assert!(Chars::new(&[1 << 8]).is_err());
        assert!(Chars::new(&[0, 5 << 8, 5 << 8]).is_err());
        assert!(Chars::new(&[(DIGIT as u32) << 4 | 8, 5 << 8]).is_err());
    }

    #[test]
    fn the_facts_of_a_wire_sentence() {
        let text = "Chase Manhattan Bank said on Tuesday it is raising its prime lending rate to \
                    7-3/4 pct from 7-1/2 pct, effective March 3, after a 1,000 mln dlr rise in \
                    \"tight money\" at <CMB>.";
        assert_eq!(
            facts(text),
            [
                fact(
                    "name",
                    "chase manhattan bank",
                    "Chase Manhattan Bank",
                    "|",
                    "said"
                ),
                fact("weekday", "tuesday", "Tuesday", "on", "it"),
                fact("number", "7-3/4 pct", "7-3/4 pct", "to", "from"),
                fact("number", "7-1/2 pct", "7-1/2 pct", "from", "effective"),
                fact("date", "march 3", "March 3", "effective", "after"),
                fact("number", "1000 mln dlrs", "1,000 mln dlr", "a", "rise"),
                fact("quote", "tight money", "\"tight money\"", "in", "at"),
                fact("name", "cmb", "<CMB>", "at", "|"),
            ]
        );
    }

    #[test]
    fn names_in_a_run_are_cut_at_each_possessive_and_suffix() {
        let text =
            "Analysts said The Japan's Tokyo-based The Mitsubishi Corp's Inland Steel rose 5 pct.";
        assert_eq!(
            facts(text),
            [
                fact("name", "japan", "Japan", "the", "the"),
                fact("name", "tokyo", "Tokyo", "the", "the"),
                fact("name", "mitsubishi corp", "Mitsubishi Corp", "the", "rose"),
                fact("name", "inland steel", "Inland Steel", "the", "rose"),
                fact("number", "5 pct", "5 pct", "rose", "|"),
            ]
        );
    }

    #[test]
    fn numbers_of_other_scripts_and_their_days() {
        // Arabic-Indic "12" and "1,500.50", and dates by their day in Devanagari digits.
        let text = "paid \u{661}\u{662} dlrs and \u{661},\u{665}\u{660}\u{660}.50 on \u{967} \
                    March, \u{967}\u{968} May 5";
        assert_eq!(
            facts(text),
            [
                fact(
                    "number",
                    "\u{661}\u{662} dlrs",
                    "\u{661}\u{662} dlrs",
                    "paid",
                    "and"
                ),
                fact(
                    "number",
                    "\u{661}\u{665}\u{660}\u{660}.5",
                    "\u{661},\u{665}\u{660}\u{660}.50",
                    "and",
                    "on"
                ),
                fact("date", "march 1", "\u{967} March", "on", "|"),
                fact("date", "may 12", "\u{967}\u{968} May", "on", "|"),
                fact("number", "5", "5", "on", "|"),
            ]
        );
    }

    #[test]
    fn quotes_and_apostrophes_are_folded_first() {
        assert_eq!(
            facts("He said \u{201c}tight money\u{201d} at Bob\u{2019}s Acme `Co\u{2019}s mill."),
            [
                fact("quote", "tight money", "\"tight money\"", "said", "at"),
                fact("name", "bob", "Bob", "at", "mill"),
                fact("name", "acme co", "Acme Co", "at", "mill"),
            ]
        );
    }

    #[test]
    fn a_long_run_of_possessives_reads_in_one_pass() {
        let text = "Bob's ".repeat(5000) + "met in March.";
        let found = facts(&text);
        assert_eq!(found.len(), 5001);
        assert_eq!(found[0], fact("name", "bob", "Bob", "|", "met"));
        assert_eq!(found[5000], fact("month", "march", "March", "in", "|"));
    }

    fn tokens_of(text: &str) -> Vec<[u64; 2]> {
        fact_tokens(text.as_bytes(), &chars())
    }

    fn hashed(pairs: &[(&str, &str)]) -> Vec<[u64; 2]> {
        let mut out: Vec<[u64; 2]> = pairs
            .iter()
            .map(|(t, a)| [xxh3_64(t.as_bytes()), xxh3_64(a.as_bytes())])
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn fact_tokens_are_tokens_with_the_word_after() {
        assert_eq!(
            tokens_of("Chase raised rates on March 3."),
            hashed(&[("Chase", "raised"), ("March", "3"), ("3.", "")])
        );
        // A tab before a number's unit: the split is at the first tab, as `partition` does.
        assert_eq!(
            tokens_of("$5\tmln, dlrs <AB.C> x"),
            hashed(&[("$5", "mln\tdlrs"), ("<AB.C>", "x")])
        );
        // No token inside a word, nor a capital after a word character.
        assert_eq!(tokens_of("abc5 éB xA9"), hashed(&[]));
    }

    #[test]
    fn a_number_spelt_out_before_a_unit_is_its_figure() {
        assert_eq!(
            facts("Rates rose six pct, then Six mln dlrs in one of ten Six Flags parks."),
            [
                fact("number", "6 pct", "six pct", "rose", "then"),
                fact("number", "6 mln dlrs", "Six mln dlrs", "then", "in"),
                fact("name", "flags", "Flags", "six", "parks"),
            ]
        );
        // Its token takes the word after it, as a figure's does; no token without one.
        assert_eq!(
            tokens_of("up six pct on Six Flags, twelve"),
            hashed(&[("six pct", "on"), ("Six", "Flags"), ("Flags", "twelve")])
        );
    }

    #[test]
    fn may_differ_needs_a_token_of_each_in_one_slot() {
        let chemical = tokens_of("Chemical Bank said it raised its rate.");
        let chase = tokens_of("Chase Bank said it raised its rate.");
        let monday = tokens_of("Chemical Bank said it raised its rate on Monday.");
        let mut scratch = Default::default();
        let mut differ = |a: &[[u64; 2]], b: &[[u64; 2]]| {
            may_differ(a.as_flattened(), b.as_flattened(), &mut scratch)
        };
        assert!(differ(&chemical, &chase));
        assert!(!differ(&chemical, &monday));
    }
}
