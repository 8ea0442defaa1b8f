//! The Unicode tables of normalization, of NFKC's quick check and of the furniture line keys,
//! as Python 3.11's
//! `unicodedata` makes them (`neardup.core.normal_bytes.built_tables`): building them in Python
//! takes 0.07-0.14 s, which `neardup compare` would pay on every start. A Python of another
//! Unicode version builds its own instead.

use std::sync::OnceLock;

/// The Unicode version of the shipped tables (Python 3.11's `unicodedata.unidata_version`).
pub const UNICODE_VERSION: &str = "14.0.0";

/// `python -m neardup.core.normal_bytes` with Python 3.11; a Python test checks it anew.
static SHIPPED: &[u8] = include_bytes!("unicode-14.0.0.bin");

/// What a table changes: code point `code_points[i]` (ascending) becomes
/// `pool[starts[i]..starts[i + 1]]`, UTF-8.
#[derive(Clone, Copy, Debug)]
pub struct Changes<'a> {
    pub code_points: &'a [u32],
    pub starts: &'a [i64],
    pub pool: &'a [u8],
}

impl Changes<'_> {
    /// A table that changes nothing (for tests of what does not depend on the folding).
    #[cfg(test)]
    pub const NONE: Changes<'static> = Changes {
        code_points: &[],
        starts: &[0],
        pool: &[],
    };

    /// What code point `cp` becomes, if the table changes it.
    pub fn get(&self, cp: u32) -> Option<&[u8]> {
        let i = self.code_points.binary_search(&cp).ok()?;
        Some(&self.pool[self.starts[i] as usize..self.starts[i + 1] as usize])
    }
}

/// The arrays of a table of changes read from the shipped file.
#[derive(Debug, Default)]
pub struct ChangeArrays {
    code_points: Vec<u32>,
    starts: Vec<i64>,
    pool: Vec<u8>,
}

impl ChangeArrays {
    pub fn changes(&self) -> Changes<'_> {
        Changes {
            code_points: &self.code_points,
            starts: &self.starts,
            pool: &self.pool,
        }
    }
}

/// The fold changes, the spaced code points, the casefold changes, and the code points below
/// the fold table's size whose NFKC quick check is not YES or whose combining class is not 0,
/// each with 0 (not YES) or 1 + its combining class (`normal_bytes.quick_check_changes`).
#[derive(Debug, Default)]
pub struct Tables {
    pub fold: ChangeArrays,
    pub spaced: Vec<i64>,
    pub casefold: ChangeArrays,
    pub quick_check_points: Vec<u32>,
    pub quick_check_values: Vec<u8>,
}

/// The shipped tables, read once.
pub fn shipped() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| parse(SHIPPED))
}

/// Tables in `normal_bytes.serialized`'s format: nine little-endian u64 lengths, then the
/// arrays (u32, i64, u8, i64, u32, i64, u8, u32, u8).
fn parse(bytes: &[u8]) -> Tables {
    let mut at = 72;
    let length =
        |k: usize| u64::from_le_bytes(bytes[k * 8..k * 8 + 8].try_into().unwrap()) as usize;
    let mut take = |count: usize, width: usize| {
        let part = &bytes[at..at + count * width];
        at += count * width;
        part
    };
    let u32s = |b: &[u8]| {
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    };
    let i64s = |b: &[u8]| {
        b.chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
            .collect()
    };
    let fold = ChangeArrays {
        code_points: u32s(take(length(0), 4)),
        starts: i64s(take(length(1), 8)),
        pool: take(length(2), 1).to_vec(),
    };
    let spaced = i64s(take(length(3), 8));
    let casefold = ChangeArrays {
        code_points: u32s(take(length(4), 4)),
        starts: i64s(take(length(5), 8)),
        pool: take(length(6), 1).to_vec(),
    };
    let quick_check_points = u32s(take(length(7), 4));
    let quick_check_values = take(length(8), 1).to_vec();
    Tables {
        fold,
        spaced,
        casefold,
        quick_check_points,
        quick_check_values,
    }
}

/// UTF-8 of a code point, surrogates included (as Python's `surrogatepass` writes them).
fn push_utf8(cp: u32, out: &mut Vec<u8>) {
    match cp {
        0..=0x7F => out.push(cp as u8),
        0x80..=0x7FF => out.extend([0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8]),
        0x800..=0xFFFF => out.extend([
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]),
        _ => out.extend([
            0xF0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3F) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]),
    }
}

/// The dense table of `size` code points (`starts`, `pool`): each code point's own UTF-8 but
/// where `changes` says otherwise.
pub fn dense(changes: Changes, size: usize) -> (Vec<i64>, Vec<u8>) {
    let mut starts = Vec::with_capacity(size + 1);
    let mut pool = Vec::with_capacity(size * 3);
    let mut next = changes.code_points.iter().enumerate().peekable();
    for cp in 0..size as u32 {
        starts.push(pool.len() as i64);
        match next.peek() {
            Some(&(i, &changed)) if changed == cp => {
                let (a, b) = (changes.starts[i] as usize, changes.starts[i + 1] as usize);
                pool.extend_from_slice(&changes.pool[a..b]);
                next.next();
            }
            _ => push_utf8(cp, &mut pool),
        }
    }
    starts.push(pool.len() as i64);
    (starts, pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tables_fold_what_python_folds() {
        let tables = shipped();
        let (starts, pool) = dense(tables.fold.changes(), 0x30000);
        let entry = |cp: usize| &pool[starts[cp] as usize..starts[cp + 1] as usize];
        assert_eq!(entry('A' as usize), b"a");
        assert_eq!(entry('ß' as usize), b"ss");
        assert_eq!(entry('\u{2019}' as usize), b"'");
        assert_eq!(entry('é' as usize), "é".as_bytes());
        assert_eq!(entry(0xD800), b" "); // a surrogate is a control character
        assert_eq!(entry(0xE000), "\u{e000}".as_bytes()); // private use stays
        assert!(tables.spaced.binary_search(&0xE0001).is_ok());
        assert!(tables
            .casefold
            .code_points
            .binary_search(&('Σ' as u32))
            .is_ok());
    }
}
