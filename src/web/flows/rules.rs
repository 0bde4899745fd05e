//! `/flows`: the ordered rule list, add/edit/delete/reorder, and the book settings (fallback class).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::super::AppState;
use super::super::chrome::Chrome;
use super::super::error::WebError;
use super::super::extract::{Admin, ClientAddr, Viewer};
use super::editor::{self, Editor};
use super::form_errors;
use crate::auth::session::Principal;
use crate::flows::{Rule, RuleBookSpec};
use crate::routing::FieldErrors;
use crate::routing::edits::SettingsInput;
use crate::routing::input::RuleInput;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/flows", get(page).post(editor::add::<RulesPage>))
        .route("/flows/rules/{name}", get(editor::edit_page::<RulesPage>).post(editor::update::<RulesPage>))
        .route("/flows/rules/{name}/delete", post(editor::delete::<RulesPage>))
        .route("/flows/rules/{name}/move", post(move_rule))
        .route("/flows/settings", post(settings))
}

/// One row of the rule table.
pub struct RuleRow {
    pub name: String,
    pub when: String,
    pub class: String,
    pub first: bool,
    pub last: bool,
}

/// Conditions in a line an admin can scan.
pub fn summary(rule: &Rule) -> String {
    let w = &rule.when;
    let mut parts = Vec::new();
    if let Some(p) = &w.dialled {
        parts.push(format!("dialled {p}"));
    }
    if let Some(p) = &w.caller {
        parts.push(format!("caller {p}"));
    }
    let texts = [("queue", &w.queue), ("context", &w.context), ("account code", &w.account_code)];
    parts.extend(texts.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}"))));
    if let Some(s) = &w.schedule {
        parts.push(format!("schedule {} is {}", s.name, s.state));
    }
    if let Some(a) = &w.active {
        parts.push(format!("between {} and {}", a.from, a.to));
    }
    if parts.is_empty() { "every call".to_owned() } else { parts.join(" · ") }
}

#[derive(Template, WebTemplate)]
#[template(path = "flows_rules.html")]
struct RulesPage {
    chrome: Chrome,
    rules: Vec<RuleRow>,
    schedules: Vec<String>,
    editing: Option<String>,
    form: RuleInput,
    errors: FieldErrors,
    settings: SettingsInput,
    settings_errors: FieldErrors,
    notice: Option<String>,
}

impl RulesPage {
    fn new(principal: &Principal, spec: &RuleBookSpec) -> Self {
        let n = spec.rules.len();
        Self {
            chrome: Chrome::new(principal, "/flows"),
            rules: spec
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| RuleRow {
                    name: r.name.clone(),
                    when: summary(r),
                    class: r.class.to_string(),
                    first: i == 0,
                    last: i + 1 == n,
                })
                .collect(),
            schedules: spec.schedules.iter().map(|s| s.name.clone()).collect(),
            editing: None,
            form: RuleInput::default(),
            errors: FieldErrors::default(),
            settings: SettingsInput { timezone: spec.timezone.clone(), fallback: spec.fallback.to_string() },
            settings_errors: FieldErrors::default(),
            notice: None,
        }
    }
}

#[derive(Deserialize, Default)]
struct Flash {
    #[serde(default)]
    done: Option<String>,
}

async fn page(State(state): State<AppState>, Viewer(p): Viewer, Query(flash): Query<Flash>) -> RulesPage {
    let mut page = RulesPage::new(&p, &state.routing.snapshot().await.spec);
    page.notice = flash.done.map(|d| format!("Saved ({d}). Calls use the new rules from now on."));
    page
}

impl Editor for RulesPage {
    type Item = editor::Rules;

    fn new(principal: &Principal, spec: &RuleBookSpec) -> Self {
        RulesPage::new(principal, spec)
    }

    fn input_of(spec: &RuleBookSpec, name: &str) -> Option<RuleInput> {
        spec.rules.iter().find(|r| r.name == name).map(RuleInput::of)
    }

    fn fill(&mut self, editing: Option<String>, form: RuleInput, errors: FieldErrors) {
        (self.editing, self.form, self.errors) = (editing, form, errors);
    }

    fn after(done: &str) -> String {
        format!("/flows?done=rule+{done}")
    }
}

#[derive(Deserialize)]
struct MoveInput {
    /// `up` or `down`.
    direction: String,
}

async fn move_rule(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(input): Form<MoveInput>,
) -> Result<Redirect, WebError> {
    let spec = state.routing.snapshot().await.spec;
    let at = spec.rules.iter().position(|r| r.name == name).ok_or(WebError::NotFound)?;
    let to = match input.direction.as_str() {
        "up" => at.saturating_sub(1),
        "down" => at + 1,
        other => return Err(WebError::BadRequest(format!("direction `{other}` is not up or down"))),
    };
    state.routing.move_rule(&admin.0.actor(addr), &name, to).await?;
    Ok(Redirect::to("/flows?done=rule+moved"))
}

async fn settings(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Form(input): Form<SettingsInput>,
) -> Response {
    match state.routing.set_settings(&admin.0.actor(addr), &input).await {
        Ok(()) => Redirect::to("/flows?done=settings").into_response(),
        Err(e) => match form_errors(e) {
            Ok((status, errors)) => {
                let mut page = RulesPage::new(&admin.0, &state.routing.snapshot().await.spec);
                (page.settings, page.settings_errors) = (input, errors);
                (status, page).into_response()
            }
            Err(e) => e.into_response(),
        },
    }
}
