//! The audio subsystem's error type.
//!
//! Owns: every failure the pipeline, the decoders, the encoders and the sandboxed worker can
//! report, each worded for an administrator ("the file has 32 channels; at most 8 are allowed").
//! Must not: carry I/O handles or anything that is not `Send + Sync`; errors cross process
//! boundaries as JSON (see `worker.rs`), so every variant is plain data.

use serde::{Deserialize, Serialize};

/// Everything that can go wrong while turning an upload into Asterisk-ready files.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum AudioError {
    /// The bytes are not a container/codec Ringside decodes.
    #[error("unrecognised audio format: {0}")]
    UnknownFormat(String),
    /// The file is recognised but malformed, truncated or uses an unsupported feature.
    #[error("cannot decode the file: {0}")]
    Decode(String),
    /// The input holds no audio samples at all.
    #[error("the file contains no audio")]
    Empty,
    /// The input file is larger than allowed.
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    InputTooLarge { size: u64, limit: u64 },
    /// Decoded audio would be longer than allowed.
    #[error("the audio is longer than the {limit_secs} s limit")]
    TooLong { limit_secs: u64 },
    /// Too many channels.
    #[error("the file has {channels} channels; at most {limit} are allowed")]
    TooManyChannels { channels: u32, limit: u32 },
    /// Sample rate outside the accepted range.
    #[error("the sample rate is {rate} Hz; it must be between {min} and {max} Hz")]
    BadSampleRate { rate: u32, min: u32, max: u32 },
    /// Reading the input or writing an output failed.
    #[error("{context}: {message}")]
    Io { context: String, message: String },
    /// The resampler could not be built or failed.
    #[error("resampler error: {0}")]
    Resample(String),
    /// The job description itself is invalid (e.g. a base name with a slash).
    #[error("invalid transcode job: {0}")]
    InvalidJob(String),
    /// The sandboxed worker used more memory than its address-space limit.
    #[error("the worker ran out of memory (limit {limit_mib} MiB)")]
    WorkerOutOfMemory { limit_mib: u64 },
    /// The worker exceeded its CPU-time limit.
    #[error("the worker exceeded its CPU-time limit of {limit_secs} s")]
    WorkerCpuLimit { limit_secs: u64 },
    /// The worker did not finish before the wall-clock timeout and was killed.
    #[error("the worker did not finish within {limit_secs} s and was stopped")]
    WorkerTimeout { limit_secs: u64 },
    /// The worker died some other way (signal, odd exit code, garbled output).
    #[error("the worker crashed: {0}")]
    WorkerCrashed(String),
}

impl AudioError {
    /// An I/O error with the action and path that failed.
    pub fn io(context: impl Into<String>, err: &std::io::Error) -> Self {
        AudioError::Io { context: context.into(), message: err.to_string() }
    }
}
