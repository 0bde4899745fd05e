//! Audio: turns any uploaded sound file into Asterisk-ready 16-bit mono files.
//!
//! Owns: decoding (content-sniffed WAV/MP3/FLAC/Ogg Vorbis), mono downmix, resampling to 8 and
//! 16 kHz, loudness normalisation, dither, encoding (.wav, .wav16, .sln16, .ulaw, .alaw), atomic
//! output files, the per-file report, and the sandboxed worker process that runs all of this
//! for untrusted uploads. Must not: touch Asterisk configuration, the database or the network.
//!
//! Entry points: [`pipeline::transcode`] (in-process), [`worker::transcode_sandboxed`] (child
//! process with limits), [`worker::run_worker_from_stdio`] (the child's side),
//! [`cli::cli_transcode`] (the `ringside transcode` command).

pub mod atomic;
pub mod chain;
pub mod cli;
pub mod compressed;
pub mod decode;
pub mod dither;
pub mod encode;
pub mod error;
pub mod g711;
pub mod loudness;
pub mod pipeline;
pub mod probe;
pub mod report;
pub mod resample;
pub mod source;
pub mod spool;
pub mod truepeak;
pub mod wav;
pub mod worker;

pub use decode::Limits;
pub use encode::OutputFormat;
pub use error::AudioError;
pub use loudness::LoudnessTarget;
pub use pipeline::{TranscodeJob, transcode};
pub use report::Report;
