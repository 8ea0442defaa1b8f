//! Which texts Python must see before they are sketched, and which the native core sketches
//! straight from their bytes (`neardup.core.sketch.sketch_utf8`).
//!
//! Python's steps before the native ones (`normal_bytes.before_table`: HTML character
//! references, then NFKC) and the page furniture (`furniture.strip_furniture`: patterns, glued
//! headlines, recurring lines) are not ported: this only tells, erring towards Python, the
//! texts that none of them changes. A text is sent to Python where it may hold a character
//! reference, where NFKC's quick check does not say YES, or where a line starts with the first
//! word of a furniture pattern or is one of the corpus's recurring lines.

use crate::lines::{is_space, lines, short_line_key};
use crate::parallel;
use crate::unicode::Changes;

/// What sends a text to Python.
pub struct Screen<'a> {
    /// NFKC's quick check of each code point below its length (`normal_bytes.quick_check_table`):
    /// 0 where it does not say YES, else 1 + the code point's combining class. A code point
    /// beyond it sends its text to Python.
    pub quick_check: &'a [u8],
    /// The first words, as `first_word` reads them, of the lines that the furniture patterns
    /// match (`furniture.FIRST_WORDS`); none where furniture is kept.
    pub words: &'a [Vec<u8>],
    /// The keys of the corpus's recurring lines, sorted (`furniture.line_key`), and what they
    /// are made with: lines of 1 to `max_words` words, case folded by `fold`.
    pub recurring: &'a [u64],
    pub max_words: usize,
    pub fold: Changes<'a>,
}

/// The texts (by index, ascending) that Python must see before they are sketched.
pub fn texts_for_python(texts: &[&str], screen: &Screen) -> Vec<i64> {
    let longest = screen.words.iter().map(Vec::len).max().unwrap_or(0);
    let sent = parallel::map_init(texts.len(), Vec::new, |buffer, t| {
        let text = texts[t];
        !(no_character_reference(text.as_bytes()) && nfkc_quick_check_yes(text, screen))
            || has_furniture_line(text, screen, longest, buffer)
    });
    (0..texts.len() as i64)
        .filter(|&t| sent[t as usize])
        .collect()
}

/// Whether `html.unescape` surely finds no character reference: no '&' before a character
/// that can start one (its pattern, `html._charref`, wants one that is not white space, '<',
/// '&' or ';').
fn no_character_reference(text: &[u8]) -> bool {
    memchr::memchr_iter(b'&', text).all(|at| {
        matches!(
            text.get(at + 1),
            None | Some(b'\t' | b'\n' | b'\x0c' | b' ' | b'<' | b'&' | b';')
        )
    })
}

/// Whether NFKC's quick check says YES, as CPython's `unicodedata` checks before it normalizes
/// (and gives the very text back where it does): every code point YES, and no mark of a lower
/// combining class after one of a higher class.
fn nfkc_quick_check_yes(text: &str, screen: &Screen) -> bool {
    if text.is_ascii() {
        return true;
    }
    let mut last_class = 0;
    for c in text.chars() {
        let entry = match c.is_ascii() {
            true => 1,
            false => screen.quick_check.get(c as usize).copied().unwrap_or(0),
        };
        if entry == 0 {
            return false;
        }
        let class = entry - 1;
        if class != 0 && last_class > class {
            return false;
        }
        last_class = class;
    }
    true
}

/// Whether a line of `text` may be furniture: it starts with the first word of a pattern, or
/// its key is a recurring line's.
fn has_furniture_line(text: &str, screen: &Screen, longest: usize, buffer: &mut Vec<u8>) -> bool {
    if screen.words.is_empty() && screen.recurring.is_empty() {
        return false;
    }
    lines(text).any(|line| {
        first_word(line, longest, buffer);
        screen.words.iter().any(|word| word == buffer)
            || (!screen.recurring.is_empty()
                && short_line_key(line, screen.max_words, screen.fold, buffer)
                    .is_some_and(|key| screen.recurring.binary_search(&key).is_ok()))
    })
}

