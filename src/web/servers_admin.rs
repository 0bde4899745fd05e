//! Adding, editing, disabling and deleting console-managed Asterisk servers: the form pages and
//! the audited operations the JSON API shares.
//!
//! Thin: `asterisk::push::registry` checks every value, stores and restarts; this module renders
//! forms (with each message next to its field), audits every attempt (field names, never values)
//! and redirects. Secrets are never put into a page: the form only says whether one is set.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::AppState;
use super::chrome::Chrome;
use super::error::WebError;
use super::extract::{Admin, ClientAddr};
use crate::asterisk::push::{ServerError, ServerInput, ServerSettings};
use crate::audit::{self, Outcome};
use crate::moh::model::FieldErrors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/servers/new", get(new_page).post(add_form))
        .route("/servers/{name}/edit", get(edit_page).post(edit_form))
        .route("/servers/{name}/enabled", post(enabled_form))
        .route("/servers/{name}/delete", post(delete_form))
}

impl From<ServerError> for WebError {
    fn from(e: ServerError) -> Self {
        match e {
            ServerError::Invalid(_) => WebError::BadRequest(e.to_string()),
            ServerError::NotFound(_) => WebError::NotFound,
            ServerError::ReadOnly(_) | ServerError::Exists(_) => WebError::Conflict(e.to_string()),
            ServerError::Store(e) => e.into(),
        }
    }
}

/// Audits an attempt on `name` with its outcome; `detail` names fields, never values.
async fn audited<T>(
    state: &AppState,
    admin: &Admin,
    addr: ClientAddr,
    action: &str,
    name: &str,
    result: Result<T, ServerError>,
    detail: impl FnOnce(&T) -> String,
) -> Result<T, ServerError> {
    let (outcome, text) = match &result {
        Ok(value) => (Outcome::Success, detail(value)),
        Err(e) => (Outcome::Failure, e.to_string()),
    };
    audit::record(state.store.as_ref(), &admin.0.actor(addr), action, name, outcome, &text).await;
    result
}

/// Adds a server (shared with the API).
pub async fn add(
    state: &AppState,
    admin: &Admin,
    addr: ClientAddr,
    input: &ServerInput,
) -> Result<ServerSettings, ServerError> {
    let name = input.name.clone().unwrap_or_default();
    let result = state.push.add_server(input).await;
    audited(state, admin, addr, "server.add", name.escape_debug().to_string().as_str(), result, |s| {
        format!("enabled={}", s.enabled)
    })
    .await
}

/// Changes a server (shared with the API); enabling and disabling are audited as such.
pub async fn edit(
    state: &AppState,
    admin: &Admin,
    addr: ClientAddr,
    name: &str,
    input: &ServerInput,
) -> Result<(), ServerError> {
    let action = match input.only_enabled() {
        Some(true) => "server.enable",
        Some(false) => "server.disable",
        None => "server.edit",
    };
    let result = state.push.edit_server(name, input).await;
    let object = name.escape_debug().to_string();
    audited(state, admin, addr, action, &object, result, |c| format!("changed: {}", c.fields.join(", ")))
        .await
        .map(|_| ())
}

/// Deletes a server (shared with the API).
pub async fn delete(
    state: &AppState,
    admin: &Admin,
    addr: ClientAddr,
    name: &str,
) -> Result<(), ServerError> {
    let result = state.push.delete_server(name).await;
    let object = name.escape_debug().to_string();
    audited(state, admin, addr, "server.delete", &object, result, |()| String::new()).await
}

/// The form's values as text (never a secret) and what the page says about the secrets.
#[derive(Default)]
pub struct FormValues {
    values: BTreeMap<String, String>,
    pub enabled: bool,
    pub ari_password_set: bool,
    pub ami_secret_set: bool,
}

impl FormValues {
    pub fn v(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn of(s: &ServerSettings) -> Self {
        let pairs = [
            ("name", Some(s.name.clone())),
            ("ari_url", s.ari_url.clone()),
            ("ari_user", s.ari_user.clone()),
            ("ami_host", s.ami_host.clone()),
            ("ami_port", Some(s.ami_port.to_string())),
            ("ami_user", s.ami_user.clone()),
            ("moh_root", s.moh_root.clone()),
            ("conf_path", s.conf_path.clone()),
            ("cdr_csv_path", s.cdr_csv_path.clone()),
            ("cdr_timezone", s.cdr_timezone.clone()),
        ];
        let values = pairs.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))).collect();
        Self {
            values,
            enabled: s.enabled,
            ari_password_set: s.ari_password_set,
            ami_secret_set: s.ami_secret_set,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "server_form.html")]
