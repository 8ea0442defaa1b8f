//! The first read of a chunk of JSONL lines: each record's id and text, on every core.
//!
//! Only the simple case is read here: an object whose id field is a string or an integer and
//! whose text field is a string or null (an empty document), each given once, in a line that is
//! valid UTF-8 and that serde_json parses whole. Whatever else a line holds (a lone surrogate
//! escape in the id or text, a BOM, NaN, another type, a field missing or given twice, malformed
//! JSON) sends that record back to Python's reader (`io/read.py`), which repairs it, counts it
//! or names its error as it always has. serde_json refuses all that Python's `json` refuses
//! (control characters, bad escapes and numbers, trailing data), so a record read here is one
//! Python reads the same. It also refuses some of what Python reads or refuses in its own words
//! (nesting deeper than serde_json's 128 levels, a number beyond f64's range, such as an integer
//! of thousands of digits): those records go to Python too, which reads them or names the error.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::parallel;

/// The names of the fields a record is read for.
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    pub id: &'a str,
    pub text: &'a str,
}

/// The records of a chunk, in order: every line that is not blank is one.
#[derive(Debug, Default, PartialEq)]
pub struct Records {
    /// How many lines the chunk has (the line after its last line end counts if it holds
    /// anything).
    pub line_count: i64,
    /// Each record's line in the chunk, from 0.
    pub lines: Vec<i64>,
    /// Each record's id (an integer's decimal digits), or None where Python reads the record.
    pub ids: Vec<Option<String>>,
    /// The texts, UTF-8, end to end: record r's is `data[offsets[r]..offsets[r + 1]]` (empty
    /// where Python reads the record).
    pub data: Vec<u8>,
    pub offsets: Vec<i64>,
    /// Each text's length in code points (Python's `len`).
    pub chars: Vec<i64>,
    /// The records Python reads.
    pub left: Vec<i64>,
    /// The bytes of each record's line in the chunk (its line end included).
    pub spans: Vec<[i64; 2]>,
}

/// Whether Python's `bytes.strip` leaves nothing of a line: such a line holds no record.
fn blank(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c'))
}

/// The lines of a chunk that hold a record (every line that is not blank).
pub(crate) struct RecordLines {
    /// How many lines the chunk has (the line after its last line end counts if it holds
    /// anything).
    pub line_count: i64,
    /// Each record's line in the chunk, from 0.
    pub lines: Vec<i64>,
    /// The bytes of each record's line, its line end included.
    pub spans: Vec<[usize; 2]>,
}

/// The byte spans of the chunk's lines, each with its line end.
fn line_spans(chunk: &[u8]) -> Vec<[usize; 2]> {
    let mut spans = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', chunk) {
        spans.push([start, end + 1]);
        start = end + 1;
    }
    if start < chunk.len() {
        spans.push([start, chunk.len()]);
    }
    spans
}

/// The lines of a chunk that hold a record.
pub(crate) fn record_lines(chunk: &[u8]) -> RecordLines {
    let all = line_spans(chunk);
    let (lines, spans) = all
        .iter()
        .enumerate()
        .filter(|(_, &[start, end])| !blank(&chunk[start..end]))
        .map(|(line, &span)| (line as i64, span))
        .unzip();
    RecordLines {
        line_count: all.len() as i64,
        lines,
        spans,
    }
}

impl RecordLines {
    /// `f` of each record's line (its line end included), in order, on every core.
    pub(crate) fn map<'c, T: Send>(
        &self,
        chunk: &'c [u8],
        f: impl Fn(&'c [u8]) -> T + Sync + Send,
    ) -> Vec<T> {
        parallel::map(self.spans.len(), |r| {
            let [start, end] = self.spans[r];
            f(&chunk[start..end])
        })
    }
}

/// The id and text of the simple records among the chunk's lines; see the module's comment.
pub fn read_records(chunk: &[u8], fields: Fields) -> Records {
    let found = record_lines(chunk);
    // A text without escapes is read in place, and its characters are counted on every core.
    let read = found.map(chunk, |line| {
        let (id, text) = simple_record(line, fields)?;
        let chars = text.chars().count() as i64;
        Some((id, text, chars))
    });
    let RecordLines {
        line_count,
        lines,
        spans,
    } = found;
    let mut out = Records {
        line_count,
        lines,
        spans: spans
            .iter()
            .map(|&[start, end]| [start as i64, end as i64])
            .collect(),
        ..Records::default()
    };
    let mut texts = Vec::with_capacity(read.len());
    for (r, record) in read.into_iter().enumerate() {
        match record {
            Some((id, text, chars)) => {
                out.ids.push(Some(id));
                out.chars.push(chars);
                texts.push(text);
            }
            None => {
                out.ids.push(None);
                out.chars.push(0);
                out.left.push(r as i64);
                texts.push(Cow::Borrowed(""));
            }
        }
    }
    let bytes: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
    (out.data, out.offsets) = parallel::joined(&bytes);
    out
}

