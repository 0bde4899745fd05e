//! Search parameters: hostile input is refused or clamped; SQL only ever gets bind parameters.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ringside::cdr::Disposition;
use ringside::cdr::search::sql::{Dialect, SqlValue, render};
use ringside::cdr::search::{
    CdrSearch, CursorCodec, MAX_LIMIT, NumberMatch, SearchContext, SearchError, SortValue, parse_search,
};

fn parse_with(q: &[(&str, &str)], codec: &CursorCodec) -> Result<CdrSearch, SearchError> {
    let tz = TimeZone::get("Europe/Berlin").unwrap_or_else(|e| panic!("{e}"));
    let now: Timestamp = "2026-12-04T10:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"));
    let ctx = SearchContext { now, timezone: &tz, cursors: codec, extra_params: &["format"] };
    parse_search(q, &ctx)
}

fn parse(q: &[(&str, &str)]) -> Result<CdrSearch, SearchError> {
    parse_with(q, &CursorCodec::new(b"test secret 0123456789"))
}

fn refused_param(q: &[(&str, &str)]) -> String {
    match parse(q) {
        Err(e) => e.param,
        Ok(s) => panic!("{q:?} was accepted as {s:?}"),
    }
}

#[test]
fn hostile_values_are_refused_with_the_parameter_named() {
    let cases: [(&[(&str, &str)], &str); 12] = [
        (&[("sort", "start;DROP TABLE cdr")], "sort"),
        (&[("limit", "-1")], "limit"),
        (&[("limit", "1e9")], "limit"),
        (&[("limit", "0")], "limit"),
        (&[("offset", "abc")], "offset"),
        (&[("offset", "10")], "offset"),
        (&[("src", "_' OR 1=1--")], "src"),
        (&[("disposition", "ANSWERED' OR 1=1--")], "disposition"),
        (&[("min_duration", "' OR 1=1--")], "min_duration"),
        (&[("from", "2026-12-04' OR 1=1--")], "from"),
        (&[("cursor", "' OR 1=1--")], "cursor"),
        (&[("src", "1"), ("src", "2")], "src"),
    ];
    for (q, param) in cases {
        assert_eq!(refused_param(q), param, "{q:?}");
    }
    assert_eq!(refused_param(&[("evil", "1")]), "evil");
    assert_eq!(refused_param(&[("name", "a\u{0}b")]), "name");
    assert_eq!(refused_param(&[("name", &"x".repeat(300))]), "name");
    assert_eq!(refused_param(&[("min_duration", "9"), ("max_duration", "3")]), "min_duration");
    assert_eq!(refused_param(&[("range", "today"), ("from", "2026-12-01")]), "range");
}

#[test]
fn injection_text_in_free_fields_stays_a_bound_value() -> Result<(), SearchError> {
    let s = parse(&[("name", "' OR 1=1--"), ("src", "' OR 1=1--"), ("format", "csv")])?;
    assert_eq!(s.src, Some(NumberMatch::Exact("' OR 1=1--".into())));
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        let q = render(&s, dialect);
        assert!(!q.where_clause.contains("OR 1=1"), "{}", q.where_clause);
        assert!(q.params.contains(&SqlValue::Text("%' OR 1=1--%".into())));
    }
    Ok(())
}

#[test]
fn limit_is_clamped_and_defaults() -> Result<(), SearchError> {
    assert_eq!(parse(&[("limit", "1000000000")])?.limit, MAX_LIMIT);
    assert_eq!(parse(&[])?.limit, 50);
    assert_eq!(parse(&[("limit", "7")])?.limit, 7);
    Ok(())
}

