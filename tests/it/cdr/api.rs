//! The Calls console and `/api/v1/cdrs…` on real rows: hostile parameters, `<script>` names,
//! byte-exact CSV export, XLSX export, paging.

use ringside::auth::Role;
use ringside::cdr::search::{After, CdrSearch, Sort, SortColumn, SortValue};
use ringside::store::cdr::CdrBatch;

use super::collect::csv_line;
use crate::on_both_backends;
use crate::support::{Backend, TestApp};

const TRICKY: &[u8] = b"\"\",\"2001\",\"3001\",\"ctx\",\"\"\"<script>alert(1)</script>\"\" <2001>\",\"PJSIP/a-1\",\"PJSIP/b-1\",\"Dial\",\"one,\"\"two\"\"\nthree\",\"2026-12-04 09:00:00\",\"2026-12-04 09:00:01\",\"2026-12-04 09:00:09\",9,8,\"ANSWERED\",\"DOCUMENTATION\",\"1796399999.1\",\"=cmd|' /C calc'!A0\"\n";

async fn seeded(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    let mut bytes = TRICKY.to_vec();
    for i in 0..120 {
        bytes.extend_from_slice(csv_line(i).as_bytes());
    }
    let items = super::parse_all(&bytes, jiff::tz::TimeZone::UTC);
    let records: Vec<_> = items.into_iter().map(|r| r.expect("fixture parses")).collect();
    let batch = CdrBatch {
        server: "pbx1",
        source: "test",
        records: &records,
        rejects: &[],
        position: None,
        now_ms: 0,
    };
    let counts = app.store().commit_cdr_batch(batch).await.expect("commit");
    assert_eq!((counts.inserted, counts.duplicates), (121, 0));
    let again = CdrBatch {
        server: "pbx1",
        source: "test",
        records: &records,
        rejects: &[],
        position: None,
        now_ms: 0,
    };
    let counts = app.store().commit_cdr_batch(again).await.expect("commit again");
    assert_eq!((counts.inserted, counts.duplicates), (0, 121), "exact duplicate counts");
    app.add_user("vera", Role::Viewer, "viewer-password-1").await;
    app
}

async fn hostile_parameters_are_refused_or_clamped(backend: Backend) {
    let app = seeded(backend).await;
    let client = app.signed_in("vera", "viewer-password-1").await;
    for bad in [
        "sort=start;DROP TABLE cdr",
        "limit=-1",
        "limit=1e9",
        "offset=abc",
        "offset=10",
        "min_duration=-5",
        "max_duration=99999999999999999999",
        "from=2026-13-45",
        "disposition=ANSWERED' OR '1'='1",
        "cursor=deadbeef",
        "tz=Mars/Olympus",
        "format=xml",
        "unknown=1",
    ] {
        let r = client.get(&format!("/api/v1/cdrs?{bad}")).await;
        assert_eq!(r.status(), 400, "{bad}");
        let body: serde_json::Value = r.json().await.expect("json error");
        assert!(body["error"].is_string(), "{bad}: {body}");
    }
    for (ok, max_items) in [
        ("limit=1000000000", 500),
        ("name=' OR 1=1--", 0),
        ("src=' OR 1=1--", 0),
        ("src=%27%20OR%201%3D1--", 0),
    ] {
        let r = client.get(&format!("/api/v1/cdrs?{ok}")).await;
        assert_eq!(r.status(), 200, "{ok}");
        let body: serde_json::Value = r.json().await.expect("json");
        assert!(body["items"].as_array().expect("items").len() <= max_items, "{ok}");
    }
    assert_eq!(app.store().cdr_counts().await.expect("count").0, 121, "nothing dropped");
    // Keyset paging walks every row once.
    let mut seen = std::collections::HashSet::new();
    let mut next: Option<String> = None;
    loop {
        let q = match &next {
            Some(c) => format!("/api/v1/cdrs?limit=50&cursor={c}"),
            None => "/api/v1/cdrs?limit=50".into(),
        };
        let body: serde_json::Value = client.get(&q).await.json().await.expect("page");
        for item in body["items"].as_array().expect("items") {
            assert!(seen.insert(item["id"].as_i64().expect("id")));
        }
        match body["next"].as_str() {
            Some(c) => next = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 121);
    let r = client.get("/api/v1/cdr-stats?range=thismonth").await;
    assert_eq!(r.status(), 200);
    assert_eq!(client.get("/api/v1/cdrs/abc").await.status(), 400);
    assert_eq!(client.get("/api/v1/calls/nope").await.status(), 404);
    app.stop().await;
}

async fn script_names_render_as_text_and_exports_round_trip(backend: Backend) {
    let app = seeded(backend).await;
    let client = app.signed_in("vera", "viewer-password-1").await;
    let page = client.get("/calls?name=script&tz=Europe/Berlin").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;"),
        "escaped"
    );
    assert!(!html.contains("<script>alert(1)"), "never raw");
    assert!(html.contains("2026-12-04 10:00:00"), "start shown in the viewer's zone");
    let csv = client.get("/calls/export.csv?name=script").await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.expect("csv");
    let mut lines = text.split("\r\n");
    assert!(lines.next().expect("header").starts_with("id,server,start"));
    let row = text.split("\r\n").nth(1).expect("row");
    assert!(row.contains(",\"\"\"<script>alert(1)</script>\"\" <2001>\","), "clid byte for byte: {row}");
    assert!(row.contains(",\"one,\"\"two\"\"\nthree\","), "lastdata with quotes and newline: {row}");
    assert!(row.contains(",'=cmd|' /C calc'!A0,"), "formula neutralised: {row}");
    assert!(row.contains("2026-12-04T09:00:00+00:00"));
    let all = client.get("/api/v1/cdrs?format=csv").await.text().await.expect("csv");
    assert_eq!(all.matches("\r\n").count(), 1 + 121, "header + every row, no limit");
    let xlsx = client.get("/calls/export.xlsx").await;
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.expect("xlsx");
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip package");
    app.stop().await;
}

/// Exports read pages as one JSON document each: the same rows, text and order as a search,
/// page after page, for every sort.
async fn export_pages_equal_search_pages(backend: Backend) {
    let app = seeded(backend).await;
    let store = app.store();
    for (_, column) in SortColumn::ALL {
        for descending in [false, true] {
            let mut search =
                CdrSearch { sort: Sort { column, descending }, limit: 13, ..CdrSearch::default() };
            let mut seen = 0;
            loop {
                let rows = store.search_cdrs(&search).await.expect("search");
                let exported = store.export_cdr_page(&search).await.expect("export page");
                assert_eq!(format!("{exported:?}"), format!("{rows:?}"), "{column:?} desc={descending}");
                let Some(last) = rows.get(12).filter(|_| rows.len() > 13) else {
                    seen += rows.len();
                    break;
                };
                seen += 13;
                let value = match column {
                    SortColumn::Start => {
                        SortValue::Time(jiff::Timestamp::from_millisecond(last.start_time).expect("ms"))
                    }
                    SortColumn::Duration => SortValue::Int(last.duration),
                    SortColumn::Billsec => SortValue::Int(last.billsec),
                    SortColumn::Src => SortValue::Text(last.src.clone()),
                    SortColumn::Dst => SortValue::Text(last.dst.clone()),
                };
                search.after = Some(After { value, id: last.id });
            }
            assert_eq!(seen, 121, "{column:?} desc={descending}: every row once");
        }
    }
    app.stop().await;
}

on_both_backends!(
    hostile_parameters_are_refused_or_clamped,
    script_names_render_as_text_and_exports_round_trip,
    export_pages_equal_search_pages
);
