//! `/api/v1/servers…`: the JSON side of the servers page, plus the per-category status the
//! Music on Hold pages show as badges. Never returns a secret (snapshots and settings carry none;
//! settings say `ari_password_set` / `ami_secret_set`).
//!
//! ```text
//! GET    /api/v1/servers                 {"servers":[ServerSnapshot…]}               viewer
//! POST   /api/v1/servers                 ServerInput -> 201 ServerSettings           admin
//! GET    /api/v1/servers/{name}/settings ServerSettings                              viewer
//! PATCH  /api/v1/servers/{name}          ServerInput (absent: keep) -> ServerSettings admin
//! DELETE /api/v1/servers/{name}          204                                         admin
//! GET  /api/v1/servers/status            {"classes":{"jazz":[{"server","state",…}]}} viewer
//! GET  /api/v1/servers/holds             {"holds":[LiveHold…]}                       viewer
//! POST /api/v1/servers/{name}/apply      202 {"queued":true}                          admin
//! POST /api/v1/servers/{name}/test-hold  {"class","destination"} -> TestHoldReport   admin
//! ```

use super::AppState;
use super::error::ApiError;
use super::extract::{Admin, ClientAddr, Viewer};
use super::servers;
use super::servers_admin;
use crate::asterisk::push::{ServerInput, TestHoldRequest};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/servers", get(list).post(add))
        .route("/api/v1/servers/status", get(status))
        .route("/api/v1/servers/holds", get(holds))
        .route("/api/v1/servers/{name}", get(one).patch(edit).delete(delete))
        .route("/api/v1/servers/{name}/settings", get(settings))
        .route("/api/v1/servers/{name}/apply", post(apply))
        .route("/api/v1/servers/{name}/test-hold", post(test_hold))
}

async fn list(State(state): State<AppState>, _: Viewer) -> impl IntoResponse {
    Json(json!({ "servers": state.push.snapshots() }))
}

async fn one(
    State(state): State<AppState>,
    _: Viewer,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let snapshot = state.push.snapshot(&name).ok_or(ApiError(super::error::WebError::NotFound))?;
    Ok(Json(snapshot))
}

async fn status(State(state): State<AppState>, _: Viewer) -> impl IntoResponse {
    Json(json!({ "classes": state.push.status_by_class() }))
}

async fn holds(State(state): State<AppState>, _: Viewer) -> impl IntoResponse {
    Json(json!({ "holds": state.push.live_holds() }))
}

async fn apply(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    servers::apply(&state, &admin, addr, &name).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "queued": true }))))
}

async fn test_hold(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    body: Result<Json<TestHoldRequest>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(request) = body.map_err(bad_json)?;
    Ok(Json(servers::test_hold(&state, &admin, addr, &name, &request).await?))
}

fn bad_json(e: JsonRejection) -> ApiError {
    ApiError(super::error::WebError::BadRequest(e.body_text()))
}

async fn add(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    body: Result<Json<ServerInput>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(input) = body.map_err(bad_json)?;
    let settings = servers_admin::add(&state, &admin, addr, &input).await?;
    Ok((StatusCode::CREATED, Json(settings)))
}

async fn settings(
    State(state): State<AppState>,
    _: Viewer,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let settings = state.push.server_settings(&name).ok_or(ApiError(super::error::WebError::NotFound))?;
    Ok(Json(settings))
}

async fn edit(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    body: Result<Json<ServerInput>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(input) = body.map_err(bad_json)?;
    servers_admin::edit(&state, &admin, addr, &name, &input).await?;
    let settings = state.push.server_settings(&name).ok_or(ApiError(super::error::WebError::NotFound))?;
    Ok(Json(settings))
}

async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    servers_admin::delete(&state, &admin, addr, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
