//! Atomic output files: write to a dot-prefixed temp file in the target folder, fsync, rename.
//!
//! Owns: temp naming, durability (file and directory fsync) and clean-up. A temp file is removed
//! whenever its handle is dropped without being committed, so any error path leaves nothing.
//! Must not: know about audio formats.
//!
//! ```text
//! temp name:  <dir>/.<final file name>.<pid>.tmp   (Asterisk's directory scan skips dot files)
//! ```

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::audio::error::AudioError;

/// The temp path used for `final_path` by process `pid` (the sandbox parent uses this to clean
/// up after a worker that was killed).
pub fn temp_path_for(final_path: &Path, pid: u32) -> PathBuf {
    let name = final_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    final_path.with_file_name(format!(".{name}.{pid}.tmp"))
}

/// A file being written; removed on drop unless [`AtomicFile::finish`] and then
/// [`commit_all`] succeed.
#[derive(Debug)]
pub struct AtomicFile {
    writer: Option<BufWriter<File>>,
    temp: PathBuf,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temp file for `target` (which must not be a dot file itself).
    pub fn create(target: &Path) -> Result<Self, AudioError> {
        let temp = temp_path_for(target, std::process::id());
        let file =
            File::create(&temp).map_err(|e| AudioError::io(format!("creating {}", temp.display()), &e))?;
        Ok(AtomicFile {
            writer: Some(BufWriter::with_capacity(64 * 1024, file)),
            temp,
            target: target.to_path_buf(),
        })
    }

    /// The buffered writer for the content.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        // Invariant: `writer` is only taken in `finish`, which consumes `self`.
        self.writer.as_mut().expect("writer present until finish")
    }

    /// Flushes and fsyncs the content; the file is then ready for [`commit_all`].
    pub fn finish(mut self) -> Result<Finished, AudioError> {
        let context = || format!("writing {}", self.temp.display());
        let writer = self.writer.take().expect("writer present until finish");
        let file = writer.into_inner().map_err(|e| AudioError::io(context(), e.error()))?;
        file.sync_all().map_err(|e| AudioError::io(context(), &e))?;
        Ok(Finished {
            temp: std::mem::take(&mut self.temp),
            target: std::mem::take(&mut self.target),
            renamed: false,
        })
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            self.writer.take();
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// A complete, fsynced temp file waiting to be renamed; removed on drop if not renamed.
#[derive(Debug)]
pub struct Finished {
    temp: PathBuf,
    target: PathBuf,
    renamed: bool,
}

impl Drop for Finished {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Renames every finished file into place, then fsyncs the folders. If one rename fails, the
/// files already renamed by this call are removed again, so outputs appear all or none.
pub fn commit_all(mut files: Vec<Finished>) -> Result<Vec<PathBuf>, AudioError> {
    let mut done: Vec<PathBuf> = Vec::with_capacity(files.len());
    for file in &mut files {
        if let Err(e) = fs::rename(&file.temp, &file.target) {
            for path in &done {
                let _ = fs::remove_file(path);
            }
            return Err(AudioError::io(format!("renaming to {}", file.target.display()), &e));
        }
        file.renamed = true;
        done.push(file.target.clone());
    }
    let mut dirs: Vec<&Path> = done.iter().filter_map(|p| p.parent()).collect();
    dirs.dedup();
    for dir in dirs {
        if let Ok(handle) = File::open(dir) {
            let _ = handle.sync_all();
        }
    }
    Ok(done)
}

/// Writes all of `bytes` to an atomic file's writer, naming the file on error.
pub fn write_all(file: &mut AtomicFile, bytes: &[u8]) -> Result<(), AudioError> {
    let temp = file.temp.display().to_string();
    file.writer().write_all(bytes).map_err(|e| AudioError::io(format!("writing {temp}"), &e))
}
