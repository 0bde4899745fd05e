//! Storage for the push to Asterisk: per server the last deploy (time, result, message, Asterisk's
//! output) and per server and class the sync state. Written once per deploy, in one transaction,
//! so a reader never sees one deploy's classes with another's verdict.
//!
//! Stores and reads only; the push decides. SQL written once in [`impl_push_store!`].

use async_trait::async_trait;

use super::StoreError;

/// The last deploy to one server.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PushDeployRow {
    pub server: String,
    /// Unix milliseconds.
    pub at: i64,
    /// `in_sync`, `pending` or `failed`.
    pub result: String,
    pub message: String,
    /// Asterisk's output lines, joined with `\n`.
    pub output: String,
}

/// One class on one server.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PushClassRow {
    pub server: String,
    pub class: String,
    pub status: String,
    pub detail: String,
    pub updated_at: i64,
}

#[async_trait]
pub trait PushStore: Send + Sync {
    /// Replaces `deploy.server`'s last deploy and all its class rows.
    async fn save_push_result(
        &self,
        deploy: &PushDeployRow,
        classes: &[PushClassRow],
    ) -> Result<(), StoreError>;
    async fn push_deploys(&self) -> Result<Vec<PushDeployRow>, StoreError>;
    async fn push_classes(&self) -> Result<Vec<PushClassRow>, StoreError>;
}

/// Implements [`PushStore`] for `SqlStore<$db>`.
macro_rules! impl_push_store {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::push::PushStore for $crate::store::sql::SqlStore<$db> {
            async fn save_push_result(
                &self,
                deploy: &$crate::store::push::PushDeployRow,
                classes: &[$crate::store::push::PushClassRow],
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO push_deploys (server, at, result, message, output) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (server) DO UPDATE SET at = excluded.at, result = excluded.result, \
                     message = excluded.message, output = excluded.output",
                )
                .bind(&deploy.server)
                .bind(deploy.at)
                .bind(&deploy.result)
                .bind(&deploy.message)
                .bind(&deploy.output)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM push_classes WHERE server = $1")
                    .bind(&deploy.server)
                    .execute(&mut *tx)
                    .await?;
                for row in classes {
                    sqlx::query(
                        "INSERT INTO push_classes (server, class, status, detail, updated_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&row.server)
                    .bind(&row.class)
                    .bind(&row.status)
                    .bind(&row.detail)
                    .bind(row.updated_at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn push_deploys(
                &self,
            ) -> Result<Vec<$crate::store::push::PushDeployRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as("SELECT server, at, result, message, output FROM push_deploys ORDER BY server")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn push_classes(
                &self,
            ) -> Result<Vec<$crate::store::push::PushClassRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT server, class, status, detail, updated_at FROM push_classes ORDER BY server, class",
                )
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}
pub(crate) use impl_push_store;