struct ServerFormPage {
    chrome: Chrome,
    /// `None` when adding.
    editing: Option<String>,
    /// Where the form posts to (this page).
    action: String,
    form: FormValues,
    fields: FieldErrors,
    error: Option<String>,
}

impl ServerFormPage {
    fn field(&self, name: &str) -> &str {
        self.fields.get(name).unwrap_or("")
    }
}

const SECRETS: [&str; 2] = ["ari_password", "ami_secret"];

/// Reads the submitted form into a [`ServerInput`] (the same type the JSON API takes, so the same
/// rules apply) and the values to show again if it is refused (secrets dropped).
fn parse_form(
    pairs: Vec<(String, String)>,
    previous: Option<&ServerSettings>,
) -> (Result<ServerInput, ServerError>, FormValues) {
    let mut json = serde_json::Map::new();
    json.insert("enabled".into(), false.into());
    let mut shown = previous.map(FormValues::of).unwrap_or_default();
    for (key, value) in pairs {
        match key.as_str() {
            "csrf" => {}
            "enabled" => {
                json.insert(key, (value == "true").into());
            }
            _ => {
                if !SECRETS.contains(&key.as_str()) {
                    shown.values.insert(key.clone(), value.clone());
                }
                json.insert(key, value.into());
            }
        }
    }
    shown.enabled = json.get("enabled").and_then(serde_json::Value::as_bool).unwrap_or(false);
    let input = serde_json::from_value(serde_json::Value::Object(json))
        .map_err(|e| ServerError::Invalid(FieldErrors(vec![("form", e.to_string())])));
    (input, shown)
}

fn form_page(
    admin: &Admin,
    editing: Option<String>,
    form: FormValues,
    error: Option<ServerError>,
) -> Response {
    let path = editing.as_ref().map_or("/servers/new".to_owned(), |n| format!("/servers/{n}/edit"));
    let (status, fields, message) = match error {
        None => (StatusCode::OK, FieldErrors::default(), None),
        Some(ServerError::Invalid(fields)) => (StatusCode::BAD_REQUEST, fields, None),
        Some(ServerError::Exists(n)) => {
            let message = ServerError::Exists(n).to_string();
            (StatusCode::CONFLICT, FieldErrors(vec![("name", message)]), None)
        }
        Some(other) => {
            let message = other.to_string();
            (WebError::from(other).status(), FieldErrors::default(), Some(message))
        }
    };
    let page = ServerFormPage {
        chrome: Chrome::new(&admin.0, &path),
        editing,
        action: path,
        form,
        fields,
        error: message,
    };
    (status, page).into_response()
}

async fn new_page(admin: Admin) -> Response {
    let form = FormValues { enabled: true, ..FormValues::default() };
    form_page(&admin, None, form, None)
}

async fn add_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (input, shown) = parse_form(pairs, None);
    let result = match input {
        Ok(input) => add(&state, &admin, addr, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/servers?done=added").into_response(),
        Err(e) => form_page(&admin, None, shown, Some(e)),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    admin: Admin,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let settings = state.push.server_settings(&name).ok_or(WebError::NotFound)?;
    if settings.origin != crate::asterisk::push::Origin::Console {
        return Err(ServerError::ReadOnly(name).into());
    }
    Ok(form_page(&admin, Some(name), FormValues::of(&settings), None))
}

async fn edit_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let previous = state.push.server_settings(&name);
    let (input, shown) = parse_form(pairs, previous.as_ref());
    let result = match input {
        Ok(input) => edit(&state, &admin, addr, &name, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/servers?done=saved").into_response(),
        Err(e @ (ServerError::NotFound(_) | ServerError::ReadOnly(_))) => WebError::from(e).into_response(),
        Err(e) => form_page(&admin, Some(name), shown, Some(e)),
    }
}

#[derive(serde::Deserialize)]
struct EnabledForm {
    enabled: bool,
}

async fn enabled_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(form): Form<EnabledForm>,
) -> Result<Redirect, WebError> {
    let input = ServerInput { enabled: Some(form.enabled), ..ServerInput::default() };
    edit(&state, &admin, addr, &name, &input).await?;
    Ok(Redirect::to(if form.enabled { "/servers?done=enabled" } else { "/servers?done=disabled" }))
}

async fn delete_form(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Result<Redirect, WebError> {
    delete(&state, &admin, addr, &name).await?;
    Ok(Redirect::to("/servers?done=deleted"))
}
