//! Where the Master.csv follower stands, and how that is checked against the disk.
//!
//! Owns [`FilePosition`] (committed with the rows it produced) and the small, synchronous file
//! checks the follower needs: file identity, first-bytes fingerprint and finding a rotated file
//! by its inode. Unix only (device and inode numbers).
//!
//! ```text
//! FilePosition { dev, inode, offset, fingerprint: { len, sha256(first len bytes) } }
//! offset       = byte just after the last record handed out (never inside a record)
//! fingerprint  = hash of the first min(offset, 1024) bytes: only bytes already consumed, which
//!                an append-only file never changes; a different hash means the file was
//!                truncated and rewritten (copytruncate) even if it has grown past `offset`.
//! ```

use std::fs::{self, File, Metadata};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Default number of leading bytes covered by the fingerprint.
pub const DEFAULT_FINGERPRINT_LEN: u64 = 1024;

/// A hash of a file's first `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// How many leading bytes were hashed.
    pub len: u64,
    /// SHA-256 of those bytes.
    pub sha256: [u8; 32],
}

/// A resumable position in one Master.csv file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilePosition {
    /// Device number of the file system holding the file.
    pub dev: u64,
    /// Inode number of the file.
    pub inode: u64,
    /// Byte offset just after the last consumed record.
    pub offset: u64,
    /// Fingerprint of the first consumed bytes.
    pub fingerprint: Fingerprint,
}

/// Device and inode of an open or named file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId {
    /// Device number.
    pub dev: u64,
    /// Inode number.
    pub inode: u64,
}

impl FileId {
    /// The identity recorded in metadata.
    pub fn of(meta: &Metadata) -> Self {
        Self { dev: meta.dev(), inode: meta.ino() }
    }
}

impl FilePosition {
    /// The file identity part.
    pub fn file_id(&self) -> FileId {
        FileId { dev: self.dev, inode: self.inode }
    }
}

/// Fingerprints the first `min(len, consumed)` bytes of `file`.
pub fn fingerprint(file: &File, consumed: u64, max_len: u64) -> io::Result<Fingerprint> {
    let len = consumed.min(max_len);
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)];
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(Fingerprint { len: filled as u64, sha256: Sha256::digest(&buf).into() })
}

/// True when `file` still starts with the bytes `fp` was taken from.
pub fn fingerprint_matches(file: &File, fp: &Fingerprint) -> io::Result<bool> {
    Ok(fingerprint(file, fp.len, fp.len)? == *fp)
}

/// Looks in `path`'s directory for another name of the file `id` (e.g. `Master.csv.1` after a
/// rename-and-create rotation). Compressed rotations are not followed (their inode is new).
pub fn find_rotated(path: &Path, id: FileId) -> Option<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let entries = fs::read_dir(dir).ok()?;
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path() != path)
        .find(|e| e.metadata().is_ok_and(|m| m.is_file() && FileId::of(&m) == id))
        .map(|e| e.path())
}
