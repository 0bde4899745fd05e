//! Signing in and out, and the first-run setup page.
//!
//! Every attempt is audited and counted; a failed one always gets the same message whether the user
//! exists or not; the throttle slows repeated failures per account and per address. A successful
//! sign-in always issues a new session ID (any session the browser already had is ended).

use super::AppState;
use super::cookies;
use super::csrf::PRE_SESSION_COOKIE;
use super::error::WebError;
use super::extract::{ClientAddr, Resolved, Viewer};
use crate::audit::{self, Actor, Outcome};
use crate::auth::session::{self, COOKIE};
use crate::auth::{Password, Role, Username, accounts, random_token};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json, Router};
use serde::Deserialize;
use std::sync::atomic::Ordering;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/setup", get(setup_page).post(setup))
        .route("/api/v1/me", get(me))
}

const INVALID: &str = "Invalid username or password.";

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    setup_open: bool,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// The CSRF token for the sign-in and setup forms: the session's when the browser is already signed
/// in (the CSRF check expects it then), else the `rs_csrf` cookie, or a new one to set.
fn form_token(resolved: &Resolved, headers: &HeaderMap) -> (String, bool) {
    if let Some(token) = resolved.0.as_ref().and_then(|p| p.csrf_token.clone()) {
        return (token, false);
    }
    match cookies::get(headers, PRE_SESSION_COOKIE) {
        Some(v) if !v.is_empty() && v.len() <= 64 => (v.to_string(), false),
        _ => (random_token(24), true),
    }
}

