//! The console's home and the sections whose areas are still being built (Calls, Asterisk
//! servers): each shows what it will hold and how to get there today, never fake data.

use super::AppState;
use super::chrome::Chrome;
use super::extract::Viewer;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|_: Viewer| async { Redirect::to("/moh") }))
        .route("/calls", get(|Viewer(p): Viewer| async move { section(&p, "/calls") }))
        .route("/servers", get(|Viewer(p): Viewer| async move { section(&p, "/servers") }))
}

#[derive(Template, WebTemplate)]
#[template(path = "section.html")]
struct SectionPage {
    chrome: Chrome,
    title: &'static str,
    summary: &'static str,
}

fn section(p: &crate::auth::session::Principal, path: &'static str) -> SectionPage {
    let (title, summary) = match path {
        "/calls" => (
            "Calls",
            "Call detail records collected from Asterisk will be searchable here. No records have been collected yet.",
        ),
        _ => (
            "Asterisk servers",
            "The Asterisk servers Ringside pushes to, with their connection state, will be listed here. None is configured yet.",
        ),
    };
    SectionPage { chrome: Chrome::new(p, path), title, summary }
}
