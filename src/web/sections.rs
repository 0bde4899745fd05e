//! The console's home: `/` opens the Music on Hold section, the one admins come for.

use super::AppState;
use super::extract::Viewer;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(|_: Viewer| async { Redirect::to("/moh") }))
}
