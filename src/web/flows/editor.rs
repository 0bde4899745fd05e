//! What rules and schedules share in the console and the API: how an item of the rule book is
//! stored and removed ([`BookItem`], one marker type per kind), and the add / edit / delete form
//! handlers that show the edit form, save, delete, and on a refused edit re-render the page with
//! the typed values and each message next to its field ([`Editor`], implemented by each page).
//! The pages themselves (tables, templates) stay in `rules.rs` and `schedules.rs`; the JSON
//! handlers in `api.rs` use [`BookItem`] directly.

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
use crate::routing::input::{RuleInput, ScheduleInput};
use crate::routing::{FieldErrors, Routing, RoutingError};

/// One kind of item of the rule book: its typed input and how it is stored and removed.
pub(super) trait BookItem: Send + 'static {
    /// The form's (and the JSON body's) typed values.
    type Input: DeserializeOwned + Default + Send + Sync + 'static;

    /// Parses the input and stores the item (new when `existing` is `None`).
    fn put<'a>(
        routing: &'a Routing,
        actor: &'a Actor,
        existing: Option<&'a str>,
        input: &'a Self::Input,
    ) -> impl Future<Output = Result<(), RoutingError>> + Send + 'a;
    /// Removes the item called `name`.
    fn remove<'a>(
        routing: &'a Routing,
        actor: &'a Actor,
        name: &'a str,
    ) -> impl Future<Output = Result<(), RoutingError>> + Send + 'a;
}

/// Rules, by name.
pub(super) struct Rules;

impl BookItem for Rules {
    type Input = RuleInput;

    async fn put(
        routing: &Routing,
        actor: &Actor,
        existing: Option<&str>,
        input: &RuleInput,
    ) -> Result<(), RoutingError> {
        routing.put_rule(actor, existing, input.parse()?).await
    }

    async fn remove(routing: &Routing, actor: &Actor, name: &str) -> Result<(), RoutingError> {
        routing.delete_rule(actor, name).await
    }
}

/// Schedules, by name.
pub(super) struct Schedules;

impl BookItem for Schedules {
    type Input = ScheduleInput;

    async fn put(
        routing: &Routing,
        actor: &Actor,
        existing: Option<&str>,
        input: &ScheduleInput,
    ) -> Result<(), RoutingError> {
        routing.put_schedule(actor, existing, input.parse()?).await
    }

    async fn remove(routing: &Routing, actor: &Actor, name: &str) -> Result<(), RoutingError> {
        routing.delete_schedule(actor, name).await
    }
}

/// A page that edits one kind of item of the rule book.
pub(super) trait Editor: IntoResponse + Sized + Send + 'static {
    /// The kind of item this page edits.
    type Item: BookItem;

    /// The page with the book's current items and an empty form.
    fn new(principal: &Principal, spec: &RuleBookSpec) -> Self;
    /// The form values of the item called `name`, if it exists.
    fn input_of(spec: &RuleBookSpec, name: &str) -> Option<Input<Self>>;
    /// Puts the form (and its messages) back on the page.
    fn fill(&mut self, editing: Option<String>, form: Input<Self>, errors: FieldErrors);
    /// Where to go after a change; `done` says what happened ("added", "updated", "deleted").
    fn after(done: &str) -> String;
}

/// The form values a page edits.
type Input<E> = <<E as Editor>::Item as BookItem>::Input;

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
    Form(form): Form<Input<E>>,
) -> Response {
    match E::Item::put(&state.routing, &admin.0.actor(addr), None, &form).await {
        Ok(()) => Redirect::to(&E::after("added")).into_response(),
        Err(e) => rejected::<E>(&state, &admin.0, None, form, e).await,
    }
}

pub(super) async fn update<E: Editor>(
    State(state): State<AppState>,
    admin: Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(form): Form<Input<E>>,
) -> Response {
    match E::Item::put(&state.routing, &admin.0.actor(addr), Some(&name), &form).await {
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
    match E::Item::remove(&state.routing, &admin.0.actor(addr), &name).await {
        Ok(()) => Redirect::to(&E::after("deleted")).into_response(),
        Err(e) => rejected::<E>(&state, &admin.0, None, Input::<E>::default(), e).await,
    }
}

/// Re-renders the page with the typed values and the messages next to their fields.
async fn rejected<E: Editor>(
    state: &AppState,
    p: &Principal,
    editing: Option<String>,
    form: Input<E>,
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
