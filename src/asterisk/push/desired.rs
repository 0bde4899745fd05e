//! The seam between the Music on Hold model and the push: what Ringside wants every Asterisk
//! server to hold ([`DesiredMoh`]), as typed, validated values, and the [`DesiredSource`] trait
//! that produces it.
//!
//! The MoH area implements [`DesiredSource`] on its store; [`FolderSource`] reads a plain folder
//! of `<category>/<base>.<ext>` files (the default until that wiring exists, and the source used
//! in tests). Every value that reaches the generated conf or a file name on the server passes one
//! of the `parse` functions here, so nothing a user typed can inject a conf line or a path.

use std::fmt;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

/// Why a desired value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesiredError {
    #[error("class name {0:?} must match ^[a-z0-9][a-z0-9_-]{{0,62}}$ and not be 'general'")]
    ClassName(String),
    #[error("file base name {0:?} must match ^[A-Za-z0-9][A-Za-z0-9._-]{{0,127}}$")]
    BaseName(String),
    #[error("format {0:?} is not one Asterisk plays without transcoding")]
    Format(String),
    #[error("the MoH source could not be read: {0}")]
    Source(String),
}

/// A Music on Hold class name: `^[a-z0-9][a-z0-9_-]{0,62}$`, never `general`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ClassName(String);

impl ClassName {
    pub fn parse(text: &str) -> Result<Self, DesiredError> {
        let bytes = text.as_bytes();
        let ok = bytes.first().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && bytes.len() <= 63
            && bytes.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-'))
            && text != "general";
        if ok { Ok(Self(text.to_owned())) } else { Err(DesiredError::ClassName(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClassName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file base name (no directory, no extension, never starting with `.`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BaseName(String);

impl BaseName {
    pub fn parse(text: &str) -> Result<Self, DesiredError> {
        let bytes = text.as_bytes();
        let ok = bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.len() <= 128
            && bytes.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
        if ok { Ok(Self(text.to_owned())) } else { Err(DesiredError::BaseName(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The stored formats Asterisk picks from per call (see ASTERISK.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AudioFormat {
    Wav,
    Wav16,
    Sln,
    Sln16,
    Ulaw,
    Alaw,
    G722,
}

impl AudioFormat {
    pub const ALL: [AudioFormat; 7] =
        [Self::Wav, Self::Wav16, Self::Sln, Self::Sln16, Self::Ulaw, Self::Alaw, Self::G722];

    pub fn extension(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Wav16 => "wav16",
            Self::Sln => "sln",
            Self::Sln16 => "sln16",
            Self::Ulaw => "ulaw",
            Self::Alaw => "alaw",
            Self::G722 => "g722",
        }
    }

    pub fn parse(extension: &str) -> Result<Self, DesiredError> {
        Self::ALL
            .into_iter()
            .find(|f| f.extension() == extension)
            .ok_or_else(|| DesiredError::Format(extension.to_owned()))
    }
}

/// `mode=`: only the two modes that cannot run programs (`custom` is never generated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Scan the class folder.
    #[default]
    Files,
    /// Ordered `entry=` lines, one per file in the order given.
    Playlist,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::Playlist => "playlist",
        }
    }
}

/// `sort=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Alpha,
    Random,
    RandStart,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alpha => "alpha",
            Self::Random => "random",
            Self::RandStart => "randstart",
        }
    }
}

/// A `digit=` key: one of `0-9*#`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digit(char);

impl Digit {
    pub fn parse(c: char) -> Option<Self> {
        (c.is_ascii_digit() || c == '*' || c == '#').then_some(Self(c))
    }

    pub fn as_char(self) -> char {
        self.0
    }
}

/// The per-class options Ringside may write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassOptions {
    pub sort: Option<Sort>,
    pub digit: Option<Digit>,
    pub loop_last: bool,
    pub answered_only: bool,
}

/// One stored recording: a base name present in one or more formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredFile {
    pub base: BaseName,
    pub formats: Vec<AudioFormat>,
}

impl DesiredFile {
    /// `<base>.<ext>` for every stored format.
    pub fn file_names(&self) -> impl Iterator<Item = String> + '_ {
        self.formats.iter().map(|f| format!("{}.{}", self.base.as_str(), f.extension()))
    }
}

/// One class as Ringside wants it on every server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredClass {
    pub name: ClassName,
    pub mode: Mode,
    pub options: ClassOptions,
    /// In playlist order.
    pub files: Vec<DesiredFile>,
}

/// Everything the push delivers: the classes, and the canonical folder that holds
/// `<class>/<base>.<ext>` for each of them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DesiredMoh {
    pub source_dir: PathBuf,
    pub classes: Vec<DesiredClass>,
}

