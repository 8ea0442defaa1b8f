//! The kept records of `dedup`, written by the native core where it writes them as Python does.
//!
//! `dedup` writes a kept record as orjson writes the object Python read from its line
//! (`io/write.py`, `jsonl_line`): compact, the keys in their order, a string escaped only where
//! JSON must escape it (`\"`, `\\`, `\b`, `\t`, `\n`, `\f`, `\r`, and `\u00xx` in lowercase for
//! the other control characters), every other character as its UTF-8. `transcoded` writes a line
//! that way, where the line holds what it can write exactly as Python would: an object of
//! distinct keys whose values are strings, integers of at most 18 digits (within the 64 bits
//! orjson reads an integer into), `true`, `false` or `null`, in valid UTF-8 and with JSON's white
//! space only. Every other line (a float, a nested value, a lone surrogate, a BOM) goes to
//! Python, which reads and writes it as before; so does a record whose id is not a string or an
//! integer, or whose text is not a string or null.

use crate::jsonl::{record_lines, Fields};

/// A record's line as `dedup` writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The line, from its `{` to its `}`.
    pub bytes: Vec<u8>,
    /// Where the id is in `bytes`: a string's (inside its quotes, as written: compare it with
    /// `written_string` of an id), or an integer's.
    pub id: [usize; 2],
    /// Whether the record has a `cluster_id` field already, which `--add-cluster-id` replaces
    /// where it stands (Python writes those records).
    pub has_cluster_id: bool,
}

/// The records of a chunk, in order: every line that is not blank is one.
#[derive(Debug, Default, PartialEq)]
pub struct Scan {
    /// How many lines the chunk has (`jsonl::Records::line_count`).
    pub line_count: i64,
    /// Each record's line in the chunk, from 0.
    pub lines: Vec<i64>,
    /// The bytes of each record's line, its line end included.
    pub spans: Vec<[usize; 2]>,
    /// Each record's line as written, where the native core writes it.
    pub written: Vec<Option<Line>>,
}

/// The records of a chunk, each written where the native core writes it, on every core.
pub fn scan(chunk: &[u8], fields: Fields) -> Scan {
    let names = Names::of(fields);
    let found = record_lines(chunk);
    let written = found.map(chunk, |line| {
        transcoded(line.strip_suffix(b"\n").unwrap_or(line), &names)
    });
    Scan {
        line_count: found.line_count,
        lines: found.lines,
        spans: found.spans,
        written,
    }
}

/// What becomes of a record of the chunk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kept {
    /// Python reads it (the native core does not write it, or its id is not the one expected).
    Python,
    /// It is removed.
    Removed,
    /// It is written.
    Written,
    /// It is written with a `cluster_id` field added at the end (null where negative).
    WithCluster(i64),
}

/// The kept lines of a chunk, end to end, and where the records Python reads go among them.
#[derive(Debug, Default, PartialEq)]
pub struct Written {
    pub data: Vec<u8>,
    /// How many lines `data` holds.
    pub count: i64,
    /// The records Python reads, in order; where each one's line goes in `data`, and how many
    /// lines of `data` come before it.
    pub left: Vec<i64>,
    pub places: Vec<i64>,
    pub before: Vec<i64>,
}

/// The lines of the records `kept` writes, each ending in a line feed.
pub fn written(scan: &Scan, kept: &[Kept]) -> Written {
    let mut out = Written::default();
    let size = scan
        .written
        .iter()
        .flatten()
        .map(|l| l.bytes.len() + 1)
        .sum();
    out.data.reserve(size);
    for (r, (&what, line)) in kept.iter().zip(&scan.written).enumerate() {
        let line = match (what, line) {
            (Kept::Removed, _) => continue,
            (Kept::Written | Kept::WithCluster(_), Some(line)) => line,
            _ => {
                out.left.push(r as i64);
                out.places.push(out.data.len() as i64);
                out.before.push(out.count);
                continue;
            }
        };
        let (head, close) = line.bytes.split_at(line.bytes.len() - 1);
        out.data.extend_from_slice(head);
        if let Kept::WithCluster(id) = what {
            out.data.extend_from_slice(b",\"cluster_id\":");
            let value = if id < 0 {
                "null".into()
            } else {
                id.to_string()
            };
            out.data.extend_from_slice(value.as_bytes());
        }
        out.data.extend_from_slice(close);
        out.data.push(b'\n');
        out.count += 1;
    }
    out
}

