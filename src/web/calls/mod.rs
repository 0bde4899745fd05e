//! Calls: the CDR console pages, their JSON API and streamed exports.
//!
//! Owns turning requests into a validated [`CdrSearch`] (via [`crate::cdr::search`]), rows into
//! display values and cursors, and reading the FastAGI bridge's MoH decision log for the call
//! view ([`MohDecision`]; the log itself belongs to [`crate::routing::decisions`]). Handlers stay thin; SQL is in
//! [`crate::store::cdr`], charts in [`charts`], streaming in [`export`].

mod api;
pub mod charts;
mod export;
mod page;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::AppState;
use super::error::WebError;
use crate::cdr::CdrText;
use crate::cdr::search::{CdrSearch, CursorCodec, SearchContext, SortColumn, SortValue, parse_search};
use crate::collector::CollectorStatus;
use crate::store::cdr::CdrRow;
use crate::store::flows::DecisionRow;
use crate::store::{Store, StoreError};

/// What the call view shows about Ringside's hold-music choice for one call.
#[derive(Debug, Clone, Serialize)]
pub struct MohDecision {
    /// Unix ms.
    pub at: i64,
    /// The channel the FastAGI script ran on.
    pub uniqueid: String,
    /// The class chosen.
    pub class: String,
    /// The rule that matched, `None` when the fallback class applied.
    pub rule: Option<String>,
    /// Why, in words.
    pub reason: String,
}

impl MohDecision {
    fn of(row: DecisionRow) -> Self {
        let reason = match &row.rule {
            Some(rule) => format!("rule {rule:?} matched"),
            None => "no rule matched: the fallback class".to_owned(),
        };
        Self { at: row.at, uniqueid: row.uniqueid, class: row.class, rule: row.rule, reason }
    }
}

/// Channels of one call looked up in the decision log at most.
const MAX_CALL_CHANNELS: usize = 64;

/// The hold-music decisions Ringside made for a call (the FastAGI bridge's decision log), looked up
/// on every channel of its legs and on the linkedid itself, oldest first.
async fn moh_decisions(
    store: &dyn Store,
    linkedid: &str,
    legs: &[CdrRow],
) -> Result<Vec<MohDecision>, StoreError> {
    let mut channels: Vec<&str> = legs.iter().filter_map(|r| r.uniqueid.as_deref()).collect();
    channels.sort_unstable();
    channels.dedup();
    channels.truncate(MAX_CALL_CHANNELS);
    if channels.is_empty() {
        channels.push(linkedid);
    }
    let mut found = BTreeMap::new();
    for uniqueid in channels {
        for row in crate::routing::decisions::for_call(store, uniqueid, linkedid).await? {
            found.insert(row.id, row);
        }
    }
    let mut decisions: Vec<MohDecision> = found.into_values().map(MohDecision::of).collect();
    decisions.sort_by_key(|d| d.at);
    Ok(decisions)
}

/// Shared state of the Calls area.
pub struct CdrState {
    /// Collector events and counters.
    pub status: Arc<CollectorStatus>,
    /// Cursor signing key (see [`cursor_secret`]).
    pub cursors: CursorCodec,
}

impl CdrState {
    /// State whose cursors are signed with `secret`.
    pub fn new(secret: &[u8]) -> Self {
        Self { status: Arc::default(), cursors: CursorCodec::new(secret) }
    }
}

impl Default for CdrState {
    /// State with a random cursor secret (cursors expire with the process).
    fn default() -> Self {
        Self::new(crate::auth::random_token(32).as_bytes())
    }
}

pub fn router() -> Router<AppState> {
    page::router().merge(api::router()).merge(export::router())
}

/// Parameters handled here, not by the search grammar.
const EXTRA_PARAMS: [&str; 4] = ["tz", "format", "bom", "bucket"];

/// The viewer's zone (`tz=`; default UTC).
fn viewer_zone(params: &[(String, String)]) -> Result<TimeZone, WebError> {
    match params.iter().find(|(k, _)| k == "tz").map(|(_, v)| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(TimeZone::UTC),
        Some(name) if name.len() <= 64 => {
            TimeZone::get(name).map_err(|_| WebError::BadRequest(format!("tz: unknown time zone {name:?}")))
        }
        Some(_) => Err(WebError::BadRequest("tz: too long".into())),
    }
}

/// Parses the query into a search and the viewer's zone (400 with the parameter named).
fn search_from(state: &AppState, params: &[(String, String)]) -> Result<(CdrSearch, TimeZone), WebError> {
    let tz = viewer_zone(params)?;
    let ctx = SearchContext {
        now: Timestamp::now(),
        timezone: &tz,
        cursors: &state.cdr.cursors,
        extra_params: &EXTRA_PARAMS,
    };
    let search = parse_search(params, &ctx).map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok((search, tz))
}

/// The page's rows and the `next` cursor (when another page exists).
async fn fetch_page(state: &AppState, search: &CdrSearch) -> Result<(Vec<CdrRow>, Option<String>), WebError> {
    let mut rows = state.store.search_cdrs(search).await?;
    let next = if rows.len() > search.limit as usize {
        rows.truncate(search.limit as usize);
        rows.last()
            .map(|last| state.cdr.cursors.encode(search, &sort_value(search.sort.column, last), last.id))
    } else {
        None
    };
    Ok((rows, next))
}

/// The sort-column value of a row (for cursors).
pub fn sort_value(column: SortColumn, row: &CdrRow) -> SortValue {
    match column {
        SortColumn::Start => SortValue::Time(millis(row.start_time)),
        SortColumn::Duration => SortValue::Int(row.duration),
        SortColumn::Billsec => SortValue::Int(row.billsec),
        SortColumn::Src => SortValue::Text(row.src.clone()),
        SortColumn::Dst => SortValue::Text(row.dst.clone()),
    }
}

/// A stored Unix-ms time as a timestamp.
pub fn millis(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Stored escaped text for display (Latin-1 bytes shown as such).
pub fn display(escaped: &str) -> String {
    CdrText::from_escaped(escaped).map(|t| t.to_display()).unwrap_or_else(|_| escaped.to_owned())
}

/// `YYYY-MM-DD HH:MM:SS` in `tz`.
pub fn local_time(ms: i64, tz: &TimeZone) -> String {
    millis(ms).to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string()
}
