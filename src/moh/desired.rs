//! The Music on Hold model as the push to Asterisk consumes it: [`DesiredMoh`] — the categories
//! with their files (the same [`CategoryFiles`] the config renderer takes) and the canonical folder
//! holding `<category>/<stored name>.<ext>` — and the [`DesiredSource`] trait that produces it.
//!
//! [`Moh`] is the source in production; [`FolderSource`] reads a plain folder (tests, and servers
//! fed from files). Every name that reaches a file name or the generated conf is a parsed
//! [`MohClassName`] or a checked base name, so nothing typed by a user can inject a conf line or a
//! path. Which renditions a file has is whatever the canonical folder holds among [`PLAYABLE`].
//! Must not: talk to Asterisk or write files.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::Moh;
use super::conf::CategoryFiles;
use super::model::{Category, CategorySettings, MohFile};
use super::name::MohClassName;

/// The extensions Asterisk plays without transcoding (see ASTERISK.md); the renditions delivered.
pub const PLAYABLE: [&str; 7] = ["wav", "wav16", "sln", "sln16", "ulaw", "alaw", "g722"];

/// Why the desired state could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesiredError {
    #[error("the MoH source could not be read: {0}")]
    Source(String),
}

/// Everything the push delivers to every server.
#[derive(Debug, Clone, Default)]
pub struct DesiredMoh {
    /// The canonical folder: `<source_dir>/<category>/<stored name>.<ext>`.
    pub source_dir: PathBuf,
    /// By name, files in play order.
    pub categories: Vec<CategoryFiles>,
}

impl DesiredMoh {
    /// The canonical folder of one category.
    pub fn class_source(&self, class: &MohClassName) -> PathBuf {
        self.source_dir.join(class.as_str())
    }
}

/// Whether `text` is a base name Ringside writes or accepts (`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`):
/// never a dot file, never a separator.
pub fn is_file_base(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.len() <= 128
        && bytes.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// Produces the current desired state.
#[async_trait]
pub trait DesiredSource: Send + Sync {
    async fn desired(&self) -> Result<DesiredMoh, DesiredError>;
}

#[async_trait]
impl DesiredSource for Moh {
    async fn desired(&self) -> Result<DesiredMoh, DesiredError> {
        let categories = self.categories().await.map_err(|e| DesiredError::Source(e.to_string()))?;
        Ok(DesiredMoh { source_dir: self.layout.root().to_path_buf(), categories })
    }
}

/// Reads `<dir>/<class>/<base>.<ext>` straight from disk: every valid class folder is a
/// `files`-mode category with default options, its files sorted by base name. Invalid names,
/// dot files, symlinks and extensions outside [`PLAYABLE`] are skipped.
#[derive(Debug, Clone)]
pub struct FolderSource {
    dir: PathBuf,
}

impl FolderSource {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }
}

#[async_trait]
impl DesiredSource for FolderSource {
    async fn desired(&self) -> Result<DesiredMoh, DesiredError> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || scan_folder(&dir))
            .await
            .map_err(|e| DesiredError::Source(e.to_string()))?
    }
}

fn scan_folder(dir: &Path) -> Result<DesiredMoh, DesiredError> {
    let mut categories = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(DesiredMoh { source_dir: dir.to_owned(), categories });
        }
        Err(e) => return Err(DesiredError::Source(format!("{}: {e}", dir.display()))),
    };
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().and_then(|n| MohClassName::parse(n).ok()) else {
            continue;
        };
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let files = scan_class(&entry.path())?;
            let category = Category { id: 0, name, settings: CategorySettings::default(), version: 0 };
            categories.push(CategoryFiles { category, files });
        }
    }
    categories.sort_by(|a, b| a.category.name.cmp(&b.category.name));
    Ok(DesiredMoh { source_dir: dir.to_owned(), categories })
}

fn scan_class(dir: &Path) -> Result<Vec<MohFile>, DesiredError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| DesiredError::Source(format!("{}: {e}", dir.display())))?;
    let mut bases: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let (base, ext) = name.rsplit_once('.')?;
            (is_file_base(base) && PLAYABLE.contains(&ext)).then(|| base.to_owned())
        })
        .collect();
    bases.sort();
    bases.dedup();
    Ok(bases.into_iter().zip(1..).map(|(base, position)| folder_file(base, position)).collect())
}

/// A file found in a folder: only its name and position are known.
pub(crate) fn folder_file(base: String, position: i64) -> MohFile {
    MohFile {
        id: position,
        display_name: base.clone(),
        stored_name: base,
        position,
        duration_ms: 0,
        source_format: String::new(),
        loudness_before_lufs: None,
        loudness_after_lufs: None,
        warnings: Vec::new(),
        sha256: String::new(),
        uploaded_at: 0,
        uploaded_by: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_never_start_with_a_dot_or_hold_separators() {
        assert!(is_file_base("intro.v2") && is_file_base("0001-song"));
        for bad in [".hidden", "a/b", "a\r", "", "a b", "a]"] {
            assert!(!is_file_base(bad), "{bad:?}");
        }
    }

    #[test]
    fn folder_source_lists_each_base_once_and_skips_junk() {
        let dir = tempfile::tempdir().unwrap();
        let class = dir.path().join("jazz");
        std::fs::create_dir(&class).unwrap();
        for name in ["intro.wav", "intro.ulaw", "outro.g722", ".intro.wav.tmp", "README", "x.mp3"] {
            std::fs::write(class.join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("Bad Name")).unwrap();
        std::fs::create_dir(dir.path().join("general")).unwrap();
        let moh = scan_folder(dir.path()).unwrap();
        assert_eq!(moh.categories.len(), 1);
        let names: Vec<&str> = moh.categories[0].files.iter().map(|f| f.stored_name.as_str()).collect();
        assert_eq!(names, ["intro", "outro"]);
    }
}
