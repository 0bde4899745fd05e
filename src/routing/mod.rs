//! Call routing: the store-backed rule book the FastAGI server and the Stasis app decide from.
//!
//! Owns loading the rules, schedules and holidays from the database into an in-memory
//! [`RuleBook`], validating and saving admin edits (whole book, versioned), swapping the in-memory
//! copy atomically after every committed change, and auditing each change. Decisions are answered
//! from memory only ([`scripts::StoreScripts`]); the database is never on the hot path.
//!
//! # Layout
//! - [`convert`]: `RuleBookSpec` ⇄ stored rows.
//! - [`input`]: form/API text → typed rules and schedules, with an error per field.
//! - [`classes`]: which MoH classes exist (the MoH store's categories, kept in memory).
//! - [`scripts`]: the [`scripts::Decider`] both deciders use, and the `AgiScripts` implementation.
//! - [`decisions`]: the non-blocking decision log and its retention.
//! - [`metrics`]: the call-routing counters rendered on `/metrics`.
//! - [`stasis`]: the ARI Stasis app `ringside`.
//!
//! Must not: speak a wire protocol itself or render HTML.

pub mod classes;
pub mod convert;
pub mod decisions;
pub mod edits;
pub mod input;
pub mod metrics;
pub mod scripts;
pub mod stasis;

use std::sync::Arc;

use tokio::sync::Mutex;

use crate::asterisk::agi::RuleBookScripts;
use crate::audit::{self, Actor, Outcome};
use crate::flows::{FlowError, MohClass, RuleBook, RuleBookSpec};
use crate::store::{Store, StoreError};

pub use classes::{AnyClass, ClassCatalog, MohClasses};
pub use decisions::DecisionLog;
pub use input::FieldErrors;

/// Why an edit was refused.
#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    /// Field-level problems, shown next to the fields.
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("{0} not found")]
    NotFound(String),
    #[error("the rules were changed by someone else meanwhile; reload and try again")]
    Stale,
    #[error("stored rules are unusable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldErrors> for RoutingError {
    fn from(e: FieldErrors) -> Self {
        RoutingError::Invalid(e)
    }
}

/// The current book as stored, with its version.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub spec: RuleBookSpec,
    pub version: i64,
}

/// The rule book service. Cheap to share behind an `Arc`.
pub struct Routing {
    store: Arc<dyn Store>,
    live: Arc<RuleBookScripts>,
    current: Mutex<Snapshot>,
    classes: Arc<dyn ClassCatalog>,
    pub log: DecisionLog,
    /// FastAGI, decision, Stasis and decision-log counters (for `/metrics`).
    pub counters: Arc<metrics::RoutingCounters>,
}

impl Routing {
    /// Loads the stored book (an empty book with `fallback` if none was saved yet).
    pub async fn load(
        store: Arc<dyn Store>,
        fallback: MohClass,
        classes: Arc<dyn ClassCatalog>,
        log: DecisionLog,
    ) -> Result<Self, RoutingError> {
        let stored = store.load_flows().await?;
        let snapshot = convert::from_rows(stored, fallback).map_err(RoutingError::Corrupt)?;
        let book = RuleBook::new(snapshot.spec.clone()).map_err(|e| RoutingError::Corrupt(e.to_string()))?;
        Ok(Self {
            store,
            live: Arc::new(RuleBookScripts::new(book)),
            current: Mutex::new(snapshot),
            classes,
            counters: Arc::new(metrics::RoutingCounters::new(log.stats.clone())),
            log,
        })
    }

    /// The in-memory book the AGI scripts and the Stasis app decide from.
    pub fn live(&self) -> Arc<RuleBookScripts> {
        Arc::clone(&self.live)
    }

    /// The decider for calls: live book, known classes, decision log.
    pub fn decider(&self) -> scripts::Decider {
        scripts::Decider::new(self.live(), Arc::clone(&self.classes), self.log.clone())
            .counting(Arc::clone(&self.counters.decisions))
    }

    pub async fn snapshot(&self) -> Snapshot {
        self.current.lock().await.clone()
    }

