//! The web console and JSON API: routing, shared state and the layers every request passes through.
//!
//! Handlers are thin: they parse the request into typed values, call the area module that decides, and
//! render a template or JSON. Each area exposes `fn router() -> Router<AppState>`.
//!
//! Layers, outermost first: security headers → time limit (longer for uploads) → header-size limit →
//! body limit → status metrics → authentication (who is asking, from cookie or bearer token) → CSRF
//! (state-changing requests only).
//! Authorisation (which role a route needs) is in the extractors of [`extract`], so no handler can
//! forget it: a handler without an extractor argument is public.

pub mod assets;
pub mod audit;
pub mod calls;
pub mod chrome;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod flows;
pub mod login;
pub mod moh;
pub mod ops;
pub mod sections;
pub mod servers;
pub mod servers_admin;
pub mod servers_api;
pub mod servers_openapi;
pub mod users;

use crate::auth::password::Hasher;
use crate::auth::session::SessionPolicy;
use crate::auth::setup::SetupGate;
use crate::auth::throttle::LoginThrottle;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// Everything handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub hasher: Hasher,
    pub throttle: Arc<LoginThrottle>,
    pub setup: Arc<SetupGate>,
    pub metrics: Arc<Metrics>,
    /// Bumped after every committed Music on Hold change; the push to Asterisk servers watches it
    /// (a burst of changes is seen as one new value, so deploys coalesce).
    pub moh_changes: Arc<tokio::sync::watch::Sender<u64>>,
    /// Call records: collector status, cursor key and the MoH decision hook.
    pub cdr: Arc<calls::CdrState>,
    /// Call routing: the rule book the FastAGI server decides from, and its decision log.
    pub routing: Arc<crate::routing::Routing>,
    /// The push to Asterisk servers: state, "Apply now", live holds, test hold.
    pub push: Arc<crate::asterisk::push::PushHub>,
    /// Music on Hold categories, files and the generated config.
    pub moh: Arc<crate::moh::Moh>,
}

impl AppState {
    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy { idle: self.config.session_idle(), absolute: self.config.session_absolute() }
    }
}

/// Content-Security-Policy: no inline script or style, nothing from other origins, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.web.max_body_bytes;
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ];
    let mut app = Router::new()
        .merge(login::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(calls::router())
        .merge(flows::router())
        .merge(sections::router())
        .merge(servers::router())
        .merge(servers_admin::router())
        .merge(servers_api::router())
        .merge(moh::router(state.config.moh.max_upload_bytes))
        .merge(ops::router())
        .merge(assets::router())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::enforce))
        .layer(axum::middleware::from_fn_with_state(state.clone(), extract::authenticate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::count_status))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(ops::limit_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::time_limit))
        .with_state(state);
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    app
}
