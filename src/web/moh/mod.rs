//! The Music on Hold console (`/moh…`) and JSON API (`/api/v1/moh/…`).
//!
//! Viewers list and listen; admins change. Handlers are thin: [`crate::moh::Moh`] decides, audits
//! and keeps disk, database and config in step. Only the upload routes accept a body larger than
//! `[web] max_body_bytes` (up to `[moh] max_upload_bytes` per file, counted while streaming).

pub mod api;
pub mod files;
pub mod forms;
pub mod openapi;
pub mod pages;
pub mod sync;
pub mod test_hold;
pub mod views;
pub mod waveform;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use super::AppState;

/// Most files one upload request may carry, for the body limit of the upload routes.
const MAX_FILES_PER_REQUEST: u64 = 20;

pub fn router(max_upload_bytes: u64) -> Router<AppState> {
    let upload_limit =
        usize::try_from(max_upload_bytes.saturating_mul(MAX_FILES_PER_REQUEST).saturating_add(1 << 20))
            .unwrap_or(usize::MAX);
    let api_upload = post(api::upload).layer(DefaultBodyLimit::max(upload_limit));
    let page_upload = post(pages::upload).layer(DefaultBodyLimit::max(upload_limit));
    let page_replace = post(pages::replace_file).layer(DefaultBodyLimit::max(upload_limit));
    let api_replace = post(api::replace_file).layer(DefaultBodyLimit::max(upload_limit));
    Router::new()
        .route("/moh", get(pages::index).post(pages::create))
        .route("/moh/{name}", get(pages::category))
        .route("/moh/{name}/edit", post(pages::edit))
        .route("/moh/{name}/delete", post(pages::delete))
        .route("/moh/{name}/test-hold", post(test_hold::test_hold))
        .route("/moh/{name}/files", page_upload)
        .route("/moh/{name}/files/{id}/move", post(pages::move_file))
        .route("/moh/{name}/files/{id}/rename", post(pages::rename_file))
        .route("/moh/{name}/files/{id}/replace", page_replace)
        .route("/moh/{name}/files/{id}/delete", post(pages::delete_file))
        .route("/api/v1/moh/categories", get(api::list).post(api::create))
        .route("/api/v1/moh/categories/{name}", get(api::show).patch(api::update).delete(api::delete))
        .route("/api/v1/moh/categories/{name}/files", get(api::files).merge(api_upload))
        .route(
            "/api/v1/moh/categories/{name}/files/{id}",
            axum::routing::patch(api::change_file).delete(api::delete_file).merge(api_replace),
        )
        .route("/api/v1/moh/categories/{name}/files/{id}/{file}", get(files::rendition))
        .route("/api/v1/moh/jobs/{id}/events", get(files::job_events))
        .route("/api/v1/openapi.json", get(openapi::document))
}
