//! Login throttling per account and per source address, with growing delays.
//!
//! After a few free failures each further failure doubles the lock-out (1 s, 2 s, 4 s … capped at
//! 15 minutes). Accounts and addresses are counted separately: an address behind NAT gets more free
//! tries than one account does. The key for an account is the name as typed, known or not, so the
//! throttle reveals nothing about which accounts exist. State is in memory: a restart forgives.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

const ACCOUNT_FREE_FAILURES: u32 = 3;
const ADDRESS_FREE_FAILURES: u32 = 10;
const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

#[derive(Default)]
pub struct LoginThrottle {
    accounts: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

impl LoginThrottle {
    /// How long the caller must wait before another attempt, if it must.
    pub fn wait_time(&self, username: &str, address: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let account = lock(&self.accounts).get(&username.to_ascii_lowercase()).copied();
        let address = lock(&self.addresses).get(&address).copied();
        [account, address]
            .into_iter()
            .flatten()
            .filter_map(|f| f.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    pub fn record_failure(&self, username: &str, address: IpAddr) {
        let now = Instant::now();
        bump(&mut lock(&self.accounts), username.to_ascii_lowercase(), ACCOUNT_FREE_FAILURES, now);
        bump(&mut lock(&self.addresses), address, ADDRESS_FREE_FAILURES, now);
    }

    pub fn record_success(&self, username: &str, address: IpAddr) {
        lock(&self.accounts).remove(&username.to_ascii_lowercase());
        lock(&self.addresses).remove(&address);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding this lock cannot leave the counters inconsistent in a harmful way.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Failures>, key: K, free: u32, now: Instant) {
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
    }
    let entry = map.entry(key).or_insert(Failures { count: 0, last: now, locked_until: None });
    if now.duration_since(entry.last) >= FORGET_AFTER {
        entry.count = 0;
    }
    entry.count = entry.count.saturating_add(1);
    entry.last = now;
    if entry.count >= free {
        let doublings = (entry.count - free).min(20);
        let delay = Duration::from_secs(1u64 << doublings).min(MAX_DELAY);
        entry.locked_until = Some(now + delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn delays_grow_and_success_resets() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        t.record_failure("alice", ip);
        t.record_failure("alice", ip);
        assert_eq!(t.wait_time("alice", ip), None);
        t.record_failure("alice", ip);
        assert_eq!(t.wait_time("Alice", ip), Some(Duration::from_secs(1)));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(t.wait_time("alice", ip), None);
        t.record_failure("alice", ip);
        assert_eq!(t.wait_time("alice", ip), Some(Duration::from_secs(2)));
        t.record_success("alice", ip);
        assert_eq!(t.wait_time("alice", ip), None);
    }

    #[tokio::test(start_paused = true)]
    async fn one_address_guessing_many_accounts_is_slowed() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.7".parse().expect("ip");
        for i in 0..ADDRESS_FREE_FAILURES {
            t.record_failure(&format!("user{i}"), ip);
        }
        assert!(t.wait_time("someone-else", ip).is_some());
        let other: IpAddr = "192.0.2.8".parse().expect("ip");
        assert_eq!(t.wait_time("someone-else", other), None);
    }

    #[tokio::test(start_paused = true)]
    async fn delay_is_capped() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.9".parse().expect("ip");
        for _ in 0..60 {
            t.record_failure("bob", ip);
        }
        assert_eq!(t.wait_time("bob", ip), Some(MAX_DELAY));
    }
}
