//! Uploads: receive a file into a staging folder while counting and hashing it, transcode it in
//! the sandboxed worker, then add it to a category.
//!
//! Owns: the size cap while streaming (refused before the whole body is read), the sha256 of the
//! source, duplicate detection, and the commit (rename into place + row + config) under the
//! service lock. The staging folder is removed whatever happens. Must not: trust the file name
//! or the Content-Type (the decoder sniffs the content).

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::audio::report::Report;
use crate::audio::worker::transcode_sandboxed;
use crate::audio::{LoudnessTarget, TranscodeJob};
use crate::audit::Actor;
use crate::moh::model::{MohFile, display_name, slug, stored_name};
use crate::moh::service::{file_from_row, now_ms};
use crate::moh::{Moh, MohError};
use crate::store::moh::NewMohFile;

/// The staged source is written here, the worker's outputs next to it as `audio.<ext>`.
const SOURCE: &str = "source";
const BASE: &str = "audio";

/// A file being received; the staging folder goes away on drop.
pub struct Incoming {
    dir: PathBuf,
    file: Option<std::fs::File>,
    hasher: Sha256,
    size: u64,
    limit: u64,
    display_name: String,
}

impl Drop for Incoming {
    fn drop(&mut self) {
        self.file.take();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Incoming {
    /// Appends a chunk; refuses as soon as the total passes the limit.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), MohError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(MohError::TooLarge { limit: self.limit });
        }
        self.hasher.update(chunk);
        let file = self.file.as_mut().ok_or_else(|| MohError::Io("upload already finished".into()))?;
        file.write_all(chunk).map_err(|e| MohError::Io(format!("staging the upload: {e}")))
    }

