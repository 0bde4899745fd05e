//! `/api/v1/cdrs`, `/api/v1/cdrs/{id}`, `/api/v1/calls/{linkedid}`, `/api/v1/cdr-stats`.
//!
//! Same filters as the Calls page; every refusal is a 400 naming the parameter (never a 500).
//! `format=csv` on `/api/v1/cdrs` streams the whole search as CSV.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::tz::TimeZone;
use serde::Serialize;

use super::{display, fetch_page, millis, search_from};
use crate::store::cdr::{Bucket, CdrRow, CdrStats};
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::extract::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cdrs", get(list))
        .route("/api/v1/cdrs/{id}", get(one))
        .route("/api/v1/calls/{linkedid}", get(call))
        .route("/api/v1/cdr-stats", get(stats))
}

/// A CDR as the API returns it: display text, ISO times in the requested zone.
#[derive(Serialize)]
pub struct CdrJson {
    id: i64,
    server: String,
    start: String,
    answer: Option<String>,
    end: Option<String>,
    duration: i64,
    billsec: i64,
    disposition: String,
    src: String,
    dst: String,
    clid: String,
    caller_name: String,
    dcontext: String,
    channel: String,
    dstchannel: String,
    lastapp: String,
    lastdata: String,
    accountcode: String,
    amaflags: String,
    uniqueid: Option<String>,
    userfield: Option<String>,
    peeraccount: Option<String>,
    linkedid: Option<String>,
    sequence: Option<i64>,
}

fn iso(ms: i64, tz: &TimeZone) -> String {
    let mut out = Vec::new();
    crate::cdr::export::push_iso_time(&mut out, millis(ms), tz);
    String::from_utf8_lossy(&out).into_owned()
}

impl CdrJson {
    pub fn of(row: &CdrRow, tz: &TimeZone) -> Self {
        let opt = |v: &Option<String>| v.as_deref().map(display);
        Self {
            id: row.id,
            server: row.server.clone(),
            start: iso(row.start_time, tz),
            answer: row.answer_time.map(|t| iso(t, tz)),
            end: row.end_time.map(|t| iso(t, tz)),
            duration: row.duration,
            billsec: row.billsec,
            disposition: display(&row.disposition),
            src: display(&row.src),
            dst: display(&row.dst),
            clid: display(&row.clid),
            caller_name: super::page::caller_name(&row.clid),
            dcontext: display(&row.dcontext),
            channel: display(&row.channel),
            dstchannel: display(&row.dstchannel),
            lastapp: display(&row.lastapp),
            lastdata: display(&row.lastdata),
            accountcode: display(&row.accountcode),
            amaflags: display(&row.amaflags),
            uniqueid: opt(&row.uniqueid),
            userfield: opt(&row.userfield),
            peeraccount: opt(&row.peeraccount),
            linkedid: opt(&row.linkedid),
            sequence: row.sequence,
        }
    }
}

#[derive(Serialize)]
struct Page {
    items: Vec<CdrJson>,
    next: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    _: Viewer,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (search, tz) = search_from(&state, &params)?;
    match params.iter().find(|(k, _)| k == "format").map(|(_, v)| v.as_str()) {
        None | Some("json") => {}
        Some("csv") => return Ok(super::export::csv_response(&state, search, tz, &params)),
        Some(other) => {
            return Err(WebError::BadRequest(format!("format: must be json or csv, not {other:?}")).into());
        }
    }
    let (rows, next) = fetch_page(&state, &search).await?;
    let items = rows.iter().map(|r| CdrJson::of(r, &tz)).collect();
    Ok(Json(Page { items, next }).into_response())
}

async fn one(
    State(state): State<AppState>,
    _: Viewer,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<CdrJson>, ApiError> {
    let id: i64 = id.parse().map_err(|_| WebError::BadRequest("id must be a whole number".into()))?;
    let tz = super::viewer_zone(&params)?;
    let row = state.store.cdr_by_id(id).await.map_err(WebError::from)?.ok_or(WebError::NotFound)?;
    Ok(Json(CdrJson::of(&row, &tz)))
}

#[derive(Serialize)]
struct CallJson {
    linkedid: String,
    legs: Vec<CdrJson>,
    moh_decisions: Vec<super::MohDecision>,
}

async fn call(
    State(state): State<AppState>,
    _: Viewer,
    Path(linkedid): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<CallJson>, ApiError> {
    let tz = super::viewer_zone(&params)?;
    if linkedid.len() > 256 {
        return Err(WebError::BadRequest("linkedid is too long".into()).into());
    }
    let rows = state.store.cdrs_by_linkedid(&linkedid).await.map_err(WebError::from)?;
    if rows.is_empty() {
        return Err(WebError::NotFound.into());
    }
    let moh_decisions =
        super::moh_decisions(state.store.as_ref(), &linkedid, &rows).await.map_err(WebError::from)?;
    Ok(Json(CallJson { linkedid, legs: rows.iter().map(|r| CdrJson::of(r, &tz)).collect(), moh_decisions }))
}

/// `bucket=hour|day` (default: hour for ranges up to 3 days, else day).
pub(super) fn bucket_of(
    params: &[(String, String)],
    search: &crate::cdr::search::CdrSearch,
) -> Result<Bucket, WebError> {
    match params.iter().find(|(k, _)| k == "bucket").map(|(_, v)| v.as_str()) {
        Some("hour") => Ok(Bucket::Hour),
        Some("day") => Ok(Bucket::Day),
        Some(other) => Err(WebError::BadRequest(format!("bucket: must be hour or day, not {other:?}"))),
        None => Ok(match (search.range.from, search.range.to) {
            (Some(f), Some(t)) if t.as_second() - f.as_second() <= 3 * 86_400 => Bucket::Hour,
            _ => Bucket::Day,
        }),
    }
}

/// Chart data for the filters, in the viewer's zone.
pub(super) async fn stats_for(
    state: &AppState,
    params: &[(String, String)],
) -> Result<(CdrStats, Bucket, TimeZone), WebError> {
    let (search, tz) = search_from(state, params)?;
    let bucket = bucket_of(params, &search)?;
    let anchor = search.range.from.unwrap_or_else(jiff::Timestamp::now);
    let offset_ms = i64::from(tz.to_offset(anchor).seconds()) * 1000;
    let stats = state.store.cdr_stats(&search, bucket, offset_ms).await?;
    Ok((stats, bucket, tz))
}

async fn stats(
    State(state): State<AppState>,
    _: Viewer,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<CdrStats>, ApiError> {
    Ok(Json(stats_for(&state, &params).await?.0))
}
