//! Asterisk servers added in the console: the [`ServerStore`] trait and its SQL, written once for
//! both backends in [`impl_server_store!`].
//!
//! Stores what it is given: `asterisk::push::registry` validates every value first and decides how
//! these rows combine with the `[[asterisk]]` entries of the config file. Deleting a server also
//! deletes its last deploy and class states, in the same transaction. The secrets are stored (Ringside
//! must log in with them) but [`ServerRow`]'s `Debug` never prints them.

use async_trait::async_trait;

use super::StoreError;

/// One console-managed server, as stored. Optional text columns are `NULL` when unset.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ServerRow {
    pub name: String,
    pub enabled: bool,
    pub ari_url: Option<String>,
    pub ari_user: Option<String>,
    pub ari_password: Option<String>,
    pub ami_host: Option<String>,
    pub ami_port: i64,
    pub ami_user: Option<String>,
    pub ami_secret: Option<String>,
    pub moh_root: Option<String>,
    pub conf_path: Option<String>,
    pub cdr_csv_path: Option<String>,
    pub cdr_timezone: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for ServerRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("ServerRow")
            .field("name", &self.name)
            .field("enabled", &self.enabled)
            .field("ari_url", &self.ari_url)
            .field("ari_user", &self.ari_user)
            .field("ari_password", &hidden(&self.ari_password))
            .field("ami_host", &self.ami_host)
            .field("ami_port", &self.ami_port)
            .field("ami_user", &self.ami_user)
            .field("ami_secret", &hidden(&self.ami_secret))
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait ServerStore: Send + Sync {
    /// Every console server, by name.
    async fn list_servers(&self) -> Result<Vec<ServerRow>, StoreError>;
    /// `Conflict` when the name is taken.
    async fn insert_server(&self, row: &ServerRow) -> Result<(), StoreError>;
    /// Replaces every column but `name` and `created_at`. `false` when no such server.
    async fn update_server(&self, row: &ServerRow) -> Result<bool, StoreError>;
    /// Deletes the server and its push results. `false` when no such server.
    async fn delete_server(&self, name: &str) -> Result<bool, StoreError>;
}

/// Binds `$1` … `$13` of both the insert and the update: `name` to `cdr_timezone`, in table order.
macro_rules! bind_columns {
    ($query:expr, $r:expr) => {
        $query
            .bind(&$r.name)
            .bind($r.enabled)
            .bind(&$r.ari_url)
            .bind(&$r.ari_user)
            .bind(&$r.ari_password)
            .bind(&$r.ami_host)
            .bind($r.ami_port)
            .bind(&$r.ami_user)
            .bind(&$r.ami_secret)
            .bind(&$r.moh_root)
            .bind(&$r.conf_path)
            .bind(&$r.cdr_csv_path)
            .bind(&$r.cdr_timezone)
    };
}
pub(crate) use bind_columns;

/// Implements [`ServerStore`] for `SqlStore<$db>`.
macro_rules! impl_server_store {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::servers::ServerStore for $crate::store::sql::SqlStore<$db> {
            async fn list_servers(
                &self,
            ) -> Result<Vec<$crate::store::servers::ServerRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT name, enabled, ari_url, ari_user, ari_password, ami_host, ami_port, ami_user, \
                     ami_secret, moh_root, conf_path, cdr_csv_path, cdr_timezone, created_at, updated_at \
                     FROM asterisk_servers ORDER BY name",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn insert_server(
                &self,
                r: &$crate::store::servers::ServerRow,
            ) -> Result<(), $crate::store::StoreError> {
                let query = sqlx::query(
                    "INSERT INTO asterisk_servers (name, enabled, ari_url, ari_user, ari_password, ami_host, \
                     ami_port, ami_user, ami_secret, moh_root, conf_path, cdr_csv_path, cdr_timezone, \
                     created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                );
                $crate::store::servers::bind_columns!(query, r)
                .bind(r.created_at)
                .bind(r.updated_at)
                .execute(&self.pool)
                .await
                .map_err(|e| {
                    if $crate::store::is_unique_violation(&e) {
                        $crate::store::StoreError::Conflict(format!("a server named {}", r.name))
                    } else {
                        e.into()
                    }
                })?;
                Ok(())
            }

            async fn update_server(
                &self,
                r: &$crate::store::servers::ServerRow,
            ) -> Result<bool, $crate::store::StoreError> {
                let query = sqlx::query(
                    "UPDATE asterisk_servers SET enabled = $2, ari_url = $3, ari_user = $4, ari_password = $5, \
                     ami_host = $6, ami_port = $7, ami_user = $8, ami_secret = $9, moh_root = $10, \
                     conf_path = $11, cdr_csv_path = $12, cdr_timezone = $13, updated_at = $14 \
                     WHERE name = $1",
                );
                let done = $crate::store::servers::bind_columns!(query, r)
                .bind(r.updated_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_server(&self, name: &str) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("DELETE FROM asterisk_servers WHERE name = $1")
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                for statement in
                    ["DELETE FROM push_deploys WHERE server = $1", "DELETE FROM push_classes WHERE server = $1"]
                {
                    sqlx::query(statement).bind(name).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}
pub(crate) use impl_server_store;
