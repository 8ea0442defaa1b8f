//! The (text, line) keys of the furniture pre-pass (`neardup.core.furniture.line_pairs`): for
//! each distinct text, the keys of its short lines, so that lines recurring in many texts can be
//! counted. `reference.line_pairs` is the specification: Python's `str.splitlines`,
//! `str.split`, `str.casefold` and XXH3, which these functions follow character for character.

use std::collections::HashSet;

use xxhash_rust::xxh3::xxh3_64;

use crate::parallel;
use crate::unicode::Changes;

/// Python's `str.isspace` (what `str.split()` splits at, and `\s` matches in a `str` pattern).
pub(crate) fn is_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x20' | '\u{85}' | '\u{a0}' | '\u{1680}'
        | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// Python's `str.splitlines()`: lines end at \n, \r, \r\n, \v, \f, \x1c-\x1e, U+0085, U+2028
/// and U+2029; no empty line after a last line end.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some((end, width)) = line_end(rest.as_bytes()) else {
            let line = rest;
            rest = "";
            return Some(line);
        };
        let line = &rest[..end];
        rest = &rest[end + width..];
        Some(line)
    })
}

/// Bytes looked at together for a byte that may start a line end.
const BLOCK: usize = 32;

/// Where the first line end of UTF-8 `text` is, and its length in bytes. Every line end but
/// three starts with a byte below 0x20, and those three with 0xC2 or 0xE2: a block without
/// such a byte is passed over in one test, which the compiler vectorizes (decoding each
/// character took most of the time of the line keys).
fn line_end(text: &[u8]) -> Option<(usize, usize)> {
    let mut at = 0;
    while at < text.len() {
        let end = (at + BLOCK).min(text.len());
        let block = &text[at..end];
        if block.len() < BLOCK
            || block.iter().fold(false, |any, &b| {
                any | (b < 0x20) | (b == 0xC2) | (b == 0xE2)
            })
        {
            if let Some(found) = (at..end).find_map(|i| line_end_at(text, i)) {
                return Some(found);
            }
        }
        at = end;
    }
    None
}

/// The line end at `text[at]`, if there is one there, and its length in bytes.
fn line_end_at(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let width = match (text[at], text.get(at + 1), text.get(at + 2)) {
        (b'\r', Some(b'\n'), _) => 2,
        (b'\n' | b'\r' | b'\x0b' | b'\x0c' | b'\x1c'..=b'\x1e', _, _) => 1,
        (0xC2, Some(0x85), _) => 2,
        (0xE2, Some(0x80), Some(0xA8 | 0xA9)) => 3,
        _ => return None,
    };
    Some((at, width))
}

/// The key of a line (`furniture.line_key`: its words, case folded, joined by single spaces,
/// through XXH3) if it has 1 to `max_words` words, written through `buffer`.
pub(crate) fn short_line_key(
    line: &str,
    max_words: usize,
    fold: Changes,
    buffer: &mut Vec<u8>,
) -> Option<u64> {
    buffer.clear();
    let mut words = 0;
    let mut in_word = false;
    for c in line.chars() {
        if is_space(c) {
            in_word = false;
            continue;
        }
        if !in_word {
            words += 1;
            if words > max_words {
                return None;
            }
            if words > 1 {
                buffer.push(b' ');
            }
            in_word = true;
        }
        // ASCII casefolds to lower case: no need to look it up.
        if c.is_ascii() {
            buffer.push(c.to_ascii_lowercase() as u8);
            continue;
        }
        match fold.get(c as u32) {
            Some(bytes) => buffer.extend_from_slice(bytes),
            None => buffer.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    (words > 0).then(|| xxh3_64(buffer))
}

/// (text key, line key) pairs of every distinct text (the first of identical texts): one for
/// each distinct key of its lines of 1 to `max_words` words. Texts are UTF-8 (a Python str's
/// lone surrogates written as '?', as `encode("utf-8", "replace")` writes them).
pub fn line_pairs(texts: &[&str], max_words: usize, fold: Changes) -> Vec<[u64; 2]> {
    let keyed = parallel::map_init(texts.len(), Vec::new, |buffer, t| {
        let text = texts[t];
        let mut keys: Vec<u64> = lines(text)
            .filter_map(|line| short_line_key(line, max_words, fold, buffer))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        (xxh3_64(text.as_bytes()), keys)
    });
    let mut seen = HashSet::with_capacity(keyed.len());
    keyed
        .into_iter()
        .filter(|(text, _)| seen.insert(*text))
        .flat_map(|(text, keys)| keys.into_iter().map(move |line| [text, line]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_FOLD: Changes = Changes::NONE;

    #[test]
    fn lines_split_as_python_splitlines() {
        let got: Vec<&str> = lines("a\r\nb\rc\u{2028}d\n\ne\u{85}\u{2029}\u{2027}\x1d\r").collect();
        assert_eq!(got, vec!["a", "b", "c", "d", "", "e", "", "\u{2027}", ""]);
        // Lines longer than a block, with line ends across a block's end.
        let long = format!(
            "{}\r\n{}\u{2028}“{}”",
            "x".repeat(31),
            "y".repeat(30),
            "z".repeat(70)
        );
        let got: Vec<&str> = lines(&long).collect();
        assert_eq!(
            got,
            vec![
                "x".repeat(31),
                "y".repeat(30),
                format!("“{}”", "z".repeat(70))
            ]
        );
    }

    #[test]
    fn only_lines_of_one_to_max_words_have_keys() {
        let mut buffer = Vec::new();
        assert!(short_line_key("  ", 3, NO_FOLD, &mut buffer).is_none());
        assert!(short_line_key("a b c d", 3, NO_FOLD, &mut buffer).is_none());
        // ASCII is always folded; the rest as the table says (here: not at all).
        let key = short_line_key(" SEE\u{a0} ÄLSO ", 3, NO_FOLD, &mut buffer);
        assert_eq!(buffer, "see Älso".as_bytes());
        assert_eq!(key, Some(xxh3_64("see Älso".as_bytes())));
    }

    #[test]
    fn identical_texts_are_listed_once() {
        let pairs = line_pairs(&["x\ny", "x\ny", "x"], 5, NO_FOLD);
        assert_eq!(pairs.len(), 3);
    }
}
