//! ARI REST client and events task against the fake ARI server (captured bodies and events).

use std::sync::atomic::Ordering;
use std::time::Duration;

use ringside::asterisk::ari::{
    AriClient, AriConfig, AriConnectionState, AriError, AriEventBody, AriEventsConfig, AriResyncReason,
    OriginateLocal, spawn_events,
};
use ringside::asterisk::backoff::Backoff;

use crate::fakes::ari::{ENTITY_ID, FakeAri};

const USER: &str = "ringside";
const PASSWORD: &str = "pw:with&odd=chars";

fn client(fake: &FakeAri, password: &str) -> AriClient {
    let mut config = AriConfig::new(&fake.base_url(), USER, password);
    config.request_timeout = Duration::from_millis(500);
    AriClient::new(config).unwrap()
}

fn events_config(capacity: usize) -> AriEventsConfig {
    let mut config = AriEventsConfig::new("ringside");
    config.backoff = Backoff {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(200),
        reset_after: Duration::from_secs(10),
    };
    config.event_capacity = capacity;
    config
}

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn rest_calls_match_captures() {
    let fake = FakeAri::start(USER, PASSWORD).await;
    let ari = client(&fake, PASSWORD);
    let info = ari.info().await.unwrap();
    assert_eq!(info.system.unwrap().version, "22.10.1");
    ari.reload_module("res_musiconhold.so").await.unwrap();
    assert_eq!(
        ari.reload_module("res_nosuch.so").await,
        Err(AriError::NotFound { message: "Module not found in running modules".into() })
    );
    assert_eq!(ari.channels().await.unwrap()[0].name, "Local/s@agi-hangup-00000001;2");
    ari.start_channel_moh("1796413666.13", "demo").await.unwrap();
    ari.stop_channel_moh("1796413666.13").await.unwrap();
    ari.start_bridge_moh("b 1", "sales & co").await.unwrap();
    ari.stop_bridge_moh("b 1").await.unwrap();
    let channel = ari
        .originate_local(&OriginateLocal {
            exten: "s".into(),
            context: "ringside-test".into(),
            app: "ringside".into(),
            app_args: "testhold,demo".into(),
            channel_id: None,
        })
        .await
        .unwrap();
    assert_eq!(channel.id, "1796413642.3");
    let requests = fake.requests();
    assert!(requests.contains(&"POST /ari/channels/1796413666.13/moh?mohClass=demo".to_string()));
    assert!(requests.contains(&"POST /ari/bridges/b%201/moh?mohClass=sales%20%26%20co".to_string()));
    assert!(
        requests.contains(
            &"POST /ari/channels?endpoint=Local%2Fs%40ringside-test&app=ringside&appArgs=testhold%2Cdemo"
                .to_string()
        )
    );
}

#[tokio::test]
async fn bad_credentials_and_stalls_are_typed_errors() {
    let fake = FakeAri::start(USER, PASSWORD).await;
    assert_eq!(
        client(&fake, "wrong").info().await,
        Err(AriError::Unauthorized { message: "Authentication required".into() })
    );
    fake.stall(Some(Duration::from_secs(3)));
    assert_eq!(client(&fake, PASSWORD).info().await, Err(AriError::Timeout));
}

#[tokio::test]
async fn control_characters_never_reach_the_server() {
    let fake = FakeAri::start(USER, PASSWORD).await;
    let ari = client(&fake, PASSWORD);
    let err = ari.start_channel_moh("123\r\nX-Evil: 1", "demo").await.unwrap_err();
    assert!(matches!(err, AriError::InvalidInput(_)));
    assert!(ari.start_channel_moh("123", "demo\n").await.is_err());
    assert!(ari.reload_module("..").await.is_err());
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn events_arrive_typed_and_restart_is_detected() {
    let fake = FakeAri::start(USER, PASSWORD).await;
    let mut events = spawn_events(client(&fake, PASSWORD), events_config(64)).unwrap();
    let first = tokio::time::timeout(WAIT, events.events.recv()).await.unwrap().unwrap();
    assert!(matches!(first.body, AriEventBody::StasisStart { .. }));
    assert_eq!(first.asterisk_id.as_deref(), Some(ENTITY_ID));
    for _ in 0..2 {
        tokio::time::timeout(WAIT, events.events.recv()).await.unwrap().unwrap();
    }
    let mut resync = events.resync.clone();
    tokio::time::timeout(WAIT, resync.wait_for(|r| r.reason == AriResyncReason::Reconnected))
        .await
        .unwrap()
        .unwrap();
    fake.restart("02:fc:00:00:00:02", "2026-12-05T08:00:00.000+0000");
    let restarted = tokio::time::timeout(
        WAIT,
        resync.wait_for(|r| matches!(r.reason, AriResyncReason::Restarted { .. })),
    )
    .await
    .unwrap()
    .unwrap()
    .clone();
    let AriResyncReason::Restarted { before, after } = restarted.reason else { unreachable!() };
    assert_eq!(before.entity_id.as_deref(), Some(ENTITY_ID));
    assert_eq!(after.entity_id.as_deref(), Some("02:fc:00:00:00:02"));
    assert_eq!(fake.ws_connects(), 2);
}

#[tokio::test]
async fn malformed_json_is_skipped_and_counted_connection_kept() {
    let fake = FakeAri::start(USER, PASSWORD).await;
    let mut events = spawn_events(client(&fake, PASSWORD), events_config(64)).unwrap();
    for _ in 0..3 {
        tokio::time::timeout(WAIT, events.events.recv()).await.unwrap().unwrap();
    }
    fake.push_text(vec![
        "{\"type\":\"StasisStart\",".into(),
        "not json".into(),
        "{\"no_type\":1}".into(),
        r#"{"type":"BrandNew","timestamp":"t","application":"ringside"}"#.into(),
    ]);
    let next = tokio::time::timeout(WAIT, events.events.recv()).await.unwrap().unwrap();
    assert_eq!(next.kind, "BrandNew");
    assert!(matches!(next.body, AriEventBody::Other(_)));
    assert_eq!(events.stats.malformed.load(Ordering::Relaxed), 3);
    assert_eq!(fake.ws_connects(), 1);
}

#[tokio::test]
async fn wrong_credentials_on_websocket_back_off() {
    let fake = FakeAri::start(USER, PASSWORD).await;
    let events = spawn_events(client(&fake, "wrong"), events_config(64)).unwrap();
    let mut state = events.state.clone();
    tokio::time::timeout(WAIT, state.wait_for(|s| matches!(s, AriConnectionState::AuthFailed { .. })))
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    // 20, 40, 80, 160, 200, 200 ms ...: a handful in one second, not hundreds.
    let attempts = fake.requests().len();
    assert!((3..=12).contains(&attempts), "attempts: {attempts}");
}

#[tokio::test]
async fn event_flood_with_slow_consumer_counts_drops() {
    let fake = FakeAri::start(USER, PASSWORD).await;
    let events = spawn_events(client(&fake, PASSWORD), events_config(8)).unwrap();
    let mut state = events.state.clone();
    tokio::time::timeout(WAIT, state.wait_for(|s| matches!(s, AriConnectionState::Connected { .. })))
        .await
        .unwrap()
        .unwrap();
    fake.flood(100);
    let mut resync = events.resync.clone();
    tokio::time::timeout(WAIT, resync.wait_for(|r| r.reason == AriResyncReason::Overflow))
        .await
        .unwrap()
        .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while events.stats.dropped.load(Ordering::Relaxed) < 290 {
        assert!(tokio::time::Instant::now() < deadline, "drops not counted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(fake.ws_connects(), 1, "connection kept");
}
