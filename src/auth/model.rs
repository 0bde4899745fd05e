//! Typed values for accounts: user names, roles and passwords, parsed once at the edge.
//!
//! Code behind these types trusts them: a [`Username`] always matches its pattern, a [`Password`] is
//! always within its length limits. Parsing never logs the rejected value (it may be a password).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything.
    Admin,
    /// Read-only: browse calls, listen to hold music.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Result<Self, AccountError> {
        match text {
            "admin" => Ok(Role::Admin),
            "viewer" => Ok(Role::Viewer),
            _ => Err(AccountError::BadRole),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an account value was refused. Messages are shown to admins as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error(
        "user names are 1 to 32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
    )]
    BadUsername,
    #[error("role must be 'admin' or 'viewer'")]
    BadRole,
    #[error("passwords must be at least {min} characters", min = Password::MIN_CHARS)]
    PasswordTooShort,
    #[error("passwords must be at most {max} bytes", max = Password::MAX_BYTES)]
    PasswordTooLong,
    #[error("token names are 1 to 64 characters: letters, digits, '.', '_' or '-'")]
    BadTokenName,
}

/// A user name: `^[a-z0-9][a-z0-9._-]{0,31}$`. Lower case only, so uniqueness ignores case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, AccountError> {
        let bytes = text.as_bytes();
        let first_ok = bytes.first().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let rest_ok = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
        if first_ok && rest_ok && bytes.len() <= 32 {
            Ok(Self(text.to_string()))
        } else {
            Err(AccountError::BadUsername)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password within the accepted length. `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    /// Longer inputs are refused before hashing so nobody can make Argon2 chew megabytes.
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(text: &str) -> Result<Self, AccountError> {
        if text.len() > Self::MAX_BYTES {
            Err(AccountError::PasswordTooLong)
        } else if text.chars().count() < Self::MIN_CHARS {
            Err(AccountError::PasswordTooShort)
        } else {
            Ok(Self(text.to_string()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The name of an API token: `^[A-Za-z0-9._-]{1,64}$`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(text: &str) -> Result<Self, AccountError> {
        let ok = (1..=64).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok { Ok(Self(text.to_string())) } else { Err(AccountError::BadTokenName) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_pattern() {
        for good in ["admin", "a", "jane.doe", "ops-2", "x_y"] {
            assert!(Username::parse(good).is_ok(), "{good}");
        }
        let long = "a".repeat(33);
        for bad in ["", "Admin", "-x", ".x", "a b", "a\nb", "a;b", "é", long.as_str()] {
            assert_eq!(Username::parse(bad), Err(AccountError::BadUsername), "{bad:?}");
        }
    }

    #[test]
    fn password_limits() {
        assert_eq!(Password::parse("short").err(), Some(AccountError::PasswordTooShort));
        assert_eq!(Password::parse(&"x".repeat(1025)).err(), Some(AccountError::PasswordTooLong));
        assert!(Password::parse(&"x".repeat(1024)).is_ok());
        assert!(!format!("{:?}", Password::parse("correct horse").expect("ok")).contains("horse"));
    }

    #[test]
    fn token_names() {
        assert!(TokenName::parse("backup-script.v2").is_ok());
        assert!(TokenName::parse("").is_err());
        assert!(TokenName::parse("a b").is_err());
    }
}
