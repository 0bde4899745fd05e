//! Password hashing with Argon2id (m = 19 MiB, t = 2, p = 1, the OWASP baseline), stored as PHC strings.
//!
//! Hashing is CPU- and memory-heavy on purpose, so it never runs on the async runtime threads and at most
//! [`Hasher::MAX_CONCURRENT`] hashes run at once: a burst of logins queues instead of exhausting memory.
//! Verifying a login for an unknown user still spends one hash, so response time does not reveal which
//! user names exist.

use super::model::Password;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Argon2(String),
    #[error("password hashing was interrupted")]
    Interrupted,
}

/// Hashes and verifies passwords off the async threads, a bounded number at a time.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self { permits: Arc::new(Semaphore::new(Self::MAX_CONCURRENT)) }
    }
}

fn argon2() -> Argon2<'static> {
    // 19 MiB = 19 * 1024 KiB, two passes, one lane: always valid, so the fallback is never taken.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl Hasher {
    /// Concurrent hashes at most (each holds 19 MiB while it runs).
    pub const MAX_CONCURRENT: usize = 2;

    /// Hash a password into a PHC string.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        self.run(move || hash_blocking(&password)).await?
    }

    /// Check `password` against a stored PHC string; `None` (unknown user) burns one hash and fails.
    pub async fn verify(&self, password: &str, phc: Option<String>) -> Result<bool, HashError> {
        if password.len() > Password::MAX_BYTES {
            return Ok(false);
        }
        let password = password.to_owned();
        self.run(move || {
            let phc = phc.unwrap_or_else(|| dummy_hash().to_owned());
            let ok = match PasswordHash::new(&phc) {
                Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
                Err(_) => false,
            };
            Ok(ok)
        })
        .await?
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|_| HashError::Interrupted)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| HashError::Interrupted)
    }
}

/// Hash synchronously (for the command line, which has no runtime to spare).
pub fn hash_blocking(password: &str) -> Result<String, HashError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError::Argon2(e.to_string()))
}

/// A valid hash of a random password, so unknown users cost the same as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = super::random_token(24);
        hash_blocking(&random).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_owasp_parameters_and_verify() {
        let hasher = Hasher::default();
        let password = Password::parse("correct horse battery").expect("valid");
        let phc = hasher.hash(&password).await.expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("correct horse battery", Some(phc.clone())).await.expect("verify"));
        assert!(!hasher.verify("wrong horse battery", Some(phc)).await.expect("verify"));
        assert!(!hasher.verify("anything at all", None).await.expect("verify"));
        assert!(!hasher.verify("x", Some("not a phc".into())).await.expect("verify"));
    }
}
