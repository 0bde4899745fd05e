//! End-to-end outputs: headers, sizes, G.711 consistency, level accuracy, THD+N, loudness,
//! report contents and the duration cap.

use std::path::Path;

use ebur128::{EbuR128, Mode};
use ringside::audio::g711::{linear_to_alaw, linear_to_ulaw};
use ringside::audio::{AudioError, LoudnessTarget, OutputFormat, TranscodeJob, transcode};

use super::fixtures::{Layout, dot_files, sine, temp_dir, write_wav};
use super::signals::fit_sine;

fn read_wav(path: &Path, rate: u32) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path).expect("hound reads our WAV");
    let spec = reader.spec();
    assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (1, rate, 16));
    reader.samples::<i16>().map(|s| s.expect("sample")).collect()
}

fn run(job: &TranscodeJob) -> Result<ringside::audio::Report, AudioError> {
    transcode(job, &mut |_| {})
}

#[test]
fn all_formats_have_right_headers_and_sizes() {
    let dir = temp_dir("formats");
    let input = dir.join("in.wav");
    write_wav(&input, Layout::S16, 44_100, 2, &sine(44_100, 2, 440.0, 0.3, 1.0));
    let report = run(&TranscodeJob::new(input, dir.clone(), "greeting")).expect("transcodes");
    let wav = read_wav(&dir.join("greeting.wav"), 8_000);
    assert_eq!(wav.len(), 8_000);
    assert_eq!(read_wav(&dir.join("greeting.wav16"), 16_000).len(), 16_000);
    let sln = std::fs::read(dir.join("greeting.sln16")).expect("sln16");
    assert_eq!(sln.len(), 32_000);
    let ulaw = std::fs::read(dir.join("greeting.ulaw")).expect("ulaw");
    let alaw = std::fs::read(dir.join("greeting.alaw")).expect("alaw");
    let expected_ulaw: Vec<u8> = wav.iter().map(|&s| linear_to_ulaw(s)).collect();
    let expected_alaw: Vec<u8> = wav.iter().map(|&s| linear_to_alaw(s)).collect();
    assert_eq!(ulaw, expected_ulaw, "µ-law is the G.711 coding of the 8 kHz stream");
    assert_eq!(alaw, expected_alaw, "A-law is the G.711 coding of the 8 kHz stream");
    assert_eq!(report.outputs.len(), 5);
    assert_eq!((report.sample_rate, report.channels, report.bits_per_sample), (44_100, 2, Some(16)));
    assert!((report.duration_secs - 1.0).abs() < 1e-9);
    assert!(dot_files(&dir).is_empty(), "temp files left: {:?}", dot_files(&dir));
}

#[test]
fn tone_keeps_its_level_and_thd_n_is_below_minus_85_db() {
    let dir = temp_dir("thdn");
    let input = dir.join("tone.wav");
    write_wav(&input, Layout::F32, 44_100, 1, &sine(44_100, 1, 1000.0, 0.5, 2.0));
    let mut job = TranscodeJob::new(input, dir.clone(), "tone");
    job.loudness = None;
    job.formats = vec![OutputFormat::Wav, OutputFormat::Wav16];
    run(&job).expect("transcodes");
    for (name, rate) in [("tone.wav", 8_000u32), ("tone.wav16", 16_000)] {
        let pcm: Vec<f32> =
            read_wav(&dir.join(name), rate).iter().map(|&s| f32::from(s) / 32_768.0).collect();
        let middle = &pcm[pcm.len() / 4..pcm.len() * 3 / 4];
        let start = pcm.len() / 4;
        let w = 2.0 * std::f64::consts::PI * 1000.0 / f64::from(rate);
        let (amp, residual) = fit_sine(middle, (start..start + middle.len()).map(|i| w * i as f64));
        let level_db = 20.0 * (amp / 0.5).log10();
        let thdn_db = 20.0 * (residual / (amp / 2f64.sqrt())).log10();
        eprintln!("{name}: level {level_db:.4} dB, THD+N {thdn_db:.1} dB");
        assert!(level_db.abs() < 0.05, "{name}: level off by {level_db} dB");
        assert!(thdn_db <= -85.0, "{name}: THD+N {thdn_db} dB");
    }
}

fn measure(samples: &[i16], rate: u32) -> (f64, f64) {
    let mut meter = EbuR128::new(1, rate, Mode::I | Mode::TRUE_PEAK).expect("meter");
    meter.add_frames_i16(samples).expect("add");
    let lufs = meter.loudness_global().expect("loudness");
    let tp = 20.0 * meter.true_peak(0).expect("tp").log10();
    (lufs, tp)
}

