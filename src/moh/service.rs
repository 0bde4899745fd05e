//! The Music on Hold operations: each keeps rows, files on disk and the generated config in step.
//!
//! Owns: the order of every change (validate → database → disk → config → `moh_changes` bump) under
//! one lock, so concurrent requests never interleave half-done changes, plus the audit line of
//! every admin action. Must not: parse HTTP or render pages.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Mutex, watch};

use crate::audio::{Limits, OutputFormat};
use crate::audit::{self, Actor, Outcome};
use crate::config::Config;
use crate::moh::conf::{self, CategoryFiles};
use crate::moh::disk::{Layout, write_atomically};
use crate::moh::jobs::Jobs;
use crate::moh::model::{Category, CategoryInput, CategorySettings, Digit, Mode, MohFile, Sort, stored_name};
use crate::moh::{MohClassName, MohError};
use crate::store::Store;
use crate::store::moh::{MohCategoryRow, MohCategoryValues, MohFileRow};

/// The Music on Hold service shared by the console and the API.
pub struct Moh {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) layout: Layout,
    conf_path: PathBuf,
    pub(crate) formats: Vec<OutputFormat>,
    pub(crate) worker_exe: PathBuf,
    pub(crate) worker_limits: crate::audio::worker::WorkerLimits,
    pub(crate) limits: Limits,
    pub(crate) max_upload_bytes: u64,
    pub(crate) lock: Mutex<()>,
    changes: Arc<watch::Sender<u64>>,
    pub jobs: Arc<Jobs>,
}

pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn corrupt(what: &str) -> MohError {
    MohError::Io(format!("the database holds an invalid {what}"))
}

pub(crate) fn category_from_row(row: MohCategoryRow) -> Result<Category, MohError> {
    let settings = CategorySettings {
        label: row.label,
        description: row.description,
        mode: Mode::parse(&row.mode).map_err(|_| corrupt("mode"))?,
        sort: Sort::parse(&row.sort).map_err(|_| corrupt("sort"))?,
        announcement: row.announcement_file_id,
        digit: row.digit.as_deref().map(Digit::parse).transpose().map_err(|_| corrupt("digit"))?,
        loop_last: row.loop_last,
        answeredonly: row.answeredonly,
    };
    let name = MohClassName::parse(&row.name).map_err(|_| corrupt("category name"))?;
    Ok(Category { id: row.id, name, settings, version: row.version })
}

pub(crate) fn file_from_row(row: MohFileRow) -> MohFile {
    MohFile {
        id: row.id,
        display_name: row.display_name,
        stored_name: row.stored_name,
        position: row.position,
        duration_ms: row.duration_ms,
        source_format: row.source_format,
        loudness_before_lufs: row.loudness_before,
        loudness_after_lufs: row.loudness_after,
        warnings: serde_json::from_str(&row.warnings).unwrap_or_default(),
        sha256: row.sha256,
        uploaded_at: row.uploaded_at,
        uploaded_by: row.uploaded_by,
    }
}

fn values<'a>(name: &'a str, s: &'a CategorySettings) -> MohCategoryValues<'a> {
    MohCategoryValues {
        name,
        label: &s.label,
        description: &s.description,
        mode: s.mode.as_str(),
        sort: s.sort.as_str(),
        announcement_file_id: s.announcement,
        digit: s.digit.map(|d| d.as_char().to_string()),
        loop_last: s.loop_last,
        answeredonly: s.answeredonly,
        now_ms: now_ms(),
    }
}

impl Moh {
    pub fn new(
        config: &Config,
        store: Arc<dyn Store>,
        changes: Arc<watch::Sender<u64>>,
    ) -> Result<Self, MohError> {
        let limits = Limits {
            max_input_bytes: config.moh.max_upload_bytes,
            max_duration_secs: config.moh.max_duration_secs,
            max_channels: config.audio.max_channels,
            max_rate: config.audio.max_sample_rate,
            ..Limits::default()
        };
        Ok(Moh {
            store,
            layout: Layout::new(&config.moh.root(&config.data_dir))?,
            conf_path: config.moh.conf_path(&config.data_dir),
            formats: config.moh.output_formats(),
            worker_exe: config.audio.worker_exe(),
            worker_limits: config.audio.worker_limits(),
            limits,
            max_upload_bytes: config.moh.max_upload_bytes,
            lock: Mutex::new(()),
            changes,
            jobs: Arc::new(Jobs::default()),
        })
    }

