//! Each fault in issue 5's "Bad input and faults" list, end to end through the push.

use std::sync::atomic::Ordering;
use std::time::Duration;

use ringside::asterisk::push::SyncState;

use super::{Rig, SERVER, Setup};
use crate::fakes::ami::moh_start_frame;
use crate::on_both_backends;
use crate::support::Backend;

on_both_backends!(
    down_at_deploy_is_pending_then_in_sync_without_a_click,
    ami_flood_while_the_database_is_slow_never_blocks_the_reader
);

const BAD_AMI: &str = "bad-ami-secret-zz";
const BAD_ARI: &str = "bad-ari-secret-zz";

fn last_result(s: &ringside::asterisk::push::ServerSnapshot) -> Option<SyncState> {
    s.last_deploy.as_ref().map(|d| d.result)
}

async fn down_at_deploy_is_pending_then_in_sync_without_a_click(backend: Backend) {
    let rig = Rig::start(backend, Setup { with_ari: false, ami_down: true, ..Setup::default() }).await;
    let pending = rig.wait_for("pending", |s| last_result(s) == Some(SyncState::Pending)).await;
    assert_eq!(pending.classes[0].state, SyncState::Pending);
    assert!(pending.last_deploy.as_ref().is_some_and(|d| d.message.contains("AMI")), "{pending:#?}");
    let row = rig.app.store().push_deploys().await.expect("rows");
    assert_eq!(row[0].result, "pending");
    rig.ami.set_down(false);
    let synced = rig.wait_in_sync().await;
    assert!(synced.deploys >= 2, "retried by itself");
    assert!(rig.ami.reloads() >= 1, "reloaded once Asterisk was back");
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_show_a_clear_error_and_back_off() {
    let rig =
        Rig::start(Backend::Sqlite, Setup { ami_secret: BAD_AMI, ari_password: BAD_ARI, ..Setup::default() })
            .await;
    let refused = rig
        .wait_for("both refused", |s| {
            s.ami.state == "credentials refused" && s.ari.state == "credentials refused"
        })
        .await;
    assert!(
        refused.ami.last_error.as_deref().is_some_and(|e| e.contains("Authentication failed")),
        "{refused:#?}"
    );
    rig.wait_for("pending", |s| last_result(s) == Some(SyncState::Pending)).await;
    let logins = rig.ami.logins.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let more = rig.ami.logins.load(Ordering::Relaxed) - logins;
    assert!(more <= 4, "backoff, not a tight loop: {more} logins in 1.5 s");
    let ari_requests = rig.ari.as_ref().expect("ari").requests().len();
    assert!(ari_requests < 60, "ARI backoff, not a tight loop: {ari_requests} requests");
    let admin = rig.admin().await;
    let page = admin.get("/servers").await.text().await.expect("page");
    assert!(page.contains("credentials refused"), "the servers page says so");
    assert!(page.contains("Authentication failed"), "with Asterisk's words");
    let api = admin.get("/api/v1/servers").await.text().await.expect("api");
    for secret in [BAD_AMI, BAD_ARI] {
        assert!(!page.contains(secret) && !api.contains(secret), "secrets never shown");
    }
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_with_lost_classes_reconnects_and_redeploys() {
    let rig = Rig::start(Backend::Sqlite, Setup::default()).await;
    let before = rig.wait_in_sync().await;
    let reloads = rig.ami.reloads();
    let ari = rig.ari.as_ref().expect("ari");
    let connects = ari.ws_connects();
    // A restart that kept Ringside's classes: read back, no reload.
    let commands =
        |ami: &crate::fakes::ami::FakeAmi| ami.actions_seen().iter().filter(|a| *a == "command").count();
    let read_backs = commands(&rig.ami);
    ari.restart("02:fc:00:00:00:03", "2026-12-04T21:00:00.000+0000");
    rig.ami.drop_connections();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while commands(&rig.ami) < read_backs + 2 {
        assert!(tokio::time::Instant::now() < deadline, "no read-back after the restart");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(rig.ami.reloads(), reloads, "classes matched: no redeploy");
    // Asterisk came back without Ringside's classes (e.g. the include line was missing at boot).
    rig.ami.set_classes(Vec::new());
    ari.restart("02:fc:00:00:00:02", "2026-12-04T22:00:00.000+0000");
    rig.ami.drop_connections();
    let after = rig
        .wait_for("redeployed after restart", |s| {
            s.deploys > before.deploys && last_result(s) == Some(SyncState::InSync)
        })
        .await;
    assert!(ari.ws_connects() > connects, "events WebSocket reconnected");
    assert!(rig.ami.reloads() > reloads, "classes differed, so Ringside reloaded");
    assert_eq!(after.ami.state, "connected");
    rig.app.stop().await;
}

async fn ami_flood_while_the_database_is_slow_never_blocks_the_reader(backend: Backend) {
    let rig = Rig::start(backend, Setup::default()).await;
    let before = rig.wait_in_sync().await;
    let lock = DbLock::take(&rig.app.database_url).await;
    rig.app.app().state.push.apply_now(SERVER);
    rig.ami.flood(200);
    // The flood may overflow the bounded events queue (dropped and counted, by design), so a
    // probe is repeated until one gets through: a reader stuck behind the database passes none.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !rig.app.app().state.push.live_holds().iter().any(|h| h.uniqueid == "probe.1") {
        assert!(tokio::time::Instant::now() < deadline, "the AMI reader stalled behind the database");
        rig.ami.push_raw(&moh_start_frame("probe.1", "jazz"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rig.snapshot().ami.state, "connected");
    lock.release().await;
    rig.wait_for("deploy done after the DB recovered", |s| s.deploys > before.deploys).await;
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_and_json_are_skipped_counted_and_the_connection_kept() {
    let rig = Rig::start(Backend::Sqlite, Setup::default()).await;
    let before = rig.wait_in_sync().await;
    let big = format!("Event: Big\r\nValue: {}\r\n\r\n", "x".repeat(1024 * 1024));
    rig.ami.push_raw(b"this line has no colon\r\n\r\n");
    rig.ami.push_raw(big.as_bytes());
    rig.ami.push_raw(b"Event: NothingRingsideKnows\r\nFoo: bar\r\n\r\n");
    rig.ami.push_raw(b"Response: Success\r\nMessage: no ActionID here\r\n\r\n");
    let ari = rig.ari.as_ref().expect("ari");
    ari.push_text(vec!["{not json".into(), "[1,2]".into(), "{\"no_type\":1}".into()]);
    let counted = rig
        .wait_for("malformed counted", |s| {
            s.counters.ami_malformed_frames >= 2 && s.counters.ari_malformed_events >= 3
        })
        .await;
    assert_eq!(
        counted.counters.ami_connect_attempts, before.counters.ami_connect_attempts,
        "AMI connection kept"
    );
    assert_eq!(counted.counters.ari_connects, before.counters.ari_connects, "ARI WebSocket kept");
    rig.app.app().state.push.apply_now(SERVER);
    rig.wait_for("still deploys", |s| {
        s.deploys > before.deploys && last_result(s) == Some(SyncState::InSync)
    })
    .await;
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn class_missing_after_reload_is_failed_with_asterisks_output() {
    let rig = Rig::start(Backend::Sqlite, Setup::default()).await;
    let before = rig.wait_in_sync().await;
    rig.ami.lose_class_on_reload("jazz");
    rig.app.app().state.push.apply_now(SERVER);
    let failed = rig
        .wait_for("failed", |s| s.deploys > before.deploys && last_result(s) == Some(SyncState::Failed))
        .await;
    assert_eq!(failed.classes[0].state, SyncState::Failed);
    assert!(failed.classes[0].detail.contains("class 'jazz' is missing"), "{failed:#?}");
    let deploy = failed.last_deploy.as_ref().expect("deploy");
    assert!(
        deploy.output.iter().any(|l| l == "Class: default"),
        "Asterisk's own output: {:?}",
        deploy.output
    );
    assert_eq!(failed.differences, vec!["class 'jazz' is missing in Asterisk after the reload".to_string()]);
    let admin = rig.admin().await;
    let page = admin.get("/servers").await.text().await.expect("page");
    assert!(
        page.contains("class &#39;jazz&#39; is missing") || page.contains("class 'jazz' is missing"),
        "{page}"
    );
    assert!(page.contains("What Asterisk reported"));
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_are_refused_before_sending() {
    let rig = Rig::start(Backend::Sqlite, Setup::default()).await;
    rig.wait_in_sync().await;
    let admin = rig.admin().await;
    let csrf = admin.csrf_from("/servers").await;
    for body in [
        serde_json::json!({"class": "jazz\r\nAction: Originate", "destination": "1001@ctx"}),
        serde_json::json!({"class": "jazz", "destination": "1001@ctx\r\nHost: evil"}),
        serde_json::json!({"class": "jazz", "destination": "1001@ctx\u{0}"}),
    ] {
        let response = admin
            .http
            .post(admin.url(&format!("/api/v1/servers/{SERVER}/test-hold")))
            .header("X-CSRF-Token", &csrf)
            .header("Origin", admin.origin())
            .json(&body)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 400, "{body}");
    }
    let ari = rig.ari.as_ref().expect("ari");
    assert!(!ari.requests().iter().any(|r| r.starts_with("POST /ari/channels")), "nothing was sent");
    rig.app.stop().await;
}

/// Holds the database still: SQLite `BEGIN EXCLUSIVE`, PostgreSQL `LOCK TABLE push_deploys`.
enum DbLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl DbLock {
    async fn take(url: &str) -> Self {
        use sqlx::Connection;
        if url.starts_with("sqlite") {
            let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
            sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await.expect("lock");
            Self::Sqlite(conn)
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query("BEGIN").execute(&mut conn).await.expect("begin");
            sqlx::query("LOCK TABLE push_deploys IN ACCESS EXCLUSIVE MODE")
                .execute(&mut conn)
                .await
                .expect("lock");
            Self::Postgres(conn)
        }
    }

    async fn release(self) {
        match self {
            Self::Sqlite(mut c) => drop(sqlx::query("ROLLBACK").execute(&mut c).await),
            Self::Postgres(mut c) => drop(sqlx::query("ROLLBACK").execute(&mut c).await),
        }
    }
}
