//! Script behaviour with the captured environment: the class set, the variables, the fallbacks.

use super::fake::*;
use ringside::flows::{RuleBook, RuleBookSpec};

/// The captured environment with the line for `key` replaced (or appended before the blank line).
fn env_with(key: &str, value: &[u8]) -> Vec<u8> {
    replace_line(SESSION_ENV, key, value)
}

fn replace_line(base: &[u8], key: &str, value: &[u8]) -> Vec<u8> {
    let prefix = format!("agi_{key}: ");
    let mut out = Vec::new();
    let mut replaced = false;
    for line in base.split_inclusive(|&b| b == b'\n') {
        if line == b"\n" && !replaced {
            out.extend_from_slice(prefix.as_bytes());
            out.extend_from_slice(value);
            out.push(b'\n');
        }
        if line.starts_with(prefix.as_bytes()) {
            out.extend_from_slice(prefix.as_bytes());
            out.extend_from_slice(value);
            out.push(b'\n');
            replaced = true;
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

#[tokio::test]
async fn captured_session_sets_class_variable_and_rule() {
    let scripts = Recording::new(rule_book());
    let h = spawn(test_config(), scripts.clone()).await;
    let ok_reply = &captured_replies(SESSION_EXCHANGE)[1];
    assert_eq!(ok_reply, b"200 result=1\n");
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(SESSION_ENV).await;
    let mut commands = Vec::new();
    while let Some(cmd) = asterisk.command().await {
        commands.push(cmd);
        asterisk.send(ok_reply).await;
    }
    assert_eq!(
        commands,
        vec![
            b"SET VARIABLE CHANNEL(musicclass) sales\n".to_vec(),
            b"SET VARIABLE RINGSIDE_MOH sales\n".to_vec(),
            b"SET VARIABLE RINGSIDE_RULE \"sales queue\"\n".to_vec(),
        ]
    );
    let decisions = scripts.decisions.lock().unwrap().clone();
    assert_eq!(decisions.len(), 1);
    let facts = &decisions[0].inputs;
    assert_eq!(
        (facts.uniqueid.as_str(), facts.dialled.as_str(), facts.context.as_str()),
        ("1796413638.1", "s", "agi-test")
    );
    assert_eq!(
        (facts.queue.as_deref(), facts.caller_number.as_str(), facts.account_code.as_deref()),
        (Some("sales"), "", None)
    );
    assert_eq!(h.count(|s| &s.answered), 1);
    h.assert_no_live_sessions().await;
}

#[tokio::test]
async fn no_rules_sets_fallback_in_both_places() {
    let h = spawn(test_config(), Recording::new(RuleBook::new(RuleBookSpec::default()).unwrap())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(SESSION_ENV).await;
    let seen = asterisk.answer_all().await;
    assert_eq!(
        seen[..2],
        ["SET VARIABLE CHANNEL(musicclass) default\n", "SET VARIABLE RINGSIDE_MOH default\n"]
    );
    assert_eq!(seen[2], "SET VARIABLE RINGSIDE_RULE fallback\n");
}

#[tokio::test]
async fn unknown_script_and_failed_decision_set_the_fallback_class() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(&env_with("network_script", b"nosuch?queue=sales")).await;
    assert_eq!(asterisk.answer_all().await, ["SET VARIABLE RINGSIDE_MOH default\n"]);

    let h2 = spawn(test_config(), Recording::failing()).await;
    let mut asterisk = FakeAsterisk::connect(h2.addr).await;
    asterisk.send(SESSION_ENV).await;
    assert_eq!(asterisk.answer_all().await, ["SET VARIABLE RINGSIDE_MOH default\n"]);
    assert_eq!((h.count(|s| &s.fallbacks), h2.count(|s| &s.fallbacks)), (1, 1));
    h.assert_no_live_sessions().await;
    h2.assert_no_live_sessions().await;
}

#[tokio::test]
async fn schedule_script_reports_state_and_name() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(&env_with("network_script", b"schedule?name=office")).await;
    assert_eq!(
        asterisk.answer_all().await,
        ["SET VARIABLE RINGSIDE_SCHEDULE open\n", "SET VARIABLE RINGSIDE_SCHEDULE_NAME office\n"]
    );
    // A newline smuggled through the query string never reaches the wire.
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(&env_with("network_script", b"schedule?name=office%0AEXEC%20System")).await;
    assert_eq!(asterisk.answer_all().await, ["SET VARIABLE RINGSIDE_MOH default\n"]);
    h.assert_no_live_sessions().await;
}

#[tokio::test]
async fn unsendable_rule_name_is_skipped_not_sent() {
    let spec: RuleBookSpec =
        serde_json::from_str(r#"{"rules":[{"name":"evil\nEXEC System","class":"sales"}]}"#).unwrap();
    let h = spawn(test_config(), Recording::new(RuleBook::new(spec).unwrap())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(SESSION_ENV).await;
    assert_eq!(
        asterisk.answer_all().await,
        ["SET VARIABLE CHANNEL(musicclass) sales\n", "SET VARIABLE RINGSIDE_MOH sales\n"]
    );
}

#[tokio::test]
async fn nul_and_non_utf8_caller_name_still_get_an_answer() {
    let scripts = Recording::new(rule_book());
    let h = spawn(test_config(), scripts.clone()).await;
    let env = env_with("calleridname", b"Zo\xeb\x00\"Boss\", M\xc3\xbcller");
    let env = replace_line(&env, "callerid", b"01711234567");
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(&env).await;
    let seen = asterisk.answer_all().await;
    assert_eq!(seen[0], "SET VARIABLE CHANNEL(musicclass) vip\n");
    let decisions = scripts.decisions.lock().unwrap().clone();
    assert_eq!(decisions[0].inputs.caller_name, "Zo\u{fffd}\u{fffd}\"Boss\", Müller");
    assert_eq!(decisions[0].inputs.caller_number, "01711234567");
    h.assert_no_live_sessions().await;
}
