//! The character-level second look at a batch of pairs (`charlook.second_look`): each text's
//! words found once (its normal form's tokens, `tokens.words`), then every pair aligned
//! (`align`, rapidfuzz's Levenshtein alignment) and scored (`charlook`), on every core.

use crate::align;
use crate::charlook::{self, NumberWords, Side, SPACE};
use crate::normal::Folder;
use crate::parallel;
use crate::text::{char_len, token_spans};

/// The words of a text (UTF-8; a lone surrogate as Python's "surrogatepass" writes it) joined
/// by single spaces, as code points: `" ".join(tokens.words(text))` for a text that
/// `normal_bytes.before_table` leaves as it is.
pub fn joined_words(text: &[u8], folder: &Folder) -> Vec<u32> {
    let mut normal = Vec::with_capacity(text.len());
    folder.normal_form(text, &mut normal);
    let mut joined = Vec::with_capacity(normal.len());
    for (start, end) in token_spans(&normal) {
        if !joined.is_empty() {
            joined.push(SPACE);
        }
        let mut i = start;
        while i < end {
            let (width, cp) = char_len(&normal[i..end]);
            // A sequence cut short is a character of its own, as `text::tokens` reads it.
            joined.push(if cp < 0 { normal[i] as u32 } else { cp as u32 });
            i += width.max(1);
        }
    }
    joined
}

/// How the pairs of a batch are looked at.
pub struct Look<'a> {
    pub folder: &'a Folder<'a>,
    pub number_words: &'a NumberWords,
    pub ngram: usize,
    pub char_errors: f64,
}

/// The character-level scores (`charlook.char_scores`) of each pair `(texts[left[p]],
/// texts[right[p]])`, indices checked by the caller.
pub fn look_pairs(
    texts: &[&[u8]],
    left: &[usize],
    right: &[usize],
    look: &Look,
) -> Vec<Option<(f64, f64, f64)>> {
    let joined = parallel::map(texts.len(), |d| joined_words(texts[d], look.folder));
    let sides = parallel::map(joined.len(), |d| {
        Side::new(&joined[d], look.ngram, look.number_words)
    });
    parallel::map(left.len(), |p| {
        let (a, b) = (left[p], right[p]);
        let a_to_b = align::aligned(&joined[a], &joined[b]);
        let b_to_a = align::inverse(&a_to_b, joined[b].len());
        charlook::scores(&sides[a], &sides[b], &a_to_b, &b_to_a, look.char_errors)
    })
}
