//! The Master.csv follower task: poll, commit rows + rejects + position in one transaction.
//!
//! On any commit failure (database down, connections terminated) it waits with backoff, throws
//! the in-memory follower away and rebuilds it from the position committed in the database, so a
//! batch is either fully stored with its position or re-read later: nothing lost, nothing twice.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::CollectorStatus;
use crate::asterisk::backoff::{Backoff, BackoffState};
use crate::cdr::follower::{Batch, FollowerConfig, MasterCsvFollower};
use crate::cdr::position::FilePosition;
use crate::store::Store;
use crate::store::cdr::CdrBatch;

/// Records read per batch (one transaction).
pub const BATCH_RECORDS: usize = 5000;
/// Pause between polls when the file has nothing new.
pub const IDLE_POLL: Duration = Duration::from_millis(200);

/// One server's follower.
pub struct FollowTask {
    pub server: String,
    pub config: FollowerConfig,
    pub store: Arc<dyn Store>,
    pub status: Arc<CollectorStatus>,
}

impl FollowTask {
    fn path_key(&self) -> String {
        self.config.path.display().to_string()
    }

    /// Runs until `stop` is cancelled.
    pub async fn run(self, stop: CancellationToken) {
        let mut backoff = BackoffState::new(Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(10),
            ..Backoff::default()
        });
        loop {
            let resume = match self.store.cdr_position(&self.server, &self.path_key()).await {
                Ok(p) => p,
                Err(e) => {
                    self.status.event(&self.server, "csv", format!("cannot read the position: {e}"));
                    if pause(&stop, backoff.next_delay()).await {
                        return;
                    }
                    continue;
                }
            };
            match self.follow_from(resume, &stop).await {
                Ended::Stopped => return,
                Ended::CommitFailed(e) => {
                    tracing::warn!(server = %self.server, error = %e, "CDR commit failed; will resume from the committed position");
                    self.status.event(&self.server, "csv", format!("database unavailable, waiting: {e}"));
                    if pause(&stop, backoff.next_delay()).await {
                        return;
                    }
                }
            }
        }
    }

    async fn follow_from(&self, resume: Option<FilePosition>, stop: &CancellationToken) -> Ended {
        let mut follower = Some(MasterCsvFollower::new(self.config.clone(), resume));
        let mut committed = resume;
        loop {
            let Some(mut f) = follower.take() else { return Ended::Stopped };
            let read = tokio::task::spawn_blocking(move || {
                let batch = f.next_batch(BATCH_RECORDS);
                (f, batch)
            })
            .await;
            let Ok((f, batch)) = read else { return Ended::Stopped };
            follower = Some(f);
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    self.status.event(&self.server, "csv", format!("read error: {e}"));
                    Batch::default()
                }
            };
            for event in &batch.events {
                self.status.event(&self.server, "csv", format!("{event:?}"));
            }
            let full = batch.records.len() >= BATCH_RECORDS;
            if !batch.records.is_empty() || batch.end_position != committed {
                let end = batch.end_position;
                match self.commit(batch).await {
                    Ok(()) => committed = end,
                    Err(e) => return Ended::CommitFailed(e),
                }
            }
            if !full && pause(stop, IDLE_POLL).await {
                return Ended::Stopped;
            }
            if stop.is_cancelled() {
                return Ended::Stopped;
            }
        }
    }

    async fn commit(&self, batch: Batch) -> Result<(), crate::store::StoreError> {
        let (records, rejects) = super::split(batch.records.into_iter());
        let path = self.path_key();
        let counts = self
            .store
            .commit_cdr_batch(CdrBatch {
                server: &self.server,
                source: &path,
                records: &records,
                rejects: &rejects,
                position: batch.end_position,
                now_ms: super::now_ms(),
            })
            .await?;
        self.status.counted(counts);
        if counts.rejected > 0 {
            tracing::warn!(server = %self.server, rejected = counts.rejected, "CDR lines rejected (see Calls → Rejects)");
        }
        Ok(())
    }
}

enum Ended {
    Stopped,
    CommitFailed(crate::store::StoreError),
}

/// Sleeps `delay` unless stopped first; true when stopped.
pub(crate) async fn pause(stop: &CancellationToken, delay: Duration) -> bool {
    tokio::select! {
        _ = stop.cancelled() => true,
        _ = tokio::time::sleep(delay) => false,
    }
}
