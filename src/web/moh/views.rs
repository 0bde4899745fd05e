//! What the API returns and the pages show of the Music on Hold model.
//!
//! Owns: the JSON shapes of categories and files (with their download URLs). Must not: decide.

use serde::Serialize;

use super::sync::{SyncBadge, SyncBoard};
use crate::moh::MohFile;
use crate::moh::conf::CategoryFiles;

#[derive(Debug, Serialize)]
pub struct CategoryView {
    pub name: String,
    pub label: String,
    pub description: String,
    pub mode: &'static str,
    pub sort: &'static str,
    pub announcement: Option<i64>,
    pub digit: Option<String>,
    pub loop_last: bool,
    pub answeredonly: bool,
    pub version: i64,
    pub file_count: usize,
    pub total_duration_ms: i64,
    /// `m:ss`, for pages.
    #[serde(skip)]
    pub total: String,
    /// The category's state on every enabled Asterisk server (absent when none is configured).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sync: Vec<SyncBadge>,
}

#[derive(Debug, Serialize)]
pub struct FileView {
    #[serde(flatten)]
    pub file: MohFile,
    /// Download URLs by format.
    pub audio: std::collections::BTreeMap<&'static str, String>,
    pub waveform: String,
    /// The 16 kHz WAV the browser plays.
    pub preview: String,
    /// `m:ss` and `before → after`, for pages.
    #[serde(skip)]
    pub duration: String,
    #[serde(skip)]
    pub loudness: String,
}

impl CategoryView {
    pub fn of(c: &CategoryFiles) -> Self {
        let s = &c.category.settings;
        CategoryView {
            name: c.category.name.to_string(),
            label: s.label.clone(),
            description: s.description.clone(),
            mode: s.mode.as_str(),
            sort: s.sort.as_str(),
            announcement: s.announcement,
            digit: s.digit.map(|d| d.as_char().to_string()),
            loop_last: s.loop_last,
            answeredonly: s.answeredonly,
            version: c.category.version,
            file_count: c.files.len(),
            total_duration_ms: c.files.iter().map(|f| f.duration_ms).sum(),
            total: duration(c.files.iter().map(|f| f.duration_ms).sum()),
            sync: Vec::new(),
        }
    }

    /// Adds the per-server sync badges.
    pub fn with_sync(mut self, board: &SyncBoard) -> Self {
        self.sync = board.badges(&self.name);
        self
    }
}

/// `/api/v1/moh/categories/{name}/files/{id}`.
pub fn file_url(category: &str, id: i64) -> String {
    format!("/api/v1/moh/categories/{category}/files/{id}")
}

impl FileView {
    pub fn of(category: &str, file: &MohFile, formats: &[crate::audio::OutputFormat]) -> Self {
        let base = file_url(category, file.id);
        FileView {
            audio: formats
                .iter()
                .map(|f| (f.extension(), format!("{base}/audio.{}", f.extension())))
                .collect(),
            waveform: format!("{base}/waveform.svg"),
            preview: format!("{base}/audio.wav16"),
            duration: duration(file.duration_ms),
            loudness: format!("{} → {}", lufs(file.loudness_before_lufs), lufs(file.loudness_after_lufs)),
            file: file.clone(),
        }
    }
}

/// `83500` ms as `1:24`.
pub fn duration(ms: i64) -> String {
    let secs = (ms + 500) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// A loudness value for people: `-23.4 LUFS`, or `silent`.
pub fn lufs(value: Option<f64>) -> String {
    value.map_or_else(|| "silent".into(), |v| format!("{v:.1} LUFS"))
}
