//! What the collector has been doing, for the Calls page: recent follower/AMI events and
//! counters per server. In memory only (the rows themselves are in the database).

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

use crate::store::cdr::InsertCounts;

const KEEP_EVENTS: usize = 50;

/// One thing worth showing an admin.
#[derive(Debug, Clone, Serialize)]
pub struct StatusEvent {
    /// Unix ms.
    pub at: i64,
    pub server: String,
    pub source: String,
    pub message: String,
}

/// Shared collector status.
#[derive(Debug, Default)]
pub struct CollectorStatus {
    events: Mutex<VecDeque<StatusEvent>>,
    totals: Mutex<InsertCounts>,
}

impl CollectorStatus {
    /// Remembers an event (oldest dropped beyond 50).
    pub fn event(&self, server: &str, source: &str, message: impl Into<String>) {
        let event = StatusEvent {
            at: super::now_ms(),
            server: server.to_owned(),
            source: source.to_owned(),
            message: message.into(),
        };
        if let Ok(mut events) = self.events.lock() {
            if events.len() == KEEP_EVENTS {
                events.pop_front();
            }
            events.push_back(event);
        }
    }

    /// Adds a commit's counts.
    pub fn counted(&self, counts: InsertCounts) {
        if let Ok(mut totals) = self.totals.lock() {
            *totals += counts;
        }
    }

    /// Newest events first.
    pub fn recent(&self) -> Vec<StatusEvent> {
        self.events.lock().map(|e| e.iter().rev().cloned().collect()).unwrap_or_default()
    }

    /// Totals since start.
    pub fn totals(&self) -> InsertCounts {
        self.totals.lock().map(|t| *t).unwrap_or_default()
    }
}
