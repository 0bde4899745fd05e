//! The per-file transcode report and its plain-words warnings.
//!
//! Owns: turning decoder statistics and chain summaries into [`Report`] (serde, so it crosses
//! the worker boundary and can be stored as JSON). Must not: do any audio processing.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::chain::ChainSummary;
use crate::audio::decode::SourceStats;
use crate::audio::encode::OutputFormat;
use crate::audio::loudness::LoudnessTarget;
use crate::audio::source::SourceInfo;

/// Levels of one output rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamLevels {
    /// Output rate in Hz.
    pub rate: u32,
    /// Integrated loudness before gain (None: silent).
    pub loudness_before_lufs: Option<f64>,
    /// True peak before gain.
    pub true_peak_before_dbtp: Option<f64>,
    /// Gain applied.
    pub gain_db: f64,
    /// Integrated loudness after gain.
    pub loudness_after_lufs: Option<f64>,
    /// True peak after gain.
    pub true_peak_after_dbtp: Option<f64>,
}

/// One written file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Its format.
    pub format: OutputFormat,
    /// Where it was written.
    pub path: PathBuf,
    /// Samples it holds.
    pub samples: u64,
}

/// Everything an admin wants to know about one transcoded file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Container detected from content (`wav`, `mp3`, `flac`, `ogg`).
    pub container: String,
    /// Codec inside it.
    pub codec: String,
    /// Source sample rate.
    pub sample_rate: u32,
    /// Source channels.
    pub channels: u32,
    /// Source bits per sample, where the format has them.
    pub bits_per_sample: Option<u32>,
    /// Decoded duration in seconds.
    pub duration_secs: f64,
    /// Source sample peak in dBFS (`None`: digital silence).
    pub peak_dbfs: Option<f64>,
    /// Source samples at full scale.
    pub clipped_samples: u64,
    /// Silence (below −60 dBFS) at the start, seconds.
    pub leading_silence_secs: f64,
    /// Silence at the end, seconds.
    pub trailing_silence_secs: f64,
    /// Loudness before normalisation (of the 8 kHz stream if made, else 16 kHz).
    pub loudness_before_lufs: Option<f64>,
    /// Loudness after normalisation (same stream).
    pub loudness_after_lufs: Option<f64>,
    /// Per output rate levels.
    pub streams: Vec<StreamLevels>,
    /// The files written.
    pub outputs: Vec<OutputFile>,
    /// Plain-words warnings.
    pub warnings: Vec<String>,
}

fn db(linear: f64) -> f64 {
    20.0 * linear.log10()
}

/// Builds the report. `outputs` are (format, path) in creation order.
pub fn build(
    container: &str,
    info: &SourceInfo,
    stats: &SourceStats,
    summaries: &[ChainSummary],
    outputs: Vec<(OutputFormat, PathBuf)>,
    loudness: Option<&LoudnessTarget>,
) -> Report {
    let rate = f64::from(info.rate.max(1));
    let (leading, trailing) = match stats.first_sound {
        Some(first) => (first as f64 / rate, stats.frames.saturating_sub(stats.last_sound + 1) as f64 / rate),
        None => (stats.frames as f64 / rate, 0.0),
    };
    let streams: Vec<StreamLevels> = summaries.iter().map(levels).collect();
    let mut report = Report {
        container: container.to_string(),
        codec: info.codec.clone(),
        sample_rate: info.rate,
        channels: info.channels,
        bits_per_sample: info.bits_per_sample,
        duration_secs: stats.frames as f64 / rate,
        peak_dbfs: (stats.peak > 0.0).then(|| db(f64::from(stats.peak))),
        clipped_samples: stats.clipped,
        leading_silence_secs: leading,
        trailing_silence_secs: trailing,
        loudness_before_lufs: streams.first().and_then(|s| s.loudness_before_lufs),
        loudness_after_lufs: streams.first().and_then(|s| s.loudness_after_lufs),
        outputs: outputs
            .into_iter()
            .map(|(format, path)| OutputFile {
                format,
                path,
                samples: summaries.iter().find(|s| s.rate == format.rate()).map_or(0, |s| s.frames),
            })
            .collect(),
        streams,
        warnings: Vec::new(),
    };
    report.warnings = warnings(&report, stats, summaries, loudness);
    report
}

fn levels(summary: &ChainSummary) -> StreamLevels {
    let before = summary.measured.integrated_lufs;
    let peak = summary.measured.true_peak_dbtp;
    StreamLevels {
        rate: summary.rate,
        loudness_before_lufs: before,
        true_peak_before_dbtp: peak.is_finite().then_some(peak),
        gain_db: summary.gain_db,
        loudness_after_lufs: before.map(|l| l + summary.gain_db),
        true_peak_after_dbtp: peak.is_finite().then_some(peak + summary.gain_db),
    }
}

/// Formats 1204 as "1,204".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn warnings(
    report: &Report,
    stats: &SourceStats,
    summaries: &[ChainSummary],
    loudness: Option<&LoudnessTarget>,
) -> Vec<String> {
    let mut w = Vec::new();
    let wideband = summaries.iter().any(|s| s.rate == 16_000);
    if wideband && report.sample_rate < 16_000 {
        let mono = if report.channels == 1 { " mono" } else { "" };
        w.push(format!(
            "source is {} kHz{mono}: no wideband version will sound better",
            report.sample_rate as f64 / 1000.0
        ));
    }
    if stats.clipped > 0 {
        w.push(format!("source clips {} times", thousands(stats.clipped)));
    }
    if stats.first_sound.is_none() {
        w.push("the file is silent".to_string());
    } else {
        if report.leading_silence_secs >= 1.0 {
            w.push(format!("{:.0} s of silence at the start", report.leading_silence_secs));
        }
        if report.trailing_silence_secs >= 1.0 {
            w.push(format!("{:.0} s of silence at the end", report.trailing_silence_secs));
        }
    }
    if let (Some(target), Some(stream)) = (loudness, report.streams.first()) {
        if let Some(after) = stream.loudness_after_lufs.filter(|after| *after < target.target_lufs - 0.5) {
            w.push(format!(
                "level held back by the {} dBTP peak ceiling: comes out at {after:.1} LUFS instead of {}",
                target.ceiling_dbtp, target.target_lufs
            ));
        }
        if stream.gain_db > 20.0 {
            w.push(format!(
                "source is very quiet; raised by {:.0} dB, which raises its background noise too",
                stream.gain_db
            ));
        }
    }
    let clamped: u64 = summaries.iter().map(|s| s.clipped).sum();
    if clamped > 0 {
        w.push(format!("{} output samples clipped (loudness normalisation is off)", thousands(clamped)));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
