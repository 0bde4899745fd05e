//! The real worker process: success, hostile inputs, caps, limits, timeouts; never a temp file
//! left behind and never a failure that reaches the calling process.

use std::path::{Path, PathBuf};

use ringside::audio::worker::{WorkerLimits, transcode_sandboxed};
use ringside::audio::{AudioError, OutputFormat, TranscodeJob};

use super::fixtures::{Layout, dot_files, sine, temp_dir, write_wav};
use super::robustness::{Rng, mutate, seeds};

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ringside"))
}

fn job(input: &Path, dir: &Path) -> TranscodeJob {
    let mut job = TranscodeJob::new(input.to_path_buf(), dir.to_path_buf(), "out");
    job.formats = vec![OutputFormat::Wav, OutputFormat::Ulaw];
    job
}

fn quick_limits() -> WorkerLimits {
    WorkerLimits { address_space_bytes: 1 << 30, cpu_secs: 20, wall_secs: 30 }
}

#[tokio::test]
async fn worker_transcodes_and_reports_progress() {
    let dir = temp_dir("worker-ok");
    let input = dir.join("in.wav");
    write_wav(&input, Layout::S16, 44_100, 2, &sine(44_100, 2, 440.0, 0.3, 1.0));
    let mut seen = Vec::new();
    let report = transcode_sandboxed(&exe(), job(&input, &dir), quick_limits(), |p| seen.push(p))
        .await
        .expect("worker succeeds");
    assert_eq!(report.sample_rate, 44_100);
    assert_eq!(std::fs::metadata(dir.join("out.wav")).expect("wav").len(), 44 + 16_000);
    assert!(seen.last().is_some_and(|&p| p >= 0.99), "progress {seen:?}");
    assert!(dot_files(&dir).is_empty());
}

#[tokio::test]
async fn id3_bomb_zero_length_and_caps_end_in_clean_errors() {
    let dir = temp_dir("worker-hostile");
    // 21 bytes: an ID3v2.4 header whose syncsafe size claims ~256 MB, then 11 bytes of junk.
    let mut bomb = b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f".to_vec();
    bomb.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(bomb.len(), 21);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("bomb.mp3", bomb, ""),
        ("empty.wav", Vec::new(), "no audio"),
        ("wide.wav", super::fixtures::raw_header(1, 384_000, 32, 16, 4096), "at most 8"),
    ];
    for (name, bytes, needle) in cases {
        let input = dir.join(name);
        std::fs::write(&input, bytes).expect("write");
        let err =
            transcode_sandboxed(&exe(), job(&input, &dir), quick_limits(), |_| {}).await.expect_err(name);
        assert!(!matches!(err, AudioError::WorkerCrashed(_)), "{name}: {err}");
        assert!(err.to_string().contains(needle), "{name}: {err}");
        assert!(dot_files(&dir).is_empty(), "{name}: {:?}", dot_files(&dir));
    }
}

#[tokio::test]
async fn one_sample_file_gives_valid_tiny_outputs() {
    let dir = temp_dir("worker-one");
    let input = dir.join("one.wav");
    let mut bytes = super::fixtures::raw_header(1, 8_000, 1, 16, 2);
    bytes.extend_from_slice(&1000i16.to_le_bytes());
    std::fs::write(&input, bytes).expect("write");
    let report = transcode_sandboxed(&exe(), job(&input, &dir), quick_limits(), |_| {})
        .await
        .expect("one sample is valid audio");
    assert_eq!(report.outputs[0].samples, 1);
    assert_eq!(std::fs::metadata(dir.join("out.wav")).expect("wav").len(), 46);
    assert_eq!(std::fs::metadata(dir.join("out.ulaw")).expect("ulaw").len(), 1);
}

#[tokio::test]
async fn wall_clock_timeout_kills_the_worker_and_cleans_up() {
    let dir = temp_dir("worker-timeout");
    let input = dir.join("long.wav");
    let mut bytes = super::fixtures::raw_header(1, 192_000, 2, 16, 0xFFFF_FFF0);
    bytes.truncate(44);
    std::fs::write(&input, &bytes).expect("header");
    let file = std::fs::OpenOptions::new().write(true).open(&input).expect("open");
    file.set_len(44 + 50 * 60 * 192_000 * 4).expect("sparse 50 min");
    let limits = WorkerLimits { wall_secs: 1, ..quick_limits() };
    let mut job = job(&input, &dir);
    job.limits.max_input_bytes = 4 << 30;
    let err = transcode_sandboxed(&exe(), job, limits, |_| {}).await.expect_err("times out");
    assert_eq!(err, AudioError::WorkerTimeout { limit_secs: 1 });
    assert!(dot_files(&dir).is_empty(), "{:?}", dot_files(&dir));
}

#[tokio::test]
async fn tiny_address_space_is_reported_not_fatal() {
    let dir = temp_dir("worker-oom");
    let input = dir.join("in.wav");
    write_wav(&input, Layout::S16, 44_100, 2, &sine(44_100, 2, 440.0, 0.3, 1.0));
    let limits = WorkerLimits { address_space_bytes: 8 << 20, ..quick_limits() };
    let err = transcode_sandboxed(&exe(), job(&input, &dir), limits, |_| {})
        .await
        .expect_err("cannot run in 8 MiB");
    eprintln!("8 MiB worker: {err}");
    assert!(
        matches!(
            err,
            AudioError::WorkerOutOfMemory { .. } | AudioError::WorkerCrashed(_) | AudioError::Io { .. }
        ),
        "{err}"
    );
    assert!(dot_files(&dir).is_empty(), "{:?}", dot_files(&dir));
}

#[tokio::test]
async fn a_few_hundred_mutations_through_the_real_worker() {
    let count: usize = if cfg!(debug_assertions) { 200 } else { 400 };
    let dir = temp_dir("worker-fuzz");
    let seeds = seeds();
    let mut rng = Rng(0xFEED_F00D_1234_5679);
    let (mut ok, mut errors) = (0, 0);
    for n in 0..count {
        let input = dir.join("fuzz.bin");
        std::fs::write(&input, mutate(&seeds[n % seeds.len()], &mut rng)).expect("write");
        match transcode_sandboxed(&exe(), job(&input, &dir), quick_limits(), |_| {}).await {
            Ok(_) => ok += 1,
            Err(AudioError::WorkerCrashed(why)) => panic!("variant {n} crashed the worker: {why}"),
            Err(AudioError::WorkerTimeout { .. }) => panic!("variant {n} hung"),
            Err(_) => errors += 1,
        }
        assert!(dot_files(&dir).is_empty(), "variant {n}: {:?}", dot_files(&dir));
    }
    eprintln!("worker fuzz: {ok} ok, {errors} clean errors");
}
