//! The CDR collector service: turns the sources of [`crate::cdr`] into committed rows.
//!
//! Owns the background tasks `ringside serve` runs for call records — one Master.csv follower
//! per server with `cdr_csv_path`, one AMI `Cdr` listener per server with AMI settings (on the push hub's session), the
//! daily retention sweep — and the one-shot `ringside cdr import`. Parsing, positions and the
//! dedupe key live in [`crate::cdr`]; SQL lives in [`crate::store::cdr`]. Nothing here renders
//! HTML.
//!
//! ```text
//! Master.csv ─ follower (blocking thread) ─ batch ─▶ commit(rows + rejects + position) ─┐
//!                                                     fails? backoff, reload position ◀─┘
//! AMI ─ push hub's AmiClient (one per server) ─ Cdr events ─▶ bounded queue ─▶ batch writer ─▶ commit
//! ```

pub mod ami;
pub mod follow;
pub mod import;
pub mod retention;
pub mod status;

use std::sync::Arc;

use jiff::tz::TimeZone;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::cdr::{CsvSource, ShapeConfig};
use crate::config::{AsteriskServerConfig, Config};
use crate::store::Store;

pub use status::CollectorStatus;

/// The CSV source (zone + layout) configured for a server.
pub fn csv_source(server: &AsteriskServerConfig) -> anyhow::Result<CsvSource> {
    source_from(server.cdr_timezone.as_deref(), server.cdr_columns.as_deref())
}

/// A CSV source from a zone name and a layout name (both optional: UTC, auto).
pub fn source_from(timezone: Option<&str>, columns: Option<&str>) -> anyhow::Result<CsvSource> {
    let tz_name = timezone.unwrap_or("UTC");
    let timezone = TimeZone::get(tz_name).map_err(|e| {
        anyhow::anyhow!("unknown time zone {tz_name:?} (use an IANA name like Europe/Berlin): {e}")
    })?;
    let shape: ShapeConfig = match columns {
        Some(c) => c.parse().map_err(|_| {
            anyhow::anyhow!("unknown CDR column layout {c:?}: use auto, 16, 17, 17u, 18, 19, 20, 20u or 21")
        })?,
        None => ShapeConfig::Auto,
    };
    Ok(CsvSource { shape, timezone })
}

/// Spawns the followers, AMI listeners and retention sweep for every enabled server. The AMI
/// listeners read the push hub's session to each server (`ami_events`), not one of their own.
pub fn spawn_all(
    config: &Config,
    ami_events: &dyn Fn() -> tokio::sync::broadcast::Receiver<crate::asterisk::push::ServerEvent>,
    store: &Arc<dyn Store>,
    status: &Arc<CollectorStatus>,
    stop: &CancellationToken,
    tasks: &TaskTracker,
) {
    for server in config.asterisk.iter().filter(|s| s.enabled) {
        let source = match csv_source(server) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(server = %server.name, error = %e, "CDR collection disabled for this server");
                continue;
            }
        };
        if let Some(path) = &server.cdr_csv_path {
            let follower = follow::FollowTask {
                server: server.name.clone(),
                config: crate::cdr::follower::FollowerConfig::new(path, source.clone()),
                store: store.clone(),
                status: status.clone(),
            };
            tasks.spawn(follower.run(stop.clone()));
        }
        if ami::AmiSettings::of(server).is_some() {
            let (name, zone) = (server.name.clone(), source.timezone.clone());
            ami::spawn_shared(name, ami_events(), zone, store.clone(), status.clone(), stop, tasks);
        }
    }
    if let Some(days) = config.cdr.retention_days {
        tasks.spawn(retention::run(store.clone(), days, stop.clone()));
    }
}

pub(crate) use crate::auth::now_ms;

/// Splits parse results into records and rejects, keeping order within each.
pub(crate) fn split(
    items: impl Iterator<Item = Result<crate::cdr::CdrRecord, crate::cdr::Reject>>,
) -> (Vec<crate::cdr::CdrRecord>, Vec<crate::cdr::Reject>) {
    let mut records = Vec::new();
    let mut rejects = Vec::new();
    for item in items {
        match item {
            Ok(r) => records.push(r),
            Err(r) => rejects.push(r),
        }
    }
    (records, rejects)
}
