//! Master.csv record -> [`CdrRecord`].
//!
//! Owns the column semantics of one Master.csv record (see [`crate::cdr::record`] for the
//! column table and [`crate::cdr::shape`] for layout detection). Pure: bytes in, record or
//! reject out; record boundaries are found by the caller ([`crate::cdr::csvline::find_record_end`]).
//!
//! Leniency, all deliberate: numbers and times are accepted quoted or unquoted; an empty `end`
//! is accepted (`None`); an empty `start` is rejected because it is part of the identity.

use jiff::tz::TimeZone;

use crate::cdr::csvline::{Field, split_fields, trim_terminator};
use crate::cdr::record::{CdrOrigin, CdrRecord, TailColumns};
use crate::cdr::reject::{Reject, RejectReason};
use crate::cdr::shape::{ColumnShape, ShapeConfig};
use crate::cdr::text::CdrText;
use crate::cdr::times::{CivilTimes, parse_civil, to_utc};

/// How one source's Master.csv is read.
#[derive(Debug, Clone)]
pub struct CsvSource {
    /// Layout detection or a fixed layout.
    pub shape: ShapeConfig,
    /// The zone Asterisk wrote local times in (`UTC` for `usegmtime=yes`).
    pub timezone: TimeZone,
}

impl CsvSource {
    /// A source with auto-detected columns in the given zone.
    pub fn new(timezone: TimeZone) -> Self {
        Self { shape: ShapeConfig::Auto, timezone }
    }
}

/// Parser for one source's records (layout rule + time zone); cheap to share.
#[derive(Debug)]
pub struct CsvRecordParser {
    source: CsvSource,
}

impl CsvRecordParser {
    /// A parser for one source.
    pub fn new(source: CsvSource) -> Self {
        Self { source }
    }

    /// Parses one record (with or without its `\n`).
    pub fn parse(&self, record: &[u8]) -> Result<CdrRecord, Reject> {
        let mut fields = Vec::with_capacity(21);
        self.parse_with(record, &mut fields)
    }

    /// Like [`Self::parse`], reusing `fields` as scratch space.
    pub fn parse_with<'a>(&self, record: &'a [u8], fields: &mut Vec<Field<'a>>) -> Result<CdrRecord, Reject> {
        parse_fields(&self.source, trim_terminator(record), fields)
            .map_err(|reason| Reject::new(reason, record))
    }
}

fn parse_fields<'a>(
    source: &CsvSource,
    record: &'a [u8],
    fields: &mut Vec<Field<'a>>,
) -> Result<CdrRecord, RejectReason> {
    split_fields(record, fields)?;
    let count = fields.len();
    let col17 = fields.get(16).map(|f| f.bytes.as_ref());
    let shape = source.shape.resolve(count, col17).ok_or_else(|| match source.shape {
        ShapeConfig::Auto => RejectReason::ColumnCount { found: count },
        ShapeConfig::Fixed(shape) => {
            RejectReason::ShapeMismatch { found: count, expected: shape.to_string() }
        }
    })?;
    let text = |i: usize| CdrText::from_bytes(&fields[i].bytes);
    let duration = integer(&fields[12], "duration")?;
    let billsec = integer(&fields[13], "billsec")?;
    let civil = CivilTimes {
        start: time(&fields[9], "start")?.ok_or(RejectReason::MissingStart)?,
        answer: time(&fields[10], "answer")?,
        end: time(&fields[11], "end")?,
    };
    let utc =
        to_utc(&source.timezone, &civil, duration, billsec).map_err(|e| RejectReason::TimeConversion(e.0))?;
    let mut next = ColumnShape::BASE;
    let mut optional = |present: bool| {
        let i = next;
        next += usize::from(present);
        present.then_some(i)
    };
    let uniqueid = optional(shape.uniqueid).map(text);
    let userfield = optional(shape.userfield).map(text);
    let peeraccount = optional(shape.new_columns).map(text);
    let linkedid = optional(shape.new_columns).map(text);
    let sequence = match optional(shape.new_columns) {
        Some(i) => Some(integer(&fields[i], "sequence")?),
        None => None,
    };
    let tail = TailColumns {
        uniqueid,
        userfield,
        peeraccount,
        linkedid,
        sequence,
        extras: Vec::new(),
        origin: CdrOrigin::Csv(shape),
    };
    Ok(CdrRecord::from_columns(text, utc, (duration, billsec), &fields[14].bytes, tail))
}

