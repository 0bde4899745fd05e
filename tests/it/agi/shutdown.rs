//! Graceful shutdown: live sessions finish within the grace period; stragglers are cut after it.

use std::time::Duration;

use super::fake::*;

#[tokio::test]
async fn live_session_finishes_within_grace_and_new_ones_are_refused() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut asterisk = FakeAsterisk::connect(h.addr).await;
    asterisk.send(SESSION_ENV).await;
    let first = asterisk.command().await.unwrap();
    h.shutdown.cancel();
    asterisk.send(b"200 result=1\n").await;
    let rest = asterisk.answer_all().await;
    assert_eq!((first.is_empty(), rest.len()), (false, 2));
    tokio::time::timeout(Duration::from_secs(2), h.server).await.unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(h.addr).await.is_err(), "listener closed");
    assert_eq!((ringside::asterisk::agi::ServerStats::get(&h.stats.answered), h.stats.live()), (1, 0));
}

#[tokio::test]
async fn straggler_is_cut_after_the_grace_period() {
    let h = spawn(test_config(), Recording::new(rule_book())).await;
    let mut stuck = FakeAsterisk::connect(h.addr).await;
    stuck.send(SESSION_ENV.strip_suffix(b"\n").unwrap()).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while h.stats.live() < 1 {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::task::yield_now().await;
    }
    h.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(2), h.server).await.unwrap().unwrap();
    assert_eq!(h.stats.live(), 0);
    stuck.expect_closed().await;
}
