//! Every entry of the "Bad input and faults" list: no panic, no leaked session, other
//! sessions unaffected, and either a usable answer or a clean close.

use std::time::Duration;

use super::fake::*;
use ringside::asterisk::agi::AgiConfig;
use tokio::io::AsyncWriteExt;

/// A normal session run alongside a fault: must get its full answer.
async fn healthy_session(h: &Harness) {
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(SESSION_ENV).await;
    let seen = asterisk.answer_all().await;
    assert_eq!(seen.first().map(String::as_str), Some("SET VARIABLE CHANNEL(musicclass) sales\n"));
}

/// Sends as much of `bytes` as the server takes; the server may close early, so write errors are fine.
async fn send_until_closed(asterisk: &mut FakeAsterisk, bytes: &[u8]) {
    for chunk in bytes.chunks(16 * 1024) {
        if asterisk.stream.write_all(chunk).await.is_err() {
            return;
        }
    }
}

#[tokio::test]
async fn connect_and_send_nothing_is_closed_at_the_env_deadline() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut silent = FakeAsterisk::connect(h.addr).await;
    healthy_session(&h).await;
    let started = tokio::time::Instant::now();
    silent.expect_closed().await;
    assert!(started.elapsed() < Duration::from_secs(2));
    h.assert_no_live_sessions().await;
    assert_eq!((h.count(|s| &s.faults), h.count(|s| &s.answered)), (1, 1));
}

#[tokio::test]
async fn slowloris_env_is_cut_at_the_env_deadline() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut slow = FakeAsterisk::connect(h.addr).await;
    let trickle = tokio::spawn(async move {
        for byte in SESSION_ENV {
            if slow.stream.write_all(std::slice::from_ref(byte)).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        slow
    });
    healthy_session(&h).await;
    h.assert_no_live_sessions().await;
    assert_eq!(h.count(|s| &s.faults), 1, "the trickling session was cut");
    trickle.abort();
}

#[tokio::test]
async fn one_megabyte_env_line_is_refused() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    let line = [b"agi_calleridname: ".as_slice(), &vec![b'x'; 1 << 20], b"\n\n"].concat();
    send_until_closed(&mut asterisk, &line).await;
    asterisk.expect_closed().await;
    healthy_session(&h).await;
    h.assert_no_live_sessions().await;
    assert_eq!(h.count(|s| &s.faults), 1);
}

#[tokio::test]
async fn ten_thousand_env_lines_are_refused() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    let lines: Vec<u8> = (1..=10_000).flat_map(|i| format!("agi_arg_{i}: x\n").into_bytes()).collect();
    send_until_closed(&mut asterisk, &[SESSION_ENV.strip_suffix(b"\n").unwrap(), &lines, b"\n"].concat())
        .await;
    asterisk.expect_closed().await;
    h.assert_no_live_sessions().await;
    assert_eq!(h.count(|s| &s.faults), 1);
}

#[tokio::test]
async fn env_without_blank_line_times_out_or_ends_at_eof() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let no_blank = SESSION_ENV.strip_suffix(b"\n").unwrap();
    let mut waiting = FakeAsterisk::connect(h.addr).await;
    waiting.send(no_blank).await;
    let mut hanging_up = FakeAsterisk::connect(h.addr).await;
    hanging_up.send(no_blank).await;
    hanging_up.stream.shutdown().await.unwrap();
    hanging_up.expect_closed().await;
    waiting.expect_closed().await;
    h.assert_no_live_sessions().await;
    assert_eq!(h.count(|s| &s.faults), 2);
}

#[tokio::test]
async fn client_outside_the_allowlist_is_closed_before_reading() {
    let config = AgiConfig { allow: vec!["10.0.0.0/8".parse().unwrap()], ..test_config() };
    let h = spawn(config, Recording::new(rule_book())).await;
    let mut outsider = FakeAsterisk::connect(h.addr).await;
    send_until_closed(&mut outsider, SESSION_ENV).await;
    outsider.expect_closed().await;
    assert_eq!((h.count(|s| &s.refused_allowlist), h.count(|s| &s.accepted)), (1, 0));
    h.assert_no_live_sessions().await;
}

