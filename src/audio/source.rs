//! The decoder-facing input plumbing: a byte counter around the reader and the trait every
//! container decoder implements.
//!
//! Owns: counting bytes (for progress and the input-size cap) and the `FrameSource` contract.
//! Must not: interpret audio.

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use symphonia::core::io::MediaSource;

use crate::audio::error::AudioError;

/// What a decoder learned from the stream header (checked against the caps before decoding).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// Codec name for the report, e.g. `pcm_s24le`, `mp3`, `flac`, `vorbis`.
    pub codec: String,
    /// Sample rate in Hz.
    pub rate: u32,
    /// Channel count.
    pub channels: u32,
    /// Bits per sample when the format has one (PCM, FLAC).
    pub bits_per_sample: Option<u32>,
}

/// A container decoder producing interleaved `f32` frames (full scale ±1.0).
pub trait FrameSource: Send {
    /// Header facts.
    fn info(&self) -> &SourceInfo;
    /// Replaces `out` with the next block of interleaved samples; `Ok(false)` at the end.
    fn read_block(&mut self, out: &mut Vec<f32>) -> Result<bool, AudioError>;
}

/// Wraps the input and counts bytes read; refuses to read past `limit` bytes.
pub struct CountingReader<R> {
    inner: R,
    position: u64,
    read_high_water: Arc<AtomicU64>,
    limit: u64,
    len: u64,
}

impl<R: Read + Seek> CountingReader<R> {
    /// Wraps `inner` whose total length is `len`.
    pub fn new(inner: R, len: u64, limit: u64, counter: Arc<AtomicU64>) -> Self {
        CountingReader { inner, position: 0, read_high_water: counter, limit, len }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        if self.position > self.limit {
            return Err(std::io::Error::other(format!("input exceeds the {} byte limit", self.limit)));
        }
        self.read_high_water.fetch_max(self.position, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for CountingReader<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(pos)?;
        Ok(self.position)
    }
}

impl<R: Read + Seek + Send + Sync> MediaSource for CountingReader<R> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}
