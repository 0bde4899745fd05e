//! The Users page and `/api/v1/users`: admins add, remove, reset passwords and change roles.

use super::AppState;
use super::chrome::Chrome;
use super::error::{ApiError, WebError};
use super::extract::{Admin, ClientAddr};
use crate::auth::{Password, Role, Username, accounts};
use crate::store::UserRow;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(page).post(add_form))
        .route("/users/{name}/role", post(role_form))
        .route("/users/{name}/password", post(password_form))
        .route("/users/{name}/remove", post(remove_form))
        .route("/api/v1/users", get(api_list).post(api_add))
        .route("/api/v1/users/{name}", axum::routing::patch(api_update).delete(api_remove))
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    done: Option<String>,
}

async fn render(
    state: &AppState,
    admin: &Admin,
    notice: Option<String>,
    error: Option<String>,
) -> Result<UsersPage, WebError> {
    Ok(UsersPage {
        chrome: Chrome::new(&admin.0, "/users"),
        users: state.store.list_users().await?,
        notice,
        error,
    })
}

async fn page(
    State(state): State<AppState>,
    admin: Admin,
    Query(flash): Query<Flash>,
) -> Result<UsersPage, WebError> {
    let notice = flash
        .done
        .map(|d| match d.as_str() {
            "added" => "User added.".to_string(),
            "role" => "Role changed; that user must sign in again.".to_string(),
            "password" => "Password changed; that user must sign in again.".to_string(),
            "removed" => "User removed.".to_string(),
            _ => String::new(),
        })
        .filter(|n| !n.is_empty());
    render(&state, &admin, notice, None).await
}

/// Re-render the page with the error next to the forms, keeping the HTTP status honest.
async fn page_error(state: &AppState, admin: &Admin, error: WebError) -> Response {
    let status = error.status();
    if status.is_server_error() {
        return error.into_response();
    }
    match render(state, admin, None, Some(error.to_string())).await {
        Ok(page) => (status, page).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct AddUser {
    username: String,
    role: String,
    password: String,
}

async fn add(
    state: &AppState,
    admin: &Admin,
    addr: ClientAddr,
    input: &AddUser,
) -> Result<UserRow, WebError> {
    let username = Username::parse(input.username.trim())?;
    let role = Role::parse(&input.role)?;
    let password = Password::parse(&input.password)?;
    let actor = admin.0.actor(addr);
    Ok(accounts::add(state.store.as_ref(), &state.hasher, &actor, &username, role, &password).await?)
}

/// After a form post: back to the page with a notice, or the page again with the error.
async fn after_form(state: &AppState, admin: &Admin, result: Result<(), WebError>, done: &str) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/users?done={done}")).into_response(),
        Err(e) => page_error(state, admin, e).await,
    }
}

async fn add_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Form(input): Form<AddUser>,
) -> Response {
    let result = add(&state, &admin, addr, &input).await.map(drop);
    after_form(&state, &admin, result, "added").await
}

#[derive(Deserialize)]
pub struct RoleInput {
    role: String,
}

async fn role_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(input): Form<RoleInput>,
) -> Response {
    let result = async {
        let role = Role::parse(&input.role)?;
        Ok(accounts::set_role(state.store.as_ref(), &admin.0.actor(addr), &name, role).await?)
    };
    after_form(&state, &admin, result.await, "role").await
}

#[derive(Deserialize)]
pub struct PasswordInput {
    password: String,
}

async fn password_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(input): Form<PasswordInput>,
) -> Response {
    let result = async {
        let password = Password::parse(&input.password)?;
        let actor = admin.0.actor(addr);
        Ok(accounts::set_password(state.store.as_ref(), &state.hasher, &actor, &name, &password).await?)
    };
    after_form(&state, &admin, result.await, "password").await
}

async fn remove_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Response {
    let result = accounts::remove(state.store.as_ref(), &admin.0.actor(addr), &name).await;
    after_form(&state, &admin, result.map_err(WebError::from), "removed").await
}

async fn api_list(State(state): State<AppState>, _admin: Admin) -> Result<Json<Vec<UserRow>>, ApiError> {
    Ok(Json(state.store.list_users().await?))
}

async fn api_add(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Json(input): Json<AddUser>,
) -> Result<(StatusCode, Json<UserRow>), ApiError> {
    let user = add(&state, &admin, addr, &input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    role: Option<String>,
    password: Option<String>,
}

async fn api_update(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Json(input): Json<UpdateUser>,
) -> Result<StatusCode, ApiError> {
    let actor = admin.0.actor(addr);
    let store = state.store.as_ref();
    if let Some(role) = &input.role {
        let role = Role::parse(role).map_err(WebError::from)?;
        accounts::set_role(store, &actor, &name, role).await?;
    }
    if let Some(password) = &input.password {
        let password = Password::parse(password).map_err(WebError::from)?;
        accounts::set_password(store, &state.hasher, &actor, &name, &password).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn api_remove(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    accounts::remove(state.store.as_ref(), &admin.0.actor(addr), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
