//! Pure RFC 4180 splitting of Master.csv bytes: record boundaries and fields.
//!
//! Owns the byte-level grammar only; it knows nothing of column meanings, files or time zones.
//! `cdr_csv.c` writes every string field quoted with `"` doubled inside, numbers unquoted, an
//! unset time as an empty unquoted field, fields joined by `,` and the record ended by `\n`.
//! Newlines inside values are written as-is, so a `\n` ends a record only outside quotes.
//!
//! ```text
//! "acc42","","s","cdr-test","""Zoë \""X\"", M"" <1>","Local/s@x-0;2","","NoOp","a,b","2026-12-04 19:47:34",,"2026-12-04 19:47:37",2,2,"ANSWERED","DOCUMENTATION","1796413654.5","u"\n
//!  quoted field (escaped quote = "")                       unquoted empty time ^^   unquoted ints ^ ^
//! ```
//!
//! A `\r` right before the record's `\n` is tolerated (files that passed through Windows tools).

use std::borrow::Cow;

/// One field of a record: its unescaped bytes and whether it was quoted in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The value with the surrounding quotes removed and `""` turned into `"`.
    pub bytes: Cow<'a, [u8]>,
    /// Whether the field was written as a quoted string (Asterisk quotes strings, not numbers).
    pub quoted: bool,
}

/// Where the first record in a buffer ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordEnd {
    /// The record occupies `buf[..len]`, including its terminating `\n`.
    Complete {
        /// Bytes up to and including the `\n`.
        len: usize,
    },
    /// No terminating `\n` yet; `in_quotes` says whether the buffer ends inside a quoted value.
    Incomplete {
        /// The buffer ends inside an open quoted value.
        in_quotes: bool,
    },
}

/// Why a record could not be split into fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// A quoted field was never closed before the record ended.
    #[error("unterminated quoted field starting in column {column}")]
    UnterminatedQuote {
        /// 1-based column number.
        column: usize,
    },
    /// Bytes followed a closing quote before the next comma.
    #[error("unexpected byte {byte:#04x} after closing quote in column {column}")]
    GarbageAfterQuote {
        /// 1-based column number.
        column: usize,
        /// The first unexpected byte.
        byte: u8,
    },
    /// A `"` appeared inside an unquoted field.
    #[error("quote character inside unquoted column {column}")]
    QuoteInUnquotedField {
        /// 1-based column number.
        column: usize,
    },
}

/// Finds the end of the first record in `buf` (a `\n` outside quotes).
pub fn find_record_end(buf: &[u8]) -> RecordEnd {
    let mut in_quotes = false;
    for (i, &b) in buf.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => return RecordEnd::Complete { len: i + 1 },
            _ => {}
        }
    }
    RecordEnd::Incomplete { in_quotes }
}

/// Strips the record terminator (`\n` or `\r\n`) if present.
pub fn trim_terminator(record: &[u8]) -> &[u8] {
    let r = record.strip_suffix(b"\n").unwrap_or(record);
    r.strip_suffix(b"\r").unwrap_or(r)
}

/// Splits one record (without its terminator) into `out`, replacing its previous content.
pub fn split_fields<'a>(record: &'a [u8], out: &mut Vec<Field<'a>>) -> Result<(), SplitError> {
    out.clear();
    let mut pos = 0;
    loop {
        let column = out.len() + 1;
        let (field, next) = if record.get(pos) == Some(&b'"') {
            split_quoted(record, pos, column)?
        } else {
            split_unquoted(record, pos, column)?
        };
        out.push(field);
        match next {
            Some(after_comma) => pos = after_comma,
            None => return Ok(()),
        }
    }
}

/// Returns the field starting at `start` (not a quote) and the position after its comma, if any.
fn split_unquoted(
    record: &[u8],
    start: usize,
    column: usize,
) -> Result<(Field<'_>, Option<usize>), SplitError> {
    let rest = &record[start..];
    let end = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
    let value = &rest[..end];
    if value.contains(&b'"') {
        return Err(SplitError::QuoteInUnquotedField { column });
    }
    let next = (end < rest.len()).then_some(start + end + 1);
    Ok((Field { bytes: Cow::Borrowed(value), quoted: false }, next))
}

/// Returns the quoted field whose opening quote is at `start`, and the position after its comma.
fn split_quoted(
    record: &[u8],
    start: usize,
    column: usize,
) -> Result<(Field<'_>, Option<usize>), SplitError> {
    let body_start = start + 1;
    let mut owned: Option<Vec<u8>> = None;
    let mut seg_start = body_start;
    let mut i = body_start;
    loop {
        let Some(off) = record[i..].iter().position(|&b| b == b'"') else {
            return Err(SplitError::UnterminatedQuote { column });
        };
        let q = i + off;
        if record.get(q + 1) == Some(&b'"') {
            // Doubled quote: keep one `"` and continue inside the value.
            owned.get_or_insert_with(Vec::new).extend_from_slice(&record[seg_start..=q]);
            seg_start = q + 2;
            i = q + 2;
            continue;
        }
        let bytes = match owned {
            Some(mut v) => {
                v.extend_from_slice(&record[seg_start..q]);
                Cow::Owned(v)
            }
            None => Cow::Borrowed(&record[body_start..q]),
        };
        let field = Field { bytes, quoted: true };
        return match record.get(q + 1) {
            None => Ok((field, None)),
            Some(b',') => Ok((field, Some(q + 2))),
            Some(&byte) => Err(SplitError::GarbageAfterQuote { column, byte }),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(record: &[u8]) -> Result<Vec<(Vec<u8>, bool)>, SplitError> {
        let mut out = Vec::new();
        split_fields(record, &mut out)?;
        Ok(out.into_iter().map(|f| (f.bytes.into_owned(), f.quoted)).collect())
    }

    #[test]
    fn quoted_unquoted_and_empty_fields() {
        let got = split(br#""a",,"",12,"x""y""z","""""#);
        let want: Vec<(Vec<u8>, bool)> = vec![
            (b"a".to_vec(), true),
            (b"".to_vec(), false),
            (b"".to_vec(), true),
            (b"12".to_vec(), false),
            (b"x\"y\"z".to_vec(), true),
            (b"\"".to_vec(), true),
        ];
        assert_eq!(got, Ok(want));
    }

    #[test]
    fn trailing_comma_yields_a_final_empty_field() {
        assert_eq!(split(b"\"a\",").map(|v| v.len()), Ok(2));
    }

    #[test]
    fn newline_inside_quotes_does_not_end_the_record() {
        let buf = b"\"a\nb\",\"c\"\n\"next\"";
        assert_eq!(find_record_end(buf), RecordEnd::Complete { len: 10 });
        assert_eq!(find_record_end(b"\"a\nb"), RecordEnd::Incomplete { in_quotes: true });
        assert_eq!(find_record_end(b"\"a\",1"), RecordEnd::Incomplete { in_quotes: false });
    }

    #[test]
    fn malformed_records_are_reported_with_their_column() {
        assert_eq!(split(b"\"a\",\"b"), Err(SplitError::UnterminatedQuote { column: 2 }));
        assert_eq!(split(b"\"a\"x,1"), Err(SplitError::GarbageAfterQuote { column: 1, byte: b'x' }));
        assert_eq!(split(b"1,a\"b"), Err(SplitError::QuoteInUnquotedField { column: 2 }));
    }

    #[test]
    fn crlf_terminator_is_trimmed() {
        assert_eq!(trim_terminator(b"\"a\"\r\n"), b"\"a\"");
        assert_eq!(trim_terminator(b"\"a\"\n"), b"\"a\"");
    }
}
