//! The console's stylesheet and script, compiled into the binary so Ringside serves them itself (PBX
//! networks are often offline; no CDN) whatever the working directory.

use super::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const CSS: &str = include_str!("../../web/static/ringside.css");
const JS: &str = include_str!("../../web/static/ringside.js");
const SERVERS_JS: &str = include_str!("../../web/static/servers.js");
const MOH_JS: &str = include_str!("../../web/static/moh.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/ringside.css", get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route("/static/ringside.js", get(|| async { asset("text/javascript; charset=utf-8", JS) }))
        .route("/static/servers.js", get(|| async { asset("text/javascript; charset=utf-8", SERVERS_JS) }))
        .route("/static/moh.js", get(|| async { asset("text/javascript; charset=utf-8", MOH_JS) }))
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}
