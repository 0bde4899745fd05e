//! The Audit log page and `/api/v1/audit`: read-only, newest first, filterable, paged by id.

use super::AppState;
use super::chrome::Chrome;
use super::error::{ApiError, WebError};
use super::extract::Admin;
use crate::store::{AuditFilter, AuditRow};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(page)).route("/api/v1/audit", get(api_list))
}

const PAGE_SIZE: i64 = 100;

/// Filters as the query string carries them; anything malformed is a 400 from the extractor.
#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    outcome: String,
    before: Option<i64>,
    limit: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, WebError> {
        if !matches!(self.outcome.as_str(), "" | "success" | "failure" | "denied") {
            return Err(WebError::BadRequest("outcome must be success, failure or denied".into()));
        }
        Ok(AuditFilter {
            actor: self.actor.chars().take(80).collect(),
            action: self.action.chars().take(80).collect(),
            outcome: self.outcome.clone(),
            before_id: self.before,
            limit: self.limit.unwrap_or(PAGE_SIZE).clamp(1, 1000),
        })
    }
}

pub struct AuditLine {
    pub row: AuditRow,
    pub time: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    lines: Vec<AuditLine>,
    actor: String,
    action: String,
    outcome: String,
    older: Option<i64>,
}

async fn page(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<AuditPage, WebError> {
    let filter = q.filter()?;
    let rows = state.store.list_audit(&filter).await?;
    let older = if rows.len() as i64 == filter.limit { rows.last().map(|r| r.id) } else { None };
    let lines = rows.into_iter().map(|row| AuditLine { time: utc_time(row.at), row }).collect();
    Ok(AuditPage {
        chrome: Chrome::new(&admin.0, "/audit"),
        lines,
        actor: q.actor,
        action: q.action,
        outcome: q.outcome,
        older,
    })
}

async fn api_list(
    State(state): State<AppState>,
    _admin: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    Ok(Json(state.store.list_audit(&q.filter()?).await?))
}

/// `2026-12-04 21:07:06 UTC` from Unix milliseconds.
pub fn utc_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_time_formats() {
        assert_eq!(super::utc_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::utc_time(1_796_413_638_000), "2026-12-04 19:47:18 UTC");
        assert_eq!(super::utc_time(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}
