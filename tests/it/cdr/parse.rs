//! Fixture lines and events parse to the values visible in their bytes.

use jiff::tz::TimeZone;
use ringside::cdr::{
    CdrOrigin, CdrRecord, CdrText, ColumnShape, CsvRecordParser, CsvSource, Disposition, KeyKind, dedupe_key,
    parse_ami,
};

use super::{GMT_18, LOCAL_21, ami_cdr_events, parse_all};

fn ok(records: Vec<Result<CdrRecord, ringside::cdr::Reject>>) -> Vec<CdrRecord> {
    records.into_iter().map(|r| r.unwrap_or_else(|e| panic!("fixture record rejected: {e:?}"))).collect()
}

fn text(t: &CdrText) -> &str {
    t.as_escaped()
}

fn opt(t: &Option<CdrText>) -> Option<&str> {
    t.as_ref().map(CdrText::as_escaped)
}

#[test]
fn every_18_column_gmt_line_parses_with_its_values() {
    let records = ok(parse_all(GMT_18, TimeZone::UTC));
    let lines = GMT_18.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(records.len(), lines);
    let shape18 = ColumnShape { uniqueid: true, userfield: true, new_columns: false };
    assert!(records.iter().all(|r| r.origin == CdrOrigin::Csv(shape18)));

    let first = &records[0];
    assert_eq!((text(&first.dst), text(&first.dcontext)), ("nosuch", "moh-test"));
    assert_eq!(text(&first.clid), "\"\" <>");
    assert_eq!(text(&first.channel), "Local/nosuch@moh-test-00000000;1");
    assert_eq!((text(&first.lastapp), text(&first.lastdata)), ("Wait", "2"));
    assert_eq!(first.start.to_string(), "2026-12-04T19:45:35Z");
    assert_eq!(first.end.map(|t| t.to_string()).as_deref(), Some("2026-12-04T19:45:37Z"));
    assert_eq!((first.duration, first.billsec), (2, 2));
    assert_eq!(first.disposition, Disposition::Answered);
    assert_eq!(text(&first.amaflags), "DOCUMENTATION");
    assert_eq!((opt(&first.uniqueid), opt(&first.userfield)), (Some("1796413535.0"), Some("")));

    let busy = &records[7];
    assert_eq!((busy.answer, busy.disposition.clone()), (None, Disposition::Busy));
    assert_eq!(text(&busy.lastdata), "(Outgoing Line)");

    let quotes = &records[9];
    assert_eq!(text(&quotes.src), "+4930123456");
    assert_eq!(text(&quotes.clid), "\"Zoë \\\\\"The Boss\\\\\", Müller\" <+4930123456>");
    assert_eq!(quotes.clid.to_bytes(), "\"Zoë \\\"The Boss\\\", Müller\" <+4930123456>".as_bytes());
    assert_eq!(quotes.caller_name(), "Zoë \"The Boss\", Müller");
    assert_eq!(text(&quotes.lastdata), "one,two");

    let acc = &records[11];
    assert_eq!((text(&acc.accountcode), opt(&acc.userfield)), ("acc42", Some("acceptance")));
    let stasis = &records[15];
    assert_eq!((stasis.disposition.clone(), stasis.billsec), (Disposition::NoAnswer, 0));
    assert_eq!(text(&stasis.lastdata), "acc-app,arg1");
}

#[test]
fn every_21_column_local_line_parses_with_linkedid_and_sequence() {
    let records = ok(parse_all(LOCAL_21, TimeZone::UTC));
    assert_eq!(records.len(), 6);
    let got: Vec<(Option<&str>, Option<&str>, Option<i64>)> =
        records.iter().map(|r| (opt(&r.uniqueid), opt(&r.linkedid), r.sequence)).collect();
    assert_eq!(
        got,
        vec![
            (Some("1796413686.19"), Some("1796413686.18"), Some(19)),
            (Some("1796413686.18"), Some("1796413686.18"), Some(18)),
            (Some("1796413686.14"), Some("1796413686.14"), Some(14)),
            (Some("1796413686.15"), Some("1796413686.14"), Some(15)),
            (Some("1796413686.17"), Some("1796413686.16"), Some(17)),
            (Some("1796413686.16"), Some("1796413686.16"), Some(16)),
        ]
    );
    assert!(records.iter().all(|r| opt(&r.peeraccount) == Some("")));
    assert_eq!(opt(&records[3].userfield), Some("acceptance"));
    assert_eq!(records[4].answer, None);
}