/// The first word of a line as the furniture patterns (compiled with `re.IGNORECASE`) read it,
/// into `word`: after white space (`\s`), the run of characters that match an ASCII letter,
/// as those letters in lower case (cut after `longest` letters: no word is longer); where the
/// line starts with no such character, that character itself ("©").
fn first_word(line: &str, longest: usize, word: &mut Vec<u8>) {
    word.clear();
    for c in line.trim_start_matches(is_space).chars() {
        match pattern_letter(c) {
            Some(letter) if word.len() <= longest => word.push(letter),
            Some(_) => return,
            None if word.is_empty() => {
                word.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                return;
            }
            None => return,
        }
    }
}

/// The ASCII letter (lower case) that `c` matches in a pattern compiled with `re.IGNORECASE`:
/// its own, or the one `re` holds it equivalent to (ſ s, K k, ı and İ i).
fn pattern_letter(c: char) -> Option<u8> {
    match c {
        'a'..='z' => Some(c as u8),
        'A'..='Z' => Some(c.to_ascii_lowercase() as u8),
        'ſ' => Some(b's'),
        '\u{212a}' => Some(b'k'),
        'ı' | 'İ' => Some(b'i'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_FOLD: Changes = Changes::NONE;

    fn sent(texts: &[&str], words: &[&str], recurring: &[u64]) -> Vec<i64> {
        let mut quick_check = vec![1u8; 0x400];
        quick_check[0x300] = 1 + 230; // a combining grave accent: class 230
        quick_check[0x301] = 0; // a combining acute accent: MAYBE
        quick_check[0x316] = 1 + 220; // a combining grave accent below: class 220
        quick_check[0x3a9] = 0; // Ω
        let words: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        let screen = Screen {
            quick_check: &quick_check,
            words: &words,
            recurring,
            max_words: 3,
            fold: NO_FOLD,
        };
        texts_for_python(texts, &screen)
    }

    #[test]
    fn character_references_and_what_nfkc_may_change_go_to_python() {
        let texts = [
            "Q & A &; && &< x&",
            "AT&amp;T",
            "a&#39;",
            "e\u{301}",
            "é \u{316}\u{316}",
            "\u{300}\u{316}", // marks out of order
            "\u{316}\u{300}",
            "Ω",
            "\u{10000}", // beyond the table
        ];
        assert_eq!(sent(&texts, &[], &[]), vec![1, 2, 3, 5, 7, 8]);
    }

    #[test]
    fn lines_that_start_with_a_furniture_word_or_recur_go_to_python() {
        let words = ["see", "©"];
        let texts = [
            "story\n  SEE ALSO: more",
            "seen it\nseeing",
            "x\n\u{a0}ſee alſo:",
            "© 2024",
            "a b c d\ntwo words",
            "Ünd",
        ];
        let recurring = [xxh3(b"two words")];
        assert_eq!(sent(&texts, &words, &[]), vec![0, 2, 3]);
        assert_eq!(sent(&texts, &words, &recurring), vec![0, 2, 3, 4]);
        assert_eq!(sent(&texts, &[], &[]), Vec::<i64>::new());
    }

    fn xxh3(bytes: &[u8]) -> u64 {
        xxhash_rust::xxh3::xxh3_64(bytes)
    }

    #[test]
    fn first_words_are_read_as_ignorecase_matches_them() {
        let mut word = Vec::new();
        for (line, expected) in [
            ("  Advertisement", "advertisement"),
            ("\u{2028}SHARE this", "share"),
            ("\u{212a}ıİ:x", "kii"),
            ("© 2020", "©"),
            ("Sharé", "shar"),
            ("", ""),
        ] {
            first_word(line, 20, &mut word);
            assert_eq!(word, expected.as_bytes(), "{line}");
        }
        first_word("abcdefgh", 3, &mut word);
        assert_eq!(word, b"abcd");
    }
}
