//! Server-side sessions: random opaque IDs in the cookie, their SHA-256 in the store.
//!
//! A session ends when idle longer than the idle timeout, when older than the absolute lifetime, at
//! logout, or when its user is removed or changes password. A new ID is issued at every login, so an ID
//! planted before login is useless after it.

use super::model::Role;
use crate::store::{SessionRow, Store, StoreError, UserRow};
use std::time::Duration;

/// The name of the session cookie.
pub const COOKIE: &str = "rs_session";

/// How often `last_seen` is written back at most: saves a write per request.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Who is making a request, once authenticated.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Option<i64>,
    /// The user name, or `token:<name>` for API tokens.
    pub name: String,
    pub role: Role,
    /// The CSRF token of the session; `None` for bearer-token requests, which need none.
    pub csrf_token: Option<String>,
    /// The store key of the session, for logout.
    pub session_hash: Option<String>,
}

/// Session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl SessionPolicy {
    fn idle_ms(&self) -> i64 {
        i64::try_from(self.idle.as_millis()).unwrap_or(i64::MAX)
    }
    fn absolute_ms(&self) -> i64 {
        i64::try_from(self.absolute.as_millis()).unwrap_or(i64::MAX)
    }
}

/// Start a session for `user` and return the cookie value (shown to the browser only).
pub async fn start(store: &dyn Store, user_id: i64, source: &str) -> Result<String, StoreError> {
    let id = super::random_token(32);
    let now = super::now_ms();
    let row = SessionRow {
        id_hash: super::secret_digest(&id),
        user_id,
        csrf_token: super::random_token(24),
        created_at: now,
        last_seen: now,
        source: source.chars().take(64).collect(),
    };
    store.insert_session(&row).await?;
    Ok(id)
}

/// Find the live session for a cookie value, extending its idle time; expired ones are deleted.
pub async fn resolve(
    store: &dyn Store,
    policy: SessionPolicy,
    cookie: &str,
) -> Result<Option<(SessionRow, UserRow)>, StoreError> {
    if cookie.is_empty() || cookie.len() > 128 {
        return Ok(None);
    }
    let hash = super::secret_digest(cookie);
    let Some(session) = store.session(&hash).await? else { return Ok(None) };
    let now = super::now_ms();
    let idle_expired = now.saturating_sub(session.last_seen) > policy.idle_ms();
    let absolute_expired = now.saturating_sub(session.created_at) > policy.absolute_ms();
    if idle_expired || absolute_expired {
        store.delete_session(&hash).await?;
        return Ok(None);
    }
    let Some(user) = store.user_by_id(session.user_id).await? else {
        store.delete_session(&hash).await?;
        return Ok(None);
    };
    if now.saturating_sub(session.last_seen) >= TOUCH_EVERY_MS {
        store.touch_session(&hash, now).await?;
    }
    Ok(Some((session, user)))
}

/// End a session on the server.
pub async fn end(store: &dyn Store, session_hash: &str) -> Result<(), StoreError> {
    store.delete_session(session_hash).await
}

/// Delete every expired session (run periodically).
pub async fn purge(store: &dyn Store, policy: SessionPolicy) -> Result<u64, StoreError> {
    let now = super::now_ms();
    store.purge_sessions(now.saturating_sub(policy.idle_ms()), now.saturating_sub(policy.absolute_ms())).await
}
