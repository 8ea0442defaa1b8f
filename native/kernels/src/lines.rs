//! The (text, line) keys of the furniture pre-pass (`neardup.core.furniture.line_pairs`): for
//! each distinct text, the keys of its short lines, so that lines recurring in many texts can be
//! counted. `reference.line_pairs` is the specification: Python's `str.splitlines`,
//! `str.split`, `str.casefold` and XXH3, which these functions follow character for character.

use std::collections::HashSet;

use xxhash_rust::xxh3::xxh3_64;

use crate::parallel;
use crate::unicode::Changes;

/// Python's `str.isspace` (what `str.split()` splits at).
fn is_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x20' | '\u{85}' | '\u{a0}' | '\u{1680}'
        | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// Python's `str.splitlines()`: lines end at \n, \r, \r\n, \v, \f, \x1c-\x1e, U+0085, U+2028
/// and U+2029; no empty line after a last line end.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let found = rest.char_indices().find(|&(_, c)| {
            matches!(
                c,
                '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'
                    ..='\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}'
            )
        });
        let Some((end, c)) = found else {
            let line = rest;
            rest = "";
            return Some(line);
        };
        let mut next = end + c.len_utf8();
        if c == '\r' && rest[next..].starts_with('\n') {
            next += 1;
        }
        let line = &rest[..end];
        rest = &rest[next..];
        Some(line)
    })
}

/// The key of a line (`furniture.line_key`: its words, case folded, joined by single spaces,
/// through XXH3) if it has 1 to `max_words` words, written through `buffer`.
fn short_line_key(
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

    const NO_FOLD: Changes = Changes {
        code_points: &[],
        starts: &[0],
        pool: &[],
    };

    #[test]
    fn lines_split_as_python_splitlines() {
        let got: Vec<&str> = lines("a\r\nb\rc\u{2028}d\n\ne\n").collect();
        assert_eq!(got, vec!["a", "b", "c", "d", "", "e"]);
    }

    #[test]
    fn only_lines_of_one_to_max_words_have_keys() {
        let mut buffer = Vec::new();
        assert!(short_line_key("  ", 3, NO_FOLD, &mut buffer).is_none());
        assert!(short_line_key("a b c d", 3, NO_FOLD, &mut buffer).is_none());
        let key = short_line_key(" SEE\u{a0} also ", 3, NO_FOLD, &mut buffer);
        assert_eq!(buffer, b"SEE also");
        assert_eq!(key, Some(xxh3_64(b"SEE also")));
    }

    #[test]
    fn identical_texts_are_listed_once() {
        let pairs = line_pairs(&["x\ny", "x\ny", "x"], 5, NO_FOLD);
        assert_eq!(pairs.len(), 3);
    }
}
