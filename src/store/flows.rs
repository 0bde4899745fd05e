//! Call-routing storage: the FastAGI rule book (settings, schedules, rules) and the decision log.
//!
//! The rule book is read and written as a whole: [`FlowStore::save_flows`] replaces every row in one
//! transaction, guarded by a version number, so a reader never sees half an edit and two admins
//! editing at once cannot silently overwrite each other. Must not interpret the JSON columns (that
//! is `crate::routing`) or decide anything.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreError;

/// The single settings row: book timezone, fallback class and the edit version.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct FlowSettingsRow {
    pub timezone: String,
    pub fallback: String,
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A schedule; `weekly` and `holidays` are JSON.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlowScheduleRow {
    pub name: String,
    pub timezone: String,
    pub weekly: String,
    pub holidays: String,
}

/// A rule at `position` (0 is tried first); `conditions` is JSON.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlowRuleRow {
    pub position: i64,
    pub name: String,
    pub conditions: String,
    pub class: String,
}

/// Everything stored about the rule book. `settings` is `None` until the first save.
#[derive(Debug, Clone, Default)]
pub struct StoredFlows {
    pub settings: Option<FlowSettingsRow>,
    pub schedules: Vec<FlowScheduleRow>,
    pub rules: Vec<FlowRuleRow>,
}

/// One recorded FastAGI decision.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub uniqueid: String,
    pub at_ms: i64,
    pub caller: String,
    pub dialled: String,
    pub queue: Option<String>,
    pub context: String,
    pub rule: Option<String>,
    pub class: String,
    /// The full `flows::CallFacts` as JSON.
    pub inputs: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct DecisionRow {
    pub id: i64,
    pub uniqueid: String,
    pub at: i64,
    pub caller: String,
    pub dialled: String,
    pub queue: Option<String>,
    pub context: String,
    pub rule: Option<String>,
    pub class: String,
    pub inputs: String,
}

/// Which decisions to list, newest first; empty strings mean "any".
#[derive(Debug, Clone)]
pub struct DecisionFilter {
    pub uniqueid: String,
    /// Caller number, exact.
    pub caller: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub before_id: i64,
    pub limit: i64,
}

impl Default for DecisionFilter {
    fn default() -> Self {
        Self {
            uniqueid: String::new(),
            caller: String::new(),
            from_ms: 0,
            to_ms: i64::MAX,
            before_id: i64::MAX,
            limit: 100,
        }
    }
}

#[async_trait]
pub trait FlowStore: Send + Sync {
    async fn load_flows(&self) -> Result<StoredFlows, StoreError>;
    /// Replaces the whole rule book if the stored version is still `expected_version` (0: never
    /// saved). Returns the new version, or `None` when someone else saved first.
    async fn save_flows(
        &self,
        flows: &StoredFlows,
        expected_version: i64,
        now_ms: i64,
        actor: &str,
    ) -> Result<Option<i64>, StoreError>;

    async fn insert_decisions(&self, decisions: &[NewDecision]) -> Result<(), StoreError>;
    async fn list_decisions(&self, filter: &DecisionFilter) -> Result<Vec<DecisionRow>, StoreError>;
    /// Decisions made on the channel `uniqueid` or on the call's first channel (`linkedid`).
    async fn decisions_for_call(
        &self,
        uniqueid: &str,
        linkedid: &str,
    ) -> Result<Vec<DecisionRow>, StoreError>;
    /// Deletes decisions older than `before_ms`; returns how many.
    async fn purge_decisions(&self, before_ms: i64) -> Result<u64, StoreError>;
}

