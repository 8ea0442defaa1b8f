//! The per-character steps of normalization (`neardup.core.normalize`): case folding, typographic
//! marks to ASCII, other punctuation and controls to a space, runs of spaces collapsed.

use crate::parallel;
use crate::text::char_len;

/// What each code point becomes: code point c below `size()` becomes
/// `pool[starts[c]..starts[c + 1]]`; those above it that `spaced` (sorted) lists become a
/// space, and other code points stay as they are.
pub struct Table<'a> {
    pub starts: &'a [i64],
    pub pool: &'a [u8],
    pub spaced: &'a [i64],
}

/// A table ready to apply: with the one-byte ASCII entries (every ASCII entry is one byte) at
/// hand for the loop's fast path.
pub struct Folder<'a> {
    table: &'a Table<'a>,
    ascii: [u8; 128],
}

impl<'a> Folder<'a> {
    pub fn new(table: &'a Table<'a>) -> Self {
        let ascii = std::array::from_fn(|c| table.pool[table.starts[c] as usize]);
        Folder { table, ascii }
    }

    /// What each ASCII byte becomes (one byte each).
    pub fn ascii(&self) -> &[u8; 128] {
        &self.ascii
    }

    /// The normal form of `data`, appended to `out`: the table applied to each character, runs
    /// of spaces collapsed to one, none at either end.
    pub fn normal_form(&self, data: &[u8], out: &mut Vec<u8>) {
        normal_form(data, self.table, &self.ascii, out)
    }
}

fn normal_form(data: &[u8], table: &Table, ascii: &[u8; 128], out: &mut Vec<u8>) {
    out.reserve(data.len());
    let size = (table.starts.len() - 1) as i64;
    let mut last = b' '; // as if after a space: none at the start
    let mut put = |out: &mut Vec<u8>, byte: u8| {
        if byte != b' ' || last != b' ' {
            out.push(byte);
        }
        last = byte;
    };
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        if c < 128 {
            put(out, ascii[c as usize]);
            i += 1;
            continue;
        }
        let (width, cp) = char_len(&data[i..]);
        if (0..size).contains(&cp) {
            let (a, b) = (table.starts[cp as usize], table.starts[cp as usize + 1]);
            for &byte in &table.pool[a as usize..b as usize] {
                put(out, byte);
            }
        } else if cp >= size && table.spaced.binary_search(&cp).is_ok() {
            put(out, b' ');
        } else {
            for &byte in &data[i..i + width] {
                put(out, byte);
            }
        }
        i += width;
    }
    if out.last() == Some(&b' ') {
        out.pop();
    }
}

/// The normal forms of documents `data[offsets[d]..offsets[d + 1]]`, laid end to end, and their
/// offsets.
pub fn normalize_batch(data: &[u8], offsets: &[i64], table: &Table) -> (Vec<u8>, Vec<i64>) {
    let folder = Folder::new(table);
    let forms = parallel::map(offsets.len() - 1, |d| {
        let mut out = Vec::new();
        folder.normal_form(
            &data[offsets[d] as usize..offsets[d + 1] as usize],
            &mut out,
        );
        out
    });
    parallel::joined(&forms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowercase_table() -> (Vec<i64>, Vec<u8>) {
        let pool: Vec<u8> = (0u8..128).map(|c| c.to_ascii_lowercase()).collect();
        ((0..=128).collect(), pool)
    }

    #[test]
    fn spaces_collapse_and_ends_are_trimmed() {
        let (starts, pool) = lowercase_table();
        let table = Table {
            starts: &starts,
            pool: &pool,
            spaced: &[],
        };
        let data = b"  Hello   World  x";
        let (out, offsets) = normalize_batch(data, &[0, 15, 18], &table);
        assert_eq!(&out, b"hello worldx");
        assert_eq!(offsets, vec![0, 11, 12]);
    }

    #[test]
    fn code_points_past_the_table_stay_unless_spaced() {
        let (starts, pool) = lowercase_table();
        let spaced = [0x1F600];
        let table = Table {
            starts: &starts,
            pool: &pool,
            spaced: &spaced,
        };
        let text = "a😀b".as_bytes();
        let (out, _) = normalize_batch(text, &[0, text.len() as i64], &table);
        assert_eq!(&out, b"a b");
    }
}