#[test]
fn local_times_are_converted_with_the_configured_zone() -> Result<(), jiff::Error> {
    let records = ok(parse_all(LOCAL_21, TimeZone::get("Europe/Berlin")?));
    assert_eq!(records[0].start.to_string(), "2026-12-04T18:48:06Z");
    let ny = ok(parse_all(LOCAL_21, TimeZone::get("America/New_York")?));
    assert_eq!(ny[0].start.to_string(), "2026-12-05T00:48:06Z");
    Ok(())
}

#[test]
fn every_ami_cdr_event_parses() {
    let events = ami_cdr_events();
    assert_eq!(events.len(), 8);
    for event in &events {
        let r = parse_ami(event, &TimeZone::UTC).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(r.origin, CdrOrigin::Ami);
        assert!(r.uniqueid.is_some() && r.linkedid.is_none() && r.sequence.is_none());
        assert!(r.extras.is_empty(), "cdr_manager defaults have no extras: {:?}", r.extras);
    }
}

#[test]
fn same_cdr_via_csv_and_ami_has_the_same_key_and_fields() {
    // The capture host ran in UTC, so AMI local times are UTC like the usegmtime file.
    let csv = ok(parse_all(GMT_18, TimeZone::UTC));
    for event in ami_cdr_events() {
        let ami = parse_ami(&event, &TimeZone::UTC).unwrap_or_else(|e| panic!("{e:?}"));
        let key = dedupe_key("pbx1", &ami);
        assert_eq!(key.kind, KeyKind::Natural);
        let twin: Vec<&CdrRecord> = csv.iter().filter(|c| dedupe_key("pbx1", c) == key).collect();
        assert_eq!(twin.len(), 1, "uniqueid {:?}", ami.uniqueid);
        let c = twin[0];
        assert_eq!(c.base_text_fields(), ami.base_text_fields());
        assert_eq!((c.start, c.answer, c.end), (ami.start, ami.answer, ami.end));
        assert_eq!((c.duration, c.billsec, &c.disposition), (ami.duration, ami.billsec, &ami.disposition));
        assert_eq!(c.userfield, ami.userfield);
        assert_ne!(dedupe_key("pbx2", &ami), key, "servers are kept apart");
    }
}

#[test]
fn ami_event_with_mappings_keys_like_the_21_column_line() {
    let csv = ok(parse_all(LOCAL_21, TimeZone::UTC));
    let line = &csv[0];
    let mut event: Vec<(String, String)> = vec![("Event".into(), "Cdr".into())];
    let s = |t: &CdrText| String::from_utf8_lossy(&t.to_bytes()).into_owned();
    let time = |t: Option<jiff::Timestamp>| {
        t.map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default()
    };
    let fields = [
        ("AccountCode", s(&line.accountcode)),
        ("Source", s(&line.src)),
        ("Destination", s(&line.dst)),
        ("DestinationContext", s(&line.dcontext)),
        ("CallerID", s(&line.clid)),
        ("Channel", s(&line.channel)),
        ("DestinationChannel", s(&line.dstchannel)),
        ("LastApplication", s(&line.lastapp)),
        ("LastData", s(&line.lastdata)),
        ("StartTime", time(Some(line.start))),
        ("AnswerTime", time(line.answer)),
        ("EndTime", time(line.end)),
        ("Duration", line.duration.to_string()),
        ("BillableSeconds", line.billsec.to_string()),
        ("Disposition", "ANSWERED".into()),
        ("AMAFlags", "DOCUMENTATION".into()),
        ("UniqueID", "1796413686.19".into()),
        ("UserField", String::new()),
        ("LinkedID", "1796413686.18".into()),
        ("Sequence", "19".into()),
    ];
    event.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
    let ami = parse_ami(&event, &TimeZone::UTC).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((ami.linkedid.clone(), ami.sequence), (line.linkedid.clone(), line.sequence));
    assert_eq!(dedupe_key("pbx1", &ami), dedupe_key("pbx1", line));
}

