//! What the push reports: per server and per class `in sync` / `pending` / `failed`, the last
//! deploy, connection states and counters. Plain data for the console, the API and the store;
//! no I/O here.

use serde::Serialize;

/// The sync state of one class on one server (or of a whole deploy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Asterisk reports exactly what Ringside wrote.
    InSync,
    /// Not delivered yet (server unreachable, credentials refused, reload busy): retried.
    Pending,
    /// Delivered but Asterisk did not take it; `detail` has Asterisk's own words.
    Failed,
}

impl SyncState {
    /// The stored and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InSync => "in_sync",
            Self::Pending => "pending",
            Self::Failed => "failed",
        }
    }

    /// Words for the console.
    pub fn label(self) -> &'static str {
        match self {
            Self::InSync => "in sync",
            Self::Pending => "pending",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored spelling; anything else reads as pending (re-checked on next deploy).
    pub fn from_stored(text: &str) -> Self {
        match text {
            "in_sync" => Self::InSync,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// One class on one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassStatus {
    pub class: String,
    pub state: SyncState,
    pub state_label: &'static str,
    pub detail: String,
}

impl ClassStatus {
    pub fn new(class: impl Into<String>, state: SyncState, detail: impl Into<String>) -> Self {
        Self { class: class.into(), state, state_label: state.label(), detail: detail.into() }
    }
}

/// The last deploy to one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployRecord {
    /// Unix milliseconds (UTC).
    pub at_ms: i64,
    pub result: SyncState,
    pub result_label: &'static str,
    /// One line for the admin.
    pub message: String,
    /// Asterisk's output that explains a failure (read-back lines), if any.
    pub output: Vec<String>,
}

/// One connection (ARI or AMI) as the servers page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkStatus {
    pub configured: bool,
    /// `connected`, `connecting`, `credentials refused`, `not configured`, `unusable`.
    pub state: String,
    pub last_error: Option<String>,
}

impl LinkStatus {
    pub fn not_configured() -> Self {
        Self { configured: false, state: "not configured".into(), last_error: None }
    }
}

/// Counters of what was skipped or dropped, per server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LinkCounters {
    pub ami_malformed_frames: u64,
    pub ami_events_dropped: u64,
    pub ami_connect_attempts: u64,
    pub ami_auth_failures: u64,
    pub ari_malformed_events: u64,
    pub ari_events_dropped: u64,
    pub ari_connects: u64,
}

/// Where a server's settings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// An `[[asterisk]]` entry: read-only in the console.
    ConfigFile,
    /// Added in the console (stored in the database): editable by admins.
    Console,
}

impl Origin {
    /// Words for the console.
    pub fn label(self) -> &'static str {
        match self {
            Self::ConfigFile => "from the config file",
            Self::Console => "added in the console",
        }
    }
}

/// Everything the servers page shows about one server. Never carries a secret.
#[derive(Debug, Clone, Serialize)]
pub struct ServerSnapshot {
    pub name: String,
    pub origin: Origin,
    pub enabled: bool,
    pub moh_root: String,
    pub conf_path: String,
    pub ari: LinkStatus,
    pub ami: LinkStatus,
    pub asterisk_version: Option<String>,
    pub startup_time: Option<String>,
    pub uptime_secs: Option<i64>,
    pub last_deploy: Option<DeployRecord>,
    pub classes: Vec<ClassStatus>,
    /// Expected vs reported, one line each (empty when in sync).
    pub differences: Vec<String>,
    pub deploys: u64,
    pub reloads: u64,
    pub counters: LinkCounters,
}

/// A call on hold right now (from AMI `MusicOnHoldStart`, until `MusicOnHoldStop`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveHold {
    pub server: String,
    pub channel: String,
    pub uniqueid: String,
    pub linkedid: String,
    pub class: String,
    pub since_ms: i64,
}

/// One category's state on one server, for badges on the MoH pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerBadge {
    pub server: String,
    pub state: SyncState,
    pub state_label: &'static str,
    pub detail: String,
}