/// Parses a decimal integer (optional leading `-`), as `append_int` writes it.
pub(crate) fn parse_integer(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits.iter().fold(0i64, |acc, &d| acc * 10 + i64::from(d - b'0'));
    Some(if negative { -value } else { value })
}

fn integer(field: &Field<'_>, name: &'static str) -> Result<i64, RejectReason> {
    parse_integer(&field.bytes)
        .ok_or_else(|| RejectReason::BadInteger { field: name, value: CdrText::from_bytes(&field.bytes) })
}

/// An empty field is an unset time; anything else must be a well-formed time.
pub(crate) fn parse_time_field(
    bytes: &[u8],
    name: &'static str,
) -> Result<Option<jiff::civil::DateTime>, RejectReason> {
    if bytes.is_empty() {
        return Ok(None);
    }
    parse_civil(bytes)
        .map(Some)
        .ok_or_else(|| RejectReason::BadTime { field: name, value: CdrText::from_bytes(bytes) })
}

fn time(field: &Field<'_>, name: &'static str) -> Result<Option<jiff::civil::DateTime>, RejectReason> {
    parse_time_field(&field.bytes, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::Disposition;

    fn parser() -> CsvRecordParser {
        CsvRecordParser::new(CsvSource::new(TimeZone::UTC))
    }

    const BASE: &str = r#""a","1","2","ctx","""N"" <1>","SIP/a-1","","Dial","x","2026-01-01 10:00:00",,"2026-01-01 10:00:05",5,0,"NO ANSWER","DOCUMENTATION""#;

    #[test]
    fn sixteen_columns_have_no_optional_fields() -> Result<(), Reject> {
        let r = parser().parse(format!("{BASE}\n").as_bytes())?;
        assert_eq!((r.uniqueid, r.userfield, r.sequence), (None, None, None));
        assert_eq!(r.answer, None);
        assert_eq!(r.disposition, Disposition::NoAnswer);
        assert_eq!(r.clid.as_escaped(), "\"N\" <1>");
        Ok(())
    }

    #[test]
    fn precise_reasons_for_bad_records() {
        let cases: [(String, RejectReason); 4] = [
            (
                BASE.replace(",5,0,", ",5x,0,"),
                RejectReason::BadInteger { field: "duration", value: CdrText::from_bytes(b"5x") },
            ),
            (BASE.replace("\"2026-01-01 10:00:00\"", ""), RejectReason::MissingStart),
            (
                BASE.replace("2026-01-01 10:00:05", "2026-01-01"),
                RejectReason::BadTime { field: "end", value: CdrText::from_bytes(b"2026-01-01") },
            ),
            (format!("{BASE},\"u\",\"x\",\"y\",\"z\",\"w\",\"v\""), RejectReason::ColumnCount { found: 22 }),
        ];
        for (line, want) in cases {
            assert_eq!(parser().parse(line.as_bytes()).map_err(|r| r.reason), Err(want), "{line}");
        }
    }

    #[test]
    fn forced_layout_rejects_other_counts() {
        let source = CsvSource { shape: "18".parse().unwrap_or_default(), timezone: TimeZone::UTC };
        let got = CsvRecordParser::new(source).parse(BASE.as_bytes()).map_err(|r| r.reason);
        assert_eq!(got, Err(RejectReason::ShapeMismatch { found: 16, expected: "18".into() }));
    }

    #[test]
    fn integers_parse_like_append_int() {
        assert_eq!(parse_integer(b"-12"), Some(-12));
        assert_eq!(parse_integer(b""), None);
        assert_eq!(parse_integer(b"1e9"), None);
        assert_eq!(parse_integer(b"9999999999999999999"), None);
    }
}