#[test]
fn minus_30_lufs_comes_out_at_minus_18_with_true_peak_under_ceiling() {
    let dir = temp_dir("loudness");
    let rate = 44_100;
    // A few tones inside the telephone band, like speech energy.
    let raw: Vec<f64> = (0..rate * 4)
        .map(|i| {
            let t = f64::from(i) / f64::from(rate);
            [300.0, 700.0, 1300.0, 2100.0]
                .iter()
                .map(|f| (2.0 * std::f64::consts::PI * f * t).sin())
                .sum::<f64>()
        })
        .collect();
    let mut meter = EbuR128::new(1, rate, Mode::I).expect("meter");
    meter.add_frames_f64(&raw).expect("add");
    let scale = 10f64.powf((-30.0 - meter.loudness_global().expect("lufs")) / 20.0);
    let quiet: Vec<f64> = raw.iter().map(|s| s * scale).collect();
    let input = dir.join("quiet.wav");
    write_wav(&input, Layout::F32, rate, 1, &quiet);
    let report = run(&TranscodeJob::new(input, dir.clone(), "quiet")).expect("transcodes");
    for (name, out_rate) in [("quiet.wav", 8_000u32), ("quiet.wav16", 16_000)] {
        let (lufs, tp) = measure(&read_wav(&dir.join(name), out_rate), out_rate);
        eprintln!("{name}: {lufs:.2} LUFS, {tp:.2} dBTP");
        assert!((lufs - -18.0).abs() <= 0.5, "{name}: {lufs} LUFS");
        assert!(tp <= -1.0 + 0.05, "{name}: true peak {tp} dBTP");
    }
    let before = report.loudness_before_lufs.expect("measured");
    assert!((before - -30.0).abs() < 0.5, "report before {before}");
}

#[test]
fn true_peak_ceiling_wins_over_the_loudness_target() {
    let dir = temp_dir("ceiling");
    // A sparse click train: very low loudness, high peaks.
    let rate = 16_000;
    let clicks: Vec<f64> = (0..rate * 3).map(|i| if i % 4000 == 0 { 0.9 } else { 0.0 }).collect();
    let input = dir.join("clicks.wav");
    write_wav(&input, Layout::S16, rate, 1, &clicks);
    let mut job = TranscodeJob::new(input, dir.clone(), "clicks");
    job.loudness = Some(LoudnessTarget::default());
    let report = run(&job).expect("transcodes");
    for stream in &report.streams {
        let tp = stream.true_peak_after_dbtp.expect("peak");
        assert!(tp <= -1.0 + 1e-6, "rate {} true peak {tp}", stream.rate);
    }
    assert!(report.warnings.iter().any(|w| w.contains("peak ceiling")), "{:?}", report.warnings);
}

#[test]
fn report_counts_clipping_and_silence_and_flags_narrowband_sources() {
    let dir = temp_dir("report");
    let rate = 8_000;
    let mut samples = vec![0.0; rate as usize * 2]; // 2 s silence
    samples.extend(sine(rate, 1, 400.0, 1.2, 1.0)); // clipped tone
    samples.extend(vec![0.0; rate as usize * 3]); // 3 s silence
    let input = dir.join("clip.wav");
    write_wav(&input, Layout::S16, rate, 1, &samples);
    let report = run(&TranscodeJob::new(input, dir.clone(), "clip")).expect("transcodes");
    assert!(report.clipped_samples > 1000, "{}", report.clipped_samples);
    assert!((report.leading_silence_secs - 2.0).abs() < 0.01);
    assert!((report.trailing_silence_secs - 3.0).abs() < 0.01);
    let text = report.warnings.join(" | ");
    assert!(text.contains("source clips"), "{text}");
    assert!(text.contains("2 s of silence at the start"), "{text}");
    assert!(text.contains("source is 8 kHz mono: no wideband version will sound better"), "{text}");
    let json = serde_json::to_string(&report).expect("serialises");
    let back: ringside::audio::Report = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(
        (&back.warnings, &back.outputs, back.clipped_samples),
        (&report.warnings, &report.outputs, report.clipped_samples)
    );
}

#[test]
fn two_hour_silence_claiming_more_is_stopped_at_the_duration_cap() {
    // Debug builds decode about 10 s of 8 kHz audio per ms here; a sparse file keeps disk use nil.
    let dir = temp_dir("duration");
    let input = dir.join("long.wav");
    let claimed = 0xFFFF_FFF0u32;
    let mut bytes = super::fixtures::raw_header(1, 8_000, 1, 16, claimed);
    bytes.truncate(44);
    std::fs::write(&input, &bytes).expect("header");
    let file = std::fs::OpenOptions::new().write(true).open(&input).expect("open");
    file.set_len(44 + 2 * 3600 * 8_000 * 2).expect("sparse 2 h of silence");
    let mut job = TranscodeJob::new(input, dir.clone(), "long");
    job.formats = vec![OutputFormat::Wav];
    let err = run(&job).expect_err("over the cap");
    assert_eq!(err, AudioError::TooLong { limit_secs: 3600 });
    assert!(err.to_string().contains("3600"));
    let left: Vec<_> =
        std::fs::read_dir(&dir).expect("dir").filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 1, "only the input remains: {left:?}");
}
