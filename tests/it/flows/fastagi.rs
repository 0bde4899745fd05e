//! FastAGI with store-backed rules, through `ringside serve`'s own listener, using the captured
//! environment bytes: fallback with no rules, a saved rule taking effect without a restart, and
//! every decision recorded and viewable; a rule whose MoH class was deleted gives the fallback.

use std::time::Duration;

use super::{admin, wait_for_metric};
use crate::agi::fake::{FakeAsterisk, SESSION_ENV, SESSION_EXCHANGE, captured_replies};
use crate::on_both_backends;
use crate::support::{Backend, TestApp};
use serde_json::json;

on_both_backends!(store_backed_rules_over_fastagi, deleted_class_gives_the_fallback);

/// One captured session against the app; returns the commands it received.
async fn session(app: &TestApp) -> Vec<Vec<u8>> {
    let ok = captured_replies(SESSION_EXCHANGE)[1].clone();
    let mut asterisk = FakeAsterisk::connect(app.app().agi_addr).await;
    asterisk.send(SESSION_ENV).await;
    let mut commands = Vec::new();
    while let Some(cmd) = asterisk.command().await {
        commands.push(cmd);
        asterisk.send(&ok).await;
    }
    commands
}

async fn store_backed_rules_over_fastagi(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;

    assert_eq!(
        session(&app).await,
        vec![
            b"SET VARIABLE CHANNEL(musicclass) default\n".to_vec(),
            b"SET VARIABLE RINGSIDE_MOH default\n".to_vec(),
            b"SET VARIABLE RINGSIDE_RULE fallback\n".to_vec(),
        ],
        "no rules: the fallback class in both places"
    );

    admin.moh_classes(&["sales"]).await;
    let rule = json!({ "name": "sales queue", "queue": "sales", "class": "sales" });
    assert_eq!(admin.post("/api/v1/flows/rules", rule).await.0, 201);
    assert_eq!(
        session(&app).await,
        vec![
            b"SET VARIABLE CHANNEL(musicclass) sales\n".to_vec(),
            b"SET VARIABLE RINGSIDE_MOH sales\n".to_vec(),
            b"SET VARIABLE RINGSIDE_RULE \"sales queue\"\n".to_vec(),
        ],
        "the saved rule applies to the next call without a restart"
    );

    // The log writer batches in the background: poll with a deadline.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let rows = loop {
        let (status, rows) = admin.get("/api/v1/flows/decisions?uniqueid=1796413638.1").await;
        assert_eq!(status, 200);
        if rows.as_array().is_some_and(|r| r.len() == 2) {
            break rows;
        }
        assert!(tokio::time::Instant::now() < deadline, "decisions not recorded: {rows}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!((rows[0]["rule"].as_str(), rows[0]["class"].as_str()), (Some("sales queue"), Some("sales")));
    assert_eq!((rows[1]["rule"].as_str(), rows[1]["class"].as_str()), (None, Some("default")));
    assert_eq!(rows[0]["context"], "agi-test");

    let (_, by_call) = admin.get("/api/v1/flows/decisions/call?uniqueid=other.7&linkedid=1796413638.1").await;
    assert_eq!(by_call.as_array().map(Vec::len), Some(2), "found through the linkedid");
    let page = admin.client.get("/flows/decisions?uniqueid=1796413638.1").await.text().await.expect("page");
    assert!(page.contains("sales queue") && page.contains("1796413638.1"), "{page}");
    let (status, bad) = admin.get("/api/v1/flows/decisions?date=March").await;
    assert_eq!((status, bad["fields"]["date"].is_string()), (400, true), "{bad}");
    app.stop().await;
}

/// Rules are checked against the MoH store's classes when saved; a class deleted afterwards in the
/// MoH console makes its rule give the fallback class (the rule still shows as the one that matched).
async fn deleted_class_gives_the_fallback(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| {
        config.metrics.listen = Some("127.0.0.1:0".parse().expect("addr"));
    })
    .await;
    let admin = admin(&app).await;
    let rule = json!({ "name": "sales queue", "queue": "sales", "class": "sales" });
    let (status, body) = admin.post("/api/v1/flows/rules", rule.clone()).await;
    assert_eq!((status, body["fields"]["class"].is_string()), (400, true), "unknown class refused: {body}");
    admin.moh_classes(&["sales"]).await;
    assert_eq!(admin.post("/api/v1/flows/rules", rule).await.0, 201);
    assert_eq!(session(&app).await[0], b"SET VARIABLE CHANNEL(musicclass) sales\n".to_vec());

    let (status, _) = admin.call(reqwest::Method::DELETE, "/api/v1/moh/categories/sales", None).await;
    assert!((200..300).contains(&status), "delete the MoH class: {status}");
    // The class list reloads in the background after the MoH change: poll with a deadline.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let commands = loop {
        let commands = session(&app).await;
        if commands[0] != b"SET VARIABLE CHANNEL(musicclass) sales\n" {
            break commands;
        }
        assert!(tokio::time::Instant::now() < deadline, "the deleted class is still given");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        commands,
        vec![
            b"SET VARIABLE CHANNEL(musicclass) default\n".to_vec(),
            b"SET VARIABLE RINGSIDE_MOH default\n".to_vec(),
            b"SET VARIABLE RINGSIDE_RULE \"sales queue\"\n".to_vec(),
        ]
    );
    wait_for_metric(&app, "ringside_moh_decisions_total{result=\"missing_class\",rule=\"sales queue\"} 1")
        .await;
    let other = json!({ "name": "night", "context": "night", "class": "default" });
    assert_eq!(admin.post("/api/v1/flows/rules", other).await.0, 201, "the stale class blocks no other edit");
    app.stop().await;
}
