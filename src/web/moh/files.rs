//! Upload reception, upload jobs with server-sent progress, downloads and waveforms.
//!
//! Owns: turning multipart parts named `file` into [`Incoming`] uploads chunk by chunk (the size cap
//! is enforced while streaming), running them as jobs whose progress is streamed as SSE, and serving
//! stored renditions (with ranges, for the browser player) and their waveform pictures.

use std::convert::Infallible;

use axum::extract::{Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde::Serialize;
use tower::ServiceExt;

use crate::audio::OutputFormat;
use crate::audit::Actor;
use crate::moh::MohError;
use crate::moh::jobs::JobState;
use crate::moh::upload::Incoming;
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::extract::Viewer;

fn multipart_error(e: axum::extract::multipart::MultipartError) -> MohError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        MohError::TooLarge { limit: 0 }
    } else {
        MohError::BadUpload(format!("unreadable upload: {}", e.body_text()))
    }
}

/// Receives every part named `file`; other parts are refused (except `csrf`).
pub async fn receive(
    state: &AppState,
    actor: &Actor,
    category: &str,
    mut multipart: Multipart,
) -> Result<Vec<Incoming>, MohError> {
    let mut received = Vec::new();
    let result: Result<(), MohError> = async {
        while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
            match field.name() {
                Some("file") => {}
                Some("csrf") => continue,
                other => {
                    return Err(MohError::BadUpload(format!(
                        "unexpected form part {:?}; name file parts \"file\"",
                        other.unwrap_or("")
                    )));
                }
            }
            let mut incoming = state.moh.incoming(field.file_name().unwrap_or("upload"))?;
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                incoming.write(&chunk)?;
            }
            received.push(incoming);
        }
        if received.is_empty() {
            return Err(MohError::BadUpload(
                "no file: send one or more multipart parts named \"file\"".into(),
            ));
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(received),
        Err(e) => {
            let e = match e {
                MohError::TooLarge { .. } => MohError::TooLarge { limit: state.moh.max_upload_bytes() },
                other => other,
            };
            state.moh.audited(actor, "moh.file.upload", category, Err::<(), _>(e)).await.map(|_| Vec::new())
        }
    }
}

#[derive(Serialize)]
pub struct JobLink {
    pub id: String,
    pub display_name: String,
    pub events: String,
}

/// Starts one background transcode per upload; returns where to follow each.
pub fn run_jobs(state: &AppState, actor: Actor, category: &str, uploads: Vec<Incoming>) -> Vec<JobLink> {
    let mut links = Vec::new();
    for incoming in uploads {
        let (id, tx) = state.moh.jobs.start();
        links.push(JobLink {
            display_name: incoming.display_name().to_string(),
            events: format!("/api/v1/moh/jobs/{id}/events"),
            id: id.clone(),
        });
        let (moh, actor, category) = (state.moh.clone(), actor.clone(), category.to_string());
        tokio::spawn(async move {
            let progress = |p: f32| {
                tx.send_replace(JobState::Transcoding { progress: p });
            };
            let end = match moh.add_file(&actor, &category, incoming, progress).await {
                Ok((file, _)) => JobState::Done { file },
                Err(e) => JobState::Failed { status: e.status(), error: e.to_string() },
            };
            tx.send_replace(end);
            moh.jobs.forget_later(id);
        });
    }
    links
}

/// `GET /api/v1/moh/jobs/{id}/events`: `progress` events, then one `done` or `failed` event.
pub async fn job_events(
    State(state): State<AppState>,
    _: Viewer,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let rx = state.moh.jobs.watch(&id).ok_or(ApiError(WebError::NotFound))?;
    let events = stream::unfold((rx, false), |(mut rx, ended)| async move {
        if ended {
            return None;
        }
        let now = rx.borrow_and_update().clone();
        let finished = now.finished();
        if !finished && rx.changed().await.is_err() {
            return None;
        }
        let name = match &now {
            JobState::Transcoding { .. } => "progress",
            JobState::Done { .. } => "done",
            JobState::Failed { .. } => "failed",
        };
        let event = Event::default().event(name).json_data(&now).unwrap_or_default();
        Some((Ok(event), (rx, finished)))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// `GET …/files/{id}/audio.{ext}` and `…/files/{id}/waveform.svg`.
pub async fn rendition(
    State(state): State<AppState>,
    _: Viewer,
    Path((name, id, file)): Path<(String, i64, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    if file == "waveform.svg" {
        let path = state.moh.rendition(&name, id, OutputFormat::Wav16).await?;
        let svg = tokio::task::spawn_blocking(move || super::waveform::svg(&path))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?
            .map_err(|e| WebError::Internal(e.to_string()))?;
        return Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-cache")], svg)
            .into_response());
    }
    let format =
        file.strip_prefix("audio.").and_then(OutputFormat::from_name).ok_or(ApiError(WebError::NotFound))?;
    let path = state.moh.rendition(&name, id, format).await?;
    let mime: mime::Mime = match format {
        OutputFormat::Wav | OutputFormat::Wav16 => "audio/wav".parse(),
        _ => "application/octet-stream".parse(),
    }
    .map_err(|_| WebError::Internal("mime".into()))?;
    let served = tower_http::services::ServeFile::new_with_mime(path, &mime)
        .oneshot(request)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(served.into_response())
}