    pub fn formats(&self) -> &[OutputFormat] {
        &self.formats
    }

    pub fn max_upload_bytes(&self) -> u64 {
        self.max_upload_bytes
    }

    /// Every category with its files, by name.
    pub async fn categories(&self) -> Result<Vec<CategoryFiles>, MohError> {
        let mut all = Vec::new();
        for row in self.store.list_moh_categories().await? {
            let category = category_from_row(row)?;
            let files =
                self.store.list_moh_files(category.id).await?.into_iter().map(file_from_row).collect();
            all.push(CategoryFiles { category, files });
        }
        Ok(all)
    }

    /// One category with its files.
    pub async fn category(&self, name: &str) -> Result<CategoryFiles, MohError> {
        let row = self.store.moh_category(name).await?.ok_or_else(|| MohError::NoCategory(name.into()))?;
        let category = category_from_row(row)?;
        let files = self.store.list_moh_files(category.id).await?.into_iter().map(file_from_row).collect();
        Ok(CategoryFiles { category, files })
    }

    /// Renders and writes the config, then tells the push area. Call with the lock held.
    pub(crate) async fn publish(&self) -> Result<(), MohError> {
        let text = conf::render(&self.categories().await?, self.layout.root())?;
        write_atomically(&self.conf_path, &text)?;
        self.changes.send_modify(|g| *g += 1);
        Ok(())
    }

    /// Writes the config at start-up (no change to announce).
    pub async fn write_conf(&self) -> Result<(), MohError> {
        let _guard = self.lock.lock().await;
        let text = conf::render(&self.categories().await?, self.layout.root())?;
        write_atomically(&self.conf_path, &text)
    }

    pub(crate) async fn audited<T>(
        &self,
        actor: &Actor,
        action: &str,
        object: &str,
        result: Result<T, MohError>,
    ) -> Result<T, MohError> {
        let (outcome, detail) = match &result {
            Ok(_) => (Outcome::Success, String::new()),
            Err(e) => (Outcome::Failure, e.to_string()),
        };
        audit::record(self.store.as_ref(), actor, action, object, outcome, &detail).await;
        result
    }

    /// Creates a category.
    pub async fn create(&self, actor: &Actor, input: &CategoryInput) -> Result<Category, MohError> {
        let object = input.name.clone().unwrap_or_default();
        let result = self.create_inner(input).await;
        self.audited(actor, "moh.category.create", &object, result).await
    }

    async fn create_inner(&self, input: &CategoryInput) -> Result<Category, MohError> {
        let name = input.parsed_name().map_err(MohError::BadName)?;
        if input.announcement.flatten().is_some() {
            return Err(MohError::Invalid(crate::moh::model::FieldErrors(vec![(
                "announcement",
                "upload files first; a new category has none".into(),
            )])));
        }
        let settings = input.apply(&CategorySettings::default(), &[]).map_err(MohError::Invalid)?;
        let _guard = self.lock.lock().await;
        let row = self.store.insert_moh_category(&values(name.as_str(), &settings)).await?;
        let created = self.layout.ensure_category(&name).and(Ok(()));
        if let Err(e) = created {
            self.store.delete_moh_category(row.id).await?;
            return Err(e);
        }
        self.publish().await?;
        category_from_row(row)
    }

    /// Changes a category's options; `input.version` must be the version the edit was based on.
    pub async fn update(
        &self,
        actor: &Actor,
        name: &str,
        input: &CategoryInput,
    ) -> Result<Category, MohError> {
        let result = self.update_inner(name, input).await;
        self.audited(actor, "moh.category.update", name, result).await
    }

    async fn update_inner(&self, name: &str, input: &CategoryInput) -> Result<Category, MohError> {
        let _guard = self.lock.lock().await;
        let current = self.category(name).await?;
        if input.name.as_deref().is_some_and(|n| n != name) {
            return Err(MohError::BadName("a category cannot be renamed; create a new one".into()));
        }
        let Some(version) = input.version else {
            return Err(MohError::Invalid(crate::moh::model::FieldErrors(vec![(
                "version",
                "send the version you edited (optimistic locking)".into(),
            )])));
        };
        let ids: Vec<i64> = current.files.iter().map(|f| f.id).collect();
        let settings = input.apply(&current.category.settings, &ids).map_err(MohError::Invalid)?;
        let c = &current.category;
        let row = self
            .store
            .update_moh_category(c.id, version, &values(c.name.as_str(), &settings))
            .await?
            .ok_or(MohError::Stale { current: c.version })?;
        self.publish().await?;
        category_from_row(row)
    }