#[test]
fn presets_follow_the_viewers_zone() -> Result<(), SearchError> {
    let t = |s: &CdrSearch| (s.range.from.map(|t| t.to_string()), s.range.to.map(|t| t.to_string()));
    let day = |a: &str, b: &str| (Some(a.to_owned()), Some(b.to_owned()));
    assert_eq!(t(&parse(&[("range", "today")])?), day("2026-12-03T23:00:00Z", "2026-12-04T23:00:00Z"));
    assert_eq!(t(&parse(&[("range", "yesterday")])?), day("2026-12-02T23:00:00Z", "2026-12-03T23:00:00Z"));
    assert_eq!(t(&parse(&[("range", "last7days")])?), day("2026-11-27T23:00:00Z", "2026-12-04T23:00:00Z"));
    assert_eq!(t(&parse(&[("range", "thismonth")])?), day("2026-11-30T23:00:00Z", "2026-12-31T23:00:00Z"));
    let s = parse(&[("from", "2026-12-01"), ("to", "2026-12-01")])?;
    assert_eq!(t(&s), day("2026-11-30T23:00:00Z", "2026-12-01T23:00:00Z"));
    let s = parse(&[("from", "2026-12-01T08:30"), ("to", "2026-12-01T09:00:00Z")])?;
    assert_eq!(t(&s), day("2026-12-01T07:30:00Z", "2026-12-01T09:00:00Z"));
    Ok(())
}

#[test]
fn filters_render_to_placeholders_for_both_dialects() -> Result<(), SearchError> {
    let s = parse(&[
        ("range", "today"),
        ("src", "_2XXX"),
        ("dst", "49*"),
        ("disposition", "answered,NO_ANSWER"),
        ("disposition", "BUSY"),
        ("server", "pbx1"),
        ("min_duration", "5"),
        ("sort", "-duration"),
    ])?;
    assert_eq!(s.dispositions, vec![Disposition::Answered, Disposition::NoAnswer, Disposition::Busy]);
    let q = render(&s, Dialect::Sqlite);
    assert_eq!(
        q.where_clause,
        "start_time >= ?1 AND start_time < ?2 AND src >= ?3 AND src < ?4 AND src GLOB ?5 AND dst >= ?6 \
         AND dst < ?7 AND disposition IN (?8, ?9, ?10) AND server IN (?11) AND duration >= ?12"
    );
    assert_eq!(q.params[4], SqlValue::Text("2[0-9][0-9][0-9]".into()));
    assert_eq!((q.order_by.as_str(), q.fetch), ("duration DESC, id DESC", 51));
    let q = render(&s, Dialect::Postgres);
    assert!(q.where_clause.contains("src ~ $4") && q.where_clause.contains("dst LIKE $5 ESCAPE '\\'"));
    assert_eq!(q.params[3], SqlValue::Text("^2[0-9][0-9][0-9]$".into()));
    Ok(())
}

#[test]
fn cursor_round_trips_and_refuses_tampering_and_other_filters() -> Result<(), SearchError> {
    let codec = CursorCodec::new(b"test secret 0123456789");
    let q = [("src", "2001"), ("sort", "-start")];
    let s = parse_with(&q, &codec)?;
    let last: Timestamp = "2026-12-04T09:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"));
    let token = codec.encode(&s, &SortValue::Time(last), 4711);
    let next = parse_with(&[q[0], q[1], ("cursor", &token)], &codec)?;
    let after = next.after.clone().unwrap_or_else(|| panic!("cursor decoded"));
    assert_eq!((after.value, after.id), (SortValue::Time(last), 4711));
    let sql = render(&next, Dialect::Postgres);
    assert!(sql.where_clause.ends_with("(start_time, id) < ($2, $3)"), "{}", sql.where_clause);

    let mut forged = token.clone().into_bytes();
    forged[30] = if forged[30] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap_or_default();
    let refused = |q: &[(&str, &str)], codec: &CursorCodec| parse_with(q, codec).err().map(|e| e.param);
    assert_eq!(refused(&[q[0], q[1], ("cursor", &forged)], &codec), Some("cursor".into()));
    assert_eq!(refused(&[("src", "2002"), q[1], ("cursor", &token)], &codec), Some("cursor".into()));
    assert_eq!(refused(&[q[0], ("sort", "start"), ("cursor", &token)], &codec), Some("cursor".into()));
    let other = CursorCodec::new(b"another secret 0123456789");
    assert_eq!(refused(&[q[0], q[1], ("cursor", &token)], &other), Some("cursor".into()));
    Ok(())
}
