//! Per-server sync badges on the Music on Hold pages: each category's state on every enabled
//! Asterisk server (`in sync`, `pending`, `failed`), read from [`PushHub::status_by_class`].
//!
//! Owns: turning the push's status into what a badge shows. A category an enabled server has not
//! reported yet (created since the last deploy) reads as `pending`. No enabled server → no badges.
//! Must not: contact a server or change the push.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::asterisk::push::PushHub;
use crate::asterisk::push::SyncState;
use crate::asterisk::push::status::ServerBadge;

/// One category on one server, as a badge shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncBadge {
    pub server: String,
    /// `in_sync`, `pending` or `failed` (also the CSS class suffix).
    pub state: &'static str,
    /// `in sync`, `pending` or `failed`: the words, so the state never depends on colour.
    pub label: &'static str,
    /// A symbol next to the words (hidden from screen readers, which read the words).
    pub icon: &'static str,
    /// Why it is pending or failed, in Asterisk's words where there are any; empty when in sync.
    pub detail: String,
}

impl SyncBadge {
    fn of(server: &str, state: SyncState, detail: &str) -> Self {
        let icon = match state {
            SyncState::InSync => "✓",
            SyncState::Pending => "…",
            SyncState::Failed => "✗",
        };
        SyncBadge {
            server: server.to_string(),
            state: state.as_str(),
            label: state.label(),
            icon,
            detail: if state == SyncState::InSync { String::new() } else { detail.to_string() },
        }
    }
}

/// The badges of every category, from one look at the push.
pub struct SyncBoard {
    servers: Vec<String>,
    by_class: BTreeMap<String, Vec<ServerBadge>>,
}

impl SyncBoard {
    pub fn of(push: &PushHub) -> Self {
        let servers = push.snapshots().into_iter().filter(|s| s.enabled).map(|s| s.name).collect();
        SyncBoard { servers, by_class: push.status_by_class() }
    }

    /// Whether any badge can show at all (an enabled server is configured).
    pub fn any_server(&self) -> bool {
        !self.servers.is_empty()
    }

    /// The category's badge on every enabled server, in configuration order.
    pub fn badges(&self, category: &str) -> Vec<SyncBadge> {
        let reported = self.by_class.get(category).map(Vec::as_slice).unwrap_or_default();
        self.servers
            .iter()
            .map(|server| match reported.iter().find(|b| &b.server == server) {
                Some(b) => SyncBadge::of(server, b.state, &b.detail),
                None => SyncBadge::of(server, SyncState::Pending, "not deployed to this server yet"),
            })
            .collect()
    }
}
