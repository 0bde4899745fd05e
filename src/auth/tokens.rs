//! API tokens for scripts: `rs_` + 32 random bytes, shown once, stored as SHA-256 only.

use super::model::{Role, TokenName};
use crate::store::{ApiTokenRow, NewToken, Store, StoreError};

/// Every token starts with this, so leaked tokens are easy to grep for.
pub const PREFIX: &str = "rs_";

/// Create a token and return its row and the secret (which is never stored).
pub async fn create(
    store: &dyn Store,
    name: &TokenName,
    role: Role,
) -> Result<(ApiTokenRow, String), StoreError> {
    let secret = format!("{PREFIX}{}", super::random_token(32));
    let row = store
        .insert_token(NewToken {
            name: name.as_str(),
            token_hash: &super::secret_digest(&secret),
            role: role.as_str(),
            now_ms: super::now_ms(),
        })
        .await?;
    Ok((row, secret))
}

/// The live (not revoked) token for a bearer secret.
pub async fn resolve(store: &dyn Store, secret: &str) -> Result<Option<ApiTokenRow>, StoreError> {
    if !secret.starts_with(PREFIX) || secret.len() > 128 {
        return Ok(None);
    }
    let row = store.token_by_hash(&super::secret_digest(secret)).await?;
    let Some(row) = row.filter(|r| r.revoked_at.is_none()) else { return Ok(None) };
    let now = super::now_ms();
    if row.last_used.is_none_or(|t| now - t > 60_000) {
        store.touch_token(row.id, now).await?;
    }
    Ok(Some(row))
}