    /// Ends the upload: refuses an empty one, fsyncs the source and returns its sha256.
    fn seal(&mut self) -> Result<String, MohError> {
        if self.size == 0 {
            return Err(MohError::BadUpload("the file is empty".into()));
        }
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(|e| MohError::Io(format!("staging: {e}")))?;
        }
        Ok(hex(&self.hasher.clone().finalize()))
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    fn source(&self) -> PathBuf {
        self.dir.join(SOURCE)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Moh {
    fn new_row(
        &self,
        actor: &Actor,
        category_id: i64,
        position: i64,
        incoming: &Incoming,
        sha: &str,
        report: &Report,
    ) -> NewMohFile {
        let slug = slug(&incoming.display_name);
        NewMohFile {
            id: 0,
            category_id,
            display_name: incoming.display_name.clone(),
            stored_name: stored_name(position, &slug),
            slug,
            position,
            duration_ms: (report.duration_secs * 1000.0).round() as i64,
            source_format: format!(
                "{} ({}, {} Hz, {} ch)",
                report.container, report.codec, report.sample_rate, report.channels
            ),
            loudness_before: report.loudness_before_lufs,
            loudness_after: report.loudness_after_lufs,
            warnings: serde_json::to_string(&report.warnings).unwrap_or_else(|_| "[]".into()),
            sha256: sha.to_string(),
            uploaded_at: now_ms(),
            uploaded_by: actor.name.clone(),
        }
    }

    /// Starts receiving an upload named `uploaded_name` by the client.
    pub fn incoming(&self, uploaded_name: &str) -> Result<Incoming, MohError> {
        let dir = self.layout.staging()?;
        let mut incoming = Incoming {
            dir,
            file: None,
            hasher: Sha256::new(),
            size: 0,
            limit: self.max_upload_bytes,
            display_name: display_name(uploaded_name),
        };
        // On error `incoming` drops and removes the staging folder.
        let file =
            std::fs::File::create(incoming.source()).map_err(|e| MohError::Io(format!("staging: {e}")))?;
        incoming.file = Some(file);
        Ok(incoming)
    }

    /// Transcodes a received upload and adds it at the end of category `name`.
    pub async fn add_file(
        &self,
        actor: &Actor,
        name: &str,
        mut incoming: Incoming,
        progress: impl FnMut(f32),
    ) -> Result<(MohFile, Report), MohError> {
        let object = format!("{name}/{}", incoming.display_name);
        let result = async {
            let sha = incoming.seal()?;
            self.refuse_duplicate(name, &sha).await?;
            let report = self.transcode(&incoming.dir, &incoming.source(), progress).await?;
            let file = self.commit(actor, name, &incoming, &sha, &report).await?;
            Ok((file, report))
        }
        .await;
        self.audited(actor, "moh.file.upload", &object, result).await
    }

    /// Replaces the audio of file `id`, keeping its place in the order.
    pub async fn replace_file(
        &self,
        actor: &Actor,
        name: &str,
        id: i64,
        mut incoming: Incoming,
    ) -> Result<(MohFile, Report), MohError> {
        let object = format!("{name}/{id} with {}", incoming.display_name);
        let result = async {
            let sha = incoming.seal()?;
            let current = self.category(name).await?;
            current.files.iter().find(|f| f.id == id).ok_or(MohError::NoFile(id))?;
            self.refuse_duplicate_except(name, &sha, id).await?;
            let report = self.transcode(&incoming.dir, &incoming.source(), |_| {}).await?;
            let _guard = self.lock.lock().await;
            self.refuse_duplicate_except(name, &sha, id).await?;
            let current = self.category(name).await?;
            let old = current.files.iter().find(|f| f.id == id).ok_or(MohError::NoFile(id))?;
            let mut row = self.new_row(actor, current.category.id, old.position, &incoming, &sha, &report);
            row.id = id;
            let category = &current.category.name;
            // The old renditions step aside (dot-prefixed) until the new ones are in place.
            let aside = format!(".{}.replaced", old.stored_name);
            self.layout.rename_all(category, &[(old.stored_name.clone(), aside.clone())])?;
            let installed =
                self.layout.install(&incoming.dir, BASE, category, &row.stored_name, &self.formats);
            let stored = match installed {
                Ok(()) => self.store.replace_moh_file(&row).await.map_err(MohError::from),
                Err(e) => Err(e),
            };
            if let Err(e) = stored {
                let _ = self.layout.remove_file(category, &row.stored_name);
                let _ = self.layout.rename_all(category, &[(aside, old.stored_name.clone())]);
                return Err(e);
            }
            self.layout.remove_file(category, &aside)?;
            self.publish().await?;
            Ok((file_from_row(row), report))
        }
        .await;
        self.audited(actor, "moh.file.replace", &object, result).await
    }

    async fn refuse_duplicate(&self, name: &str, sha: &str) -> Result<(), MohError> {
        self.refuse_duplicate_except(name, sha, -1).await
    }

    async fn refuse_duplicate_except(&self, name: &str, sha: &str, except: i64) -> Result<(), MohError> {
        let current = self.category(name).await?;
        match current.files.iter().find(|f| f.sha256 == sha && f.id != except) {
            Some(f) => Err(MohError::Conflict(format!(
                "the same audio is already in {name} as \"{}\" (file {})",
                f.display_name, f.id
            ))),
            None => Ok(()),
        }
    }

    async fn transcode(
        &self,
        dir: &Path,
        source: &Path,
        progress: impl FnMut(f32),
    ) -> Result<Report, MohError> {
        let job = TranscodeJob {
            input: source.to_path_buf(),
            out_dir: dir.to_path_buf(),
            base_name: BASE.into(),
            formats: self.formats.clone(),
            loudness: Some(LoudnessTarget::default()),
            limits: self.limits.clone(),
        };
        transcode_sandboxed(&self.worker_exe, job, self.worker_limits, progress)
            .await
            .map_err(MohError::Audio)
    }

    async fn commit(
        &self,
        actor: &Actor,
        name: &str,
        incoming: &Incoming,
        sha: &str,
        report: &Report,
    ) -> Result<MohFile, MohError> {
        let _guard = self.lock.lock().await;
        self.refuse_duplicate(name, sha).await?;
        let current = self.category(name).await?;
        let position = current.files.len() as i64 + 1;
        let row = self.new_row(actor, current.category.id, position, incoming, sha, report);
        let stored = row.stored_name.clone();
        self.layout.install(&incoming.dir, BASE, &current.category.name, &stored, &self.formats)?;
        let inserted = match self.store.insert_moh_file(&row).await {
            Ok(r) => r,
            Err(e) => {
                let _ = self.layout.remove_file(&current.category.name, &stored);
                return Err(e.into());
            }
        };
        self.publish().await?;
        Ok(file_from_row(inserted))
    }
}
