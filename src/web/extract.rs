//! Who is asking, and may they: the authentication middleware and the role extractors.
//!
//! [`authenticate`] resolves the session cookie or `Authorization: Bearer` token once per request and
//! stores the [`Principal`] (or its absence) in the request extensions. Handlers then ask for
//! [`Viewer`] (any signed-in user) or [`Admin`]; a missing principal becomes a redirect to the login
//! page for pages and a 401 for the API, a viewer asking for an admin route gets a 403.

use super::AppState;
use super::cookies;
use super::error::{ApiError, WebError, is_api};
use crate::auth::session::{self, COOKIE, Principal};
use crate::auth::{Role, tokens};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// The request's principal as resolved by [`authenticate`].
#[derive(Clone)]
pub struct Resolved(pub Option<Principal>);

/// Resolve the principal of every request.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let principal = match resolve(&state, request.headers()).await {
        Ok(p) => p,
        Err(e) => {
            let error = WebError::from(e);
            return if is_api(request.uri()) {
                ApiError(error).into_response()
            } else {
                error.into_response()
            };
        }
    };
    request.extensions_mut().insert(Resolved(principal));
    next.run(request).await
}

async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Principal>, crate::store::StoreError> {
    let store = state.store.as_ref();
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        let Some(token) = tokens::resolve(store, bearer.trim()).await? else { return Ok(None) };
        let Ok(role) = Role::parse(&token.role) else { return Ok(None) };
        return Ok(Some(Principal {
            user_id: None,
            name: format!("token:{}", token.name),
            role,
            csrf_token: None,
            session_hash: None,
        }));
    }
    let Some(cookie) = cookies::get(headers, COOKIE) else { return Ok(None) };
    let Some((session, user)) = session::resolve(store, state.session_policy(), cookie).await? else {
        return Ok(None);
    };
    let Ok(role) = Role::parse(&user.role) else { return Ok(None) };
    Ok(Some(Principal {
        user_id: Some(user.id),
        name: user.username,
        role,
        csrf_token: Some(session.csrf_token),
        session_hash: Some(session.id_hash),
    }))
}

/// Any signed-in user (admin or viewer).
pub struct Viewer(pub Principal);

/// A signed-in admin.
pub struct Admin(pub Principal);

/// Why a role extractor refused.
pub enum Refusal {
    SignIn { api: bool, next: String },
    Forbidden { api: bool },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::SignIn { api: true, .. } => ApiError(WebError::Unauthorized).into_response(),
            Refusal::SignIn { api: false, next } => {
                let next: String = url_encode(&next);
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
            Refusal::Forbidden { api } => {
                let e = WebError::Forbidden("this needs the admin role".into());
                if api { ApiError(e).into_response() } else { e.into_response() }
            }
        }
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn principal(parts: &Parts) -> Result<Principal, Refusal> {
    match parts.extensions.get::<Resolved>() {
        Some(Resolved(Some(p))) => Ok(p.clone()),
        _ => Err(Refusal::SignIn {
            api: is_api(&parts.uri),
            next: parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default(),
        }),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Refusal> {
        principal(parts).map(Viewer)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Refusal> {
        let p = principal(parts)?;
        if p.role == Role::Admin { Ok(Admin(p)) } else { Err(Refusal::Forbidden { api: is_api(&parts.uri) }) }
    }
}

/// The client's address as the audit log and throttle see it.
#[derive(Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
        Ok(ClientAddr(addr))
    }
}

impl Principal {
    /// This principal as an audit actor.
    pub fn actor(&self, addr: ClientAddr) -> crate::audit::Actor {
        crate::audit::Actor { name: self.name.clone(), source: addr.0.to_string() }
    }
}
