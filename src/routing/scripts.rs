//! The FastAGI scripts' decider in production: the live in-memory rule book, plus the decision log.
//!
//! Answers from memory only (an `Arc` clone under a read lock); recording is a non-blocking
//! `try_send`. Must not touch the database.

use std::sync::Arc;

use jiff::Timestamp;

use super::DecisionLog;
use crate::asterisk::agi::{AgiScripts, DecideError, RuleBookScripts};
use crate::flows::{CallFacts, Decision, ScheduleState};

pub struct StoreScripts {
    live: Arc<RuleBookScripts>,
    log: DecisionLog,
}

impl StoreScripts {
    pub fn new(live: Arc<RuleBookScripts>, log: DecisionLog) -> Self {
        Self { live, log }
    }
}

impl AgiScripts for StoreScripts {
    async fn decide_moh(&self, call: &CallFacts) -> Result<Decision, DecideError> {
        let decision = self.live.decide_moh(call).await?;
        self.log.record(&decision);
        Ok(decision)
    }

    async fn schedule_state(&self, name: &str, at: Timestamp) -> Result<ScheduleState, DecideError> {
        self.live.schedule_state(name, at).await
    }
}
