//! The SQL both backends run, written once.
//!
//! SQLite and PostgreSQL accept the same statements here (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`), so the queries are written once inside [`impl_sql_store!`] and instantiated for each
//! sqlx driver: a macro rather than a generic impl because sqlx's driver bounds would otherwise be
//! repeated on every method. Anything that truly differs between the databases belongs in the backend
//! modules, not here.

use sqlx::{Database, Pool};

/// A store over one sqlx pool.
pub struct SqlStore<DB: Database> {
    pub(crate) pool: Pool<DB>,
}

impl<DB: Database> SqlStore<DB> {
    pub fn new(pool: Pool<DB>) -> Self {
        Self { pool }
    }
}

/// Implement the store traits for `SqlStore<$db>`; `$name` is what [`Store::backend`] reports.
///
/// [`Store::backend`]: super::Store::backend
macro_rules! impl_sql_store {
    ($db:ty, $name:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::AccountStore for $crate::store::sql::SqlStore<$db> {
            async fn create_user(
                &self,
                user: $crate::store::NewUser<'_>,
            ) -> Result<$crate::store::UserRow, $crate::store::StoreError> {
                sqlx::query_as(
                    "INSERT INTO users (username, role, password_hash, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4) \
                     RETURNING id, username, role, password_hash, created_at, updated_at",
                )
                .bind(user.username)
                .bind(user.role)
                .bind(user.password_hash)
                .bind(user.now_ms)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| {
                    if $crate::store::is_unique_violation(&e) {
                        $crate::store::StoreError::Conflict(format!("user {}", user.username))
                    } else {
                        e.into()
                    }
                })
            }

            async fn user_by_name(
                &self,
                username: &str,
            ) -> Result<Option<$crate::store::UserRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, username, role, password_hash, created_at, updated_at \
                     FROM users WHERE username = $1",
                )
                .bind(username)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn user_by_id(
                &self,
                id: i64,
            ) -> Result<Option<$crate::store::UserRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, username, role, password_hash, created_at, updated_at \
                     FROM users WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn list_users(&self) -> Result<Vec<$crate::store::UserRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, username, role, password_hash, created_at, updated_at \
                     FROM users ORDER BY username",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn count_admins(&self) -> Result<i64, $crate::store::StoreError> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn set_password(
                &self,
                id: i64,
                hash: &str,
                now_ms: i64,
            ) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                    .bind(hash)
                    .bind(now_ms)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_role(
                &self,
                id: i64,
                role: &str,
                now_ms: i64,
            ) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
                    .bind(role)
                    .bind(now_ms)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn delete_user(&self, id: i64) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
                let done = sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_session(
                &self,
                s: &$crate::store::SessionRow,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query(
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, source) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&s.id_hash)
                .bind(s.user_id)
                .bind(&s.csrf_token)
                .bind(s.created_at)
                .bind(s.last_seen)
                .bind(&s.source)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session(
                &self,
                id_hash: &str,
            ) -> Result<Option<$crate::store::SessionRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id_hash, user_id, csrf_token, created_at, last_seen, source \
                     FROM sessions WHERE id_hash = $1",
                )
                .bind(id_hash)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn touch_session(
                &self,
                id_hash: &str,
                now_ms: i64,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
                    .bind(now_ms)
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_session(&self, id_hash: &str) -> Result<(), $crate::store::StoreError> {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_user_sessions(&self, user_id: i64) -> Result<(), $crate::store::StoreError> {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn purge_sessions(
                &self,
                idle_before: i64,
                created_before: i64,
            ) -> Result<u64, $crate::store::StoreError> {
                let done = sqlx::query("DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2")
                    .bind(idle_before)
                    .bind(created_before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn insert_token(
                &self,
                t: $crate::store::NewToken<'_>,
            ) -> Result<$crate::store::ApiTokenRow, $crate::store::StoreError> {
                sqlx::query_as(
                    "INSERT INTO api_tokens (name, token_hash, role, created_at) \
                     VALUES ($1, $2, $3, $4) \
                     RETURNING id, name, token_hash, role, created_at, last_used, revoked_at",
                )
                .bind(t.name)
                .bind(t.token_hash)
                .bind(t.role)
                .bind(t.now_ms)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| {
                    if $crate::store::is_unique_violation(&e) {
                        $crate::store::StoreError::Conflict(format!("token {}", t.name))
                    } else {
                        e.into()
                    }
                })
            }

            async fn token_by_hash(
                &self,
                token_hash: &str,
            ) -> Result<Option<$crate::store::ApiTokenRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, name, token_hash, role, created_at, last_used, revoked_at \
                     FROM api_tokens WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn list_tokens(
                &self,
            ) -> Result<Vec<$crate::store::ApiTokenRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, name, token_hash, role, created_at, last_used, revoked_at \
                     FROM api_tokens ORDER BY name",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn revoke_token(&self, name: &str, now_ms: i64) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
                )
                .bind(now_ms)
                .bind(name)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn touch_token(&self, id: i64, now_ms: i64) -> Result<(), $crate::store::StoreError> {
                sqlx::query("UPDATE api_tokens SET last_used = $1 WHERE id = $2")
                    .bind(now_ms)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::AuditStore for $crate::store::sql::SqlStore<$db> {
            async fn append_audit(
                &self,
                e: &$crate::store::AuditEntry,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, source, action, object, outcome, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(e.at_ms)
                .bind(&e.actor)
                .bind(&e.source)
                .bind(&e.action)
                .bind(&e.object)
                .bind(&e.outcome)
                .bind(&e.detail)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn list_audit(
                &self,
                f: &$crate::store::AuditFilter,
            ) -> Result<Vec<$crate::store::AuditRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, at, actor, source, action, object, outcome, detail FROM audit_log \
                     WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) \
                       AND ($3 = '' OR outcome = $3) AND id < $4 \
                     ORDER BY id DESC LIMIT $5",
                )
                .bind(&f.actor)
                .bind(&f.action)
                .bind(&f.outcome)
                .bind(f.before_id.unwrap_or(i64::MAX))
                .bind(f.limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::Store for $crate::store::sql::SqlStore<$db> {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn ping(&self) -> Result<(), $crate::store::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn close(&self) {
                self.pool.close().await;
            }
        }
    };
}

pub(crate) use impl_sql_store;
