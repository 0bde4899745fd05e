//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the database answers), the
//! Prometheus `/metrics` router for its own listener, and the status-counting middleware.

use super::AppState;
use crate::metrics::Metrics;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(|| async { "ok\n" })).route("/readyz", get(readyz))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response()
        }
    }
}

/// The router of the separate metrics listener (off unless `metrics.listen` is set).
pub fn metrics_router(metrics: Arc<Metrics>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let metrics = metrics.clone();
            async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics.render()) }
        }),
    )
}

/// Largest total size of request headers accepted (names + values), in bytes.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Refuse requests whose headers exceed [`MAX_HEADER_BYTES`] with 431, before any handler runs.
pub async fn limit_headers(request: Request, next: Next) -> Response {
    let size: usize =
        request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if size > MAX_HEADER_BYTES {
        return (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large\n").into_response();
    }
    next.run(request).await
}

/// Answer 408 when a handler takes longer than allowed. Uploads get the worker's whole time limit
/// on top of the ordinary one (the transcode runs inside the request unless the client follows
/// progress asynchronously); everything else gets `web.request_timeout_secs`. Only the time to the
/// response head counts, so streamed exports and event streams are not cut.
pub async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let web = u64::from(state.config.web.request_timeout_secs);
    let limit = if is_upload(&request) { web + state.config.audio.worker_timeout_secs } else { web };
    match tokio::time::timeout(std::time::Duration::from_secs(limit), next.run(request)).await {
        Ok(response) => response,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "the request took too long\n").into_response(),
    }
}

/// The routes that receive audio: page and API uploads, and the page and API replace of a file.
/// Other posts under `…/files/{id}/` (move, rename, delete) keep the ordinary limit.
fn is_upload(request: &Request) -> bool {
    if request.method() != axum::http::Method::POST {
        return false;
    }
    let segments: Vec<&str> = request.uri().path().trim_matches('/').split('/').collect();
    matches!(
        segments.as_slice(),
        ["moh", _, "files"]
            | ["moh", _, "files", _, "replace"]
            | ["api", "v1", "moh", "categories", _, "files"]
            | ["api", "v1", "moh", "categories", _, "files", _]
    )
}

/// Count every response by status class.
pub async fn count_status(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    state.metrics.count_status(response.status().as_u16());
    response
}

#[cfg(test)]
mod tests {
    use super::is_upload;
    use axum::extract::Request;

    fn request(method: &str, path: &str) -> Request {
        Request::builder().method(method).uri(path).body(axum::body::Body::empty()).expect("request")
    }

    #[test]
    fn only_upload_posts_get_the_long_time_limit() {
        assert!(is_upload(&request("POST", "/moh/jazz/files")));
        assert!(is_upload(&request("POST", "/moh/jazz/files/3/replace")));
        assert!(is_upload(&request("POST", "/api/v1/moh/categories/jazz/files")));
        assert!(!is_upload(&request("GET", "/api/v1/moh/categories/jazz/files")));
        assert!(!is_upload(&request("POST", "/users")));
        assert!(!is_upload(&request("POST", "/moh")));
        assert!(is_upload(&request("POST", "/api/v1/moh/categories/jazz/files/3")));
        assert!(!is_upload(&request("POST", "/moh/jazz/files/3/rename")));
        assert!(!is_upload(&request("POST", "/moh/jazz/files/3/move")));
        assert!(!is_upload(&request("POST", "/moh/jazz/files/3/delete")));
        assert!(!is_upload(&request("PATCH", "/api/v1/moh/categories/jazz/files/3")));
    }
}
