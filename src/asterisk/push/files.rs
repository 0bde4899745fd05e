//! Puts category folders, files and the generated conf on a server's disk, atomically.
//!
//! Every write goes to a dot-prefixed temp file in the target folder (Asterisk's directory scan
//! skips dot files), is fsynced, then renamed into place, and the folder is fsynced. Files no
//! longer wanted are removed only by [`prune`], which the deploy calls after the new files and
//! conf are in place. Inside the server's MoH root nothing is followed: a symlink where a folder
//! or file should be is refused, never written through, and nothing outside the root is touched.
//! A category folder that *is* the canonical source (same path) is left alone.
//! Synchronous: call from `spawn_blocking`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::moh::MohClassName;
use crate::moh::conf::CategoryFiles;
use crate::moh::desired::{DesiredMoh, PLAYABLE, is_file_base};

/// A file-system step that failed; nothing half-written is left behind.
#[derive(Debug, thiserror::Error)]
#[error("{action} {path}: {source}")]
pub struct FilesError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

fn fail<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> FilesError + 'a {
    move |source| FilesError { action, path: path.to_owned(), source }
}

/// What one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub copied: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Copies every rendition the canonical folder holds of every wanted file, when missing or
/// changed (length or modification time), into `<root>/<class>/`. Removes nothing.
pub fn sync_classes(moh: &DesiredMoh, root: &Path) -> Result<SyncReport, FilesError> {
    fs::create_dir_all(root).map_err(fail("creating", root))?;
    let mut report = SyncReport::default();
    for entry in &moh.categories {
        let source = moh.class_source(&entry.category.name);
        let target = root.join(entry.category.name.as_str());
        if same_path(&source, &target) {
            continue;
        }
        real_dir(&target)?;
        for name in renditions(entry, &source) {
            if copy_if_changed(&source.join(&name), &target.join(&name))? {
                report.copied += 1;
            } else {
                report.unchanged += 1;
            }
        }
    }
    Ok(report)
}

/// Removes files in managed category folders that are no longer wanted, and category folders
/// of classes that no longer exist. Only names Ringside could have written are touched (valid
/// class folders; `<base>.<known ext>` files and its own stale temp files); symlinks are left.
pub fn prune(moh: &DesiredMoh, root: &Path) -> Result<usize, FilesError> {
    if same_path(&moh.source_dir, root) {
        return Ok(0);
    }
    let mut removed = 0;
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(fail("listing", root)(e)),
    };
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().and_then(|n| MohClassName::parse(n).ok()) else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let wanted = moh.categories.iter().find(|c| c.category.name == name);
        let keep = wanted.map(|c| renditions(c, &moh.class_source(&name))).unwrap_or_default();
        removed += prune_class(&entry.path(), &keep)?;
        if wanted.is_none() {
            // Only succeeds when empty: anything Ringside did not write keeps the folder.
            if fs::remove_dir(entry.path()).is_ok() {
                tracing::info!(folder = %entry.path().display(), "removed category folder no longer wanted");
            }
        }
    }
    Ok(removed)
}

/// `<stored name>.<ext>` of every rendition of the category's files present in `source`.
fn renditions(entry: &CategoryFiles, source: &Path) -> Vec<String> {
    let all =
        entry.files.iter().flat_map(|f| PLAYABLE.iter().map(move |ext| format!("{}.{ext}", f.stored_name)));
    all.filter(|name| source.join(name).is_file()).collect()
}

fn prune_class(dir: &Path, keep: &[String]) -> Result<usize, FilesError> {
    let mut removed = 0;
    for entry in fs::read_dir(dir).map_err(fail("listing", dir))?.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else { continue };
        let stale_temp = name.starts_with('.') && name.ends_with(".ringside-tmp");
        let ours = name.rsplit_once('.').is_some_and(|(b, e)| is_file_base(b) && PLAYABLE.contains(&e));
        if stale_temp || (ours && !keep.iter().any(|k| k == name)) {
            fs::remove_file(entry.path()).map_err(fail("removing", &entry.path()))?;
            tracing::info!(file = %entry.path().display(), "removed MoH file no longer wanted");
            removed += 1;
        }
    }
    Ok(removed)
}

/// Writes `bytes` to `path` atomically (temp, fsync, rename, fsync folder).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FilesError> {
    let temp = temp_path(path);
    let result = (|| {
        let mut file = create_temp(&temp)?;
        file.write_all(bytes).map_err(fail("writing", &temp))?;
        file.sync_all().map_err(fail("syncing", &temp))?;
        drop(file);
        fs::rename(&temp, path).map_err(fail("renaming into place", path))?;
        sync_parent(path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn copy_if_changed(source: &Path, target: &Path) -> Result<bool, FilesError> {
    let meta = fs::metadata(source).map_err(fail("reading", source))?;
    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    match fs::symlink_metadata(target) {
        Ok(t) if t.file_type().is_symlink() => {
            return Err(fail("refusing to write through a symlink at", target)(io::Error::other(
                "symlink inside the MoH root",
            )));
        }
        Ok(t) if t.is_file() && t.len() == meta.len() && t.modified().ok() == Some(modified) => {
            return Ok(false);
        }
        _ => {}
    }
    let temp = temp_path(target);
    let result = (|| {
        let mut input = File::open(source).map_err(fail("reading", source))?;
        let mut output = create_temp(&temp)?;
        io::copy(&mut input, &mut output).map_err(fail("copying to", &temp))?;
        output.set_modified(modified).map_err(fail("stamping", &temp))?;
        output.sync_all().map_err(fail("syncing", &temp))?;
        drop(output);
        fs::rename(&temp, target).map_err(fail("renaming into place", target))?;
        sync_parent(target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map(|()| true)
}

fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.ringside-tmp"))
}

/// `create_new` never follows a symlink at the temp path; a leftover temp is removed first.
fn create_temp(temp: &Path) -> Result<File, FilesError> {
    let _ = fs::remove_file(temp);
    OpenOptions::new().write(true).create_new(true).open(temp).map_err(fail("creating", temp))
}

/// Creates `dir` if missing; refuses a symlink or a non-folder there.
fn real_dir(dir: &Path) -> Result<(), FilesError> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(fail("refusing to use (not a real folder)", dir)(io::Error::other("symlink or file"))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir(dir).map_err(fail("creating", dir)),
        Err(e) => Err(fail("inspecting", dir)(e)),
    }
}

fn sync_parent(path: &Path) -> Result<(), FilesError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    File::open(parent).and_then(|d| d.sync_all()).map_err(fail("syncing folder", parent))
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests;
