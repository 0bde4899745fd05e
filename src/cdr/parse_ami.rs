//! AMI `Event: Cdr` (as ordered key/value pairs) -> [`CdrRecord`].
//!
//! Owns the key semantics of `cdr_manager.c`; the AMI framing (lines, `\r\n\r\n`) belongs to the
//! AMI client, which hands over the pairs in arrival order. Pure: no sockets, no clock.
//!
//! ```text
//! Event: Cdr
//! Privilege: cdr,all
//! AccountCode:
//! Source: +4930123456
//! Destination: s
//! DestinationContext: cdr-quotes
//! CallerID: "Zoë \"The Boss\", Müller" <+4930123456>
//! Channel: Local/s@cdr-quotes-00000004;2
//! DestinationChannel:
//! LastApplication: NoOp
//! LastData: one,two
//! StartTime: 2026-12-04 19:47:34          local time of the Asterisk host, no zone
//! AnswerTime:                             empty when unanswered
//! EndTime: 2026-12-04 19:47:36
//! Duration: 1
//! BillableSeconds: 1
//! Disposition: ANSWERED
//! AMAFlags: DOCUMENTATION
//! UniqueID: 1796413654.9
//! UserField:
//! LinkedID: 1796413654.8                  only with a cdr_manager.conf [mappings] entry
//! Sequence: 9                             only with a [mappings] entry
//! ```
//!
//! Keys compare ASCII-case-insensitively. `LinkedID`, `Sequence` and `PeerAccount` mapping keys
//! fill the typed fields; other keys except the AMI headers `Event`, `Privilege`, `Timestamp` and
//! `SystemName` are kept in [`CdrRecord::extras`] in order.

use jiff::tz::TimeZone;

use crate::cdr::parse_csv::{parse_integer, parse_time_field};
use crate::cdr::record::{CdrOrigin, CdrRecord, TailColumns};
use crate::cdr::reject::{Reject, RejectReason};
use crate::cdr::text::CdrText;
use crate::cdr::times::{CivilTimes, to_utc};

/// The 18 keys `cdr_manager` always sends, in its order.
const STANDARD_KEYS: [&str; 18] = [
    "AccountCode",
    "Source",
    "Destination",
    "DestinationContext",
    "CallerID",
    "Channel",
    "DestinationChannel",
    "LastApplication",
    "LastData",
    "StartTime",
    "AnswerTime",
    "EndTime",
    "Duration",
    "BillableSeconds",
    "Disposition",
    "AMAFlags",
    "UniqueID",
    "UserField",
];
const MAPPED_KEYS: [&str; 3] = ["PeerAccount", "LinkedID", "Sequence"];
const HEADER_KEYS: [&str; 4] = ["Event", "Privilege", "Timestamp", "SystemName"];

/// Parses an AMI `Cdr` event given as ordered pairs; times are local to `timezone`.
pub fn parse_ami<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    pairs: &[(K, V)],
    timezone: &TimeZone,
) -> Result<CdrRecord, Reject> {
    parse_pairs(pairs, timezone).map_err(|reason| Reject::new(reason, &raw_event(pairs)))
}

fn raw_event<K: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(K, V)]) -> Vec<u8> {
    let mut raw = Vec::new();
    for (k, v) in pairs {
        raw.extend_from_slice(k.as_ref());
        raw.extend_from_slice(b": ");
        raw.extend_from_slice(v.as_ref());
        raw.extend_from_slice(b"\r\n");
    }
    raw
}

fn position(names: &[&str], key: &[u8]) -> Option<usize> {
    names.iter().position(|n| n.as_bytes().eq_ignore_ascii_case(key))
}

struct Collected<'a> {
    standard: [Option<&'a [u8]>; 18],
    mapped: [Option<&'a [u8]>; 3],
    extras: Vec<(CdrText, CdrText)>,
}

fn collect<'a, K: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &'a [(K, V)]) -> Result<Collected<'a>, RejectReason> {
    let mut c = Collected { standard: [None; 18], mapped: [None; 3], extras: Vec::new() };
    for (k, v) in pairs {
        let (key, value) = (k.as_ref(), v.as_ref());
        if let Some(i) = position(&HEADER_KEYS, key) {
            if i == 0 && !value.eq_ignore_ascii_case(b"Cdr") {
                return Err(RejectReason::NotCdrEvent(CdrText::from_bytes(value)));
            }
        } else if let Some(i) = position(&STANDARD_KEYS, key) {
            if c.standard[i].replace(value).is_some() {
                return Err(RejectReason::DuplicateKey(STANDARD_KEYS[i]));
            }
        } else if let Some(i) = position(&MAPPED_KEYS, key) {
            if c.mapped[i].replace(value).is_some() {
                return Err(RejectReason::DuplicateKey(MAPPED_KEYS[i]));
            }
        } else {
            c.extras.push((CdrText::from_bytes(key), CdrText::from_bytes(value)));
        }
    }
    Ok(c)
}