/// The texts of a chunk's records, in order, each borrowed from its line where it holds no
/// escape; None where a record is not the simple case (Python reads the chunk). The lines
/// `furniture.recurring_lines` counts need the texts alone: no id, place or length is kept.
pub fn record_texts<'c>(chunk: &'c [u8], fields: Fields) -> (i64, Option<Vec<Cow<'c, str>>>) {
    let found = record_lines(chunk);
    let texts = found.map(chunk, |line| {
        simple_record(line, fields).map(|(_, text)| text)
    });
    (found.line_count, texts.into_iter().collect())
}

/// (id, text) of a line holding a simple record, else None; the text borrowed from the line
/// where it holds no escape.
fn simple_record<'a>(line: &'a [u8], fields: Fields) -> Option<(String, Cow<'a, str>)> {
    let line = std::str::from_utf8(line).ok()?;
    let mut json = serde_json::Deserializer::from_str(line);
    let found = json.deserialize_map(RecordVisitor(fields)).ok()?;
    json.end().ok()?;
    found
}

/// Reads an object for its id and text: None where either is missing.
struct RecordVisitor<'a>(Fields<'a>);

impl<'de> Visitor<'de> for RecordVisitor<'_> {
    type Value = Option<(String, Cow<'de, str>)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut text) = (None, None);
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            match key {
                Key::Id if id.is_none() => id = Some(map.next_value_seed(IdSeed)?),
                Key::Text if text.is_none() => text = Some(map.next_value_seed(TextSeed)?),
                Key::Other => {
                    map.next_value::<Skipped>()?;
                }
                // Python keeps the last value of a field given twice: it reads such a record.
                _ => return Err(de::Error::custom("a field given twice")),
            }
        }
        Ok(id.zip(text))
    }
}

/// A value of another field, read and dropped. Read, not skipped as `IgnoredAny` skips it:
/// serde_json skips a value at any depth and an integer of any length, which Python's reader
/// refuses (`nested too deeply`, an integer past `sys.get_int_max_str_digits`); read, such a
/// value is refused here and its record goes to Python.
struct Skipped;

impl<'de> de::Deserialize<'de> for Skipped {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Skipped)
    }
}

