//! PostgreSQL backend, for installations that outgrow SQLite.

use super::flows::impl_flow_store;
use super::sql::{SqlStore, impl_sql_store};
use super::{StoreError, migrate_error};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

pub type PgStore = SqlStore<sqlx::Postgres>;

impl_sql_store!(sqlx::Postgres, "postgres");
crate::store::cdr_sql::impl_cdr_store!(sqlx::Postgres, crate::cdr::search::sql::Dialect::Postgres);
impl_flow_store!(sqlx::Postgres);
super::push::impl_push_store!(sqlx::Postgres);
super::servers::impl_server_store!(sqlx::Postgres);
super::moh::impl_moh_store!(sqlx::Postgres);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Connect to PostgreSQL at `url` and migrate the schema.
pub async fn open(url: &str, max_connections: Option<u32>) -> Result<PgStore, StoreError> {
    let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
        url: crate::config::redact_url_password(url),
        message: e.to_string(),
    };
    let options = PgConnectOptions::from_str(url).map_err(|e| open_err(&e))?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections.unwrap_or(16))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| open_err(&e))?;
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    MIGRATOR.run(&pool).await.map_err(|e| migrate_error(e, latest))?;
    Ok(SqlStore::new(pool))
}
