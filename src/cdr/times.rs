//! CDR time parsing and local-to-UTC conversion.
//!
//! Owns the `YYYY-MM-DD HH:MM:SS` grammar shared by Master.csv and AMI `Cdr` events and the
//! rule that turns the civil times of one record into UTC instants. Pure: the time zone is given
//! by the caller (the source's configured `cdr_timezone`), never read from the host.
//!
//! ```text
//! 2026-12-04 19:47:34      strftime("%Y-%m-%d %T") in cdr_csv.c / cdr_manager.c
//! (empty)                  time never set (answer of an unanswered call)
//! ```
//!
//! **DST ambiguity.** A local time in the repeated hour at the end of DST names two instants.
//! Asterisk wrote start, answer and end of one record from the same clock and also wrote
//! `duration = end - start` and `billsec = end - answer`; so among the (at most 2×2×2) candidate
//! combinations we pick the one whose instants are in order and best reproduce `duration` and
//! `billsec`; remaining ties go to the earlier instant (the first pass through the hour). A local
//! time inside a DST gap cannot come from a correct clock; it is mapped as jiff's "compatible"
//! rule does (shifted forward by the gap), so the result stays deterministic.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

/// A civil time could not become a UTC instant (out of jiff's supported range).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("local time {0} cannot be converted to UTC")]
pub struct TimeConversionError(pub String);

/// Parses `YYYY-MM-DD HH:MM:SS` exactly (19 ASCII bytes); `None` for anything else.
pub fn parse_civil(bytes: &[u8]) -> Option<DateTime> {
    let b: &[u8; 19] = bytes.try_into().ok()?;
    let seps = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i32> {
        b[from..to]
            .iter()
            .try_fold(0i32, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + i32::from(d - b'0')))
    };
    let year = i16::try_from(num(0, 4)?).ok()?;
    let small = |from, to| num(from, to).and_then(|v| i8::try_from(v).ok());
    let (month, day) = (small(5, 7)?, small(8, 10)?);
    let (hour, minute, second) = (small(11, 13)?, small(14, 16)?, small(17, 19)?);
    DateTime::new(year, month, day, hour, minute, second, 0).ok()
}

/// The civil times of one record, as written by Asterisk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTimes {
    /// Start of the CDR (always set).
    pub start: DateTime,
    /// Answer time, if the call was answered.
    pub answer: Option<DateTime>,
    /// End time (set on every dispatched CDR; optional to tolerate odd files).
    pub end: Option<DateTime>,
}

/// The record's instants in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTimes {
    /// Start instant.
    pub start: Timestamp,
    /// Answer instant.
    pub answer: Option<Timestamp>,
    /// End instant.
    pub end: Option<Timestamp>,
}

/// Converts a record's civil times to UTC in `tz`, resolving DST folds as the module docs say.
pub fn to_utc(
    tz: &TimeZone,
    civil: &CivilTimes,
    duration: i64,
    billsec: i64,
) -> Result<UtcTimes, TimeConversionError> {
    let starts = candidates(tz, civil.start)?;
    let answers = optional_candidates(tz, civil.answer)?;
    let ends = optional_candidates(tz, civil.end)?;
    let mut best: Option<(i64, UtcTimes)> = None;
    for &start in starts.iter().flatten() {
        for &answer in answers.iter().flatten() {
            for &end in ends.iter().flatten() {
                let times = UtcTimes { start, answer, end };
                let penalty = penalty(&times, duration, billsec);
                // Strict `<` keeps the first (earliest) combination on ties.
                if best.is_none_or(|(p, _)| penalty < p) {
                    best = Some((penalty, times));
                }
            }
        }
    }
    // Invariant: `candidates` always yields at least one instant per time.
    best.map(|(_, t)| t).ok_or_else(|| TimeConversionError(civil.start.to_string()))
}

type Candidates<T> = [Option<T>; 2];

fn candidates(tz: &TimeZone, dt: DateTime) -> Result<Candidates<Timestamp>, TimeConversionError> {
    let err = |_| TimeConversionError(dt.to_string());
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        AmbiguousOffset::Fold { before, after } => {
            Ok([Some(before.to_timestamp(dt).map_err(err)?), Some(after.to_timestamp(dt).map_err(err)?)])
        }
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Gap { .. } => {
            Ok([Some(ambiguous.compatible().map_err(err)?), None])
        }
    }
}

fn optional_candidates(
    tz: &TimeZone,
    dt: Option<DateTime>,
) -> Result<Candidates<Option<Timestamp>>, TimeConversionError> {
    match dt {
        None => Ok([Some(None), None]),
        Some(dt) => {
            let [a, b] = candidates(tz, dt)?;
            Ok([a.map(Some), b.map(Some)])
        }
    }
}

fn penalty(t: &UtcTimes, duration: i64, billsec: i64) -> i64 {
    const DISORDER: i64 = 1 << 40;
    let secs = |ts: Timestamp| ts.as_second();
    let mut p = 0;
    if let Some(answer) = t.answer {
        p += if answer < t.start { DISORDER } else { 0 };
        if let Some(end) = t.end {
            p += (secs(end) - secs(answer) - billsec).abs();
        }
    }
    if let Some(end) = t.end {
        p += if end < t.start || t.answer.is_some_and(|a| end < a) { DISORDER } else { 0 };
        p += (secs(end) - secs(t.start) - duration).abs();
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn civil(s: &str) -> DateTime {
        parse_civil(s.as_bytes()).unwrap_or_else(|| panic!("test literal {s} must parse"))
    }

    #[test]
    fn parses_only_the_exact_shape() {
        assert_eq!(civil("2026-12-04 19:47:34").to_string(), "2026-12-04T19:47:34");
        for bad in
            ["2026-12-04T19:47:34", "2026-13-04 19:47:34", "2026-12-04 19:47", "2026-12-04 19:47:3x", ""]
        {
            assert_eq!(parse_civil(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn berlin_winter_time_is_utc_plus_one() -> Result<(), Box<dyn std::error::Error>> {
        let tz = TimeZone::get("Europe/Berlin")?;
        let c = CivilTimes {
            start: civil("2026-12-04 20:47:34"),
            answer: None,
            end: Some(civil("2026-12-04 20:47:36")),
        };
        let t = to_utc(&tz, &c, 2, 0)?;
        assert_eq!(t.start.to_string(), "2026-12-04T19:47:34Z");
        Ok(())
    }

    #[test]
    fn fold_is_resolved_by_duration() -> Result<(), Box<dyn std::error::Error>> {
        // Berlin 2026-10-25: 02:00-03:00 local happens twice (CEST then CET).
        let tz = TimeZone::get("Europe/Berlin")?;
        // A call from 02:50 (first pass) lasting 20 min ends at 02:10 (second pass).
        let c = CivilTimes {
            start: civil("2026-10-25 02:50:00"),
            answer: None,
            end: Some(civil("2026-10-25 02:10:00")),
        };
        let t = to_utc(&tz, &c, 1200, 0)?;
        assert_eq!(t.start.to_string(), "2026-10-25T00:50:00Z");
        assert_eq!(t.end.map(|e| e.to_string()), Some("2026-10-25T01:10:00Z".into()));
        // Without further evidence the earlier instant wins.
        let c = CivilTimes {
            start: civil("2026-10-25 02:30:00"),
            answer: None,
            end: Some(civil("2026-10-25 02:30:05")),
        };
        let t = to_utc(&tz, &c, 5, 0)?;
        assert_eq!(t.start.to_string(), "2026-10-25T00:30:00Z");
        Ok(())
    }
}
