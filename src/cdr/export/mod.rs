//! Streaming export of search results as CSV and XLSX.
//!
//! Owns the cell model shared by both writers, the ISO 8601 time rendering and the defence
//! against spreadsheet formula injection. Writers take rows one at a time and keep a fixed-size
//! buffer, so memory stays flat for any number of rows; they never query the database (the web
//! layer feeds them rows from a cursor) and never panic on cell content.
//!
//! ```text
//! time cell   2026-12-04T20:47:34+01:00   (viewer's zone, offset always present; empty if None)
//! text cell   starting with = + - @ TAB CR  ->  prefixed with '   (CSV only, see below)
//! ```
//!
//! **Formula injection.** In CSV every cell is text that Excel/LibreOffice may evaluate, so text
//! starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` (OWASP's advice; the number
//! `+4930123456` therefore shows as `'+4930123456`). XLSX cells are written as typed inline
//! strings, which spreadsheet programs never evaluate, so they stay unchanged. Integer cells are
//! numbers in both formats and are never evaluated as formulas.

pub mod csv;
pub mod xlsx;
mod zip;

use std::borrow::Cow;

use jiff::Timestamp;
use jiff::tz::TimeZone;

pub use self::csv::CsvExport;
pub use self::xlsx::XlsxExport;

/// One cell of an exported row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Text (already in display form, e.g. [`crate::cdr::CdrText::to_display`]).
    Text(&'a str),
    /// An integer (durations, sequence).
    Int(i64),
    /// An instant, rendered in the export's time zone; `None` renders empty.
    Time(Option<Timestamp>),
}

/// Options shared by both writers.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Zone for time cells (the viewer's chosen zone).
    pub timezone: TimeZone,
    /// Write a UTF-8 byte-order mark first (helps Excel detect UTF-8 in CSV; ignored for XLSX).
    pub bom: bool,
}

/// Text with a leading `'` when it could start a spreadsheet formula.
pub fn neutralise_formula(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Appends `ts` as `YYYY-MM-DDTHH:MM:SS±HH:MM` in `tz`.
pub fn push_iso_time(out: &mut Vec<u8>, ts: Timestamp, tz: &TimeZone) {
    let offset = tz.to_offset(ts);
    let dt = offset.to_datetime(ts);
    let two = |out: &mut Vec<u8>, v: i32| {
        out.extend_from_slice(&[b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8])
    };
    let year = i32::from(dt.year());
    if (0..=9999).contains(&year) {
        two(out, year / 100);
        two(out, year % 100);
    } else {
        out.extend_from_slice(year.to_string().as_bytes());
    }
    for (sep, v) in
        [(b'-', dt.month()), (b'-', dt.day()), (b'T', dt.hour()), (b':', dt.minute()), (b':', dt.second())]
    {
        out.push(sep);
        two(out, i32::from(v));
    }
    let secs = offset.seconds();
    out.push(if secs < 0 { b'-' } else { b'+' });
    let secs = secs.abs();
    two(out, secs / 3600);
    out.push(b':');
    two(out, secs / 60 % 60);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starters_are_neutralised() {
        for bad in ["=1+1", "+49301", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise_formula(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise_formula("Zoë"), "Zoë");
        assert_eq!(neutralise_formula(""), "");
    }

    #[test]
    fn iso_times_carry_the_zone_offset() -> Result<(), jiff::Error> {
        let ts: Timestamp = "2026-12-04T19:47:34Z".parse()?;
        let mut out = Vec::new();
        push_iso_time(&mut out, ts, &TimeZone::get("Europe/Berlin")?);
        assert_eq!(out, b"2026-12-04T20:47:34+01:00");
        out.clear();
        push_iso_time(&mut out, ts, &TimeZone::get("America/St_Johns")?);
        assert_eq!(out, b"2026-12-04T16:17:34-03:30");
        Ok(())
    }
}
