//! Which Music on Hold classes exist, so a rule cannot name a class Asterisk does not have, and a
//! call never gets a class that was deleted after the rule was saved.
//!
//! Two questions, two paths:
//! - [`ClassCatalog::has_class`] (async, authoritative) when an admin saves rules: a rule or fallback
//!   naming a class that does not exist is refused with a message on that field.
//! - [`ClassCatalog::exists`] (sync, memory only) on every call: [`MohClasses`] keeps the names of
//!   the MoH store's categories in memory, reloaded whenever the MoH area announces a change
//!   (`AppState::moh_changes`), so the deciders never query the database.
//!
//! Must not: decide (see `routing::scripts::Decider`) or change MoH categories.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::store::Store;

#[async_trait]
pub trait ClassCatalog: Send + Sync {
    /// Whether `class` exists. Implementations that cannot tell (store down) should answer `true`:
    /// refusing an admin's edit because of an outage helps nobody, and Asterisk plays `default`
    /// for an unknown class anyway.
    async fn has_class(&self, class: &str) -> bool;

    /// The same question from memory, for the call path. `true` when unknown.
    fn exists(&self, class: &str) -> bool;
}

/// Accepts any valid class name (tools and tests without a MoH store).
pub struct AnyClass;

#[async_trait]
impl ClassCatalog for AnyClass {
    async fn has_class(&self, _class: &str) -> bool {
        true
    }

    fn exists(&self, _class: &str) -> bool {
        true
    }
}

/// A fixed list (tests, or a static `musiconhold.conf`).
pub struct FixedClasses(pub Vec<String>);

#[async_trait]
impl ClassCatalog for FixedClasses {
    async fn has_class(&self, class: &str) -> bool {
        self.exists(class)
    }

    fn exists(&self, class: &str) -> bool {
        self.0.iter().any(|c| c == class)
    }
}

/// The MoH store's categories, with an in-memory copy of their names for the call path.
pub struct MohClasses {
    store: Arc<dyn Store>,
    /// `None` until the first successful load (then every class is assumed to exist).
    names: RwLock<Option<Arc<HashSet<String>>>>,
}

impl MohClasses {
    /// Loads the names now, then reloads them after every MoH change until `shutdown`.
    pub async fn start(
        store: Arc<dyn Store>,
        mut changes: watch::Receiver<u64>,
        shutdown: &CancellationToken,
        tasks: &TaskTracker,
    ) -> Arc<Self> {
        let classes = Arc::new(Self { store, names: RwLock::new(None) });
        changes.mark_unchanged();
        classes.reload().await;
        let (this, stop) = (Arc::clone(&classes), shutdown.clone());
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    changed = changes.changed() => match changed {
                        Ok(()) => this.reload().await,
                        Err(_) => break,
                    },
                }
            }
        });
        classes
    }

    /// Adds a class the store just confirmed to the in-memory names, so a rule saved right after
    /// its class was created never meets a copy that the change-triggered reload has not refreshed yet.
    fn remember(&self, class: &str) {
        let mut names = self.names.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(known) = names.as_mut().filter(|known| !known.contains(class)) {
            Arc::make_mut(known).insert(class.to_owned());
        }
    }

    /// Replaces the in-memory names with the store's; on a store error the old copy stays.
    pub async fn reload(&self) {
        match self.store.list_moh_categories().await {
            Ok(rows) => {
                let names: HashSet<String> = rows.into_iter().map(|row| row.name).collect();
                *self.names.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(names));
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot reload the Music on Hold class list; keeping the last one")
            }
        }
    }
}

#[async_trait]
impl ClassCatalog for MohClasses {
    async fn has_class(&self, class: &str) -> bool {
        match self.store.moh_category(class).await {
            Ok(found) => {
                let exists = found.is_some_and(|row| row.name == class);
                if exists {
                    self.remember(class);
                }
                exists
            }
            Err(e) => {
                tracing::warn!(error = %e, class, "cannot check the Music on Hold class; accepting it");
                true
            }
        }
    }

    fn exists(&self, class: &str) -> bool {
        let names = self.names.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        names.as_ref().is_none_or(|names| names.contains(class))
    }
}
