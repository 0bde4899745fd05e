//! Output encoders: 16-bit mono samples in, Asterisk sound files out (written atomically).
//!
//! Owns: the output formats, their file names and byte layouts. Must not: resample, dither or
//! change levels — samples arrive final, at the format's rate.
//!
//! ```text
//! <base>.wav    RIFF/WAVE PCM, 1 channel, 8000 Hz, 16-bit (Asterisk requires exactly this)
//! <base>.wav16  RIFF/WAVE PCM, 1 channel, 16000 Hz, 16-bit (16 kHz calls and browser preview)
//! <base>.sln16  raw signed 16-bit little-endian, 16000 Hz, no header
//! <base>.ulaw   raw G.711 µ-law bytes, 8000 Hz
//! <base>.alaw   raw G.711 A-law bytes, 8000 Hz
//!
//! canonical 44-byte WAV header (all integers little-endian):
//!  0 "RIFF"  4 u32 36+data_len  8 "WAVE"  12 "fmt "  16 u32 16  20 u16 1 (PCM)  22 u16 1 (mono)
//! 24 u32 rate  28 u32 rate*2  32 u16 2 (block align)  34 u16 16 (bits)  36 "data"  40 u32 data_len
//! ```

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audio::atomic::{AtomicFile, Finished, write_all};
use crate::audio::error::AudioError;
use crate::audio::g711;

/// One output rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// 8 kHz 16-bit mono RIFF WAV.
    Wav,
    /// 16 kHz 16-bit mono RIFF WAV (browser preview, also played by Asterisk on 16 kHz calls).
    Wav16,
    /// Raw 16 kHz s16le.
    Sln16,
    /// Raw 8 kHz µ-law.
    Ulaw,
    /// Raw 8 kHz A-law.
    Alaw,
}

impl OutputFormat {
    /// Every format, the default selection.
    pub const ALL: [OutputFormat; 5] =
        [OutputFormat::Wav, OutputFormat::Wav16, OutputFormat::Sln16, OutputFormat::Ulaw, OutputFormat::Alaw];

    /// The file extension (without dot), which is also the name used on the command line.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Wav => "wav",
            OutputFormat::Wav16 => "wav16",
            OutputFormat::Sln16 => "sln16",
            OutputFormat::Ulaw => "ulaw",
            OutputFormat::Alaw => "alaw",
        }
    }

    /// Parses a command-line name such as `ulaw`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.extension() == name)
    }

    /// The sample rate of this rendition.
    pub fn rate(self) -> u32 {
        match self {
            OutputFormat::Wav | OutputFormat::Ulaw | OutputFormat::Alaw => 8000,
            OutputFormat::Wav16 | OutputFormat::Sln16 => 16000,
        }
    }

    /// `<dir>/<base>.<extension>`.
    pub fn path_in(self, dir: &Path, base: &str) -> PathBuf {
        dir.join(format!("{base}.{}", self.extension()))
    }
}

/// The 44-byte header of a mono 16-bit PCM WAV file.
pub fn wav_header(rate: u32, data_len: u32) -> [u8; 44] {
    let mut h = [0u8; 44];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&data_len.saturating_add(36).to_le_bytes());
    h[8..16].copy_from_slice(b"WAVEfmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes());
    h[22..24].copy_from_slice(&1u16.to_le_bytes());
    h[24..28].copy_from_slice(&rate.to_le_bytes());
    h[28..32].copy_from_slice(&(rate * 2).to_le_bytes());
    h[32..34].copy_from_slice(&2u16.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data_len.to_le_bytes());
    h
}

/// Streams samples of one rendition into its atomic file.
#[derive(Debug)]
pub struct OutputSink {
    format: OutputFormat,
    file: AtomicFile,
    data_len: u64,
    scratch: Vec<u8>,
}

impl OutputSink {
    /// Creates the temp file for `format` in `dir`.
    pub fn create(dir: &Path, base: &str, format: OutputFormat) -> Result<Self, AudioError> {
        let mut file = AtomicFile::create(&format.path_in(dir, base))?;
        if matches!(format, OutputFormat::Wav | OutputFormat::Wav16) {
            write_all(&mut file, &wav_header(format.rate(), 0))?;
        }
        Ok(OutputSink { format, file, data_len: 0, scratch: Vec::new() })
    }

    /// The rendition this sink writes.
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Appends samples (at the format's rate).
    pub fn write(&mut self, samples: &[i16]) -> Result<(), AudioError> {
        match self.format {
            OutputFormat::Ulaw => g711::encode_ulaw(samples, &mut self.scratch),
            OutputFormat::Alaw => g711::encode_alaw(samples, &mut self.scratch),
            OutputFormat::Wav | OutputFormat::Wav16 | OutputFormat::Sln16 => {
                self.scratch.clear();
                self.scratch.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
            }
        }
        self.data_len += self.scratch.len() as u64;
        write_all(&mut self.file, &self.scratch)
    }

    /// Patches the WAV header if any, then flushes and fsyncs.
    pub fn finish(mut self) -> Result<Finished, AudioError> {
        if matches!(self.format, OutputFormat::Wav | OutputFormat::Wav16) {
            let data_len = u32::try_from(self.data_len)
                .ok()
                .filter(|len| *len <= u32::MAX - 36)
                .ok_or_else(|| AudioError::InvalidJob("output exceeds the 4 GiB WAV limit".into()))?;
            let header = wav_header(self.format.rate(), data_len);
            let writer = self.file.writer();
            writer
                .seek(SeekFrom::Start(0))
                .and_then(|_| writer.write_all(&header))
                .map_err(|e| AudioError::io("writing the WAV header", &e))?;
        }
        self.file.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_matches_the_canonical_form() {
        let h = wav_header(8000, 16000);
        assert_eq!(&h[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes([h[4], h[5], h[6], h[7]]), 16036);
        assert_eq!(u32::from_le_bytes([h[24], h[25], h[26], h[27]]), 8000);
        assert_eq!(u32::from_le_bytes([h[28], h[29], h[30], h[31]]), 16000);
        assert_eq!(u32::from_le_bytes([h[40], h[41], h[42], h[43]]), 16000);
    }

    #[test]
    fn names_round_trip() {
        for format in OutputFormat::ALL {
            assert_eq!(OutputFormat::from_name(format.extension()), Some(format));
        }
        assert_eq!(OutputFormat::from_name("mp3"), None);
    }
}
