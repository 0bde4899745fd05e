//! A temporary spool of resampled `f32` samples, so loudness can be measured over the whole
//! file before the gain is applied — without a second decode (MP3 decoding is most of the
//! cost) and without holding the audio in memory. At 8 kHz plus 16 kHz that is 96 kB per
//! second of input on disk (≈ 350 MB for the 60-minute cap), next to the outputs.
//!
//! Owns: the spool file's life (dot-prefixed temp name, deleted on drop). Must not: outlive
//! the transcode.
//!
//! ```text
//! <dir>/.<base>.<rate>.spool.<pid>.tmp   consecutive f32 little-endian mono samples
//! ```

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::audio::atomic::temp_path_for;
use crate::audio::error::AudioError;

/// The spool's nominal (never created) name; the real file is its temp name.
pub fn spool_name(dir: &Path, base: &str, rate: u32) -> PathBuf {
    dir.join(format!("{base}.{rate}.spool"))
}

/// A write-then-read spool file, removed on drop.
pub struct Spool {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    reader: Option<BufReader<File>>,
    bytes: Vec<u8>,
}

impl Spool {
    /// Creates the spool for `rate` in `dir`.
    pub fn create(dir: &Path, base: &str, rate: u32) -> Result<Self, AudioError> {
        let path = temp_path_for(&spool_name(dir, base, rate), std::process::id());
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| AudioError::io(format!("creating {}", path.display()), &e))?;
        Ok(Spool {
            path,
            writer: Some(BufWriter::with_capacity(64 * 1024, file)),
            reader: None,
            bytes: Vec::new(),
        })
    }

    fn io_err(&self, e: &std::io::Error) -> AudioError {
        AudioError::io(format!("spooling to {}", self.path.display()), e)
    }

    /// Appends samples.
    pub fn write(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        self.bytes.clear();
        self.bytes.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        let result = match self.writer.as_mut() {
            Some(writer) => writer.write_all(&self.bytes),
            None => Err(std::io::Error::other("spool already rewound")),
        };
        result.map_err(|e| self.io_err(&e))
    }

    /// Switches from writing to reading from the start.
    pub fn rewind(&mut self) -> Result<(), AudioError> {
        if let Some(writer) = self.writer.take() {
            let mut file = writer.into_inner().map_err(|e| self.io_err(e.error()))?;
            file.seek(SeekFrom::Start(0)).map_err(|e| self.io_err(&e))?;
            self.reader = Some(BufReader::with_capacity(64 * 1024, file));
        }
        Ok(())
    }

    /// Replaces `out` with up to `max` samples; `Ok(false)` when the spool is exhausted.
    pub fn read(&mut self, max: usize, out: &mut Vec<f32>) -> Result<bool, AudioError> {
        out.clear();
        self.bytes.resize(max * 4, 0);
        let mut filled = 0;
        while filled < self.bytes.len() {
            let result = match self.reader.as_mut() {
                Some(reader) => reader.read(&mut self.bytes[filled..]),
                None => Err(std::io::Error::other("spool not rewound")),
            };
            match result {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) => return Err(self.io_err(&e)),
            }
        }
        out.extend(
            self.bytes[..filled - filled % 4]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        Ok(!out.is_empty())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.writer.take();
        self.reader.take();
        let _ = fs::remove_file(&self.path);
    }
}
