//! The `ringside transcode INPUT… --out DIR [--formats …] [--loudness -18|off]` command body.
//!
//! Owns: argument values already parsed by clap (the lead wires the subcommand), a progress
//! bar when stderr is a terminal, and printing each report. Must not: parse argv itself.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::audio::encode::OutputFormat;
use crate::audio::error::AudioError;
use crate::audio::loudness::LoudnessTarget;
use crate::audio::pipeline::{TranscodeJob, transcode};
use crate::audio::report::Report;

/// Parses `--formats wav,sln16,ulaw,alaw,wav16`.
pub fn parse_formats(list: &str) -> Result<Vec<OutputFormat>, AudioError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            OutputFormat::from_name(name).ok_or_else(|| {
                AudioError::InvalidJob(format!("unknown format {name:?} (use wav, wav16, sln16, ulaw, alaw)"))
            })
        })
        .collect()
}

/// Parses `--loudness -18` or `--loudness off`.
pub fn parse_loudness(value: &str) -> Result<Option<LoudnessTarget>, AudioError> {
    if value.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let target_lufs: f64 = value.parse().map_err(|_| {
        AudioError::InvalidJob(format!("--loudness must be a LUFS value or off, not {value:?}"))
    })?;
    if !(-70.0..=0.0).contains(&target_lufs) {
        return Err(AudioError::InvalidJob("--loudness must be between -70 and 0 LUFS".into()));
    }
    Ok(Some(LoudnessTarget { target_lufs, ..LoudnessTarget::default() }))
}

fn base_name(input: &Path) -> String {
    input
        .file_stem()
        .map(|s| s.to_string_lossy().trim_start_matches('.').to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "audio".to_string())
}

/// Transcodes each input in-process, printing a report per file. Stops at the first failure.
pub fn cli_transcode(
    inputs: &[PathBuf],
    out_dir: &Path,
    formats: &[OutputFormat],
    loudness: Option<LoudnessTarget>,
) -> Result<Vec<Report>, AudioError> {
    let mut reports = Vec::new();
    for input in inputs {
        let mut job = TranscodeJob::new(input.clone(), out_dir.to_path_buf(), base_name(input));
        job.formats = formats.to_vec();
        job.loudness = loudness;
        let bar = progress_bar(input);
        let mut on_progress = |p: f32| {
            if let Some(bar) = &bar {
                bar.set_position((p * 1000.0) as u64);
            }
        };
        let result = transcode(&job, &mut on_progress);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let report = result.map_err(|e| {
            eprintln!("{}: {e}", input.display());
            e
        })?;
        print_report(input, &report);
        reports.push(report);
    }
    Ok(reports)
}

fn progress_bar(input: &Path) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(1000);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}%") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(input.display().to_string());
    Some(bar)
}

fn print_report(input: &Path, r: &Report) {
    let fmt_opt = |v: Option<f64>| v.map_or("silent".to_string(), |v| format!("{v:.1} LUFS"));
    println!("{}", input.display());
    println!(
        "  source: {} ({}), {} Hz, {} ch, {}, {:.2} s",
        r.container,
        r.codec,
        r.sample_rate,
        r.channels,
        r.bits_per_sample.map_or("-".to_string(), |b| format!("{b}-bit")),
        r.duration_secs
    );
    println!(
        "  peak {}, {} clipped samples, silence {:.1} s at start / {:.1} s at end",
        r.peak_dbfs.map_or("-inf dBFS".to_string(), |p| format!("{p:.1} dBFS")),
        r.clipped_samples,
        r.leading_silence_secs,
        r.trailing_silence_secs
    );
    println!("  loudness {} -> {}", fmt_opt(r.loudness_before_lufs), fmt_opt(r.loudness_after_lufs));
    for output in &r.outputs {
        println!("  wrote {} ({} samples)", output.path.display(), output.samples);
    }
    for warning in &r.warnings {
        println!("  warning: {warning}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options() {
        assert_eq!(parse_formats("wav,ulaw").expect("valid"), vec![OutputFormat::Wav, OutputFormat::Ulaw]);
        assert!(parse_formats("wav,mp3").is_err());
        assert_eq!(parse_loudness("off").expect("valid"), None);
        assert_eq!(parse_loudness("-23").expect("valid").map(|t| t.target_lufs), Some(-23.0));
        assert!(parse_loudness("loud").is_err());
    }
}