/// Implements [`FlowStore`] for `SqlStore<$db>` (SQL shared by both backends).
macro_rules! impl_flow_store {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::flows::FlowStore for $crate::store::sql::SqlStore<$db> {
            async fn load_flows(
                &self,
            ) -> Result<$crate::store::flows::StoredFlows, $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                let settings = sqlx::query_as(
                    "SELECT timezone, fallback, version, updated_at, updated_by FROM flow_settings WHERE id = 1",
                )
                .fetch_optional(&mut *tx)
                .await?;
                let schedules =
                    sqlx::query_as("SELECT name, timezone, weekly, holidays FROM flow_schedules ORDER BY name")
                        .fetch_all(&mut *tx)
                        .await?;
                let rules =
                    sqlx::query_as("SELECT position, name, conditions, class FROM flow_rules ORDER BY position")
                        .fetch_all(&mut *tx)
                        .await?;
                tx.commit().await?;
                Ok($crate::store::flows::StoredFlows { settings, schedules, rules })
            }

            async fn save_flows(
                &self,
                flows: &$crate::store::flows::StoredFlows,
                expected_version: i64,
                now_ms: i64,
                actor: &str,
            ) -> Result<Option<i64>, $crate::store::StoreError> {
                let (timezone, fallback) = flows
                    .settings
                    .as_ref()
                    .map(|s| (s.timezone.as_str(), s.fallback.as_str()))
                    .unwrap_or(("UTC", "default"));
                let next = expected_version + 1;
                let mut tx = self.pool.begin().await?;
                let claimed = if expected_version == 0 {
                    sqlx::query(
                        "INSERT INTO flow_settings (id, timezone, fallback, version, updated_at, updated_by) \
                         VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(timezone).bind(fallback).bind(next).bind(now_ms).bind(actor)
                    .execute(&mut *tx)
                    .await?
                } else {
                    sqlx::query(
                        "UPDATE flow_settings SET timezone = $1, fallback = $2, version = $3, updated_at = $4, \
                         updated_by = $5 WHERE id = 1 AND version = $6",
                    )
                    .bind(timezone).bind(fallback).bind(next).bind(now_ms).bind(actor).bind(expected_version)
                    .execute(&mut *tx)
                    .await?
                };
                if claimed.rows_affected() != 1 {
                    return Ok(None);
                }
                sqlx::query("DELETE FROM flow_rules").execute(&mut *tx).await?;
                sqlx::query("DELETE FROM flow_schedules").execute(&mut *tx).await?;
                for s in &flows.schedules {
                    sqlx::query("INSERT INTO flow_schedules (name, timezone, weekly, holidays) VALUES ($1, $2, $3, $4)")
                        .bind(&s.name).bind(&s.timezone).bind(&s.weekly).bind(&s.holidays)
                        .execute(&mut *tx)
                        .await?;
                }
                for r in &flows.rules {
                    sqlx::query("INSERT INTO flow_rules (position, name, conditions, class) VALUES ($1, $2, $3, $4)")
                        .bind(r.position).bind(&r.name).bind(&r.conditions).bind(&r.class)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Some(next))
            }

            async fn insert_decisions(
                &self,
                decisions: &[$crate::store::flows::NewDecision],
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                for d in decisions {
                    sqlx::query(
                        "INSERT INTO agi_decisions (uniqueid, at, caller, dialled, queue, context, rule, class, inputs) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(&d.uniqueid).bind(d.at_ms).bind(&d.caller).bind(&d.dialled).bind(&d.queue)
                    .bind(&d.context).bind(&d.rule).bind(&d.class).bind(&d.inputs)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn list_decisions(
                &self,
                filter: &$crate::store::flows::DecisionFilter,
            ) -> Result<Vec<$crate::store::flows::DecisionRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, uniqueid, at, caller, dialled, queue, context, rule, class, inputs \
                     FROM agi_decisions WHERE ($1 = '' OR uniqueid = $1) AND ($2 = '' OR caller = $2) \
                     AND at >= $3 AND at <= $4 AND id < $5 ORDER BY id DESC LIMIT $6",
                )
                    .bind(&filter.uniqueid).bind(&filter.caller).bind(filter.from_ms).bind(filter.to_ms)
                    .bind(filter.before_id).bind(filter.limit)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn decisions_for_call(
                &self,
                uniqueid: &str,
                linkedid: &str,
            ) -> Result<Vec<$crate::store::flows::DecisionRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, uniqueid, at, caller, dialled, queue, context, rule, class, inputs \
                     FROM agi_decisions WHERE uniqueid = $1 OR uniqueid = $2 ORDER BY id",
                )
                    .bind(uniqueid).bind(linkedid)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn purge_decisions(&self, before_ms: i64) -> Result<u64, $crate::store::StoreError> {
                let done = sqlx::query("DELETE FROM agi_decisions WHERE at < $1")
                    .bind(before_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_flow_store;
