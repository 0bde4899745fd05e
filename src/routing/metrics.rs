//! Call-routing counters for `/metrics`: FastAGI sessions, decisions by rule, Stasis holds and the
//! decision log.
//!
//! Owns the per-rule decision counts (the other counters live with the code that bumps them:
//! `agi::ServerStats`, `stasis::StasisStats`, `decisions::DecisionLogStats`) and their Prometheus
//! rendering. Must not block a call: counting a decision is one short mutex hold, no allocation once
//! a rule has been counted.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::decisions::DecisionLogStats;
use super::stasis::StasisStats;
use crate::asterisk::agi::ServerStats;
use crate::metrics::{MetricsSource, label_value};

/// How a decision's class came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionResult {
    /// A rule matched and its class was given.
    Rule,
    /// No rule matched: the fallback class.
    Fallback,
    /// A rule matched but its class no longer exists: the fallback class.
    MissingClass,
}

impl DecisionResult {
    fn as_str(self) -> &'static str {
        match self {
            DecisionResult::Rule => "rule",
            DecisionResult::Fallback => "fallback",
            DecisionResult::MissingClass => "missing_class",
        }
    }
}

/// Decisions counted by result, then rule name.
#[derive(Debug, Default)]
pub struct DecisionCounts {
    counts: Mutex<HashMap<DecisionResult, HashMap<String, u64>>>,
}

impl DecisionCounts {
    pub fn count(&self, result: DecisionResult, rule: Option<&str>) {
        let mut counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let by_rule = counts.entry(result).or_default();
        let rule = rule.unwrap_or_default();
        match by_rule.get_mut(rule) {
            Some(n) => *n += 1,
            None => {
                by_rule.insert(rule.to_owned(), 1);
            }
        }
    }

    fn snapshot(&self) -> Vec<(DecisionResult, String, u64)> {
        let counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut all: Vec<_> = counts
            .iter()
            .flat_map(|(result, by_rule)| by_rule.iter().map(|(rule, n)| (*result, rule.clone(), *n)))
            .collect();
        all.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
        all
    }
}

/// Every call-routing counter, registered with `crate::metrics::Metrics` at start-up.
#[derive(Debug)]
pub struct RoutingCounters {
    pub agi: Arc<ServerStats>,
    pub stasis: Arc<StasisStats>,
    pub decisions: Arc<DecisionCounts>,
    pub log: Arc<DecisionLogStats>,
}

impl RoutingCounters {
    pub fn new(log: Arc<DecisionLogStats>) -> Self {
        Self { agi: Arc::default(), stasis: Arc::default(), decisions: Arc::default(), log }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// One counter family with one label: `name{label="value"} count` per row.
fn counters(out: &mut String, name: &str, help: &str, label: &str, rows: &[(&str, &AtomicU64)]) {
    family(out, name, "counter", help);
    for (value, counter) in rows {
        let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {}", counter.load(Ordering::Relaxed));
    }
}

impl MetricsSource for RoutingCounters {
    fn render(&self, out: &mut String) {
        let (agi, stasis, log) = (&self.agi, &self.stasis, &self.log);
        family(out, "ringside_agi_sessions_live", "gauge", "FastAGI sessions in progress.");
        let _ = writeln!(out, "ringside_agi_sessions_live {}", agi.live());
        counters(
            out,
            "ringside_agi_connections_total",
            "FastAGI connections by admission.",
            "admission",
            &[
                ("accepted", &agi.accepted),
                ("refused_allowlist", &agi.refused_allowlist),
                ("refused_cap", &agi.refused_cap),
            ],
        );
        counters(
            out,
            "ringside_agi_sessions_total",
            "Finished FastAGI sessions by outcome.",
            "outcome",
            &[
                ("answered", &agi.answered),
                ("fallback", &agi.fallbacks),
                ("call_ended", &agi.calls_ended),
                ("fault", &agi.faults),
                ("cut_at_shutdown", &agi.cut_at_shutdown),
            ],
        );
        family(out, "ringside_moh_decisions_total", "counter", "Hold-music decisions by result and rule.");
        for (result, rule, n) in self.decisions.snapshot() {
            let (result, rule) = (result.as_str(), label_value(&rule));
            let _ = writeln!(out, "ringside_moh_decisions_total{{result=\"{result}\",rule=\"{rule}\"}} {n}");
        }
        counters(
            out,
            "ringside_stasis_holds_total",
            "Stasis holds by event.",
            "event",
            &[
                ("started", &stasis.holds_started),
                ("stopped", &stasis.holds_stopped),
                ("ignored", &stasis.ignored),
                ("ari_error", &stasis.ari_errors),
            ],
        );
        counters(
            out,
            "ringside_decision_log_total",
            "Decision log entries by fate.",
            "fate",
            &[("recorded", &log.recorded), ("dropped", &log.dropped), ("write_error", &log.write_errors)],
        );
    }
}
