//! One task per server that decides *when* to deploy: at start, after MoH changes (a burst is
//! coalesced into one deploy), on "Apply now", after a reconnect or restart when Asterisk's
//! classes differ from the model, and again with capped backoff while the result is `pending`
//! (no second click needed). Each deploy's verdict is kept in memory and saved to the store.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::PushSettings;
use super::deploy::{self, DeployOutcome};
use super::link::{ServerLink, lock};
use super::status::{ClassStatus, DeployRecord, SyncState};
use crate::asterisk::ami::client::{Resync, ResyncReason};
use crate::asterisk::ari::{AriResync, AriResyncReason};
use crate::asterisk::backoff::BackoffState;
use crate::moh::desired::{DesiredMoh, DesiredSource};
use crate::store::{PushClassRow, PushDeployRow, Store};

/// The latest verdict for one server (what the console shows).
#[derive(Debug, Clone, Default)]
pub struct DeployView {
    pub last: Option<DeployRecord>,
    pub classes: Vec<ClassStatus>,
    pub differences: Vec<String>,
    pub deploys: u64,
    pub reloads: u64,
}

/// Everything one server's task needs.
pub struct Worker {
    pub link: Arc<ServerLink>,
    pub source: Arc<dyn DesiredSource>,
    pub store: Arc<dyn Store>,
    pub settings: PushSettings,
    pub view: Arc<Mutex<DeployView>>,
    pub apply_now: Arc<Notify>,
    pub changes: watch::Receiver<u64>,
    pub stop: CancellationToken,
}

