//! The CSRF middleware: every state-changing request made with a cookie must come from our own pages.
//!
//! Runs after [`super::extract::authenticate`]. The expected token is the session's; before login it is
//! the `rs_csrf` cookie that the login and setup pages set (double submit). The token may arrive as an
//! `X-CSRF-Token` header, a `csrf` query parameter (multipart uploads) or a `csrf` field of a
//! URL-encoded form. A failed check is a 403 and the handler never runs.

use super::AppState;
use super::cookies;
use super::error::{ApiError, WebError, is_api};
use super::extract::Resolved;
use crate::auth::csrf::{self, CsrfError};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;

/// The cookie carrying the pre-login CSRF token.
pub const PRE_SESSION_COOKIE: &str = "rs_csrf";
/// The form field, query parameter and (as `X-CSRF-Token`) header name.
pub const FIELD: &str = "csrf";

pub async fn enforce(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let principal = request.extensions().get::<Resolved>().and_then(|r| r.0.clone());
    if principal.as_ref().is_some_and(|p| p.csrf_token.is_none()) {
        // Bearer token: no ambient credentials to forge.
        return next.run(request).await;
    }
    let api = is_api(request.uri());
    let refuse = |e: CsrfError| {
        state.metrics.csrf_rejected.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(reason = %e, "request refused by the CSRF check");
        let e = WebError::Forbidden(e.to_string());
        if api { ApiError(e).into_response() } else { e.into_response() }
    };
    let headers = request.headers();
    if let Err(e) = csrf::check_provenance(
        header_str(headers, "sec-fetch-site"),
        header_str(headers, "origin"),
        header_str(headers, "host"),
    ) {
        return refuse(e);
    }
    let expected = match &principal {
        Some(p) => p.csrf_token.clone().unwrap_or_default(),
        None => cookies::get(headers, PRE_SESSION_COOKIE).unwrap_or_default().to_string(),
    };
    let (request, sent) = match sent_token(request, state.config.web.max_body_bytes).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if let Err(e) = csrf::check_token(&expected, sent.as_deref()) {
        return refuse(e);
    }
    next.run(request).await
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Find the token the request sent, buffering a URL-encoded body if that is where it is.
async fn sent_token(request: Request, limit: usize) -> Result<(Request, Option<String>), Response> {
    if let Some(v) = header_str(request.headers(), "x-csrf-token") {
        let v = v.to_string();
        return Ok((request, Some(v)));
    }
    if let Some(v) = query_value(request.uri().query().unwrap_or(""), FIELD) {
        return Ok((request, Some(v)));
    }
    let is_form = header_str(request.headers(), "content-type")
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, limit)
        .await
        .map_err(|_| WebError::BadRequest(format!("form body larger than {limit} bytes")).into_response())?;
    let sent = query_value(&String::from_utf8_lossy(&bytes), FIELD);
    Ok((Request::from_parts(parts, Body::from(bytes)), sent))
}

fn query_value(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}