#[tokio::test]
async fn hangup_inline_then_511_ends_the_call_cleanly() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let replies = captured_replies(HANGUP_EXCHANGE);
    let (hangup, dead) = (&replies[1], &replies[2]);
    assert_eq!((hangup.as_slice(), &dead[..4]), (&b"HANGUP\n"[..], &b"511 "[..]));
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(HANGUP_ENV).await;
    let first = asterisk.command().await.unwrap();
    assert_eq!(first, b"SET VARIABLE CHANNEL(musicclass) sales\n", "queue from agi_arg_1");
    asterisk.send(&[hangup.as_slice(), dead].concat()).await;
    asterisk.expect_closed().await;
    h.assert_no_live_sessions().await;
    assert_eq!((h.count(|s| &s.calls_ended), h.count(|s| &s.faults)), (1, 0));

    // 511 alone (the channel was already dead) ends it the same way.
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(HANGUP_ENV).await;
    asterisk.command().await.unwrap();
    asterisk.send(dead).await;
    asterisk.expect_closed().await;
    h.assert_no_live_sessions().await;
    assert_eq!(h.count(|s| &s.calls_ended), 2);
}

#[tokio::test]
async fn replies_510_and_520_do_not_stop_the_script() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let replies = captured_replies(SESSION_EXCHANGE);
    let (r510, r520) = (&replies[5], &replies[6]);
    assert_eq!((&r510[..4], &r520[..4]), (&b"510 "[..], &b"520 "[..]));
    let block = b"520-Invalid command syntax.  Proper usage follows:\n Usage: SET VARIABLE <variablename> <value>\n520 End of proper usage.\n";
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(SESSION_ENV).await;
    let mut seen = Vec::new();
    for reply in [r510.as_slice(), r520, block] {
        seen.push(asterisk.command().await.unwrap());
        asterisk.send(reply).await;
    }
    asterisk.expect_closed().await;
    assert_eq!(seen.len(), 3, "all three variables were attempted");
    h.assert_no_live_sessions().await;
    assert_eq!(h.count(|s| &s.answered), 1);
}

#[tokio::test]
async fn socket_closed_mid_reply_is_a_fault_not_a_leak() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(SESSION_ENV).await;
    asterisk.command().await.unwrap();
    asterisk.send(b"200 res").await;
    drop(asterisk);
    healthy_session(&h).await;
    h.assert_no_live_sessions().await;
    assert_eq!((h.count(|s| &s.faults), h.count(|s| &s.answered)), (1, 1));
}

#[tokio::test]
async fn silent_reply_hits_the_idle_timeout() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(SESSION_ENV).await;
    asterisk.command().await.unwrap();
    asterisk.expect_closed().await;
    h.assert_no_live_sessions().await;
    assert_eq!(h.count(|s| &s.faults), 1);
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once() {
    let config = AgiConfig { max_sessions: 2, env_timeout_ms: 2_000, ..test_config() };
    let h = spawn(config, Recording::new(rule_book())).await;
    let mut holders = [FakeAsterisk::connect(h.addr).await, FakeAsterisk::connect(h.addr).await];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while h.stats.live() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "holders never admitted");
        tokio::task::yield_now().await;
    }
    let mut over = FakeAsterisk::connect(h.addr).await;
    let started = tokio::time::Instant::now();
    over.expect_closed().await;
    assert!(started.elapsed() < Duration::from_millis(500), "closed at once, not stalled");
    assert_eq!(h.count(|s| &s.refused_cap), 1);
    for holder in &mut holders {
        holder.send(SESSION_ENV).await;
        assert_eq!(holder.answer_all().await.len(), 3, "admitted sessions unaffected");
    }
    h.assert_no_live_sessions().await;
    healthy_session(&h).await;
}