    /// Deletes a category, its files and its folder.
    pub async fn delete(&self, actor: &Actor, name: &str) -> Result<(), MohError> {
        let result = self.delete_inner(name).await;
        self.audited(actor, "moh.category.delete", name, result).await
    }

    async fn delete_inner(&self, name: &str) -> Result<(), MohError> {
        let _guard = self.lock.lock().await;
        let current = self.category(name).await?;
        self.store.delete_moh_category(current.category.id).await?;
        self.layout.remove_category(&current.category.name)?;
        self.publish().await
    }

    /// Renames a file's display name (the name on disk does not change).
    pub async fn rename_file(
        &self,
        actor: &Actor,
        name: &str,
        id: i64,
        display: &str,
    ) -> Result<(), MohError> {
        let result = async {
            let _guard = self.lock.lock().await;
            let current = self.category(name).await?;
            current.files.iter().find(|f| f.id == id).ok_or(MohError::NoFile(id))?;
            let cleaned = crate::moh::model::display_name(display);
            self.store.rename_moh_file(id, &cleaned).await?;
            Ok(())
        }
        .await;
        self.audited(actor, "moh.file.rename", &format!("{name}/{id}"), result).await
    }

    /// Moves a file to `position` (1-based, clamped); the names on disk follow the new order.
    pub async fn move_file(&self, actor: &Actor, name: &str, id: i64, position: i64) -> Result<(), MohError> {
        let result = self.move_inner(name, id, position).await;
        self.audited(actor, "moh.file.move", &format!("{name}/{id} to {position}"), result).await
    }

    async fn move_inner(&self, name: &str, id: i64, position: i64) -> Result<(), MohError> {
        let _guard = self.lock.lock().await;
        let current = self.category(name).await?;
        let mut files = current.files;
        let from = files.iter().position(|f| f.id == id).ok_or(MohError::NoFile(id))?;
        let file = files.remove(from);
        let to = usize::try_from(position.saturating_sub(1)).unwrap_or(0).min(files.len());
        files.insert(to, file);
        self.renumber(&current.category.name, &files).await?;
        self.publish().await
    }

    /// Gives `files` positions 1.. in order, renaming rows and files whose name changes.
    async fn renumber(&self, name: &MohClassName, files: &[MohFile]) -> Result<(), MohError> {
        let mut order = Vec::new();
        let mut moves = Vec::new();
        for (i, file) in files.iter().enumerate() {
            let position = i as i64 + 1;
            let slug = file.stored_name.split_once('-').map_or("audio", |(_, s)| s);
            let new = stored_name(position, slug);
            if new != file.stored_name {
                moves.push((file.stored_name.clone(), new.clone()));
            }
            order.push((file.id, position, new));
        }
        self.layout.rename_all(name, &moves)?;
        if let Err(e) = self.store.reorder_moh_files(&order).await {
            let back: Vec<(String, String)> = moves.into_iter().map(|(a, b)| (b, a)).collect();
            let _ = self.layout.rename_all(name, &back);
            return Err(e.into());
        }
        Ok(())
    }

    /// Deletes one file (row, every rendition) and closes the gap in the numbering.
    pub async fn delete_file(&self, actor: &Actor, name: &str, id: i64) -> Result<(), MohError> {
        let result = async {
            let _guard = self.lock.lock().await;
            let current = self.category(name).await?;
            let file = current.files.iter().find(|f| f.id == id).ok_or(MohError::NoFile(id))?;
            self.store.delete_moh_file(current.category.id, id).await?;
            self.layout.remove_file(&current.category.name, &file.stored_name)?;
            let rest: Vec<MohFile> = current.files.iter().filter(|f| f.id != id).cloned().collect();
            self.renumber(&current.category.name, &rest).await?;
            self.publish().await
        }
        .await;
        self.audited(actor, "moh.file.delete", &format!("{name}/{id}"), result).await
    }

    /// The path of a stored rendition, for download and preview.
    pub async fn rendition(&self, name: &str, id: i64, format: OutputFormat) -> Result<PathBuf, MohError> {
        let current = self.category(name).await?;
        let file = current.files.iter().find(|f| f.id == id).ok_or(MohError::NoFile(id))?;
        self.layout.rendition(&current.category.name, &file.stored_name, format).ok_or(MohError::NoFile(id))
    }
}
