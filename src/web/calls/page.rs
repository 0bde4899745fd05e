//! The Calls pages: search + results + charts (`/calls`), one call (`/calls/call/{linkedid}`)
//! and, for admins, the rejects (`/calls/rejects`). Everything works without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;

use super::{display, fetch_page, local_time, search_from};
use crate::cdr::record::Disposition;
use crate::store::cdr::{CdrRejectRow, CdrRow, TopNumber};
use crate::web::AppState;
use crate::web::chrome::Chrome;
use crate::web::error::WebError;
use crate::web::extract::{Admin, Viewer};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", get(calls))
        .route("/calls/call/{linkedid}", get(call))
        .route("/calls/rejects", get(rejects))
}

/// The name part of a stored `clid` (`"Zoë" <123>` → `Zoë`).
pub fn caller_name(clid: &str) -> String {
    let clid = display(clid);
    match clid.rfind(" <") {
        Some(cut) if clid.ends_with('>') => clid[..cut].trim_matches('"').to_owned(),
        _ => clid,
    }
}

/// A result row ready for the template (all text escaped by askama).
pub struct RowView {
    pub start: String,
    pub src: String,
    pub dst: String,
    pub name: String,
    pub disposition: String,
    pub duration: i64,
    pub billsec: i64,
    pub server: String,
    pub linkedid: String,
    pub channel: String,
    pub dstchannel: String,
    pub lastapp: String,
    pub offset_ms: i64,
}

impl RowView {
    fn of(row: &CdrRow, tz: &jiff::tz::TimeZone, call_start: i64) -> Self {
        Self {
            start: local_time(row.start_time, tz),
            src: display(&row.src),
            dst: display(&row.dst),
            name: caller_name(&row.clid),
            disposition: display(&row.disposition),
            duration: row.duration,
            billsec: row.billsec,
            server: row.server.clone(),
            linkedid: row.linkedid.as_deref().map(display).unwrap_or_default(),
            channel: display(&row.channel),
            dstchannel: display(&row.dstchannel),
            lastapp: display(&row.lastapp),
            offset_ms: row.start_time - call_start,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "calls.html")]
struct CallsPage {
    chrome: Chrome,
    q: Form,
    dispositions: Vec<(&'static str, bool)>,
    rows: Vec<RowView>,
    next: Option<String>,
    query: String,
    charts: Vec<String>,
    top_sources: Vec<TopNumber>,
    top_destinations: Vec<TopNumber>,
    events: Vec<crate::collector::status::StatusEvent>,
}

/// The form's values, echoed back.
#[derive(Default)]
struct Form {
    range: String,
    from: String,
    to: String,
    src: String,
    dst: String,
    name: String,
    min_duration: String,
    max_duration: String,
    accountcode: String,
    server: String,
    userfield: String,
    sort: String,
    tz: String,
}

impl Form {
    fn of(params: &[(String, String)]) -> Self {
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        Self {
            range: get("range"),
            from: get("from"),
            to: get("to"),
            src: get("src"),
            dst: get("dst"),
            name: get("name"),
            min_duration: get("min_duration"),
            max_duration: get("max_duration"),
            accountcode: get("accountcode"),
            server: get("server"),
            userfield: get("userfield"),
            sort: get("sort"),
            tz: get("tz"),
        }
    }
}

/// Drops empty values (a submitted form sends every field) and the cursor.
fn meaningful(params: Vec<(String, String)>) -> Vec<(String, String)> {
    params.into_iter().filter(|(k, v)| !v.trim().is_empty() && k != "cursor").collect()
}

async fn calls(
    State(state): State<AppState>,
    Viewer(p): Viewer,
    Query(raw): Query<Vec<(String, String)>>,
) -> Result<CallsPage, WebError> {
    let cursor: Vec<(String, String)> =
        raw.iter().filter(|(k, v)| k == "cursor" && !v.is_empty()).cloned().collect();
    let params = meaningful(raw);
    let mut with_cursor = params.clone();
    with_cursor.extend(cursor);
    let (search, tz) = search_from(&state, &with_cursor)?;
    let (rows, next) = fetch_page(&state, &search).await?;
    let (stats, bucket, _) = super::api::stats_for(&state, &params).await?;
    let chosen: Vec<&Disposition> = search.dispositions.iter().collect();
    let dispositions = Disposition::KNOWN.iter().map(|d| (d.as_str(), chosen.contains(&d))).collect();
    let events = if p.role == crate::auth::Role::Admin { state.cdr.status.recent() } else { Vec::new() };
    Ok(CallsPage {
        chrome: Chrome::new(&p, "/calls"),
        q: Form::of(&params),
        dispositions,
        rows: rows.iter().map(|r| RowView::of(r, &tz, r.start_time)).collect(),
        next,
        query: serde_urlencoded::to_string(&params).unwrap_or_default(),
        charts: super::charts::render(&stats, bucket),
        top_sources: stats.top_sources,
        top_destinations: stats.top_destinations,
        events,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "call.html")]
struct CallPage {
    chrome: Chrome,
    linkedid: String,
    legs: Vec<RowView>,
    span_ms: i64,
    moh: Vec<super::MohDecision>,
}

async fn call(
    State(state): State<AppState>,
    Viewer(p): Viewer,
    Path(linkedid): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<CallPage, WebError> {
    let tz = super::viewer_zone(&params)?;
    let rows = state.store.cdrs_by_linkedid(&linkedid).await?;
    let first = rows.first().ok_or(WebError::NotFound)?.start_time;
    let last_end = rows.iter().map(|r| r.end_time.unwrap_or(r.start_time)).max().unwrap_or(first);
    let moh = super::moh_decisions(state.store.as_ref(), &linkedid, &rows).await?;
    Ok(CallPage {
        chrome: Chrome::new(&p, "/calls"),
        legs: rows.iter().map(|r| RowView::of(r, &tz, first)).collect(),
        span_ms: (last_end - first).max(1000),
        linkedid,
        moh,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "cdr_rejects.html")]
struct RejectsPage {
    chrome: Chrome,
    rejects: Vec<(String, CdrRejectRow)>,
}

async fn rejects(State(state): State<AppState>, Admin(p): Admin) -> Result<RejectsPage, WebError> {
    let rows = state.store.list_cdr_rejects(200).await?;
    let rejects = rows
        .into_iter()
        .map(|mut r| {
            r.raw = display(&r.raw);
            (local_time(r.at, &jiff::tz::TimeZone::UTC), r)
        })
        .collect();
    Ok(RejectsPage { chrome: Chrome::new(&p, "/calls"), rejects })
}
