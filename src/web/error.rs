//! How failures reach the browser or the API client: a status code and a message meant for the admin.
//!
//! 5xx responses are logged with their cause and show only a generic message; 4xx responses say
//! exactly what was wrong. Pages get an HTML page, `/api/` routes get `{"error": "..."}`.

use crate::auth::accounts::AccountsError;
use crate::store::StoreError;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in to continue")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    TooManyRequests { message: String, retry_after_secs: u64 },
    #[error("internal error")]
    Internal(String),
    /// Any other 4xx an area needs (413, 415, 422): the status and the admin's message.
    #[error("{1}")]
    Status(StatusCode, String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::Status(status, _) => *status,
        }
    }

    fn log(&self) {
        if let WebError::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            WebError::TooManyRequests { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => WebError::Conflict(format!("{what} already exists")),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<crate::auth::AccountError> for WebError {
    fn from(e: crate::auth::AccountError) -> Self {
        WebError::BadRequest(e.to_string())
    }
}

impl From<crate::moh::MohError> for WebError {
    fn from(e: crate::moh::MohError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            WebError::Internal(e.to_string())
        } else {
            WebError::Status(status, e.to_string())
        }
    }
}

impl From<AccountsError> for WebError {
    fn from(e: AccountsError) -> Self {
        match e {
            AccountsError::Invalid(e) => WebError::BadRequest(e.to_string()),
            AccountsError::Exists(_) | AccountsError::LastAdmin(_) => WebError::Conflict(e.to_string()),
            AccountsError::NoSuchUser(_) => WebError::NotFound,
            AccountsError::Hash(e) => WebError::Internal(e.to_string()),
            AccountsError::Store(e) => e.into(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let page = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            message: self.to_string(),
        };
        let mut response = (status, page).into_response();
        add_retry_after(&mut response, self.retry_after());
        response
    }
}

/// The same errors, as JSON for `/api/` routes.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = serde_json::json!({ "error": self.0.to_string() });
        let mut response = (self.0.status(), Json(body)).into_response();
        add_retry_after(&mut response, self.0.retry_after());
        response
    }
}

fn add_retry_after(response: &mut Response, secs: Option<u64>) {
    if let Some(secs) = secs {
        response.headers_mut().insert(header::RETRY_AFTER, secs.into());
    }
}

/// Whether a path belongs to the JSON API.
pub fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

/// The fallback for unknown routes.
pub async fn not_found(uri: Uri) -> Response {
    if is_api(&uri) {
        ApiError(WebError::NotFound).into_response()
    } else {
        WebError::NotFound.into_response()
    }
}
