//! The add / edit / delete form handlers that rules and schedules share: show the edit form,
//! save a new or changed item, delete one, and on a refused edit re-render the page with the typed
//! values and each message next to its field. Each kind plugs in through [`Editor`]; the pages
//! themselves (tables, templates) stay in `rules.rs` and `schedules.rs`.

use std::future::Future;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use super::super::AppState;
use super::super::error::WebError;
use super::super::extract::{Admin, ClientAddr};
use super::form_errors;
use crate::audit::Actor;
use crate::auth::session::Principal;
use crate::flows::RuleBookSpec;
use crate::routing::{FieldErrors, Routing, RoutingError};

/// A page that edits one kind of item of the rule book.
pub(super) trait Editor: IntoResponse + Sized + Send + 'static {
    /// The form's typed values.
    type Input: DeserializeOwned + Default + Send + Sync + 'static;

    /// The page with the book's current items and an empty form.
    fn new(principal: &Principal, spec: &RuleBookSpec) -> Self;
    /// The form values of the item called `name`, if it exists.
    fn input_of(spec: &RuleBookSpec, name: &str) -> Option<Self::Input>;
    /// Puts the form (and its messages) back on the page.
    fn fill(&mut self, editing: Option<String>, form: Self::Input, errors: FieldErrors);
    /// Where to go after a change; `done` says what happened ("added", "updated", "deleted").
    fn after(done: &str) -> String;
    /// Parses the form and stores the item (new when `existing` is `None`).
    fn put<'a>(
        routing: &'a Routing,
        actor: &'a Actor,
        existing: Option<&'a str>,
        form: &'a Self::Input,
    ) -> impl Future<Output = Result<(), RoutingError>> + Send + 'a;
    /// Removes the item called `name`.
    fn remove<'a>(
        routing: &'a Routing,
        actor: &'a Actor,
        name: &'a str,
    ) -> impl Future<Output = Result<(), RoutingError>> + Send + 'a;
}

pub(super) async fn edit_page<E: Editor>(
    State(state): State<AppState>,
    Admin(p): Admin,
    Path(name): Path<String>,
) -> Result<E, WebError> {
    let spec = state.routing.snapshot().await.spec;
    let form = E::input_of(&spec, &name).ok_or(WebError::NotFound)?;
    let mut page = E::new(&p, &spec);
    page.fill(Some(name), form, FieldErrors::default());
    Ok(page)
}

pub(super) async fn add<E: Editor>(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Form(form): Form<E::Input>,
) -> Response {
    match E::put(&state.routing, &admin.0.actor(addr), None, &form).await {
        Ok(()) => Redirect::to(&E::after("added")).into_response(),
        Err(e) => rejected::<E>(&state, &admin.0, None, form, e).await,
    }
}

pub(super) async fn update<E: Editor>(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(form): Form<E::Input>,
) -> Response {
    match E::put(&state.routing, &admin.0.actor(addr), Some(&name), &form).await {
        Ok(()) => Redirect::to(&E::after("updated")).into_response(),
        Err(e) => rejected::<E>(&state, &admin.0, Some(name), form, e).await,
    }
}

pub(super) async fn delete<E: Editor>(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Response {
    match E::remove(&state.routing, &admin.0.actor(addr), &name).await {
        Ok(()) => Redirect::to(&E::after("deleted")).into_response(),
        Err(e) => rejected::<E>(&state, &admin.0, None, E::Input::default(), e).await,
    }
}

/// Re-renders the page with the typed values and the messages next to their fields.
async fn rejected<E: Editor>(
    state: &AppState,
    p: &Principal,
    editing: Option<String>,
    form: E::Input,
    e: RoutingError,
) -> Response {
    match form_errors(e) {
        Ok((status, errors)) => {
            let mut page = E::new(p, &state.routing.snapshot().await.spec);
            page.fill(editing, form, errors);
            (status, page).into_response()
        }
        Err(e) => e.into_response(),
    }
}
