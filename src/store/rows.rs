//! Rows as the database returns them (`FromRow`), shared by both backends.
//!
//! Rows carry plain strings and integers; areas turn them into typed values (`Role`, ...) at their edge.

use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// SHA-256 of the cookie value: a leaked database does not hand out live sessions.
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub source: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub role: String,
    pub created_at: i64,
    pub last_used: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub source: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub detail: String,
}
