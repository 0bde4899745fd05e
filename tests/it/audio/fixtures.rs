//! Helpers that write test inputs (WAV variants via hound, hand-made headers) and find the
//! committed fixtures.

use std::path::{Path, PathBuf};

/// A committed fixture under tests/fixtures/audio/.
pub fn committed(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/audio")).join(name)
}

/// A fresh empty temp folder for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-audio-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Sample layouts the WAV writer supports.
#[derive(Debug, Clone, Copy)]
pub enum Layout {
    U8,
    S16,
    S24,
    S32,
    F32,
    F64,
}

/// Writes interleaved `samples` (full scale ±1) as a WAV file.
pub fn write_wav(path: &Path, layout: Layout, rate: u32, channels: u16, samples: &[f64]) {
    if let Layout::F64 = layout {
        std::fs::write(path, float64_wav(rate, channels, samples)).expect("write f64 wav");
        return;
    }
    let (bits, format) = match layout {
        Layout::U8 => (8, hound::SampleFormat::Int),
        Layout::S16 => (16, hound::SampleFormat::Int),
        Layout::S24 => (24, hound::SampleFormat::Int),
        Layout::S32 => (32, hound::SampleFormat::Int),
        Layout::F32 | Layout::F64 => (32, hound::SampleFormat::Float),
    };
    let spec = hound::WavSpec { channels, sample_rate: rate, bits_per_sample: bits, sample_format: format };
    let mut writer = hound::WavWriter::create(path, spec).expect("create wav");
    for &s in samples {
        match layout {
            Layout::F32 => writer.write_sample(s as f32),
            _ => {
                let max = f64::from((1u32 << (bits - 1)) - 1);
                writer.write_sample((s * max).round().clamp(-max - 1.0, max) as i32)
            }
        }
        .expect("write sample");
    }
    writer.finalize().expect("finalize wav");
}

/// A WAVE_FORMAT_IEEE_FLOAT 64-bit file (hound cannot write these).
pub fn float64_wav(rate: u32, channels: u16, samples: &[f64]) -> Vec<u8> {
    let data_len = (samples.len() * 8) as u32;
    let mut out = raw_header(3, rate, channels, 64, data_len);
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// A 44-byte header with any field values (lying headers for robustness tests).
pub fn raw_header(format_tag: u16, rate: u32, channels: u16, bits: u16, data_len: u32) -> Vec<u8> {
    let block_align = channels.wrapping_mul(bits / 8);
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&data_len.wrapping_add(36).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&format_tag.to_le_bytes());
    h.extend_from_slice(&channels.to_le_bytes());
    h.extend_from_slice(&rate.to_le_bytes());
    h.extend_from_slice(&(rate.wrapping_mul(u32::from(block_align))).to_le_bytes());
    h.extend_from_slice(&block_align.to_le_bytes());
    h.extend_from_slice(&bits.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data_len.to_le_bytes());
    h
}

/// `secs` of a sine at `freq` Hz, amplitude `amp`, on every channel (interleaved).
pub fn sine(rate: u32, channels: u16, freq: f64, amp: f64, secs: f64) -> Vec<f64> {
    let frames = (secs * f64::from(rate)) as usize;
    (0..frames)
        .flat_map(|i| {
            let v = amp * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin();
            std::iter::repeat_n(v, usize::from(channels))
        })
        .collect()
}

/// Names of files in `dir` that start with a dot (temp files left behind).
pub fn dot_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}
