//! `/flows/schedules`: business hours (several ranges per weekday) and holiday calendars.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};

use super::super::AppState;
use super::super::chrome::Chrome;
use super::super::extract::Viewer;
use super::editor::{self, Editor};
use crate::auth::session::Principal;
use crate::flows::{RuleBookSpec, Schedule};
use crate::routing::FieldErrors;
use crate::routing::input::ScheduleInput;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/flows/schedules", get(page).post(editor::add::<SchedulesPage>))
        .route(
            "/flows/schedules/{name}",
            get(editor::edit_page::<SchedulesPage>).post(editor::update::<SchedulesPage>),
        )
        .route("/flows/schedules/{name}/delete", post(editor::delete::<SchedulesPage>))
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

impl Editor for SchedulesPage {
    type Item = editor::Schedules;

    fn new(principal: &Principal, spec: &RuleBookSpec) -> Self {
        SchedulesPage::new(principal, spec)
    }

    fn input_of(spec: &RuleBookSpec, name: &str) -> Option<ScheduleInput> {
        spec.schedules.iter().find(|s| s.name == name).map(ScheduleInput::of)
    }

    fn fill(&mut self, editing: Option<String>, form: ScheduleInput, errors: FieldErrors) {
        (self.editing, self.form, self.errors) = (editing, form, errors);
    }

    fn after(_done: &str) -> String {
        "/flows/schedules".to_owned()
    }
}
