//! `/flows/try`: a hypothetical call → the rule that matches, the class, and why every other rule
//! did not. A GET form (nothing changes), so viewers can use it and results can be linked.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::super::AppState;
use super::super::chrome::Chrome;
use super::super::error::WebError;
use super::super::extract::Viewer;
use crate::flows::{Explanation, RuleVerdict};
use crate::routing::input::TryInput;
use crate::routing::{FieldErrors, Routing, RoutingError};

pub fn router() -> Router<AppState> {
    Router::new().route("/flows/try", get(page))
}

/// The explanation for `input`, evaluated in the book's timezone.
pub async fn explain(routing: &Routing, input: &TryInput) -> Result<Explanation, RoutingError> {
    let book = routing.book().await?;
    let tz =
        jiff::tz::TimeZone::get(&routing.snapshot().await.spec.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let facts = input.facts(&tz)?;
    Ok(book.explain(&facts))
}

pub struct VerdictRow {
    pub rule: String,
    pub class: String,
    pub verdict: &'static str,
    pub reasons: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "flows_try.html")]
struct TryPage {
    chrome: Chrome,
    form: TryInput,
    errors: FieldErrors,
    timezone: String,
    class: Option<String>,
    rule: String,
    rows: Vec<VerdictRow>,
    schedules: Vec<(String, String)>,
}

fn rows(explanation: &Explanation) -> Vec<VerdictRow> {
    explanation
        .rules
        .iter()
        .map(|r| {
            let (verdict, reasons) = match &r.verdict {
                RuleVerdict::Matched => ("matched", Vec::new()),
                RuleVerdict::NoMatch { reasons } => {
                    ("no match", reasons.iter().map(ToString::to_string).collect())
                }
                RuleVerdict::NotReached { reasons } => {
                    let mut why: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                    if why.is_empty() {
                        why.push("would also match, but an earlier rule won".to_owned());
                    }
                    ("not reached", why)
                }
            };
            VerdictRow { rule: r.rule.clone(), class: r.class.clone(), verdict, reasons }
        })
        .collect()
}

async fn page(State(state): State<AppState>, Viewer(p): Viewer, Query(form): Query<TryInput>) -> Response {
    let timezone = state.routing.snapshot().await.spec.timezone;
    let mut page = TryPage {
        chrome: Chrome::new(&p, "/flows"),
        form,
        errors: FieldErrors::default(),
        timezone,
        class: None,
        rule: String::new(),
        rows: Vec::new(),
        schedules: Vec::new(),
    };
    let asked = !(page.form.number.is_empty()
        && page.form.caller_number.is_empty()
        && page.form.queue.is_empty()
        && page.form.at.is_empty());
    if !asked {
        return page.into_response();
    }
    match explain(&state.routing, &page.form).await {
        Ok(explanation) => {
            page.class = Some(explanation.decision.class.to_string());
            page.rule = explanation.decision.rule_label().to_owned();
            page.rows = rows(&explanation);
            page.schedules = explanation.schedules.iter().map(|(n, s)| (n.clone(), s.to_string())).collect();
            page.into_response()
        }
        Err(RoutingError::Invalid(errors)) => {
            page.errors = errors;
            (StatusCode::BAD_REQUEST, page).into_response()
        }
        Err(e) => WebError::from(e).into_response(),
    }
}
