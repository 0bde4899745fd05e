//! `/api/v1/flows/...`: the same rules, schedules, try-it and decision log as JSON.
//!
//! ```text
//! GET    /api/v1/flows                      {version, spec}                        viewer
//! PUT    /api/v1/flows/settings             {timezone, fallback}                   admin
//! POST   /api/v1/flows/rules                RuleInput → 201                        admin
//! PUT    /api/v1/flows/rules/{name}         RuleInput → 204                        admin
//! DELETE /api/v1/flows/rules/{name}         204                                    admin
//! POST   /api/v1/flows/rules/{name}/move    {"to": 0} → 204                        admin
//! POST   /api/v1/flows/schedules            ScheduleInput → 201                    admin
//! PUT    /api/v1/flows/schedules/{name}     ScheduleInput → 204                    admin
//! DELETE /api/v1/flows/schedules/{name}     204                                    admin
//! POST   /api/v1/flows/try                  TryInput → Explanation                 viewer
//! GET    /api/v1/flows/decisions?uniqueid=&caller=&date=&before=                   viewer
//! GET    /api/v1/flows/decisions/call?uniqueid=&linkedid=                          viewer
//! ```
//! Validation failures: 400 `{"error": "...", "fields": {"field": "message"}}`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use super::super::AppState;
use super::super::extract::{Admin, ClientAddr, Viewer};
use super::FlowsApiError;
use super::decisions::DecisionQuery;
use super::editor::{BookItem, Rules, Schedules};
use crate::flows::{Explanation, RuleBookSpec};
use crate::routing::decisions::for_call;
use crate::routing::edits::SettingsInput;
use crate::routing::input::TryInput;
use crate::store::flows::DecisionRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/flows", get(book))
        .route("/api/v1/flows/settings", put(settings))
        .route("/api/v1/flows/rules", post(add::<Rules>))
        .route("/api/v1/flows/rules/{name}", put(update::<Rules>).delete(delete::<Rules>))
        .route("/api/v1/flows/rules/{name}/move", post(move_rule))
        .route("/api/v1/flows/schedules", post(add::<Schedules>))
        .route("/api/v1/flows/schedules/{name}", put(update::<Schedules>).delete(delete::<Schedules>))
        .route("/api/v1/flows/try", post(try_it))
        .route("/api/v1/flows/decisions", get(decisions))
        .route("/api/v1/flows/decisions/call", get(call_decisions))
}

type ApiResult<T> = Result<T, FlowsApiError>;

#[derive(serde::Serialize)]
struct Book {
    version: i64,
    spec: RuleBookSpec,
}

async fn book(State(state): State<AppState>, _v: Viewer) -> Json<Book> {
    let snapshot = state.routing.snapshot().await;
    Json(Book { version: snapshot.version, spec: snapshot.spec })
}

async fn settings(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Json(input): Json<SettingsInput>,
) -> ApiResult<StatusCode> {
    state.routing.set_settings(&admin.0.actor(addr), &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add<K: BookItem>(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Json(input): Json<K::Input>,
) -> ApiResult<StatusCode> {
    K::put(&state.routing, &admin.0.actor(addr), None, &input).await?;
    Ok(StatusCode::CREATED)
}

async fn update<K: BookItem>(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Json(input): Json<K::Input>,
) -> ApiResult<StatusCode> {
    K::put(&state.routing, &admin.0.actor(addr), Some(&name), &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete<K: BookItem>(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    K::remove(&state.routing, &admin.0.actor(addr), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveTo {
    to: usize,
}

async fn move_rule(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Json(input): Json<MoveTo>,
) -> ApiResult<StatusCode> {
    state.routing.move_rule(&admin.0.actor(addr), &name, input.to).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn try_it(
    State(state): State<AppState>,
    _v: Viewer,
    Json(input): Json<TryInput>,
) -> ApiResult<Json<Explanation>> {
    Ok(Json(super::try_it::explain(&state.routing, &input).await?))
}

async fn decisions(
    State(state): State<AppState>,
    _v: Viewer,
    Query(query): Query<DecisionQuery>,
) -> ApiResult<Json<Vec<DecisionRow>>> {
    let tz = jiff::tz::TimeZone::get(&state.routing.snapshot().await.spec.timezone)
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let filter = query.filter(&tz)?;
    Ok(Json(state.store.list_decisions(&filter).await?))
}

#[derive(Deserialize)]
struct CallQuery {
    uniqueid: String,
    #[serde(default)]
    linkedid: String,
}

async fn call_decisions(
    State(state): State<AppState>,
    _v: Viewer,
    Query(q): Query<CallQuery>,
) -> ApiResult<Json<Vec<DecisionRow>>> {
    Ok(Json(for_call(state.store.as_ref(), &q.uniqueid, &q.linkedid).await?))
}
