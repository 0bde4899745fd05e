//! SQLite backend: the embedded default.
//!
//! WAL journal with `synchronous = FULL`, so a committed transaction survives `kill -9` and power loss
//! (NORMAL in WAL mode may lose the last commits on power loss). Foreign keys on, a busy timeout so
//! concurrent writers wait instead of failing.

use super::flows::impl_flow_store;
use super::sql::{SqlStore, impl_sql_store};
use super::{StoreError, migrate_error};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub type SqliteStore = SqlStore<sqlx::Sqlite>;

impl_sql_store!(sqlx::Sqlite, "sqlite");
crate::store::cdr_sql::impl_cdr_store!(sqlx::Sqlite, crate::cdr::search::sql::Dialect::Sqlite);
impl_flow_store!(sqlx::Sqlite);
super::push::impl_push_store!(sqlx::Sqlite);
super::servers::impl_server_store!(sqlx::Sqlite);
super::moh::impl_moh_store!(sqlx::Sqlite);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// Open (creating if missing) the SQLite database at `url` and migrate it.
pub async fn open(url: &str, max_connections: Option<u32>) -> Result<SqliteStore, StoreError> {
    let open_err = |e: &dyn std::fmt::Display| StoreError::Open { url: url.into(), message: e.to_string() };
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| open_err(&e))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    if let Some(parent) = options.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| open_err(&e))?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections.unwrap_or(8))
        .connect_with(options)
        .await
        .map_err(|e| open_err(&e))?;
    MIGRATOR.run(&pool).await.map_err(|e| migrate_error(e, latest_version()))?;
    Ok(SqlStore::new(pool))
}

fn latest_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}