/// The names of the id and text fields, as `dedup` writes them (`written_string`).
struct Names {
    id: Vec<u8>,
    text: Vec<u8>,
}

impl Names {
    fn of(fields: Fields) -> Names {
        Names {
            id: written_string(fields.id),
            text: written_string(fields.text),
        }
    }
}

/// The line (without its line feed) as `dedup` writes it, where it holds what the native core
/// writes and an id and a text as `jsonl::read_records` reads them.
fn transcoded(line: &[u8], names: &Names) -> Option<Line> {
    std::str::from_utf8(line).ok()?;
    let mut at = Cursor {
        line,
        at: 0,
        out: Vec::with_capacity(line.len()),
    };
    at.token(b'{')?;
    let mut keys: Vec<[usize; 2]> = Vec::with_capacity(8);
    let (mut id, mut text, mut has_cluster_id) = (None, false, false);
    loop {
        at.space();
        let span = at.string()?;
        let key = &at.out[span[0]..span[1]];
        // A key has one written form: a key given twice is written the same twice.
        if keys.iter().any(|k| &at.out[k[0]..k[1]] == key) {
            return None;
        }
        let (is_id, is_text) = (key == names.id, key == names.text);
        has_cluster_id |= key == b"cluster_id";
        keys.push(span);
        at.token(b':')?;
        at.space();
        let value = at.value()?;
        if is_id {
            id = Some(match value {
                Value::String(span) | Value::Integer(span) => span,
                _ => return None,
            });
        }
        if is_text {
            text = matches!(value, Value::String(_) | Value::Null);
        }
        match at.token_of(b",}")? {
            b',' => {}
            _ => break,
        }
    }
    at.space();
    (at.at == line.len() && text).then_some(())?;
    Some(Line {
        id: id?,
        bytes: at.out,
        has_cluster_id,
    })
}

enum Value {
    /// Its bytes inside the quotes, as written.
    String([usize; 2]),
    Integer([usize; 2]),
    Null,
    Boolean,
}

/// Reads `line` and writes it to `out` as `dedup` writes it.
struct Cursor<'a> {
    line: &'a [u8],
    at: usize,
    out: Vec<u8>,
}

