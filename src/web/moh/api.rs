//! `/api/v1/moh/…`: the JSON API for everything the console does.
//!
//! Thin: parse, call [`crate::moh::Moh`], answer JSON. Errors are `{"error": …}` with the status
//! the Music on Hold error deserves (400, 404, 409, 413, 422).

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::files::{receive, run_jobs};
use super::sync::SyncBoard;
use super::views::{CategoryView, FileView};
use crate::moh::CategoryInput;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::extract::{Admin, ClientAddr, Viewer};

type ApiResult = Result<Response, ApiError>;

pub async fn list(State(state): State<AppState>, _: Viewer) -> ApiResult {
    let all = state.moh.categories().await?;
    let board = SyncBoard::of(&state.push);
    Ok(Json(all.iter().map(|c| CategoryView::of(c).with_sync(&board)).collect::<Vec<_>>()).into_response())
}

/// A JSON body, with serde's message as a 400.
fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError(crate::web::error::WebError::BadRequest(e.to_string())))
}

pub async fn create(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    body: axum::body::Bytes,
) -> ApiResult {
    let input: CategoryInput = parse_body(&body)?;
    let created = state.moh.create(&p.actor(addr), &input).await?;
    let view = CategoryView::of(&state.moh.category(created.name.as_str()).await?);
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn show(State(state): State<AppState>, _: Viewer, Path(name): Path<String>) -> ApiResult {
    let c = state.moh.category(&name).await?;
    let files: Vec<FileView> = c.files.iter().map(|f| FileView::of(&name, f, state.moh.formats())).collect();
    let category = CategoryView::of(&c).with_sync(&SyncBoard::of(&state.push));
    let body = serde_json::json!({ "category": category, "files": files });
    Ok(Json(body).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult {
    let input: CategoryInput = parse_body(&body)?;
    state.moh.update(&p.actor(addr), &name, &input).await?;
    Ok(Json(CategoryView::of(&state.moh.category(&name).await?)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> ApiResult {
    state.moh.delete(&p.actor(addr), &name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn files(State(state): State<AppState>, _: Viewer, Path(name): Path<String>) -> ApiResult {
    let c = state.moh.category(&name).await?;
    let files: Vec<FileView> = c.files.iter().map(|f| FileView::of(&name, f, state.moh.formats())).collect();
    Ok(Json(files).into_response())
}

#[derive(Deserialize)]
pub struct UploadQuery {
    /// `1`: answer 202 with job ids as soon as the upload is received; follow the jobs' events.
    #[serde(default, rename = "async")]
    run_async: Option<u8>,
}

pub async fn upload(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Query(q): Query<UploadQuery>,
    multipart: Multipart,
) -> ApiResult {
    state.moh.category(&name).await?;
    let actor = p.actor(addr);
    let incoming = receive(&state, &actor, &name, multipart).await?;
    if q.run_async == Some(1) {
        let jobs = run_jobs(&state, actor, &name, incoming);
        return Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "jobs": jobs }))).into_response());
    }
    let mut done = Vec::new();
    for one in incoming {
        let (file, report) = state.moh.add_file(&actor, &name, one, |_| {}).await?;
        done.push(serde_json::json!({ "file": FileView::of(&name, &file, state.moh.formats()), "report": report_view(&report) }));
    }
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "files": done }))).into_response())
}

/// The transcode report without server paths.
fn report_view(r: &crate::audio::Report) -> serde_json::Value {
    serde_json::json!({
        "container": r.container, "codec": r.codec, "sample_rate": r.sample_rate, "channels": r.channels,
        "duration_secs": r.duration_secs, "peak_dbfs": r.peak_dbfs, "clipped_samples": r.clipped_samples,
        "loudness_before_lufs": r.loudness_before_lufs, "loudness_after_lufs": r.loudness_after_lufs,
        "warnings": r.warnings,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileChange {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    position: Option<i64>,
}

pub async fn change_file(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path((name, id)): Path<(String, i64)>,
    body: axum::body::Bytes,
) -> ApiResult {
    let change: FileChange = parse_body(&body)?;
    let actor = p.actor(addr);
    if change.display_name.is_none() && change.position.is_none() {
        return Err(ApiError(crate::web::error::WebError::BadRequest(
            "send display_name and/or position".into(),
        )));
    }
    if let Some(display) = &change.display_name {
        state.moh.rename_file(&actor, &name, id, display).await?;
    }
    if let Some(position) = change.position {
        state.moh.move_file(&actor, &name, id, position).await?;
    }
    files(State(state), Viewer(p), Path(name)).await
}

/// `POST …/files/{id}`: replace a file's audio (one part named `file`), keeping its position.
pub async fn replace_file(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path((name, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> ApiResult {
    state.moh.category(&name).await?;
    let actor = p.actor(addr);
    let mut incoming = receive(&state, &actor, &name, multipart).await?;
    if incoming.len() != 1 {
        return Err(ApiError(crate::web::error::WebError::BadRequest(
            "send exactly one part named file".into(),
        )));
    }
    let one = incoming.remove(0);
    let (file, report) = state.moh.replace_file(&actor, &name, id, one).await?;
    let body = serde_json::json!({ "file": FileView::of(&name, &file, state.moh.formats()), "report": report_view(&report) });
    Ok(Json(body).into_response())
}

pub async fn delete_file(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path((name, id)): Path<(String, i64)>,
) -> ApiResult {
    state.moh.delete_file(&p.actor(addr), &name, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
