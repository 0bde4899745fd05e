//! The production decider shared by the FastAGI scripts and the Stasis app: the live in-memory rule
//! book, the in-memory class list, and the decision log.
//!
//! Answers from memory only (an `Arc` clone under a read lock, a set lookup); recording is a
//! non-blocking `try_send`. A rule whose class no longer exists (deleted in the MoH console after
//! the rule was saved) gives the fallback class, with the reason logged. Must not touch the database.

use std::sync::Arc;

use jiff::Timestamp;

use super::metrics::{DecisionCounts, DecisionResult};
use super::{ClassCatalog, DecisionLog};
use crate::asterisk::agi::{AgiScripts, DecideError, RuleBookScripts};
use crate::flows::{CallFacts, Decision, ScheduleState};

/// Decides one call's class and records the decision.
#[derive(Clone)]
pub struct Decider {
    live: Arc<RuleBookScripts>,
    classes: Arc<dyn ClassCatalog>,
    log: DecisionLog,
    counts: Arc<DecisionCounts>,
}

impl Decider {
    pub fn new(live: Arc<RuleBookScripts>, classes: Arc<dyn ClassCatalog>, log: DecisionLog) -> Self {
        Self { live, classes, log, counts: Arc::default() }
    }

    /// Counts decisions (by result and rule) into `counts` instead of a private tally.
    pub fn counting(mut self, counts: Arc<DecisionCounts>) -> Self {
        self.counts = counts;
        self
    }

    /// First matching rule's class (or the fallback), checked against the existing classes.
    pub fn decide(&self, facts: &CallFacts) -> Decision {
        let book = self.live.book();
        let mut decision = book.decide(facts);
        let mut result =
            if decision.rule.is_some() { DecisionResult::Rule } else { DecisionResult::Fallback };
        if decision.class != *book.fallback() && !self.classes.exists(decision.class.as_str()) {
            result = DecisionResult::MissingClass;
            tracing::warn!(
                uniqueid = %decision.uniqueid,
                rule = decision.rule_label(),
                class = %decision.class,
                fallback = %book.fallback(),
                "the matching rule's Music on Hold class no longer exists: fallback class used"
            );
            decision.class = book.fallback().clone();
        }
        self.counts.count(result, decision.rule.as_deref());
        self.log.record(&decision);
        decision
    }

    pub fn schedule_state(&self, name: &str, at: Timestamp) -> Result<ScheduleState, DecideError> {
        let book = self.live.book();
        let schedule = book.schedule(name).ok_or_else(|| DecideError::UnknownSchedule(name.to_owned()))?;
        Ok(schedule.state_at(at))
    }
}

/// [`AgiScripts`] over the [`Decider`].
pub struct StoreScripts {
    decider: Decider,
}

impl StoreScripts {
    pub fn new(decider: Decider) -> Self {
        Self { decider }
    }
}

impl AgiScripts for StoreScripts {
    async fn decide_moh(&self, call: &CallFacts) -> Result<Decision, DecideError> {
        Ok(self.decider.decide(call))
    }

    async fn schedule_state(&self, name: &str, at: Timestamp) -> Result<ScheduleState, DecideError> {
        self.decider.schedule_state(name, at)
    }
}
