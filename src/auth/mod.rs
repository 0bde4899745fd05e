//! Who may use Ringside: accounts, passwords, sessions, API tokens, CSRF and login throttling.
//!
//! The web layer calls into this module; this module calls the store. It owns policy (idle and
//! absolute session lifetimes, throttling delays, who may change whom) and never touches HTTP types
//! except through the small request facts the web layer hands it.

pub mod accounts;
pub mod csrf;
pub mod model;
pub mod password;
pub mod session;
pub mod setup;
pub mod throttle;
pub mod tokens;

use base64::Engine;
use sha2::{Digest, Sha256};

pub use model::{AccountError, Password, Role, TokenName, Username};

/// `bytes` random bytes from the OS, URL-safe base64 without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The OS random source failing is not something Ringside can work around: nothing secure can
    // be issued without it, so stopping is the only safe answer.
    getrandom::fill(&mut buf).expect("the operating system's random source is unavailable");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Hex SHA-256 of a high-entropy secret (session IDs, API tokens): enough, since they are not guessable.
pub fn secret_digest(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}