    /// A checked copy of the live book (for explanations).
    pub async fn book(&self) -> Result<RuleBook, RoutingError> {
        RuleBook::new(self.snapshot().await.spec).map_err(|e| RoutingError::Corrupt(e.to_string()))
    }

    /// Applies `change` to a copy of the book, validates it, saves it and swaps it in.
    /// `action`/`object` name the change in the audit log.
    pub async fn edit(
        &self,
        actor: &Actor,
        action: &str,
        object: &str,
        change: impl FnOnce(&mut RuleBookSpec) -> Result<(), RoutingError>,
    ) -> Result<(), RoutingError> {
        let mut current = self.current.lock().await;
        let mut spec = current.spec.clone();
        let result = self.apply(&current.spec, &mut spec, current.version, &actor.name, change).await;
        let (outcome, detail) = match &result {
            Ok(_) => (Outcome::Success, String::new()),
            Err(e) => (Outcome::Failure, e.to_string()),
        };
        audit::record(self.store.as_ref(), actor, action, object, outcome, &detail).await;
        match result {
            Ok((book, version)) => {
                self.live.replace(book);
                *current = Snapshot { spec, version };
                Ok(())
            }
            Err(RoutingError::Stale) => {
                if let Ok(stored) = self.store.load_flows().await
                    && let Ok(fresh) = convert::from_rows(stored, current.spec.fallback.clone())
                    && let Ok(book) = RuleBook::new(fresh.spec.clone())
                {
                    self.live.replace(book);
                    *current = fresh;
                }
                Err(RoutingError::Stale)
            }
            Err(e) => Err(e),
        }
    }

    async fn apply(
        &self,
        before: &RuleBookSpec,
        spec: &mut RuleBookSpec,
        version: i64,
        actor: &str,
        change: impl FnOnce(&mut RuleBookSpec) -> Result<(), RoutingError>,
    ) -> Result<(RuleBook, i64), RoutingError> {
        change(spec)?;
        let book = RuleBook::new(spec.clone()).map_err(|e| RoutingError::Invalid(book_error(e)))?;
        self.check_classes(before, spec).await?;
        let rows = convert::to_rows(spec);
        let now = jiff::Timestamp::now().as_millisecond();
        match self.store.save_flows(&rows, version, now, actor).await? {
            Some(version) => Ok((book, version)),
            None => Err(RoutingError::Stale),
        }
    }

    /// Every class this edit introduces (a new or changed rule's class, a changed fallback) must
    /// exist. Classes already in the book are not re-checked: a MoH class deleted later must not
    /// block unrelated edits (calls get the fallback for it, see `scripts::Decider`).
    async fn check_classes(&self, before: &RuleBookSpec, spec: &RuleBookSpec) -> Result<(), RoutingError> {
        let mut errors = FieldErrors::default();
        let fallback = (spec.fallback != before.fallback).then_some(("fallback", &spec.fallback));
        let unchanged = |name: &str, class: &MohClass| {
            before.rules.iter().any(|old| old.name == name && old.class == *class)
        };
        let rules = spec.rules.iter().filter(|r| !unchanged(&r.name, &r.class)).map(|r| ("class", &r.class));
        for (field, class) in fallback.into_iter().chain(rules) {
            if !self.classes.has_class(class.as_str()).await {
                errors.add(field, format!("no Music on Hold class named `{class}` exists"));
            }
        }
        Ok(errors.into_result()?)
    }
}

/// Maps a whole-book error to the field an admin has to fix.
fn book_error(e: FlowError) -> FieldErrors {
    let field = match &e {
        FlowError::UnknownTimezone(_) => "timezone",
        FlowError::InvalidHoliday { .. } => "holidays",
        FlowError::InvalidOpenRange(_) => "weekly",
        FlowError::InvalidClass(_) => "class",
        FlowError::UnknownSchedule { .. } => "schedule",
        FlowError::InvalidActiveRange(_) => "active_to",
        FlowError::DuplicateRule(_) | FlowError::DuplicateSchedule(_) => "name",
    };
    FieldErrors::one(field, e.to_string())
}
