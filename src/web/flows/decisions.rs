//! `/flows/decisions`: every recorded decision, filtered by uniqueid, caller and local date, so an
//! admin can answer "why did this caller hear Christmas music in March?".

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::super::AppState;
use super::super::chrome::Chrome;
use super::super::error::WebError;
use super::super::extract::Viewer;
use crate::routing::FieldErrors;
use crate::store::flows::{DecisionFilter, DecisionRow};

pub fn router() -> Router<AppState> {
    Router::new().route("/flows/decisions", get(page))
}

/// Filters as typed in the form or the API query.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionQuery {
    pub uniqueid: String,
    #[serde(rename = "caller")]
    pub caller_number: String,
    /// `YYYY-MM-DD` in the book's timezone.
    pub date: String,
    pub before: Option<i64>,
}

impl DecisionQuery {
    pub fn filter(&self, tz: &TimeZone) -> Result<DecisionFilter, FieldErrors> {
        let mut filter = DecisionFilter {
            uniqueid: self.uniqueid.trim().to_owned(),
            caller: self.caller_number.trim().to_owned(),
            before_id: self.before.unwrap_or(i64::MAX),
            ..DecisionFilter::default()
        };
        let date = self.date.trim();
        if !date.is_empty() {
            let bad = || FieldErrors::one("date", format!("`{date}` is not a date (YYYY-MM-DD)"));
            let day: Date = date.parse().map_err(|_| bad())?;
            let start = day.to_zoned(tz.clone()).map_err(|_| bad())?;
            let end = start.tomorrow().map_err(|_| bad())?;
            filter.from_ms = start.timestamp().as_millisecond();
            filter.to_ms = end.timestamp().as_millisecond() - 1;
        }
        Ok(filter)
    }
}

pub struct DecisionView {
    pub at: String,
    pub caller_number: String,
    pub row: DecisionRow,
}

#[derive(Template, WebTemplate)]
#[template(path = "flows_decisions.html")]
struct DecisionsPage {
    chrome: Chrome,
    query: DecisionQuery,
    errors: FieldErrors,
    timezone: String,
    decisions: Vec<DecisionView>,
    next: Option<i64>,
}

async fn page(
    State(state): State<AppState>,
    Viewer(p): Viewer,
    Query(query): Query<DecisionQuery>,
) -> Result<DecisionsPage, WebError> {
    let timezone = state.routing.snapshot().await.spec.timezone;
    let tz = TimeZone::get(&timezone).unwrap_or(TimeZone::UTC);
    let mut page = DecisionsPage {
        chrome: Chrome::new(&p, "/flows"),
        query,
        errors: FieldErrors::default(),
        timezone,
        decisions: Vec::new(),
        next: None,
    };
    match page.query.filter(&tz) {
        Ok(filter) => {
            let rows = state.store.list_decisions(&filter).await?;
            page.next = (rows.len() as i64 == filter.limit).then(|| rows.last().map(|r| r.id)).flatten();
            page.decisions = rows
                .into_iter()
                .map(|row| DecisionView { at: local(row.at, &tz), caller_number: row.caller.clone(), row })
                .collect();
        }
        Err(errors) => page.errors = errors,
    }
    Ok(page)
}

fn local(ms: i64, tz: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}
