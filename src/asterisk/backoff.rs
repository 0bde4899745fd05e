//! Capped exponential backoff for reconnect loops (AMI and ARI share it).
//!
//! Pure arithmetic: the caller sleeps. Must never return zero, so a failing peer can never cause
//! a tight loop.

use std::time::Duration;

/// Backoff settings: first delay, cap, and how long a connection must have lived before the
/// delay starts again from `initial` (so a peer that accepts then drops at once is not hammered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub reset_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            reset_after: Duration::from_secs(10),
        }
    }
}

/// The running state of one backoff sequence.
#[derive(Debug, Clone)]
pub struct BackoffState {
    settings: Backoff,
    next: Duration,
}

const FLOOR: Duration = Duration::from_millis(10);

impl BackoffState {
    /// Starts at `settings.initial` (at least 10 ms).
    pub fn new(settings: Backoff) -> Self {
        Self { next: settings.initial.max(FLOOR), settings }
    }

    /// The delay to wait now; doubles the following one up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let current = self.next.min(self.settings.max.max(FLOOR));
        self.next = current.saturating_mul(2).min(self.settings.max.max(FLOOR));
        current
    }

    /// Starts over from `initial` if the connection lived at least `reset_after`.
    pub fn connection_lasted(&mut self, lived: Duration) {
        if lived >= self.settings.reset_after {
            self.next = self.settings.initial.max(FLOOR);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps() {
        let mut b = BackoffState::new(Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(5),
            reset_after: Duration::from_secs(10),
        });
        let got: Vec<u64> = (0..5).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(got, vec![1, 2, 4, 5, 5]);
        b.connection_lasted(Duration::from_secs(1));
        assert_eq!(b.next_delay().as_secs(), 5);
        b.connection_lasted(Duration::from_secs(10));
        assert_eq!(b.next_delay().as_secs(), 1);
    }

    #[test]
    fn never_zero() {
        let mut b = BackoffState::new(Backoff {
            initial: Duration::ZERO,
            max: Duration::ZERO,
            reset_after: Duration::ZERO,
        });
        assert!(b.next_delay() >= FLOOR);
    }
}