impl<'de> Visitor<'de> for Skipped {
    type Value = Skipped;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Skipped, E> {
        Ok(Skipped)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skipped, E> {
        Ok(Skipped)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skipped, E> {
        Ok(Skipped)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skipped, E> {
        Ok(Skipped)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skipped, E> {
        Ok(Skipped)
    }

    fn visit_unit<E>(self) -> Result<Skipped, E> {
        Ok(Skipped)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skipped, A::Error> {
        while seq.next_element::<Skipped>()?.is_some() {}
        Ok(Skipped)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skipped, A::Error> {
        while map.next_entry::<Skipped, Skipped>()?.is_some() {}
        Ok(Skipped)
    }
}

enum Key {
    Id,
    Text,
    Other,
}

/// Which field a key names, read without keeping the key.
#[derive(Clone, Copy)]
struct KeySeed<'a>(Fields<'a>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, keys: D) -> Result<Key, D::Error> {
        keys.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(if key == self.0.id {
            Key::Id
        } else if key == self.0.text {
            Key::Text
        } else {
            Key::Other
        })
    }
}

/// An id as Python's `str` writes it: a string as it is, an integer's decimal digits. Any other
/// value is refused (Python says what it makes of it).
struct IdSeed;

impl<'de> DeserializeSeed<'de> for IdSeed {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<String, D::Error> {
        value.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for IdSeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or an integer")
    }

    fn visit_str<E: de::Error>(self, id: &str) -> Result<String, E> {
        Ok(id.to_owned())
    }

    fn visit_u64<E: de::Error>(self, id: u64) -> Result<String, E> {
        Ok(id.to_string())
    }

    fn visit_i64<E: de::Error>(self, id: i64) -> Result<String, E> {
        Ok(id.to_string())
    }
}

/// A text: a string, or null (an empty document). Any other value is refused.
struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<Cow<'de, str>, D::Error> {
        value.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(text.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: Fields = Fields {
        id: "id",
        text: "text",
    };

    fn one(line: &str) -> Option<(String, String)> {
        simple_record(line.as_bytes(), FIELDS).map(|(id, text)| (id, text.into_owned()))
    }

    fn record(id: &str, text: &str) -> Option<(String, String)> {
        Some((id.to_owned(), text.to_owned()))
    }

    #[test]
    fn simple_records_are_read_with_their_escapes() {
        assert_eq!(one(r#"{"id": "a", "text": "b"}"#), record("a", "b"));
        assert_eq!(
            one(r#" {"x": [1, {"y": null}], "text": "l1\nl2 \"q\" \u00e9\ud83d\ude00", "id": 7}"#),
            record("7", "l1\nl2 \"q\" é😀")
        );
        assert_eq!(one("{\"id\": -12, \"text\": null}\r\n"), record("-12", ""));
        assert_eq!(
            one(r#"{"i\u0064": "k", "text": "\u0000"}"#),
            record("k", "\0")
        );
        let big = u64::MAX.to_string();
        assert_eq!(
            one(&format!(r#"{{"id": {big}, "text": ""}}"#)),
            record(&big, "")
        );
    }

    #[test]
    fn records_python_must_read_are_refused() {
        for line in [
            r#"{"id": "a", "text": "\ud800"}"#,            // a lone surrogate
            r#"{"id": "\udc00", "text": ""}"#,             // a lone surrogate in the id
            "\u{feff}{\"id\": \"a\", \"text\": \"\"}",     // a BOM
            r#"{"id": 1.0, "text": ""}"#,                  // a float id
            r#"{"id": 1e2, "text": ""}"#,                  // a float id
            r#"{"id": 99999999999999999999, "text": ""}"#, // beyond 64 bits
            r#"{"id": -0, "text": ""}"#,                   // serde_json's -0.0, Python's 0
            r#"{"id": true, "text": ""}"#,                 // a boolean id
            r#"{"id": null, "text": ""}"#,                 // a null id
            r#"{"id": "a", "text": 3}"#,                   // a number as text
            r#"{"id": "a", "text": ["x"]}"#,               // a list as text
            r#"{"id": "a"}"#,                              // no text
            r#"{"text": "a"}"#,                            // no id
            r#"{"id": "a", "text": "b", "id": "c"}"#,      // a field given twice
            r#"{"id": "a", "text": "b", "n": NaN}"#,       // NaN
            r#"{"id": "a", "text": "b"} x"#,               // trailing data
            r#"{"id": "a", "text": "b", "n": 01}"#,        // a leading zero
            r#"{"id": "a", "text": "b", "s": "\x"}"#,      // a bad escape elsewhere
            "{\"id\": \"a\", \"text\": \"b\", \"s\": \"\t\"}", // a control character elsewhere
            "{\"id\": \"a\", \"text\": \"b\"}\x0c",        // not JSON white space
            r#"["id", "text"]"#,                           // not an object
            r#"{"id": "a", "text": "b""#,                  // cut short
        ] {
            assert_eq!(one(line), None, "{line}");
        }
        let invalid = b"{\"id\": \"a\", \"text\": \"b\", \"s\": \"\xff\"}";
        assert_eq!(simple_record(invalid, FIELDS), None);
    }

    #[test]
    fn a_chunk_of_simple_records_gives_its_texts_and_any_other_none() {
        let chunk = b"{\"id\": 1, \"text\": \"a\\nb\"}\n\n{\"id\": \"x\", \"text\": \"c\"}\n";
        let (lines, texts) = record_texts(chunk, FIELDS);
        assert_eq!(lines, 3);
        assert_eq!(texts.unwrap(), ["a\nb", "c"]);
        let (_, texts) = record_texts(b"{\"id\": 1, \"text\": 2}\n", FIELDS);
        assert!(texts.is_none());
    }

    #[test]
    fn a_chunk_lists_its_records_and_leaves_the_others_to_python() {
        let chunk = b"{\"id\": 1, \"text\": \"ab\"}\n \t\n{\"id\": 2}\r\n\n{\"id\": \"x\", \"text\": \"\xc3\xa9\"}";
        let read = read_records(chunk, FIELDS);
        assert_eq!(read.line_count, 5);
        assert_eq!(read.lines, vec![0, 2, 4]);
        assert_eq!(read.ids, vec![Some("1".into()), None, Some("x".into())]);
        assert_eq!(read.data, "abé".as_bytes());
        assert_eq!(read.offsets, vec![0, 2, 2, 4]);
        assert_eq!(read.chars, vec![2, 0, 1]);
        assert_eq!(read.left, vec![1]);
        assert_eq!(read.spans, vec![[0, 24], [27, 38], [39, 64]]);
        assert_eq!(read_records(b"", FIELDS).line_count, 0);
        assert_eq!(read_records(b"\n\n", FIELDS).line_count, 2);
    }
}
