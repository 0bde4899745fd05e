//! The decode stage: sniff, open the right container decoder, enforce the caps while
//! streaming, downmix to mono and collect source statistics for the report.
//!
//! Owns: [`Limits`] enforcement (input bytes, channels, rate before decoding; duration while
//! decoding — never by trusting a header's length), mono downmix (channel average), peak,
//! clipped-sample count and leading/trailing silence. Must not: resample, write files, or hold
//! more than one block of audio.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::audio::compressed::SymphoniaSource;
use crate::audio::error::AudioError;
use crate::audio::probe::{Container, SNIFF_LEN, sniff};
use crate::audio::source::{CountingReader, FrameSource, SourceInfo};
use crate::audio::wav::WavSource;

/// Hard caps applied to every input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest accepted input file in bytes.
    pub max_input_bytes: u64,
    /// Longest accepted decoded duration in seconds.
    pub max_duration_secs: u64,
    /// Most channels accepted.
    pub max_channels: u32,
    /// Lowest accepted sample rate (Hz).
    pub min_rate: u32,
    /// Highest accepted sample rate (Hz).
    pub max_rate: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 1 << 30,
            max_duration_secs: 60 * 60,
            max_channels: 8,
            min_rate: 8_000,
            max_rate: 192_000,
        }
    }
}

/// A sample at or beyond this magnitude counts as clipped (within one 16-bit step of full scale).
const CLIP_LEVEL: f32 = 1.0 - 1.0 / 32_768.0;
/// Mono samples below this magnitude (−60 dBFS) count as silence.
const SILENCE_LEVEL: f32 = 0.001;

/// Statistics of the decoded source, gathered while streaming.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStats {
    /// Mono frames decoded so far.
    pub frames: u64,
    /// Largest absolute sample over all channels.
    pub peak: f32,
    /// Samples (over all channels) at full scale.
    pub clipped: u64,
    /// First frame above the silence threshold.
    pub first_sound: Option<u64>,
    /// Last frame above the silence threshold.
    pub last_sound: u64,
}

/// Decodes any supported input to mono `f32` blocks.
pub struct Decoder {
    source: Box<dyn FrameSource>,
    container: Container,
    limits: Limits,
    stats: SourceStats,
    interleaved: Vec<f32>,
    bytes_read: Arc<AtomicU64>,
    total_bytes: u64,
}

impl Decoder {
    /// Opens a file, checking its size against the cap first.
    pub fn open_file(path: &Path, limits: &Limits) -> Result<Self, AudioError> {
        let file = File::open(path).map_err(|e| AudioError::io(format!("opening {}", path.display()), &e))?;
        let len =
            file.metadata().map_err(|e| AudioError::io(format!("reading {}", path.display()), &e))?.len();
        Self::open(file, len, limits)
    }

    /// Opens in-memory bytes (tests, fuzzing).
    pub fn open_bytes(bytes: Vec<u8>, limits: &Limits) -> Result<Self, AudioError> {
        let len = bytes.len() as u64;
        Self::open(Cursor::new(bytes), len, limits)
    }

    /// Opens any seekable reader of `len` bytes.
    pub fn open<R>(mut reader: R, len: u64, limits: &Limits) -> Result<Self, AudioError>
    where
        R: Read + Seek + Send + Sync + 'static,
    {
        if len > limits.max_input_bytes {
            return Err(AudioError::InputTooLarge { size: len, limit: limits.max_input_bytes });
        }
        if len == 0 {
            return Err(AudioError::Empty);
        }
        let mut prefix = Vec::with_capacity(SNIFF_LEN);
        (&mut reader)
            .take(SNIFF_LEN as u64)
            .read_to_end(&mut prefix)
            .and_then(|_| reader.seek(SeekFrom::Start(0)))
            .map_err(|e| AudioError::io("reading the input", &e))?;
        let container = sniff(&prefix).ok_or_else(|| {
            AudioError::UnknownFormat("not WAV, MP3, FLAC or Ogg Vorbis (judged by content)".into())
        })?;
        let bytes_read = Arc::new(AtomicU64::new(0));
        let counting = CountingReader::new(reader, len, limits.max_input_bytes, bytes_read.clone());
        let source = open_source(container, counting)?;
        check_header(source.info(), limits)?;
        Ok(Decoder {
            source,
            container,
            limits: limits.clone(),
            stats: SourceStats::default(),
            interleaved: Vec::new(),
            bytes_read,
            total_bytes: len,
        })
    }

    /// Header facts of the source.
    pub fn info(&self) -> &SourceInfo {
        self.source.info()
    }

