//! The on-disk layout: `<root>/<category>/<NNNN>-<slug>.<ext>` and the generated config file.
//!
//! Owns: every create, rename and delete under the MoH root. Folders are only ever derived from a
//! [`MohClassName`] (which cannot contain `/` or `.`), stored names only from `<NNNN>-<slug>`; a
//! path that exists as a symlink is refused, never followed. Uploads are transcoded into a
//! dot-prefixed staging folder (`<root>/.staging/<id>/`, invisible to Asterisk's scan) and renamed
//! into place; the config is written to a dot-prefixed temp file, fsynced and renamed.
//! Must not: touch the database or decide what to write.

use std::fs;
use std::path::{Path, PathBuf};

use crate::audio::OutputFormat;
use crate::audio::atomic::{AtomicFile, commit_all, write_all};
use crate::moh::MohError;
use crate::moh::name::MohClassName;

/// Where category folders live.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

fn io(context: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> MohError {
    move |e| MohError::Io(format!("{context}: {e}"))
}

/// Refuses `path` if it exists as a symlink (or anything but a folder, when `dir`).
fn not_a_link(path: &Path) -> Result<bool, MohError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            Err(MohError::Io(format!("{} is a symlink; Ringside does not follow links", path.display())))
        }
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io(path.display())(e)),
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

impl Layout {
    /// `root` is made absolute (Asterisk's `directory=` is relative to its own folder otherwise).
    pub fn new(root: &Path) -> Result<Self, MohError> {
        let root = std::path::absolute(root).map_err(io(root.display()))?;
        Ok(Layout { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the root if needed (the root itself is the admin's choice and may be a link).
    pub fn ensure_root(&self) -> Result<(), MohError> {
        fs::create_dir_all(&self.root).map_err(io(self.root.display()))
    }

    pub fn category_dir(&self, name: &MohClassName) -> PathBuf {
        self.root.join(name.as_str())
    }

    /// The category's folder, created if missing; a symlink there is refused.
    pub fn ensure_category(&self, name: &MohClassName) -> Result<PathBuf, MohError> {
        let dir = self.category_dir(name);
        if !not_a_link(&dir)? {
            self.ensure_root()?;
            fs::create_dir(&dir).map_err(io(dir.display()))?;
            sync_dir(&self.root);
        }
        Ok(dir)
    }

    /// A fresh, empty staging folder for one upload.
    pub fn staging(&self) -> Result<PathBuf, MohError> {
        let base = self.root.join(".staging");
        not_a_link(&base)?;
        fs::create_dir_all(&base).map_err(io(base.display()))?;
        let dir = base.join(crate::auth::random_token(12).replace(['-', '_'], "x"));
        fs::create_dir(&dir).map_err(io(dir.display()))?;
        Ok(dir)
    }

    /// Moves `<staging>/<base>.<ext>` to `<category>/<stored>.<ext>` for each format, all or none.
    pub fn install(
        &self,
        staging: &Path,
        base: &str,
        name: &MohClassName,
        stored: &str,
        formats: &[OutputFormat],
    ) -> Result<(), MohError> {
        let dir = self.ensure_category(name)?;
        let mut done: Vec<PathBuf> = Vec::new();
        for format in formats {
            let target = format.path_in(&dir, stored);
            let result = if not_a_link(&target)? {
                Err(MohError::Io(format!("{} already exists", target.display())))
            } else {
                fs::rename(format.path_in(staging, base), &target).map_err(io(target.display()))
            };
            if let Err(e) = result {
                done.iter().for_each(|p| drop(fs::remove_file(p)));
                return Err(e);
            }
            done.push(target);
        }
        sync_dir(&dir);
        Ok(())
    }

    /// Renames `(old, new)` stored names in a category, every format, via dot-prefixed temps so
    /// swapped positions never collide.
    pub fn rename_all(&self, name: &MohClassName, moves: &[(String, String)]) -> Result<(), MohError> {
        let dir = self.category_dir(name);
        not_a_link(&dir)?;
        let temp =
            |stored: &str, f: OutputFormat| dir.join(format!(".{stored}.{}.reorder.tmp", f.extension()));
        for (old, _) in moves {
            for f in OutputFormat::ALL {
                let from = f.path_in(&dir, old);
                if not_a_link(&from)? {
                    fs::rename(&from, temp(old, f)).map_err(io(from.display()))?;
                }
            }
        }
        for (old, new) in moves {
            for f in OutputFormat::ALL {
                let from = temp(old, f);
                if from.exists() {
                    fs::rename(&from, f.path_in(&dir, new)).map_err(io(from.display()))?;
                }
            }
        }
        sync_dir(&dir);
        Ok(())
    }

    /// Removes a stored file in every format.
    pub fn remove_file(&self, name: &MohClassName, stored: &str) -> Result<(), MohError> {
        let dir = self.category_dir(name);
        not_a_link(&dir)?;
        for f in OutputFormat::ALL {
            let path = f.path_in(&dir, stored);
            if not_a_link(&path)? {
                fs::remove_file(&path).map_err(io(path.display()))?;
            }
        }
        sync_dir(&dir);
        Ok(())
    }

    /// Removes a category's folder and what is in it (links inside are removed, not followed).
    pub fn remove_category(&self, name: &MohClassName) -> Result<(), MohError> {
        let dir = self.category_dir(name);
        if not_a_link(&dir)? {
            fs::remove_dir_all(&dir).map_err(io(dir.display()))?;
            sync_dir(&self.root);
        }
        Ok(())
    }

    /// The path of one rendition, if it exists as a regular file.
    pub fn rendition(&self, name: &MohClassName, stored: &str, format: OutputFormat) -> Option<PathBuf> {
        let path = format.path_in(&self.category_dir(name), stored);
        let meta = fs::symlink_metadata(&path).ok()?;
        meta.file_type().is_file().then_some(path)
    }
}

/// Writes `text` to `path` atomically (dot-prefixed temp in the same folder, fsync, rename).
pub fn write_atomically(path: &Path, text: &str) -> Result<(), MohError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io(parent.display()))?;
    }
    let audio = |e: crate::audio::AudioError| MohError::Io(e.to_string());
    let mut file = AtomicFile::create(path).map_err(audio)?;
    write_all(&mut file, text.as_bytes()).map_err(audio)?;
    commit_all(vec![file.finish().map_err(audio)?]).map_err(audio)?;
    Ok(())
}