fn parse_pairs<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    pairs: &[(K, V)],
    timezone: &TimeZone,
) -> Result<CdrRecord, RejectReason> {
    let c = collect(pairs)?;
    let mut field = [&b""[..]; 18];
    for (i, slot) in c.standard.iter().enumerate() {
        field[i] = slot.ok_or(RejectReason::MissingKey(STANDARD_KEYS[i]))?;
    }
    let text = |i: usize| CdrText::from_bytes(field[i]);
    let int = |i: usize, name| {
        parse_integer(field[i]).ok_or_else(|| RejectReason::BadInteger { field: name, value: text(i) })
    };
    let duration = int(12, "Duration")?;
    let billsec = int(13, "BillableSeconds")?;
    let civil = CivilTimes {
        start: parse_time_field(field[9], "StartTime")?.ok_or(RejectReason::MissingStart)?,
        answer: parse_time_field(field[10], "AnswerTime")?,
        end: parse_time_field(field[11], "EndTime")?,
    };
    let utc = to_utc(timezone, &civil, duration, billsec).map_err(|e| RejectReason::TimeConversion(e.0))?;
    let sequence =
        match c.mapped[2] {
            Some(v) => Some(parse_integer(v).ok_or_else(|| RejectReason::BadInteger {
                field: "Sequence",
                value: CdrText::from_bytes(v),
            })?),
            None => None,
        };
    let tail = TailColumns {
        uniqueid: Some(text(16)),
        userfield: Some(text(17)),
        peeraccount: c.mapped[0].map(CdrText::from_bytes),
        linkedid: c.mapped[1].map(CdrText::from_bytes),
        sequence,
        extras: c.extras,
        origin: CdrOrigin::Ami,
    };
    Ok(CdrRecord::from_columns(text, utc, (duration, billsec), field[14], tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let base = [
            ("Event", "Cdr"),
            ("Privilege", "cdr,all"),
            ("AccountCode", ""),
            ("Source", "100"),
            ("Destination", "200"),
            ("DestinationContext", "ctx"),
            ("CallerID", "\"A\" <100>"),
            ("Channel", "PJSIP/100-00000001"),
            ("DestinationChannel", "PJSIP/200-00000002"),
            ("LastApplication", "Dial"),
            ("LastData", "PJSIP/200"),
            ("StartTime", "2026-01-01 10:00:00"),
            ("AnswerTime", "2026-01-01 10:00:02"),
            ("EndTime", "2026-01-01 10:00:09"),
            ("Duration", "9"),
            ("BillableSeconds", "7"),
            ("Disposition", "ANSWERED"),
            ("AMAFlags", "DOCUMENTATION"),
            ("UniqueID", "1767261600.1"),
            ("UserField", ""),
        ];
        base.iter().chain(extra).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn mappings_fill_typed_fields_and_keep_other_extras() -> Result<(), Reject> {
        let pairs = event(&[
            ("linkedid", "1767261600.0"),
            ("Sequence", "42"),
            ("Queue", "sales"),
            ("Timestamp", "1.0"),
        ]);
        let r = parse_ami(&pairs, &TimeZone::UTC)?;
        assert_eq!(r.linkedid.map(|t| t.as_escaped().to_owned()).as_deref(), Some("1767261600.0"));
        assert_eq!(r.sequence, Some(42));
        assert_eq!(r.extras, vec![(CdrText::from_bytes(b"Queue"), CdrText::from_bytes(b"sales"))]);
        assert_eq!(r.answer.map(|t| t.to_string()).as_deref(), Some("2026-01-01T10:00:02Z"));
        Ok(())
    }

    #[test]
    fn missing_duplicate_and_foreign_events_are_rejected() {
        let mut pairs = event(&[]);
        pairs.retain(|(k, _)| k != "Channel");
        assert_eq!(
            parse_ami(&pairs, &TimeZone::UTC).map_err(|r| r.reason),
            Err(RejectReason::MissingKey("Channel"))
        );
        let pairs = event(&[("DURATION", "3")]);
        assert_eq!(
            parse_ami(&pairs, &TimeZone::UTC).map_err(|r| r.reason),
            Err(RejectReason::DuplicateKey("Duration"))
        );
        let mut pairs = event(&[]);
        pairs[0].1 = "Newchannel".into();
        let got = parse_ami(&pairs, &TimeZone::UTC).map_err(|r| r.reason);
        assert_eq!(got, Err(RejectReason::NotCdrEvent(CdrText::from_bytes(b"Newchannel"))));
    }
}