    /// The container found by sniffing.
    pub fn container(&self) -> Container {
        self.container
    }

    /// Statistics so far (complete once [`Decoder::next_mono`] returned `Ok(false)`).
    pub fn stats(&self) -> &SourceStats {
        &self.stats
    }

    /// Fraction of the input bytes consumed, 0..=1.
    pub fn progress(&self) -> f32 {
        let read = self.bytes_read.load(Ordering::Relaxed);
        (read as f64 / self.total_bytes.max(1) as f64).min(1.0) as f32
    }

    /// Replaces `mono` with the next block of mono samples; `Ok(false)` at the end.
    pub fn next_mono(&mut self, mono: &mut Vec<f32>) -> Result<bool, AudioError> {
        mono.clear();
        if !self.source.read_block(&mut self.interleaved)? {
            if self.stats.frames == 0 {
                return Err(AudioError::Empty);
            }
            return Ok(false);
        }
        let channels = self.source.info().channels.max(1) as usize;
        let max_frames = self.limits.max_duration_secs * u64::from(self.source.info().rate);
        let frames = (self.interleaved.len() / channels) as u64;
        if self.stats.frames + frames > max_frames {
            return Err(AudioError::TooLong { limit_secs: self.limits.max_duration_secs });
        }
        downmix(&self.interleaved, channels, mono);
        self.update_stats(mono);
        Ok(true)
    }

    fn update_stats(&mut self, mono: &[f32]) {
        // Magnitudes compared as bit patterns: for non-negative floats the order is the same,
        // and integer max/compare vectorise where float ones do not.
        let clip_bits = CLIP_LEVEL.to_bits();
        let (mut peak_bits, mut clipped) = (self.stats.peak.to_bits(), 0u32);
        for chunk in self.interleaved.chunks(4096) {
            for &sample in chunk {
                let magnitude = sample.to_bits() & 0x7FFF_FFFF;
                peak_bits = peak_bits.max(magnitude);
                clipped += u32::from(magnitude >= clip_bits);
            }
        }
        self.stats.peak = f32::from_bits(peak_bits);
        self.stats.clipped += u64::from(clipped);
        let start = self.stats.frames;
        if let Some(first) = mono.iter().position(|s| s.abs() >= SILENCE_LEVEL) {
            self.stats.first_sound.get_or_insert(start + first as u64);
        }
        if let Some(last) = mono.iter().rposition(|s| s.abs() >= SILENCE_LEVEL) {
            self.stats.last_sound = start + last as u64;
        }
        self.stats.frames += mono.len() as u64;
    }
}

fn open_source<R>(container: Container, reader: CountingReader<R>) -> Result<Box<dyn FrameSource>, AudioError>
where
    R: Read + Seek + Send + Sync + 'static,
{
    match container {
        Container::Wav => match WavSource::open(reader) {
            Ok(wav) => Ok(Box::new(wav)),
            Err((_hound_refused, mut reader)) => {
                // hound does not read float 64 or some odd headers; symphonia's RIFF reader may.
                reader.seek(SeekFrom::Start(0)).map_err(|e| AudioError::io("rewinding the input", &e))?;
                Ok(Box::new(SymphoniaSource::open(Box::new(reader), "wav")?))
            }
        },
        Container::Flac | Container::Ogg | Container::Mpeg => {
            Ok(Box::new(SymphoniaSource::open(Box::new(reader), container.name())?))
        }
    }
}

fn check_header(info: &SourceInfo, limits: &Limits) -> Result<(), AudioError> {
    if info.channels == 0 {
        return Err(AudioError::Decode("the stream declares zero channels".into()));
    }
    if info.channels > limits.max_channels {
        return Err(AudioError::TooManyChannels { channels: info.channels, limit: limits.max_channels });
    }
    if !(limits.min_rate..=limits.max_rate).contains(&info.rate) {
        return Err(AudioError::BadSampleRate {
            rate: info.rate,
            min: limits.min_rate,
            max: limits.max_rate,
        });
    }
    Ok(())
}

/// Averages interleaved channels into `mono`.
pub fn downmix(interleaved: &[f32], channels: usize, mono: &mut Vec<f32>) {
    if channels == 1 {
        mono.extend_from_slice(interleaved);
        return;
    }
    if channels == 2 {
        mono.extend(interleaved.chunks_exact(2).map(|pair| (pair[0] + pair[1]) * 0.5));
        return;
    }
    let scale = 1.0 / channels as f32;
    mono.extend(interleaved.chunks_exact(channels).map(|frame| frame.iter().sum::<f32>() * scale));
}
