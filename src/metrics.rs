//! Process-wide counters, rendered in the Prometheus text format for `/metrics`.
//!
//! Deliberately tiny: atomic counters owned by the areas that bump them, no labels beyond a few fixed
//! ones, no registry crate. An area with its own counters registers a [`MetricsSource`] at start-up
//! ([`Metrics::add_source`]); `/metrics` renders the core counters, then every source in order.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Counters an area renders itself (Prometheus text, `# HELP`/`# TYPE` lines included).
pub trait MetricsSource: Send + Sync {
    fn render(&self, out: &mut String);
}

/// A Prometheus label value: `\`, `"` and newlines escaped.
pub fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[derive(Default)]
pub struct Metrics {
    sources: RwLock<Vec<Arc<dyn MetricsSource>>>,
    pub http_requests_2xx: AtomicU64,
    pub http_requests_3xx: AtomicU64,
    pub http_requests_4xx: AtomicU64,
    pub http_requests_5xx: AtomicU64,
    pub logins_succeeded: AtomicU64,
    pub logins_failed: AtomicU64,
    pub logins_throttled: AtomicU64,
    pub csrf_rejected: AtomicU64,
}

impl Metrics {
    /// Adds an area's counters to `/metrics`.
    pub fn add_source(&self, source: Arc<dyn MetricsSource>) {
        self.sources.write().unwrap_or_else(|poisoned| poisoned.into_inner()).push(source);
    }

    pub fn count_status(&self, status: u16) {
        let counter = match status {
            200..=299 => &self.http_requests_2xx,
            300..=399 => &self.http_requests_3xx,
            400..=499 => &self.http_requests_4xx,
            _ => &self.http_requests_5xx,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let _ = writeln!(out, "# HELP ringside_http_requests_total HTTP responses by status class.");
        let _ = writeln!(out, "# TYPE ringside_http_requests_total counter");
        for (class, c) in [
            ("2xx", &self.http_requests_2xx),
            ("3xx", &self.http_requests_3xx),
            ("4xx", &self.http_requests_4xx),
            ("5xx", &self.http_requests_5xx),
        ] {
            let _ = writeln!(out, "ringside_http_requests_total{{class=\"{class}\"}} {}", get(c));
        }
        let _ = writeln!(out, "# HELP ringside_logins_total Login attempts by outcome.");
        let _ = writeln!(out, "# TYPE ringside_logins_total counter");
        for (outcome, c) in [
            ("success", &self.logins_succeeded),
            ("failure", &self.logins_failed),
            ("throttled", &self.logins_throttled),
        ] {
            let _ = writeln!(out, "ringside_logins_total{{outcome=\"{outcome}\"}} {}", get(c));
        }
        let _ = writeln!(out, "# HELP ringside_csrf_rejected_total Requests refused by the CSRF check.");
        let _ = writeln!(out, "# TYPE ringside_csrf_rejected_total counter");
        let _ = writeln!(out, "ringside_csrf_rejected_total {}", get(&self.csrf_rejected));
        for source in self.sources.read().unwrap_or_else(|poisoned| poisoned.into_inner()).iter() {
            source.render(&mut out);
        }
        out
    }
}