fn with_pre_session_cookie(state: &AppState, page: impl IntoResponse, token: &str, new: bool) -> Response {
    let mut response = page.into_response();
    if new {
        let cookie = cookies::set(PRE_SESSION_COOKIE, token, state.config.secure_cookies(), None);
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Only local paths, so the login form cannot be turned into an open redirect.
fn safe_next(next: &str) -> String {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if local && !next.starts_with("/login") { next.to_string() } else { "/".to_string() }
}

async fn login_page(
    State(state): State<AppState>,
    Extension(resolved): Extension<Resolved>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let (csrf, new) = form_token(&resolved, &headers);
    let page = LoginPage {
        csrf: csrf.clone(),
        next: safe_next(&q.next),
        username: String::new(),
        error: None,
        setup_open: state.setup.is_open(),
    };
    with_pre_session_cookie(&state, page, &csrf, new)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    Extension(resolved): Extension<Resolved>,
    Form(form): Form<LoginForm>,
) -> Response {
    let store = state.store.as_ref();
    let typed: String = form.username.trim().chars().take(64).collect::<String>().to_lowercase();
    let actor = Actor { name: typed.clone(), source: addr.0.to_string() };
    let fail = |status, message: String| {
        let page = LoginPage {
            csrf: form.csrf.clone(),
            next: safe_next(&form.next),
            username: typed.clone(),
            error: Some(message),
            setup_open: state.setup.is_open(),
        };
        (status, page).into_response()
    };

    if let Some(wait) = state.throttle.wait_time(&typed, addr.0) {
        state.metrics.logins_throttled.fetch_add(1, Ordering::Relaxed);
        audit::record(store, &actor, "login", &typed, Outcome::Denied, "throttled").await;
        let secs = wait.as_secs().max(1);
        let mut response = fail(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed attempts. Try again in {secs} seconds."),
        );
        response.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return response;
    }

    let user = match store.user_by_name(&typed).await {
        Ok(user) => user,
        Err(e) => return WebError::from(e).into_response(),
    };
    let verified =
        match state.hasher.verify(&form.password, user.as_ref().map(|u| u.password_hash.clone())).await {
            Ok(ok) => ok,
            Err(e) => return WebError::Internal(e.to_string()).into_response(),
        };
    let Some(user) = user.filter(|_| verified) else {
        state.throttle.record_failure(&typed, addr.0);
        state.metrics.logins_failed.fetch_add(1, Ordering::Relaxed);
        audit::record(store, &actor, "login", &typed, Outcome::Failure, "invalid credentials").await;
        return fail(axum::http::StatusCode::UNAUTHORIZED, INVALID.into());
    };

    state.throttle.record_success(&typed, addr.0);
    state.metrics.logins_succeeded.fetch_add(1, Ordering::Relaxed);
    if let Some(old) = resolved.0.and_then(|p| p.session_hash) {
        let _ = session::end(store, &old).await;
    }
    match start_session(&state, user.id, addr).await {
        Ok(cookie) => {
            audit::record(store, &actor, "login", &typed, Outcome::Success, "").await;
            let mut response = Redirect::to(&safe_next(&form.next)).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => e.into_response(),
    }
}

async fn start_session(
    state: &AppState,
    user_id: i64,
    addr: ClientAddr,
) -> Result<axum::http::HeaderValue, WebError> {
    let id = session::start(state.store.as_ref(), user_id, &addr.0.to_string()).await?;
    Ok(cookies::set(COOKIE, &id, state.config.secure_cookies(), None))
}

async fn logout(State(state): State<AppState>, addr: ClientAddr, Viewer(p): Viewer) -> Response {
    if let Some(hash) = &p.session_hash {
        if let Err(e) = session::end(state.store.as_ref(), hash).await {
            return WebError::from(e).into_response();
        }
        audit::record(state.store.as_ref(), &p.actor(addr), "logout", &p.name, Outcome::Success, "").await;
    }
    let mut response = Redirect::to("/login").into_response();
    let clear = cookies::set(COOKIE, "", state.config.secure_cookies(), Some(0));
    response.headers_mut().append(header::SET_COOKIE, clear);
    response
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    csrf: String,
    username: String,
    error: Option<String>,
}

async fn setup_page(
    State(state): State<AppState>,
    Extension(resolved): Extension<Resolved>,
    headers: HeaderMap,
) -> Response {
    if !setup_still_open(&state).await {
        return Redirect::to("/login").into_response();
    }
    let (csrf, new) = form_token(&resolved, &headers);
    let page = SetupPage { csrf: csrf.clone(), username: String::new(), error: None };
    with_pre_session_cookie(&state, page, &csrf, new)
}

/// The gate is open only while no admin exists (one may have been added from the command line).
async fn setup_still_open(state: &AppState) -> bool {
    if !state.setup.is_open() {
        return false;
    }
    match state.store.count_admins().await {
        Ok(0) => true,
        Ok(_) => {
            state.setup.close();
            false
        }
        Err(_) => false,
    }
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    csrf: String,
}

async fn setup(State(state): State<AppState>, addr: ClientAddr, Form(form): Form<SetupForm>) -> Response {
    if !setup_still_open(&state).await {
        return WebError::Forbidden("setup is closed: an admin already exists".into()).into_response();
    }
    let store = state.store.as_ref();
    let actor = Actor { name: "setup".into(), source: addr.0.to_string() };
    let fail = |status: axum::http::StatusCode, message: String| {
        let page =
            SetupPage { csrf: form.csrf.clone(), username: form.username.clone(), error: Some(message) };
        (status, page).into_response()
    };
    if let Some(wait) = state.throttle.wait_time("(setup)", addr.0) {
        let secs = wait.as_secs().max(1);
        return fail(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            format!("Too many attempts. Try again in {secs} seconds."),
        );
    }
    if !state.setup.check(form.token.trim()) {
        state.throttle.record_failure("(setup)", addr.0);
        audit::record(store, &actor, "setup", "first admin", Outcome::Failure, "wrong setup token").await;
        return fail(axum::http::StatusCode::FORBIDDEN, "That setup token is not valid.".into());
    }
    let username = match Username::parse(form.username.trim()) {
        Ok(u) => u,
        Err(e) => return fail(axum::http::StatusCode::BAD_REQUEST, e.to_string()),
    };
    if form.password != form.confirm {
        return fail(axum::http::StatusCode::BAD_REQUEST, "The two passwords differ.".into());
    }
    let password = match Password::parse(&form.password) {
        Ok(p) => p,
        Err(e) => return fail(axum::http::StatusCode::BAD_REQUEST, e.to_string()),
    };
    let user = match accounts::add(store, &state.hasher, &actor, &username, Role::Admin, &password).await {
        Ok(user) => user,
        Err(e) => return WebError::from(e).into_response(),
    };
    state.setup.close();
    tracing::info!(user = %username, "first admin created through the setup page; setup token retired");
    match start_session(&state, user.id, addr).await {
        Ok(cookie) => {
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Serialize)]
struct Me {
    name: String,
    role: Role,
}

async fn me(Viewer(p): Viewer) -> Json<Me> {
    Json(Me { name: p.name, role: p.role })
}
