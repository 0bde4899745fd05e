//! The call view shows the MoH decision Ringside made for the call (from the FastAGI decision
//! log), and keyset cursors stay valid across a restart (their secret lives in the data folder).

use std::os::unix::fs::PermissionsExt as _;

use ringside::auth::Role;
use ringside::store::cdr::CdrBatch;
use ringside::store::flows::NewDecision;

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

async fn store_records(app: &TestApp, bytes: &[u8], tz: jiff::tz::TimeZone) -> Vec<ringside::cdr::CdrRecord> {
    let records: Vec<_> = super::parse_all(bytes, tz).into_iter().filter_map(Result::ok).collect();
    let batch = CdrBatch {
        server: "pbx1",
        source: "test",
        records: &records,
        rejects: &[],
        position: None,
        now_ms: 0,
    };
    app.store().commit_cdr_batch(batch).await.expect("commit");
    records
}

fn decision(uniqueid: &str, class: &str, rule: Option<&str>) -> NewDecision {
    NewDecision {
        uniqueid: uniqueid.to_owned(),
        at_ms: 1_796_400_000_000,
        caller: "2001".into(),
        dialled: "3001".into(),
        queue: None,
        context: "from-internal".into(),
        rule: rule.map(str::to_owned),
        class: class.into(),
        inputs: "{}".into(),
    }
}

async fn call_view_shows_the_moh_decision(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").expect("zone");
    let records = store_records(&app, super::LOCAL_21, tz).await;
    // A call with several legs: the decision was made on one of its channels (not the first).
    let call = records
        .iter()
        .filter_map(|r| r.linkedid.as_ref())
        .find(|l| records.iter().filter(|r| r.linkedid.as_ref() == Some(l)).count() > 1)
        .expect("fixture has a multi-leg call")
        .as_escaped()
        .to_owned();
    let leg = records
        .iter()
        .filter(|r| r.linkedid.as_ref().map(|l| l.as_escaped()) == Some(call.as_str()))
        .filter_map(|r| r.uniqueid.as_ref().map(|u| u.as_escaped().to_owned()))
        .next_back()
        .expect("leg uniqueid");
    let decisions = [
        decision(&leg, "sales-jingle", Some("office hours")),
        decision("9999999999.1", "other-call-class", None),
    ];
    app.store().insert_decisions(&decisions).await.expect("record decisions");
    app.add_user("vera", Role::Viewer, "viewer-password-1").await;
    let client = app.signed_in("vera", "viewer-password-1").await;

    let body: serde_json::Value =
        client.get(&format!("/api/v1/calls/{call}")).await.json().await.expect("json");
    let moh = body["moh_decisions"].as_array().expect("moh_decisions");
    assert_eq!(moh.len(), 1, "only this call's decision: {body}");
    assert_eq!(moh[0]["class"], "sales-jingle");
    assert_eq!(moh[0]["rule"], "office hours");
    assert_eq!(moh[0]["uniqueid"], leg.as_str());
    let page = client.get(&format!("/calls/call/{call}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("sales-jingle") && html.contains("office hours"), "{html}");
    assert!(!html.contains("other-call-class"));

    // A call without a recorded decision says so.
    let other = records.iter().filter_map(|r| r.linkedid.as_ref()).find(|l| l.as_escaped() != call);
    if let Some(other) = other {
        let html =
            client.get(&format!("/calls/call/{}", other.as_escaped())).await.text().await.expect("html");
        assert!(html.contains("No Music on Hold decision is recorded"), "{html}");
    }
    app.stop().await;
}

async fn cursors_survive_a_restart(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    let lines: String = (0..30).map(super::collect::csv_line).collect();
    store_records(&app, lines.as_bytes(), jiff::tz::TimeZone::UTC).await;
    app.add_user("vera", Role::Viewer, "viewer-password-1").await;
    let client = app.signed_in("vera", "viewer-password-1").await;
    let first: serde_json::Value = client.get("/api/v1/cdrs?limit=10").await.json().await.expect("json");
    let cursor = first["next"].as_str().expect("a next cursor").to_owned();
    let second: serde_json::Value =
        client.get(&format!("/api/v1/cdrs?limit=10&cursor={cursor}")).await.json().await.expect("json");

    let secret = app.data_dir().join("cdr-cursor.key");
    let mode = std::fs::metadata(&secret).expect("secret file").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "secret readable by the service account only");
    let running = app.app.take().expect("running");
    let config = (*running.state.config).clone();
    running.stop().await;
    let restarted = ringside::app::start(config).await.expect("restart");
    app.addr = restarted.web_addr;
    app.app = Some(restarted);

    let client = app.signed_in("vera", "viewer-password-1").await;
    let r = client.get(&format!("/api/v1/cdrs?limit=10&cursor={cursor}")).await;
    assert_eq!(r.status(), 200, "a cursor issued before the restart still works");
    let again: serde_json::Value = r.json().await.expect("json");
    assert_eq!(again["items"], second["items"], "same page after the restart");
    app.stop().await;
}

on_both_backends!(call_view_shows_the_moh_decision, cursors_survive_a_restart);
