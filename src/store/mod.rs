//! Persistent state behind one [`Store`] trait, with SQLite (default) and PostgreSQL backends.
//!
//! The trait is split by area ([`AccountStore`], [`AuditStore`]) so each area's code asks only for what it
//! uses. Both backends share one SQL implementation ([`sql::SqlStore`], generic over the sqlx driver):
//! the SQL is written once in the dialect both accept (`$1` placeholders, `RETURNING`, `ON CONFLICT`).
//! Backend specifics — connecting, pragmas, migrations — live in [`sqlite`] and [`postgres`].
//!
//! Times are stored as Unix milliseconds (UTC) in `BIGINT`/`INTEGER` columns in both databases.
//! This module never decides policy (who may do what): it stores and reads.

pub mod cdr;
pub mod cdr_fast;
pub(crate) mod cdr_sql;
pub mod flows;
pub mod moh;
pub mod postgres;
pub mod push;
pub mod rows;
pub mod servers;
pub mod sql;
pub mod sqlite;

use async_trait::async_trait;
use std::sync::Arc;

pub use flows::FlowStore;
pub use push::{PushClassRow, PushDeployRow, PushStore};
pub use rows::{ApiTokenRow, AuditRow, SessionRow, UserRow};
pub use servers::{ServerRow, ServerStore};

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} already exists")]
    Conflict(String),
    #[error(
        "the database schema is at version {found}, newer than this Ringside understands (up to {known}); run the newer Ringside or restore a backup taken before the upgrade"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("cannot open database {url}: {message}")]
    Open { url: String, message: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A user account to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub now_ms: i64,
}

/// An API token to create (only its hash is stored).
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub name: &'a str,
    pub token_hash: &'a str,
    pub role: &'a str,
    pub now_ms: i64,
}

/// One line of the audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub actor: String,
    pub source: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub detail: String,
}

/// Which audit lines to list; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub outcome: String,
    /// Only lines with an id below this (keyset paging, newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserRow, StoreError>;
    async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>, StoreError>;
    async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>, StoreError>;
    async fn list_users(&self) -> Result<Vec<UserRow>, StoreError>;
    async fn count_admins(&self) -> Result<i64, StoreError>;
    async fn set_password(&self, id: i64, hash: &str, now_ms: i64) -> Result<bool, StoreError>;
    async fn set_role(&self, id: i64, role: &str, now_ms: i64) -> Result<bool, StoreError>;
    async fn delete_user(&self, id: i64) -> Result<bool, StoreError>;

    async fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError>;
    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError>;
    async fn touch_session(&self, id_hash: &str, now_ms: i64) -> Result<(), StoreError>;
    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError>;
    async fn delete_user_sessions(&self, user_id: i64) -> Result<(), StoreError>;
    /// Remove sessions idle since before `idle_before` or created before `created_before`.
    async fn purge_sessions(&self, idle_before: i64, created_before: i64) -> Result<u64, StoreError>;

    async fn insert_token(&self, token: NewToken<'_>) -> Result<ApiTokenRow, StoreError>;
    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiTokenRow>, StoreError>;
    async fn list_tokens(&self) -> Result<Vec<ApiTokenRow>, StoreError>;
    async fn revoke_token(&self, name: &str, now_ms: i64) -> Result<bool, StoreError>;
    async fn touch_token(&self, id: i64, now_ms: i64) -> Result<(), StoreError>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError>;
}

/// Everything Ringside keeps.
#[async_trait]
pub trait Store:
    AccountStore + AuditStore + cdr::CdrStore + FlowStore + moh::MohStore + PushStore + ServerStore
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// A cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Close the pool, waiting for checked-out connections.
    async fn close(&self);
}

/// Open the database named by `url`, creating a SQLite file if needed, and apply migrations.
pub async fn open(url: &str, max_connections: Option<u32>) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::open(url, max_connections).await?))
    } else {
        Ok(Arc::new(sqlite::open(url, max_connections).await?))
    }
}

/// Map sqlx's "the database has a migration this binary lacks" to a message an admin can act on.
pub(crate) fn migrate_error(err: sqlx::migrate::MigrateError, known: i64) -> StoreError {
    match err {
        sqlx::migrate::MigrateError::VersionMissing(found) => StoreError::SchemaTooNew { found, known },
        other => StoreError::Migrate(other.to_string()),
    }
}

/// Whether a database error is a uniqueness violation (both backends report it this way).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
