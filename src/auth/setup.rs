//! The first-run gate: a one-time setup token, printed to the log at start-up, that lets whoever can
//! read the log create the first admin in the browser. It exists only while no admin exists and is
//! gone as soon as one does, by any path.

use std::sync::Mutex;
use subtle::ConstantTimeEq;

#[derive(Default)]
pub struct SetupGate {
    token: Mutex<Option<String>>,
}

impl SetupGate {
    /// Open the gate with a fresh token and return it (for the log line).
    pub fn open(&self) -> String {
        let token = super::random_token(18);
        *self.lock() = Some(token.clone());
        token
    }

    pub fn is_open(&self) -> bool {
        self.lock().is_some()
    }

    /// Whether `given` is the current token. Does not consume it.
    pub fn check(&self, given: &str) -> bool {
        match self.lock().as_deref() {
            Some(token) => bool::from(token.as_bytes().ct_eq(given.as_bytes())),
            None => false,
        }
    }

    /// Close the gate for good (an admin now exists).
    pub fn close(&self) {
        *self.lock() = None;
    }

    /// The token, for tests that play the admin reading the log.
    pub fn peek(&self) -> Option<String> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.token.lock().unwrap_or_else(|p| p.into_inner())
    }
}
