//! The "Call routing" console section and `/api/v1/flows/...`: hold-music rules, schedules with
//! holidays, the "try it" form and the decision log. Admins edit, viewers read.
//!
//! Handlers are thin: they parse form/JSON text with `routing::input`, call `routing::Routing`
//! (which validates, saves, swaps the live rule book and audits) and render. Field errors come back
//! next to their fields (pages) or as `{"error", "fields"}` (API, 400).

mod api;
mod decisions;
mod editor;
mod rules;
mod schedules;
mod try_it;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::{ApiError, WebError};
use crate::routing::{FieldErrors, RoutingError};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(rules::router())
        .merge(schedules::router())
        .merge(try_it::router())
        .merge(decisions::router())
        .merge(api::router())
}

impl From<RoutingError> for WebError {
    fn from(e: RoutingError) -> Self {
        match e {
            RoutingError::Invalid(fields) => WebError::BadRequest(fields.to_string()),
            RoutingError::NotFound(_) => WebError::NotFound,
            RoutingError::Stale => WebError::Conflict(e.to_string()),
            RoutingError::Corrupt(why) => WebError::Internal(why),
            RoutingError::Store(e) => e.into(),
        }
    }
}

/// An API failure that keeps per-field messages: `{"error": "...", "fields": {"name": "..."}}`.
pub struct FlowsApiError(RoutingError);

impl From<RoutingError> for FlowsApiError {
    fn from(e: RoutingError) -> Self {
        Self(e)
    }
}

impl From<FieldErrors> for FlowsApiError {
    fn from(e: FieldErrors) -> Self {
        Self(RoutingError::Invalid(e))
    }
}

impl From<crate::store::StoreError> for FlowsApiError {
    fn from(e: crate::store::StoreError) -> Self {
        Self(RoutingError::Store(e))
    }
}

impl IntoResponse for FlowsApiError {
    fn into_response(self) -> Response {
        match self.0 {
            RoutingError::Invalid(fields) => {
                let body = serde_json::json!({ "error": fields.to_string(), "fields": fields });
                (StatusCode::BAD_REQUEST, Json(body)).into_response()
            }
            other => ApiError(WebError::from(other)).into_response(),
        }
    }
}

/// What a failed form post shows: per-field messages, or one message for the whole form.
pub(super) fn form_errors(e: RoutingError) -> Result<(StatusCode, FieldErrors), WebError> {
    match e {
        RoutingError::Invalid(fields) => Ok((StatusCode::BAD_REQUEST, fields)),
        RoutingError::Stale => Ok((StatusCode::CONFLICT, FieldErrors::one("form", e.to_string()))),
        other => Err(other.into()),
    }
}
