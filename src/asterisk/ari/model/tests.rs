//! Model tests on the captured ARI bodies and events.

use super::*;

const REST: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/ari/rest.json"));
const EVENTS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/ari/events.jsonl"));

fn body(name: &str) -> String {
    let all: serde_json::Value = serde_json::from_str(REST).unwrap();
    all[name]["body"].as_str().unwrap().to_owned()
}

#[test]
fn asterisk_info_identity() {
    let info: AsteriskInfo = serde_json::from_str(&body("asterisk-info")).unwrap();
    assert_eq!(info.system.as_ref().unwrap().version, "22.10.1");
    let id = info.identity();
    assert_eq!(id.entity_id.as_deref(), Some("02:fc:00:00:00:01"));
    assert_eq!(id.startup_time.as_deref(), Some("2026-12-04T19:47:16.641+0000"));
}

#[test]
fn channels_list() {
    let channels: Vec<Channel> = serde_json::from_str(&body("channels-empty")).unwrap();
    assert_eq!(channels[0].id, "1796413642.3");
    assert_eq!(channels[0].dialplan.priority, 2);
    assert_eq!(channels[0].dialplan.app_name, "AGI");
}

#[test]
fn error_body() {
    let e: ErrorBody = serde_json::from_str(&body("module-reload-unknown")).unwrap();
    assert_eq!(e.message, "Module not found in running modules");
}

#[test]
fn captured_events_parse_typed() {
    let events: Vec<AriEvent> = EVENTS.lines().map(|l| parse_event(l).unwrap()).collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].application, "acc-app");
    assert_eq!(events[0].asterisk_id.as_deref(), Some("02:fc:00:00:00:01"));
    let AriEventBody::StasisStart { args, channel } = &events[0].body else {
        panic!("StasisStart expected, got {:?}", events[0].body);
    };
    assert_eq!(args, &vec!["arg1".to_string()]);
    assert_eq!(channel.id, "1796413666.13");
    assert!(matches!(
        events[1].body,
        AriEventBody::ChannelHangupRequest { cause: Some(32), soft: Some(true), .. }
    ));
    assert!(matches!(events[2].body, AriEventBody::StasisEnd { .. }));
}

#[test]
fn unknown_type_is_kept_generic() {
    let e =
        parse_event(r#"{"type":"PeerStatusChange","timestamp":"t","application":"a","peer":{}}"#).unwrap();
    assert_eq!(e.kind, "PeerStatusChange");
    let AriEventBody::Other(raw) = e.body else {
        panic!("generic expected");
    };
    assert!(raw.get("peer").is_some());
}

#[test]
fn malformed_json_and_missing_type_are_errors() {
    assert!(matches!(parse_event("{\"type\":"), Err(EventParseError::Json(_))));
    assert_eq!(parse_event("{\"x\":1}"), Err(EventParseError::NoType));
    assert_eq!(parse_event("[1,2]"), Err(EventParseError::NoType));
}