impl Cursor<'_> {
    fn next(&mut self) -> Option<u8> {
        let byte = *self.line.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    /// Skips JSON's white space.
    fn space(&mut self) {
        while matches!(self.line.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// After white space, one of these bytes, written.
    fn token_of(&mut self, tokens: &[u8]) -> Option<u8> {
        self.space();
        let byte = self.next()?;
        tokens.contains(&byte).then_some(())?;
        self.out.push(byte);
        Some(byte)
    }

    fn token(&mut self, token: u8) -> Option<()> {
        self.token_of(&[token]).map(drop)
    }

    fn word(&mut self, word: &[u8]) -> Option<()> {
        (self.line.get(self.at..self.at + word.len())? == word).then_some(())?;
        self.at += word.len();
        self.out.extend_from_slice(word);
        Some(())
    }

    fn value(&mut self) -> Option<Value> {
        match *self.line.get(self.at)? {
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.integer().map(Value::Integer),
            b'n' => self.word(b"null").map(|()| Value::Null),
            b't' => self.word(b"true").map(|()| Value::Boolean),
            b'f' => self.word(b"false").map(|()| Value::Boolean),
            _ => None,
        }
    }

    /// An integer of at most 18 digits, written as Python writes the int it is (`-0` as `0`).
    fn integer(&mut self) -> Option<[usize; 2]> {
        let negative = self.line[self.at] == b'-';
        self.at += usize::from(negative);
        let digits = self.at;
        while self.line.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        let number = &self.line[digits..self.at];
        // JSON has no leading zero; a fraction or an exponent makes a float.
        let integer = (1..=18).contains(&number.len())
            && (number[0] != b'0' || number.len() == 1)
            && !matches!(self.line.get(self.at), Some(b'.' | b'e' | b'E'));
        integer.then_some(())?;
        let start = self.out.len();
        if negative && number != b"0" {
            self.out.push(b'-');
        }
        self.out.extend_from_slice(number);
        Some([start, self.out.len()])
    }

    /// A string, written: its bytes inside the quotes.
    fn string(&mut self) -> Option<[usize; 2]> {
        (self.next()? == b'"').then_some(())?;
        self.out.push(b'"');
        let start = self.out.len();
        loop {
            let rest = &self.line[self.at..];
            let plain = memchr::memchr2(b'"', b'\\', rest)?;
            // A control character must be escaped in JSON; the fold has no branch to predict.
            if rest[..plain].iter().fold(false, |any, &b| any | (b < 0x20)) {
                return None;
            }
            self.out.extend_from_slice(&rest[..plain]);
            self.at += plain + 1;
            if rest[plain] == b'"' {
                break;
            }
            self.escape()?;
        }
        let end = self.out.len();
        self.out.push(b'"');
        Some([start, end])
    }

    /// An escape (after its backslash), written as the character it stands for is written.
    fn escape(&mut self) -> Option<()> {
        let code = match self.next()? {
            b'"' => 0x22,
            b'\\' => 0x5c,
            b'/' => 0x2f,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => 0x0a,
            b'r' => 0x0d,
            b't' => 0x09,
            b'u' => self.code_point()?,
            _ => return None,
        };
        write_char(char::from_u32(code)?, &mut self.out);
        Some(())
    }

    /// The code point of a `\u` escape (after its `u`), a surrogate pair's as one; None for a
    /// lone surrogate, which Python reads (and repairs).
    fn code_point(&mut self) -> Option<u32> {
        let high = self.hex4()?;
        if !(0xd800..0xe000).contains(&high) {
            return Some(high);
        }
        let pair = high < 0xdc00 && self.line.get(self.at..self.at + 2)? == b"\\u";
        pair.then_some(())?;
        self.at += 2;
        let low = self.hex4()?;
        (0xdc00..0xe000).contains(&low).then_some(())?;
        Some(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.line.get(self.at..self.at + 4)?;
        self.at += 4;
        digits
            .iter()
            .try_fold(0, |code, &d| Some(code * 16 + (d as char).to_digit(16)?))
    }
}

/// A character as `dedup` writes it inside a string: JSON's escapes where JSON must escape it,
/// else its UTF-8.
fn write_char(c: char, out: &mut Vec<u8>) {
    let short: &[u8] = match c {
        '"' => b"\\\"",
        '\\' => b"\\\\",
        '\u{8}' => b"\\b",
        '\t' => b"\\t",
        '\n' => b"\\n",
        '\u{c}' => b"\\f",
        '\r' => b"\\r",
        '\0'..='\u{1f}' => {
            let hex = b"0123456789abcdef";
            let code = c as usize;
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex[code >> 4], hex[code & 15]]);
            return;
        }
        _ => {
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            return;
        }
    };
    out.extend_from_slice(short);
}

/// A string as `dedup` writes it inside quotes: a field's name, an id, compared with what a
/// line holds in the same form (each string has one).
pub fn written_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        write_char(c, &mut out);
    }
    out
}

