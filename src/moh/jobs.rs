//! Upload jobs: the progress of each upload's transcode, for the console's progress bars.
//!
//! Owns: a job id → `watch` channel map; a finished job is forgotten a few minutes later.
//! Must not: do the work (see `upload.rs`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

use crate::moh::MohFile;

/// Where one upload stands.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    /// Transcoding, 0..=1.
    Transcoding { progress: f32 },
    /// Stored: the file and its report.
    Done { file: MohFile },
    /// Refused or failed.
    Failed { status: u16, error: String },
}

impl JobState {
    pub fn finished(&self) -> bool {
        !matches!(self, JobState::Transcoding { .. })
    }
}

/// The jobs of this process.
#[derive(Default)]
pub struct Jobs {
    map: Mutex<HashMap<String, watch::Receiver<JobState>>>,
}

/// How long a finished job stays readable.
const KEEP: Duration = Duration::from_secs(300);

impl Jobs {
    /// Registers a new job; returns its id and the sender to report through.
    pub fn start(&self) -> (String, watch::Sender<JobState>) {
        let id = crate::auth::random_token(12).replace(['-', '_'], "x");
        let (tx, rx) = watch::channel(JobState::Transcoding { progress: 0.0 });
        if let Ok(mut map) = self.map.lock() {
            map.insert(id.clone(), rx);
        }
        (id, tx)
    }

    /// Follows a job.
    pub fn watch(&self, id: &str) -> Option<watch::Receiver<JobState>> {
        self.map.lock().ok()?.get(id).cloned()
    }

    /// Forgets a job after [`KEEP`].
    pub fn forget_later(self: &std::sync::Arc<Self>, id: String) {
        let jobs = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(KEEP).await;
            if let Ok(mut map) = jobs.map.lock() {
                map.remove(&id);
            }
        });
    }
}
