//! Audio pipeline integration tests: decoding, resampler quality, outputs, loudness,
//! robustness (in-process mutations and the real worker process).

mod decoding;
pub mod fixtures;
mod g711_reference;
mod outputs;
mod quality;
pub mod robustness;
pub mod signals;
mod worker;
