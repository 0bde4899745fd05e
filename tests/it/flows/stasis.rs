//! The Stasis app `ringside` against the fake ARI: the captured StasisStart (its `args` changed to
//! `hold,sales`) gets MoH with the class the rules choose; the captured StasisEnd stops it; the
//! replayed captured events (args `arg1`) are ignored; a held call entering a bridge gets its MoH
//! stopped while still in Stasis; a dropped WebSocket re-registers the app.

use std::time::Duration;

use super::{admin, wait_for_metric};
use crate::fakes::ari::{EVENTS, FakeAri};
use crate::on_both_backends;
use crate::support::{Backend, TestApp};
use serde_json::json;

on_both_backends!(stasis_hold_starts_and_stops_moh);

async fn wait_for(ari: &FakeAri, what: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let requests = ari.requests();
        if what(&requests) {
            return requests;
        }
        assert!(tokio::time::Instant::now() < deadline, "fake ARI never saw it: {requests:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn stasis_hold_starts_and_stops_moh(backend: Backend) {
    let ari = FakeAri::start("ringside", "secret").await;
    let base = ari.base_url();
    let app = TestApp::spawn_with(backend, |config| {
        let server =
            json!({ "name": "pbx1", "ari_url": base, "ari_user": "ringside", "ari_password": "secret" });
        config.asterisk = vec![serde_json::from_value(server).expect("asterisk entry")];
        config.metrics.listen = Some("127.0.0.1:0".parse().expect("addr"));
    })
    .await;
    let admin = admin(&app).await;
    admin.moh_classes(&["sales"]).await;
    assert_eq!(
        admin
            .post("/api/v1/flows/rules", json!({ "name": "sales", "queue": "sales", "class": "sales" }))
            .await
            .0,
        201
    );

    wait_for(&ari, |r| r.iter().any(|l| l.starts_with("GET /ari/events?app=ringside"))).await;
    let mut lines = EVENTS.lines();
    let mut start: serde_json::Value =
        serde_json::from_str(lines.next().expect("StasisStart")).expect("JSON");
    start["args"] = json!(["hold", "sales"]);
    let end = EVENTS.lines().find(|l| l.contains("\"StasisEnd\"")).expect("captured StasisEnd");
    ari.push_text(vec![start.to_string()]);
    let channel = "1796413666.13";
    let moh_start = format!("POST /ari/channels/{channel}/moh?mohClass=sales");
    wait_for(&ari, |r| r.contains(&moh_start)).await;
    ari.push_text(vec![end.to_owned()]);
    let requests = wait_for(&ari, |r| r.contains(&format!("DELETE /ari/channels/{channel}/moh"))).await;
    assert_eq!(
        requests.iter().filter(|l| l.contains("/moh")).count(),
        2,
        "the replayed arg1 call is ignored: {requests:#?}"
    );

    // A second held call is picked up: it enters a bridge while still in Stasis, so its hold music
    // stops then (the captured channel, renumbered; the bridge event wraps the same channel JSON).
    let mut second = start.clone();
    second["channel"]["id"] = json!("1796413666.14");
    ari.push_text(vec![second.to_string()]);
    wait_for(&ari, |r| r.iter().any(|l| l.starts_with("POST /ari/channels/1796413666.14/moh"))).await;
    let bridged = json!({ "type": "ChannelEnteredBridge", "timestamp": second["timestamp"],
        "application": "ringside", "bridge": { "id": "b1", "channels": [] }, "channel": second["channel"] });
    ari.push_text(vec![bridged.to_string()]);
    wait_for(&ari, |r| r.contains(&"DELETE /ari/channels/1796413666.14/moh".to_owned())).await;
    let mut ended: serde_json::Value = serde_json::from_str(end).expect("JSON");
    ended["channel"]["id"] = json!("1796413666.14");
    ari.push_text(vec![ended.to_string(), start.to_string()]);
    let requests = wait_for(&ari, |r| r.iter().filter(|l| l.contains(&moh_start)).count() == 2).await;
    assert_eq!(
        requests.iter().filter(|l| l.starts_with("DELETE /ari/channels/1796413666.14/moh")).count(),
        1,
        "a hold already stopped in the bridge is not stopped again at StasisEnd: {requests:#?}"
    );
    for line in [
        "ringside_stasis_holds_total{event=\"started\"} 3",
        "ringside_stasis_holds_total{event=\"stopped\"} 2",
        "ringside_moh_decisions_total{result=\"rule\",rule=\"sales\"} 3",
    ] {
        wait_for_metric(&app, line).await;
    }

    let connects = ari.ws_connects();
    ari.drop_websockets();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while ari.ws_connects() <= connects {
        assert!(tokio::time::Instant::now() < deadline, "the app did not re-register");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await;
}
