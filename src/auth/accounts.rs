//! Managing accounts — add, change password, change role, remove — the same way from the command line
//! and the console, each action audited. The last admin can be neither removed nor demoted: Ringside
//! must never lock its admins out.

use super::model::{AccountError, Password, Role, Username};
use super::password::{HashError, Hasher};
use crate::audit::{self, Actor, Outcome};
use crate::store::{NewUser, Store, StoreError, UserRow};

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    Invalid(#[from] AccountError),
    #[error("user {0} already exists")]
    Exists(String),
    #[error("no user named {0}")]
    NoSuchUser(String),
    #[error("{0} is the last admin: add another admin first")]
    LastAdmin(String),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountsError {
    fn from(e: StoreError) -> Self {
        AccountsError::Store(e)
    }
}

/// Create an account.
pub async fn add(
    store: &dyn Store,
    hasher: &Hasher,
    actor: &Actor,
    username: &Username,
    role: Role,
    password: &Password,
) -> Result<UserRow, AccountsError> {
    let hash = hasher.hash(password).await?;
    let new = NewUser {
        username: username.as_str(),
        role: role.as_str(),
        password_hash: &hash,
        now_ms: super::now_ms(),
    };
    let result = store.create_user(new).await;
    let outcome = if result.is_ok() { Outcome::Success } else { Outcome::Failure };
    audit::record(store, actor, "user.add", username.as_str(), outcome, role.as_str()).await;
    match result {
        Ok(user) => Ok(user),
        Err(StoreError::Conflict(_)) => Err(AccountsError::Exists(username.to_string())),
        Err(e) => Err(e.into()),
    }
}

async fn existing(store: &dyn Store, username: &str) -> Result<UserRow, AccountsError> {
    store.user_by_name(username).await?.ok_or_else(|| AccountsError::NoSuchUser(username.into()))
}

/// Set a new password; every session of that user ends.
pub async fn set_password(
    store: &dyn Store,
    hasher: &Hasher,
    actor: &Actor,
    username: &str,
    password: &Password,
) -> Result<(), AccountsError> {
    let user = existing(store, username).await?;
    let hash = hasher.hash(password).await?;
    store.set_password(user.id, &hash, super::now_ms()).await?;
    store.delete_user_sessions(user.id).await?;
    audit::record(store, actor, "user.passwd", username, Outcome::Success, "").await;
    Ok(())
}

/// Change a user's role, refusing to demote the last admin.
pub async fn set_role(
    store: &dyn Store,
    actor: &Actor,
    username: &str,
    role: Role,
) -> Result<(), AccountsError> {
    let user = existing(store, username).await?;
    if user.role == Role::Admin.as_str() && role != Role::Admin && store.count_admins().await? <= 1 {
        audit::record(store, actor, "user.role", username, Outcome::Denied, "last admin").await;
        return Err(AccountsError::LastAdmin(username.into()));
    }
    store.set_role(user.id, role.as_str(), super::now_ms()).await?;
    store.delete_user_sessions(user.id).await?;
    audit::record(store, actor, "user.role", username, Outcome::Success, role.as_str()).await;
    Ok(())
}

/// Remove a user and end their sessions, refusing to remove the last admin.
pub async fn remove(store: &dyn Store, actor: &Actor, username: &str) -> Result<(), AccountsError> {
    let user = existing(store, username).await?;
    if user.role == Role::Admin.as_str() && store.count_admins().await? <= 1 {
        audit::record(store, actor, "user.remove", username, Outcome::Denied, "last admin").await;
        return Err(AccountsError::LastAdmin(username.into()));
    }
    store.delete_user(user.id).await?;
    audit::record(store, actor, "user.remove", username, Outcome::Success, "").await;
    Ok(())
}