impl DesiredMoh {
    /// The canonical folder of one class.
    pub fn class_source(&self, class: &ClassName) -> PathBuf {
        self.source_dir.join(class.as_str())
    }
}

/// Produces the current desired state. The MoH area implements this on its store.
#[async_trait]
pub trait DesiredSource: Send + Sync {
    async fn desired(&self) -> Result<DesiredMoh, DesiredError>;
}

/// Reads `<dir>/<class>/<base>.<ext>` straight from disk: every valid class folder is a
/// `files`-mode class without options. Invalid names, dot files, symlinks and unknown
/// extensions are skipped (and logged at debug level).
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
    let mut classes = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(DesiredMoh { source_dir: dir.to_owned(), classes });
        }
        Err(e) => return Err(DesiredError::Source(format!("{}: {e}", dir.display()))),
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let Some(name) = entry.file_name().to_str().and_then(|n| ClassName::parse(n).ok()) else { continue };
        if kind.is_dir() {
            let files = scan_class(&entry.path())?;
            classes.push(DesiredClass { name, mode: Mode::Files, options: ClassOptions::default(), files });
        }
    }
    classes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(DesiredMoh { source_dir: dir.to_owned(), classes })
}

fn scan_class(dir: &Path) -> Result<Vec<DesiredFile>, DesiredError> {
    let mut files: Vec<DesiredFile> = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| DesiredError::Source(format!("{}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let name = entry.file_name();
        let Some((base, ext)) = name.to_str().and_then(|n| n.rsplit_once('.')) else { continue };
        let (Ok(base), Ok(format)) = (BaseName::parse(base), AudioFormat::parse(ext)) else {
            tracing::debug!(file = ?entry.path(), "skipped: not a MoH file name Ringside writes");
            continue;
        };
        match files.iter_mut().find(|f| f.base == base) {
            Some(file) => file.formats.push(format),
            None => files.push(DesiredFile { base, formats: vec![format] }),
        }
    }
    files.sort_by(|a, b| a.base.cmp(&b.base));
    for file in &mut files {
        file.formats.sort();
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_follow_the_rules() {
        for good in ["jazz", "sales-2", "a_b", "0"] {
            assert!(ClassName::parse(good).is_ok(), "{good}");
        }
        let long = "a".repeat(64);
        for bad in ["", "Jazz", "general", "-x", "a b", "a\nb", "a]", long.as_str(), "../x"] {
            assert!(ClassName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn base_names_never_start_with_a_dot_or_hold_separators() {
        assert!(BaseName::parse("intro.v2").is_ok());
        for bad in [".hidden", "a/b", "a\r", "", "a b"] {
            assert!(BaseName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn folder_source_groups_formats_and_skips_junk() {
        let dir = tempfile::tempdir().unwrap();
        let class = dir.path().join("jazz");
        std::fs::create_dir(&class).unwrap();
        for name in ["intro.wav", "intro.ulaw", "outro.g722", ".intro.wav.tmp", "README", "x.mp3"] {
            std::fs::write(class.join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("Bad Name")).unwrap();
        let moh = scan_folder(dir.path()).unwrap();
        assert_eq!(moh.classes.len(), 1);
        let files = &moh.classes[0].files;
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].base.as_str(), "intro");
        assert_eq!(files[0].formats, vec![AudioFormat::Wav, AudioFormat::Ulaw]);
    }
}
