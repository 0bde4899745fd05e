//! The decision log: every FastAGI/Stasis decision is recorded without ever blocking the call.
//!
//! ```text
//! session ─try_send─▶ bounded queue (4096) ─▶ writer task: batch ≤ 256 ─▶ rows ─▶ insert_decisions
//!            full? ─▶ count `dropped`, warn at most once a minute
//!
//! The call's task only moves a clone of the [`Decision`] into the queue; turning it into a row
//! (the inputs as JSON) happens on the writer task, off the path the dialplan is waiting on.
//! daily ─▶ purge_decisions(older than [agi] decision_retention_days)
//! ```
//!
//! Also the read side the CDR call view uses: [`for_call`]. Must not decide anything.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::flows::Decision;
use crate::store::flows::{DecisionRow, NewDecision};
use crate::store::{Store, StoreError};

const QUEUE: usize = 4096;
const BATCH: usize = 256;

/// Counters for the log.
#[derive(Debug, Default)]
pub struct DecisionLogStats {
    pub recorded: AtomicU64,
    pub dropped: AtomicU64,
    pub write_errors: AtomicU64,
    last_warned_s: AtomicU64,
}

/// The sending side, cloned into every decider.
#[derive(Clone)]
pub struct DecisionLog {
    tx: mpsc::Sender<Decision>,
    pub stats: Arc<DecisionLogStats>,
}

impl DecisionLog {
    /// The log and the receiver its writer task drains (see [`spawn_writer`]).
    pub fn new() -> (Self, mpsc::Receiver<Decision>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Self { tx, stats: Arc::default() }, rx)
    }

    /// Queues `decision`; never waits. A full queue drops it, counted and logged.
    pub fn record(&self, decision: &Decision) {
        match self.tx.try_send(decision.clone()) {
            Ok(()) => {}
            Err(_) => {
                let dropped = self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                let now = jiff::Timestamp::now().as_second().max(0) as u64;
                let last = self.stats.last_warned_s.load(Ordering::Relaxed);
                if now >= last + 60
                    && self
                        .stats
                        .last_warned_s
                        .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                {
                    tracing::warn!(dropped, "decision log queue full: decisions not recorded");
                }
            }
        }
    }
}

fn to_row(d: &Decision) -> NewDecision {
    NewDecision {
        uniqueid: d.uniqueid.clone(),
        at_ms: d.at.as_millisecond(),
        caller: d.inputs.caller_number.clone(),
        dialled: d.inputs.dialled.clone(),
        queue: d.inputs.queue.clone(),
        context: d.inputs.context.clone(),
        rule: d.rule.clone(),
        class: d.class.to_string(),
        inputs: serde_json::to_string(&d.inputs).unwrap_or_else(|_| "{}".to_owned()),
    }
}

/// Drains the queue in batches until shutdown, then writes what is left.
pub fn spawn_writer(
    store: Arc<dyn Store>,
    mut rx: mpsc::Receiver<Decision>,
    stats: Arc<DecisionLogStats>,
    shutdown: &CancellationToken,
    tasks: &TaskTracker,
) {
    let stop = shutdown.clone();
    tasks.spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let got = tokio::select! {
                got = rx.recv_many(&mut batch, BATCH) => got,
                () = stop.cancelled() => {
                    rx.close();
                    while rx.recv_many(&mut batch, BATCH).await > 0 {
                        write(store.as_ref(), &mut batch, &stats).await;
                    }
                    break;
                }
            };
            if got == 0 {
                break;
            }
            write(store.as_ref(), &mut batch, &stats).await;
        }
    });
}

async fn write(store: &dyn Store, batch: &mut Vec<Decision>, stats: &DecisionLogStats) {
    let rows: Vec<NewDecision> = batch.iter().map(to_row).collect();
    match store.insert_decisions(&rows).await {
        Ok(()) => {
            stats.recorded.fetch_add(batch.len() as u64, Ordering::Relaxed);
        }
        Err(e) => {
            stats.write_errors.fetch_add(batch.len() as u64, Ordering::Relaxed);
            tracing::warn!(error = %e, lost = batch.len(), "could not record AGI decisions");
        }
    }
    batch.clear();
}

/// Deletes decisions older than `days` once a day (and once at start).
pub fn spawn_retention(store: Arc<dyn Store>, days: u32, shutdown: &CancellationToken, tasks: &TaskTracker) {
    let stop = shutdown.clone();
    tasks.spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(24 * 3600));
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = every.tick() => {
                    let cutoff = jiff::Timestamp::now().as_millisecond() - i64::from(days) * 86_400_000;
                    match store.purge_decisions(cutoff).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(decisions = n, days, "old AGI decisions removed"),
                        Err(e) => tracing::warn!(error = %e, "could not remove old AGI decisions"),
                    }
                }
            }
        }
    });
}

/// The hold-music decisions for one call, for the CDR call view: made on the channel `uniqueid` or
/// on the call's first channel (`linkedid`), oldest first.
pub async fn for_call(
    store: &dyn Store,
    uniqueid: &str,
    linkedid: &str,
) -> Result<Vec<DecisionRow>, StoreError> {
    store.decisions_for_call(uniqueid, linkedid).await
}
