//! `/metrics` after real FastAGI sessions (captured bytes): connections by admission (accepted,
//! refused by the allowlist, refused over the cap), sessions by outcome, decisions by rule and
//! fallback. The Stasis counters are scraped in `stasis.rs`.

use super::{admin, wait_for_metric};
use crate::agi::fake::{FakeAsterisk, SESSION_ENV};
use crate::on_both_backends;
use crate::support::{Backend, TestApp};
use serde_json::json;
use tokio::net::TcpSocket;

on_both_backends!(metrics_count_agi_sessions_and_decisions);

async fn metrics_count_agi_sessions_and_decisions(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| {
        config.metrics.listen = Some("127.0.0.1:0".parse().expect("addr"));
        config.agi.allow = vec!["127.0.0.1".parse().expect("allow entry")];
        config.agi.max_sessions = 1;
    })
    .await;
    let admin = admin(&app).await;
    let agi = app.app().agi_addr;

    let mut fallback = FakeAsterisk::connect(agi).await;
    fallback.send(SESSION_ENV).await;
    assert_eq!(fallback.answer_all().await.len(), 3, "no rules yet: the fallback answer");
    admin.moh_classes(&["sales"]).await;
    let rule = json!({ "name": "sales \"queue\"", "queue": "sales", "class": "sales" });
    assert_eq!(admin.post("/api/v1/flows/rules", rule).await.0, 201);
    let mut matched = FakeAsterisk::connect(agi).await;
    matched.send(SESSION_ENV).await;
    assert_eq!(matched.answer_all().await.len(), 3);

    // Outside the allowlist: 127.0.0.2 is loopback too, but only 127.0.0.1 is allowed.
    let socket = TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.2:0".parse().expect("addr")).expect("bind 127.0.0.2");
    let mut outsider = FakeAsterisk::over(socket.connect(agi).await.expect("connect"));
    outsider.expect_closed().await;
    // Over the cap of one: a silent session holds the only slot, the next is closed at once.
    let _holder = FakeAsterisk::connect(agi).await;
    wait_for_metric(&app, "ringside_agi_sessions_live 1").await;
    let mut over_cap = FakeAsterisk::connect(agi).await;
    over_cap.expect_closed().await;

    let text = wait_for_metric(&app, "ringside_agi_connections_total{admission=\"refused_cap\"} 1").await;
    for line in [
        "ringside_agi_connections_total{admission=\"accepted\"} 3",
        "ringside_agi_connections_total{admission=\"refused_allowlist\"} 1",
        "ringside_agi_sessions_total{outcome=\"answered\"} 2",
        "ringside_moh_decisions_total{result=\"fallback\",rule=\"\"} 1",
        "ringside_moh_decisions_total{result=\"rule\",rule=\"sales \\\"queue\\\"\"} 1",
        "# TYPE ringside_agi_sessions_total counter",
    ] {
        assert!(text.lines().any(|l| l == line), "missing `{line}` in\n{text}");
    }
    app.stop().await;
}
