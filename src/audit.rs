//! The audit trail: one append-only line for every security-relevant action.
//!
//! Callers describe what happened ([`Actor`], action, object, [`Outcome`]); this module stamps the time
//! and writes it. Secrets never go in: callers pass names and IDs, never passwords or tokens. A failure
//! to write the audit line is logged loudly but does not undo the action it describes.

use crate::store::{AuditEntry, Store};
use std::fmt;

/// Who did something, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    /// A user name, `token:<name>`, `cli`, `setup` or `system`.
    pub name: String,
    /// The client address, or `cli` / `local`.
    pub source: String,
}

impl Actor {
    pub fn cli() -> Self {
        Self { name: "cli".into(), source: local_user() }
    }

    pub fn system() -> Self {
        Self { name: "system".into(), source: "local".into() }
    }
}

fn local_user() -> String {
    let user = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_default();
    if user.is_empty() { "cli".into() } else { format!("cli:{user}") }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        })
    }
}

/// Append one audit line. `detail` is free text for the admin (a reason, never a secret).
pub async fn record(
    store: &dyn Store,
    actor: &Actor,
    action: &str,
    object: &str,
    outcome: Outcome,
    detail: &str,
) {
    let entry = AuditEntry {
        at_ms: crate::auth::now_ms(),
        actor: actor.name.clone(),
        source: actor.source.clone(),
        action: action.into(),
        object: object.into(),
        outcome: outcome.to_string(),
        detail: detail.into(),
    };
    if let Err(e) = store.append_audit(&entry).await {
        tracing::error!(error = %e, action, object, "could not write the audit log");
    }
}