/// Whether a line's string, as written, is `text` (`written_string`, without making it where
/// `text` has nothing to escape).
pub fn is_written(text: &str, written: &[u8]) -> bool {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        text.as_bytes() == written
    } else {
        written_string(text) == written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: Fields = Fields {
        id: "id",
        text: "text",
    };

    /// The line as written, and its id.
    fn written_of(line: &str) -> Option<(String, String)> {
        let line = transcoded(line.as_bytes(), &Names::of(FIELDS))?;
        let id = String::from_utf8(line.bytes[line.id[0]..line.id[1]].to_vec()).unwrap();
        Some((String::from_utf8(line.bytes).unwrap(), id))
    }

    fn pair(line: &str, id: &str) -> Option<(String, String)> {
        Some((line.to_owned(), id.to_owned()))
    }

    #[test]
    fn lines_are_written_as_orjson_writes_what_python_reads() {
        let compact = r#"{"id":"a","text":"b"}"#;
        assert_eq!(written_of(compact), pair(compact, "a"));
        assert_eq!(
            written_of(" {\"id\" : \"a\",\t\"text\": \"b\" }\r"),
            pair(compact, "a")
        );
        assert_eq!(
            written_of(r#"{"text": null, "n": -0, "id": -12, "t": true, "f": false}"#),
            pair(r#"{"text":null,"n":0,"id":-12,"t":true,"f":false}"#, "-12")
        );
        assert_eq!(
            written_of(
                r#"{"id": "a\/b", "text": "\u00e9\u000A\u001F\ud83d\ude00\"\\\b\f\r\t\u0000"}"#
            ),
            pair(
                r#"{"id":"a/b","text":"é\n\u001f😀\"\\\b\f\r\t\u0000"}"#,
                "a/b"
            )
        );
        let raw = "{\"id\":\"x\",\"text\":\"é \u{2028} \u{7f} 😀\"}";
        assert_eq!(written_of(raw), pair(raw, "x"));
        let most = format!(r#"{{"id":{},"text":""}}"#, "9".repeat(18));
        assert_eq!(written_of(&most), pair(&most, &"9".repeat(18)));
        let with = transcoded(
            br#"{"id":"a","text":"","cluster_id":1}"#,
            &Names::of(FIELDS),
        )
        .unwrap();
        assert!(with.has_cluster_id);
        assert!(
            !transcoded(compact.as_bytes(), &Names::of(FIELDS))
                .unwrap()
                .has_cluster_id
        );
    }

    #[test]
    fn lines_python_writes_otherwise_go_to_python() {
        for line in [
            "\u{feff}{\"id\":\"a\",\"text\":\"b\"}",            // a BOM
            r#"{"id":"a","text":"b","x":1.5}"#,                 // a float
            r#"{"id":"a","text":"b","x":1e5}"#,                 // a float
            r#"{"id":"a","text":"b","x":-0.0}"#,                // a float
            r#"{"id":"a","text":"b","x":[1]}"#,                 // a list
            r#"{"id":"a","text":"b","x":{}}"#,                  // an object
            r#"{"id":"a","text":"b","x":01}"#,                  // a leading zero
            r#"{"id":"a","text":"b","x":-}"#,                   // no digits
            r#"{"id":"a","text":"b","x":1234567890123456789}"#, // 19 digits
            r#"{"id":"a","text":"\ud800"}"#,                    // a lone surrogate
            r#"{"id":"a","text":"\udc00\ud800"}"#,              // surrogates out of order
            r#"{"id":"a","text":"\ud800\u0041"}"#,              // a high surrogate alone
            r#"{"id":"a","text":"\x"}"#,                        // a bad escape
            r#"{"id":"a","text":"\u12"}"#,                      // a short escape
            r#"{"id":"a","text":"\u12g4"}"#,                    // not hex
            r#"{"id":"a","text":"b","id":"c"}"#,                // a field given twice
            r#"{"id":"a","text":"b","\u0069d":"c"}"#,           // the same, escaped
            r#"{"id":true,"text":"b"}"#,                        // a boolean id
            r#"{"id":null,"text":"b"}"#,                        // a null id
            r#"{"id":"a","text":1}"#,                           // a number as text
            r#"{"id":"a"}"#,                                    // no text
            r#"{"text":"b"}"#,                                  // no id
            r#"{"id":"a","text":"b"}x"#,                        // trailing data
            r#"{"id":"a","text":"b""#,                          // cut short
            r#"{"id":"a","text":"b",}"#,                        // a trailing comma
            r#"{"id":"a","text":"b","x":nul}"#,                 // a cut literal
            r#"{"id":"a","text":"b","x":NaN}"#,                 // NaN
            r#"["id","text"]"#,                                 // not an object
            "{\"id\":\"a\",\"text\":\"b\"}\x0c",                // not JSON white space
            "{}",
            "",
        ] {
            assert_eq!(written_of(line), None, "{line}");
        }
        let control = b"{\"id\":\"a\",\"text\":\"\x01\"}";
        let invalid = b"{\"id\":\"a\",\"text\":\"\xff\"}";
        assert_eq!(transcoded(control, &Names::of(FIELDS)), None);
        assert_eq!(transcoded(invalid, &Names::of(FIELDS)), None);
    }

    #[test]
    fn kept_lines_are_written_and_the_others_placed_for_python() {
        let chunk = b"{\"id\": \"a\", \"text\": \"x\"}\n\n{\"id\": \"b\"}\n{\"id\":\"c\",\"text\":\"\"}\n{\"id\":4,\"text\":null}";
        let scan = scan(chunk, FIELDS);
        assert_eq!(scan.line_count, 5);
        assert_eq!(scan.lines, vec![0, 2, 3, 4]);
        assert_eq!(scan.spans, vec![[0, 25], [26, 38], [38, 59], [59, 79]]);
        let written_lines = scan.written.iter().map(Option::is_some).collect::<Vec<_>>();
        assert_eq!(written_lines, [true, false, true, true]);
        let kept = [Kept::Written, Kept::Written, Kept::Removed, Kept::Written];
        let out = written(&scan, &kept);
        let lines = "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":4,\"text\":null}\n";
        assert_eq!(out.data, lines.as_bytes());
        let places = (out.count, out.left, out.places, out.before);
        assert_eq!(places, (2, vec![1], vec![22], vec![1]));
        let kept = [
            Kept::WithCluster(3),
            Kept::Python,
            Kept::WithCluster(-1),
            Kept::Removed,
        ];
        let out = written(&scan, &kept);
        let lines = "{\"id\":\"a\",\"text\":\"x\",\"cluster_id\":3}\n{\"id\":\"c\",\"text\":\"\",\"cluster_id\":null}\n";
        assert_eq!(out.data, lines.as_bytes());
        let places = (out.count, out.left, out.places, out.before);
        assert_eq!(places, (2, vec![1], vec![37], vec![1]));
    }

    #[test]
    fn names_and_ids_are_compared_as_written() {
        let written = written_string("a\"b\\c\n\u{1}\u{7f}é/");
        assert_eq!(written, "a\\\"b\\\\c\\n\\u0001\u{7f}é/".as_bytes());
        assert!(is_written("a\nb", br"a\nb"));
        assert!(!is_written(r"a\nb", br"a\nb"));
        assert!(is_written(r"a\nb", br"a\\nb"));
        assert!(is_written("plain", b"plain"));
        // A field named `t\nx` (a backslash, then n): the key "t\nx" (a line feed) is not it.
        let names = Names::of(Fields {
            id: "id",
            text: r"t\nx",
        });
        assert_eq!(transcoded(br#"{"id":"a","t\nx":"s"}"#, &names), None);
        let line = transcoded(br#"{"id":"a","t\\nx":"s"}"#, &names).unwrap();
        assert_eq!(line.bytes, br#"{"id":"a","t\\nx":"s"}"#.as_slice());
    }
}