/// Writes a record the way cdr_csv.c's append_string/append_int/append_date do.
fn asterisk_line(fields: &[&[u8]], times: [&str; 3], ints: [i64; 2], tail: &[&[u8]]) -> Vec<u8> {
    let quote = |out: &mut Vec<u8>, v: &[u8]| {
        out.push(b'"');
        for &b in v {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.extend_from_slice(b"\",");
    };
    let mut out = Vec::new();
    for f in fields {
        quote(&mut out, f);
    }
    for t in times {
        if t.is_empty() {
            out.push(b',');
        } else {
            quote(&mut out, t.as_bytes());
        }
    }
    for i in ints {
        out.extend_from_slice(format!("{i},").as_bytes());
    }
    quote(&mut out, b"ANSWERED");
    quote(&mut out, b"DOCUMENTATION");
    for f in tail {
        quote(&mut out, f);
    }
    out.pop();
    out.push(b'\n');
    out
}

#[test]
fn hostile_bytes_round_trip_byte_for_byte() {
    let clid: &[u8] = b"\"M\xfcller, \"\"Jr\"\"\nline2 \xf0\x9f\x98\x80\" <+49>";
    let lastdata: &[u8] = b"a,b\r\nc\"\"d\\e\x00f";
    let userfield: &[u8] = b"note: \"x\",\ny \xe9t\xe9";
    let fields: [&[u8]; 9] = [b"acc", b"+49", b"200", b"ctx", clid, b"SIP/a-1", b"", b"Dial", lastdata];
    let line = asterisk_line(
        &fields,
        ["2026-01-01 10:00:00", "", "2026-01-01 10:00:03"],
        [3, 0],
        &[b"1767261600.7", userfield],
    );
    let parser = CsvRecordParser::new(CsvSource::new(TimeZone::UTC));
    let r = parser.parse(&line).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.clid.to_bytes(), clid);
    assert_eq!(r.lastdata.to_bytes(), lastdata);
    assert_eq!(r.userfield.map(|u| u.to_bytes()), Some(userfield.to_vec()));
    assert!(r.clid.to_display().contains("Müller") && r.clid.to_display().contains('😀'));
    // And through the reader, where the quoted newlines must not end the record.
    let mut file = line.clone();
    file.extend_from_slice(&line);
    let all = parse_all(&file, TimeZone::UTC);
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|r| r.as_ref().is_ok_and(|r| r.lastdata.to_bytes() == lastdata)));
}

#[test]
fn column_count_changing_mid_file_is_detected_per_line() {
    let mut file = GMT_18[..GMT_18.iter().position(|&b| b == b'\n').unwrap_or(0) + 1].to_vec();
    file.extend_from_slice(LOCAL_21);
    let base: &[&[u8]] = &[b"", b"1", b"2", b"c", b"\"\" <>", b"SIP/x-1", b"", b"Hangup", b""];
    file.extend(asterisk_line(base, ["2026-01-01 10:00:00", "", "2026-01-01 10:00:01"], [1, 0], &[]));
    file.extend(asterisk_line(
        base,
        ["2026-01-01 10:00:00", "", "2026-01-01 10:00:01"],
        [1, 0],
        &[b"just a note"],
    ));
    file.extend_from_slice(b"\"only\",\"three\",\"columns\"\n");
    let shapes: Vec<String> = parse_all(&file, TimeZone::UTC)
        .iter()
        .map(|r| match r {
            Ok(r) => match r.origin {
                CdrOrigin::Csv(s) => s.to_string(),
                CdrOrigin::Ami => "ami".into(),
            },
            Err(e) => e.reason.to_string(),
        })
        .collect();
    let mut want = vec!["18".to_owned()];
    want.extend(std::iter::repeat_n("21".to_owned(), 6));
    want.extend(["16".into(), "17u".into(), "3 columns; Master.csv records have 16 to 21".into()]);
    assert_eq!(shapes, want);
    let whole = parse_all(&file, TimeZone::UTC);
    let no_uid = whole[7].as_ref().map(|r| dedupe_key("pbx1", r).kind);
    assert_eq!(no_uid.ok(), Some(KeyKind::WholeRecord));
}

#[test]
fn reimporting_gives_identical_keys_and_parallel_legs_differ() {
    let a: Vec<_> = ok(parse_all(GMT_18, TimeZone::UTC)).iter().map(|r| dedupe_key("s", r)).collect();
    let b: Vec<_> = ok(parse_all(GMT_18, TimeZone::UTC)).iter().map(|r| dedupe_key("s", r)).collect();
    assert_eq!(a, b);
    let mut unique = a.clone();
    unique.sort_by_key(|k| k.digest);
    unique.dedup();
    assert_eq!(unique.len(), a.len(), "distinct CDRs never share a key");
}
