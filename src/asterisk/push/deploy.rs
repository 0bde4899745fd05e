//! One deploy to one server: files, conf, reload, read back, verdict.
//!
//! Order matters for "never half-written, previous good files stay playable": new and changed
//! files are renamed into place first, then the conf (atomically), then files no longer wanted
//! are removed, then Asterisk reloads and is read back. A failure before the conf is written
//! leaves the old conf and every old file untouched.

use std::path::Path;

use super::files;
use super::link::{ReadBack, ServerLink, Trouble};
use super::status::{ClassStatus, SyncState};
use crate::asterisk::moh_readback::{Difference, ExpectedClass};
use crate::moh::conf::{self, CategoryFiles};
use crate::moh::desired::DesiredMoh;
use crate::moh::model::Mode;

/// What one deploy found.
#[derive(Debug, Clone)]
pub struct DeployOutcome {
    pub result: SyncState,
    pub message: String,
    pub output: Vec<String>,
    pub classes: Vec<ClassStatus>,
    pub differences: Vec<String>,
    pub reloaded: bool,
}

impl DeployOutcome {
    fn all(moh: &DesiredMoh, result: SyncState, message: String) -> Self {
        let classes = moh
            .categories
            .iter()
            .map(|c| ClassStatus::new(c.category.name.as_str(), result, &message))
            .collect();
        Self { result, message, output: Vec::new(), classes, differences: Vec::new(), reloaded: false }
    }
}

/// What Asterisk should report for `moh` when its folders live under `root`.
pub fn expected_classes(moh: &DesiredMoh, root: &Path) -> Vec<ExpectedClass> {
    moh.categories
        .iter()
        .map(|c| ExpectedClass {
            name: c.category.name.to_string(),
            mode: c.category.settings.mode.as_str().into(),
            directory: match c.category.settings.mode {
                Mode::Files => class_directory(root, c),
                Mode::Playlist => String::new(),
            },
            files: c.files.iter().map(|f| f.stored_name.clone()).collect(),
        })
        .collect()
}

/// The directory Asterisk should report for a category under `root` (no trailing slash).
fn class_directory(root: &Path, entry: &CategoryFiles) -> String {
    root.join(entry.category.name.as_str()).to_string_lossy().trim_end_matches('/').to_owned()
}

/// Writes files and conf for `link`, reloads and verifies.
pub async fn deploy(link: &ServerLink, moh: &DesiredMoh) -> DeployOutcome {
    if let Err(message) = write_to_disk(link, moh).await {
        tracing::warn!(server = %link.name, %message, "deploy stopped before the conf was replaced");
        return DeployOutcome::all(moh, SyncState::Failed, message);
    }
    match link.reload().await {
        Ok(via) => tracing::info!(server = %link.name, via, "res_musiconhold reloaded"),
        Err(trouble) => {
            tracing::warn!(server = %link.name, error = trouble.message(), "reload did not happen");
            return DeployOutcome::all(moh, state_of(&trouble), trouble.message().to_owned());
        }
    }
    let mut outcome = verify(link, moh).await;
    outcome.reloaded = true;
    outcome
}

/// Reads back and compares without writing or reloading (after a restart or reconnect).
pub async fn verify(link: &ServerLink, moh: &DesiredMoh) -> DeployOutcome {
    let expected = expected_classes(moh, &link.moh_root);
    match link.read_back(&expected).await {
        Ok(Some(read_back)) => judge(link, moh, read_back),
        Ok(None) => DeployOutcome::all(
            moh,
            SyncState::Pending,
            "reloaded, but not verified: read-back needs AMI, which is not configured".into(),
        ),
        Err(trouble) => {
            tracing::warn!(server = %link.name, error = trouble.message(), "read-back failed");
            DeployOutcome::all(moh, state_of(&trouble), trouble.message().to_owned())
        }
    }
}

fn state_of(trouble: &Trouble) -> SyncState {
    match trouble {
        Trouble::Unreachable(_) => SyncState::Pending,
        Trouble::Refused(_) => SyncState::Failed,
    }
}

fn judge(link: &ServerLink, moh: &DesiredMoh, read_back: ReadBack) -> DeployOutcome {
    let classes: Vec<ClassStatus> = moh
        .categories
        .iter()
        .map(|c| &c.category)
        .map(|c| {
            let mine: Vec<String> = read_back
                .differences
                .iter()
                .filter(|d| d.class().eq_ignore_ascii_case(c.name.as_str()))
                .map(Difference::to_string)
                .collect();
            if mine.is_empty() {
                ClassStatus::new(c.name.as_str(), SyncState::InSync, "")
            } else {
                ClassStatus::new(c.name.as_str(), SyncState::Failed, mine.join("; "))
            }
        })
        .collect();
    let differences: Vec<String> = read_back.differences.iter().map(Difference::to_string).collect();
    if differences.is_empty() {
        tracing::info!(server = %link.name, classes = classes.len(), "in sync: Asterisk reports every class and file");
        return DeployOutcome {
            result: SyncState::InSync,
            message: format!("in sync: {} classes verified", classes.len()),
            output: Vec::new(),
            classes,
            differences,
            reloaded: false,
        };
    }
    tracing::warn!(server = %link.name, differences = ?differences, "Asterisk does not report what Ringside wrote");
    DeployOutcome {
        result: SyncState::Failed,
        message: differences.join("; "),
        output: read_back.output,
        classes,
        differences,
        reloaded: false,
    }
}

async fn write_to_disk(link: &ServerLink, moh: &DesiredMoh) -> Result<(), String> {
    let text = conf::render(&moh.categories, &link.moh_root).map_err(|e| e.to_string())?;
    let (root, conf_path, moh, name) =
        (link.moh_root.clone(), link.conf_path.clone(), moh.clone(), link.name.clone());
    let work = move || -> Result<(), files::FilesError> {
        let report = files::sync_classes(&moh, &root)?;
        tracing::info!(server = %name, root = %root.display(), copied = report.copied, unchanged = report.unchanged, "MoH files in place");
        files::write_atomic(&conf_path, text.as_bytes())?;
        tracing::info!(server = %name, conf = %conf_path.display(), "wrote the generated MoH conf");
        let removed = files::prune(&moh, &root)?;
        if removed > 0 {
            tracing::info!(server = %name, removed, "removed MoH files no longer wanted");
        }
        Ok(())
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(|e| format!("could not write to disk: {e}")),
        Err(e) => Err(format!("the file writer stopped: {e}")),
    }
}
