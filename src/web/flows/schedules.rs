//! `/flows/schedules`: business hours (several ranges per weekday) and holiday calendars.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::super::AppState;
use super::super::chrome::Chrome;
use super::super::error::WebError;
use super::super::extract::{Admin, ClientAddr, Viewer};
use super::form_errors;
use crate::auth::session::Principal;
use crate::flows::{RuleBookSpec, Schedule};
use crate::routing::input::ScheduleInput;
use crate::routing::{FieldErrors, RoutingError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/flows/schedules", get(page).post(add))
        .route("/flows/schedules/{name}", get(edit_page).post(update))
        .route("/flows/schedules/{name}/delete", post(delete))
}

pub struct ScheduleRow {
    pub name: String,
    pub timezone: String,
    pub hours: Vec<(&'static str, String)>,
    pub holidays: Vec<String>,
    pub now: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "flows_schedules.html")]
struct SchedulesPage {
    chrome: Chrome,
    schedules: Vec<ScheduleRow>,
    editing: Option<String>,
    form: ScheduleInput,
    errors: FieldErrors,
    days: [(&'static str, &'static str); 7],
}

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

impl SchedulesPage {
    fn new(principal: &Principal, spec: &RuleBookSpec) -> Self {
        let now = jiff::Timestamp::now();
        let schedules = spec
            .schedules
            .iter()
            .map(|s| {
                let form = ScheduleInput::of(s);
                let state = Schedule::new(s.clone()).map(|c| c.state_at(now).to_string()).unwrap_or_default();
                ScheduleRow {
                    name: s.name.clone(),
                    timezone: s.timezone.clone(),
                    hours: DAYS.iter().map(|(k, label)| (*label, day_text(&form, k))).collect(),
                    holidays: form.holidays.lines().map(str::to_owned).collect(),
                    now: state,
                }
            })
            .collect();
        Self {
            chrome: Chrome::new(principal, "/flows"),
            schedules,
            editing: None,
            form: ScheduleInput::default(),
            errors: FieldErrors::default(),
            days: DAYS,
        }
    }
}

fn day_text(form: &ScheduleInput, key: &str) -> String {
    let text = match key {
        "mon" => &form.mon,
        "tue" => &form.tue,
        "wed" => &form.wed,
        "thu" => &form.thu,
        "fri" => &form.fri,
        "sat" => &form.sat,
        _ => &form.sun,
    };
    if text.is_empty() { "closed".to_owned() } else { text.clone() }
}

impl SchedulesPage {
    /// The typed value of a weekday field, for the form.
    fn day_value(&self, key: &str) -> String {
        let text = day_text(&self.form, key);
        if text == "closed" { String::new() } else { text }
    }
}

async fn page(State(state): State<AppState>, Viewer(p): Viewer) -> SchedulesPage {
    SchedulesPage::new(&p, &state.routing.snapshot().await.spec)
}

async fn edit_page(
    State(state): State<AppState>,
    Admin(p): Admin,
    Path(name): Path<String>,
) -> Result<SchedulesPage, WebError> {
    let spec = state.routing.snapshot().await.spec;
    let schedule = spec.schedules.iter().find(|s| s.name == name).ok_or(WebError::NotFound)?;
    let mut page = SchedulesPage::new(&p, &spec);
    page.form = ScheduleInput::of(schedule);
    page.editing = Some(name);
    Ok(page)
}

async fn rejected(
    state: &AppState,
    p: &Principal,
    editing: Option<String>,
    form: ScheduleInput,
    e: RoutingError,
) -> Response {
    match form_errors(e) {
        Ok((status, errors)) => {
            let mut page = SchedulesPage::new(p, &state.routing.snapshot().await.spec);
            (page.editing, page.form, page.errors) = (editing, form, errors);
            (status, page).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn save(
    state: &AppState,
    admin: &Admin,
    addr: ClientAddr,
    existing: Option<&str>,
    form: &ScheduleInput,
) -> Result<(), RoutingError> {
    let schedule = form.parse()?;
    state.routing.put_schedule(&admin.0.actor(addr), existing, schedule).await
}

async fn add(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Form(form): Form<ScheduleInput>,
) -> Response {
    match save(&state, &admin, addr, None, &form).await {
        Ok(()) => Redirect::to("/flows/schedules").into_response(),
        Err(e) => rejected(&state, &admin.0, None, form, e).await,
    }
}

async fn update(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(form): Form<ScheduleInput>,
) -> Response {
    match save(&state, &admin, addr, Some(&name), &form).await {
        Ok(()) => Redirect::to("/flows/schedules").into_response(),
        Err(e) => rejected(&state, &admin.0, Some(name), form, e).await,
    }
}

async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Response {
    match state.routing.delete_schedule(&admin.0.actor(addr), &name).await {
        Ok(()) => Redirect::to("/flows/schedules").into_response(),
        Err(e) => rejected(&state, &admin.0, None, ScheduleInput::default(), e).await,
    }
}