/// Why the worker woke up.
enum Wake {
    Deploy(&'static str),
    Check(&'static str),
    Stop,
}

impl Worker {
    pub async fn run(mut self) {
        let mut ami_resync = self.link.ami.as_ref().map(|a| a.resync());
        let mut ari_resync = self.link.ari.as_ref().map(|a| a.resync.clone());
        let mut backoff = BackoffState::new(self.settings.retry);
        let mut retry_at: Option<Instant> = None;
        let mut wake = Wake::Deploy("start");
        loop {
            match wake {
                Wake::Stop => return,
                Wake::Check(why) => {
                    if self.differs(why).await {
                        wake = Wake::Deploy("Asterisk's classes differ after a reconnect or restart");
                        continue;
                    }
                }
                Wake::Deploy(why) => {
                    if !self.coalesce().await {
                        return;
                    }
                    let result = self.deploy_once(why).await;
                    retry_at = match result {
                        SyncState::Pending => Some(Instant::now() + backoff.next_delay()),
                        _ => {
                            backoff = BackoffState::new(self.settings.retry);
                            None
                        }
                    };
                }
            }
            wake = self.next_wake(&mut ami_resync, &mut ari_resync, retry_at).await;
        }
    }

    async fn next_wake(
        &mut self,
        ami: &mut Option<watch::Receiver<Resync>>,
        ari: &mut Option<watch::Receiver<AriResync>>,
        retry_at: Option<Instant>,
    ) -> Wake {
        loop {
            let retry = async {
                match retry_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = self.stop.cancelled() => return Wake::Stop,
                changed = self.changes.changed() => {
                    return if changed.is_ok() { Wake::Deploy("MoH change") } else { Wake::Stop };
                }
                _ = self.apply_now.notified() => return Wake::Deploy("apply now"),
                _ = retry => return Wake::Deploy("retry while pending"),
                reason = changed_ami(ami) => if let Some(why) = reason { return Wake::Check(why) },
                reason = changed_ari(ari) => if let Some(why) = reason { return Wake::Check(why) },
            }
        }
    }

    /// Waits out the coalescing window so a burst of changes becomes one deploy.
    async fn coalesce(&mut self) -> bool {
        tokio::select! {
            _ = self.stop.cancelled() => return false,
            _ = tokio::time::sleep(self.settings.coalesce) => {}
        }
        self.changes.borrow_and_update();
        true
    }

    async fn desired(&self) -> Result<DesiredMoh, String> {
        self.source.desired().await.map_err(|e| e.to_string())
    }

    /// After a reconnect or restart: read back and say whether a redeploy is needed.
    async fn differs(&self, why: &str) -> bool {
        self.link.refresh_info().await;
        let Ok(moh) = self.desired().await else { return false };
        let outcome = deploy::verify(&self.link, &moh).await;
        tracing::info!(server = %self.link.name, why, result = outcome.result.as_str(), "checked Asterisk's classes");
        outcome.result == SyncState::Failed
    }

    async fn deploy_once(&self, why: &str) -> SyncState {
        tracing::info!(server = %self.link.name, why, "deploying Music on Hold");
        self.link.refresh_info().await;
        let outcome = match self.desired().await {
            Ok(moh) => deploy::deploy(&self.link, &moh).await,
            Err(message) => DeployOutcome {
                result: SyncState::Failed,
                message: format!("the Music on Hold model could not be read: {message}"),
                output: Vec::new(),
                classes: Vec::new(),
                differences: Vec::new(),
                reloaded: false,
            },
        };
        let result = outcome.result;
        self.record(outcome).await;
        result
    }

    async fn record(&self, outcome: DeployOutcome) {
        if self.stop.is_cancelled() {
            // The server was changed or removed meanwhile: this verdict describes old settings.
            return;
        }
        let at_ms = crate::auth::now_ms();
        let record = DeployRecord {
            at_ms,
            result: outcome.result,
            result_label: outcome.result.label(),
            message: outcome.message,
            output: outcome.output,
        };
        let rows: Vec<PushClassRow> = outcome
            .classes
            .iter()
            .map(|c| PushClassRow {
                server: self.link.name.clone(),
                class: c.class.clone(),
                status: c.state.as_str().into(),
                detail: c.detail.clone(),
                updated_at: at_ms,
            })
            .collect();
        let row = PushDeployRow {
            server: self.link.name.clone(),
            at: at_ms,
            result: record.result.as_str().into(),
            message: record.message.clone(),
            output: record.output.join("\n"),
        };
        // Stored first, so whoever sees the new verdict in memory also finds it in the database.
        if let Err(e) = self.store.save_push_result(&row, &rows).await {
            tracing::error!(server = %self.link.name, error = %e, "could not save the deploy result");
        }
        let mut view = lock(&self.view);
        view.deploys += 1;
        view.reloads += u64::from(outcome.reloaded);
        view.last = Some(record);
        view.classes = outcome.classes;
        view.differences = outcome.differences;
    }
}

/// A new AMI resync worth a check (reconnect or `FullyBooted`; not queue overflow).
async fn changed_ami(rx: &mut Option<watch::Receiver<Resync>>) -> Option<&'static str> {
    let Some(receiver) = rx else { return std::future::pending().await };
    if receiver.changed().await.is_err() {
        *rx = None;
        return None;
    }
    match receiver.borrow_and_update().reason {
        ResyncReason::Connected => Some("AMI reconnected"),
        ResyncReason::FullyBooted => Some("Asterisk fully booted"),
        ResyncReason::Overflow | ResyncReason::None => None,
    }
}

/// A new ARI resync worth a check (reconnect or restart).
async fn changed_ari(rx: &mut Option<watch::Receiver<AriResync>>) -> Option<&'static str> {
    let Some(receiver) = rx else { return std::future::pending().await };
    if receiver.changed().await.is_err() {
        *rx = None;
        return None;
    }
    match receiver.borrow_and_update().reason {
        AriResyncReason::Reconnected => Some("ARI reconnected"),
        AriResyncReason::Restarted { .. } => Some("Asterisk restarted"),
        AriResyncReason::Overflow | AriResyncReason::None => None,
    }
}

/// Builds the view a server shows before its first deploy in this run (from the store).
pub fn view_from_rows(server: &str, deploys: &[PushDeployRow], classes: &[PushClassRow]) -> DeployView {
    let last = deploys.iter().find(|d| d.server == server).map(|d| {
        let result = SyncState::from_stored(&d.result);
        DeployRecord {
            at_ms: d.at,
            result,
            result_label: result.label(),
            message: d.message.clone(),
            output: d.output.lines().map(str::to_owned).collect(),
        }
    });
    let classes = classes
        .iter()
        .filter(|c| c.server == server)
        .map(|c| ClassStatus::new(&c.class, SyncState::from_stored(&c.status), &c.detail))
        .collect();
    DeployView { last, classes, ..DeployView::default() }
}

/// Default coalescing window.
pub const DEFAULT_COALESCE: Duration = Duration::from_millis(500);
