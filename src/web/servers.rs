//! The Asterisk servers page: per server the ARI and AMI connection (with the last error),
//! Asterisk version and uptime, the last deploy, per-class status, the diff between what Ringside
//! expects and what Asterisk reports, "Apply now" and a test hold (admins), and the live holds.
//!
//! Server-rendered and complete without JavaScript; `servers.js` only refreshes the live holds.
//! Thin: the push hub decides, this module renders and audits.

use super::AppState;
use super::chrome::Chrome;
use super::error::WebError;
use super::extract::{Admin, ClientAddr, Viewer};
use crate::asterisk::push::status::LiveHold;
use crate::asterisk::push::{Origin, ServerSnapshot, TestHoldReport, TestHoldRequest};
use crate::audit::{self, Outcome};
use crate::auth::session::Principal;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/servers", get(page))
        .route("/servers/{name}/apply", post(apply_form))
        .route("/servers/{name}/test-hold", post(test_hold_form))
}

/// One server with its times already in words.
pub struct ServerRow {
    pub s: ServerSnapshot,
    pub last_deploy_at: String,
    pub uptime: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "servers.html")]
struct ServersPage {
    chrome: Chrome,
    servers: Vec<ServerRow>,
    holds: Vec<HoldRow>,
    notice: Option<String>,
    error: Option<String>,
    report: Option<TestHoldReport>,
}

/// A live hold with its start time in words.
pub struct HoldRow {
    pub h: LiveHold,
    pub since: String,
}

#[derive(Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    done: Option<String>,
}

/// `2026-12-04 21:50:03 UTC`.
pub fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

fn duration_words(secs: i64) -> String {
    let (d, h, m) = (secs / 86400, secs % 86400 / 3600, secs % 3600 / 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else {
        format!("{m} min {} s", secs % 60)
    }
}

fn render(
    state: &AppState,
    p: &Principal,
    notice: Option<String>,
    error: Option<String>,
    report: Option<TestHoldReport>,
) -> ServersPage {
    let servers = state
        .push
        .snapshots()
        .into_iter()
        .map(|s| ServerRow {
            last_deploy_at: s.last_deploy.as_ref().map(|d| utc(d.at_ms)).unwrap_or_default(),
            uptime: s.uptime_secs.map(duration_words).unwrap_or_default(),
            s,
        })
        .collect();
    let holds = state.push.live_holds().into_iter().map(|h| HoldRow { since: utc(h.since_ms), h }).collect();
    ServersPage { chrome: Chrome::new(p, "/servers"), servers, holds, notice, error, report }
}

async fn page(State(state): State<AppState>, Viewer(p): Viewer, Query(flash): Query<Flash>) -> ServersPage {
    let notice = match flash.done.as_deref() {
        Some("applied") => Some("Deploy queued: the result appears below within seconds."),
        Some("added") => Some("Server added: Ringside connects and deploys to it now."),
        Some("saved") => Some("Server saved: its connections restarted with the new settings."),
        Some("enabled") => Some("Server enabled: Ringside connects and deploys to it now."),
        Some("disabled") => Some("Server disabled: Ringside no longer contacts it."),
        Some("deleted") => Some("Server deleted."),
        _ => None,
    };
    let notice = notice.map(str::to_owned);
    render(&state, &p, notice, None, None)
}

async fn apply_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Result<Redirect, WebError> {
    apply(&state, &admin, addr, &name).await?;
    Ok(Redirect::to("/servers?done=applied"))
}

/// Queues a deploy to `name` and audits it (shared with the API).
pub async fn apply(state: &AppState, admin: &Admin, addr: ClientAddr, name: &str) -> Result<(), WebError> {
    let actor = admin.0.actor(addr);
    if !state.push.apply_now(name) {
        audit::record(
            state.store.as_ref(),
            &actor,
            "push.apply",
            name,
            Outcome::Failure,
            "no such enabled server",
        )
        .await;
        return Err(WebError::NotFound);
    }
    audit::record(state.store.as_ref(), &actor, "push.apply", name, Outcome::Success, "").await;
    Ok(())
}

/// Runs a test hold and audits it (shared with the API).
pub async fn test_hold(
    state: &AppState,
    admin: &Admin,
    addr: ClientAddr,
    name: &str,
    request: &TestHoldRequest,
) -> Result<TestHoldReport, WebError> {
    use crate::asterisk::push::TestHoldError as E;
    let actor = admin.0.actor(addr);
    let object = format!("{name}/{}", request.class.escape_debug());
    let result = state.push.test_hold(name, request).await;
    let (outcome, detail) = match &result {
        Ok(r) if r.started => (Outcome::Success, r.message.clone()),
        Ok(r) => (Outcome::Failure, r.message.clone()),
        Err(e) => (Outcome::Failure, e.to_string()),
    };
    audit::record(state.store.as_ref(), &actor, "push.test_hold", &object, outcome, &detail).await;
    result.map_err(|e| match e {
        E::UnknownServer(_) => WebError::NotFound,
        E::Invalid(m) => WebError::BadRequest(m),
        E::NotConfigured(_) => WebError::Conflict(e.to_string()),
        E::Asterisk(_) => WebError::Conflict(e.to_string()),
    })
}

#[derive(Deserialize)]
pub struct TestHoldForm {
    class: String,
    destination: String,
}

async fn test_hold_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(form): Form<TestHoldForm>,
) -> Response {
    let request = TestHoldRequest { class: form.class, destination: form.destination, listen_secs: None };
    match test_hold(&state, &admin, addr, &name, &request).await {
        Ok(report) => render(&state, &admin.0, None, None, Some(report)).into_response(),
        Err(e) if !e.status().is_server_error() && e.status() != axum::http::StatusCode::NOT_FOUND => {
            (e.status(), render(&state, &admin.0, None, Some(e.to_string()), None)).into_response()
        }
        Err(e) => e.into_response(),
    }
}
