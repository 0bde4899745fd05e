//! The test hold on a category page (`POST /moh/{name}/test-hold`): an admin picks an enabled
//! Asterisk server and a destination (`exten@context`), and the page shows whether Asterisk really
//! started *this* category's class (AMI `MusicOnHoldStart` with that class), in words.
//!
//! Owns: the form, the panel it re-shows and the status of the answer. Must not: place the call
//! or audit — [`crate::web::servers::test_hold`] (shared with the servers page and the API) does
//! both, so every entry point behaves and is audited the same way.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::category_page;
use crate::asterisk::push::{TestHoldError, TestHoldReport, TestHoldRequest};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::extract::{Admin, ClientAddr};

/// The test-hold form as submitted.
#[derive(Debug, Deserialize)]
pub struct TestHoldForm {
    #[serde(default)]
    server: String,
    #[serde(default)]
    destination: String,
}

/// The test-hold disclosure as the category page shows it: what was typed, and the outcome.
#[derive(Debug, Default)]
pub struct TestHoldPanel {
    /// The server chosen last (pre-selected on re-render).
    pub server: String,
    /// The destination typed last (kept on re-render).
    pub destination: String,
    /// Asterisk's answer: started or not, with the report's message.
    pub report: Option<TestHoldReport>,
    /// Why no test call was placed (bad input, server not configured for it, Asterisk refused).
    pub error: Option<String>,
}

impl TestHoldPanel {
    /// Whether the disclosure opens by itself (there is something to show next to the form).
    pub fn open(&self) -> bool {
        self.report.is_some() || self.error.is_some()
    }
}

/// Runs the test hold and re-renders the category page with the result.
pub async fn test_hold(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(form): Form<TestHoldForm>,
) -> Response {
    // Nothing is placed for a category that does not exist: its page would be a 404 anyway.
    if let Err(e) = state.moh.category(&name).await {
        return WebError::from(e).into_response();
    }
    let request =
        TestHoldRequest { class: name.clone(), destination: form.destination.clone(), listen_secs: None };
    let result = crate::web::servers::test_hold(&state, &admin, addr, &form.server, &request).await;
    let (status, report, error) = match result {
        Ok(report) => (StatusCode::OK, Some(report), None),
        // The shared function answers 404 for an unknown server; here that is a bad form field.
        Err(WebError::NotFound) => (
            StatusCode::BAD_REQUEST,
            None,
            Some(TestHoldError::UnknownServer(form.server.clone()).to_string()),
        ),
        Err(e) if e.status().is_client_error() => (e.status(), None, Some(e.to_string())),
        Err(e) => return e.into_response(),
    };
    let panel = TestHoldPanel { server: form.server, destination: form.destination, report, error };
    match category_page(&state, &admin.0, &name, None, None, Vec::new()).await {
        Ok(mut page) => {
            page.test_hold = panel;
            (status, page).into_response()
        }
        Err(e) => e.into_response(),
    }
}
