//! The transcode pipeline: one decode feeding one chain per output rate, on separate threads.
//!
//! Owns: the job description, validation of the output base name, the thread layout, the gain
//! decision between the two phases, the all-or-nothing commit of the outputs and the report.
//! Must not: spawn processes or set limits (see `worker.rs`); it runs in whatever process calls
//! it, synchronously.
//!
//! ```text
//!  decode + downmix (calling thread) ──Arc<block>──┬─> 8 kHz chain thread  (.wav .ulaw .alaw)
//!                                                   └─> 16 kHz chain thread (.wav16 .sln16)
//!  loudness on: chains spool float → gain per chain from its measurement → render in parallel
//!  then: fsync every temp file → rename all → report
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::thread;

use serde::{Deserialize, Serialize};

use crate::audio::atomic::commit_all;
use crate::audio::chain::Chain;
use crate::audio::decode::{Decoder, Limits};
use crate::audio::encode::OutputFormat;
use crate::audio::error::AudioError;
use crate::audio::loudness::{LoudnessTarget, normalisation_gain_db};
use crate::audio::report::{self, Report};

/// Blocks queued between the decoder and each chain.
const QUEUE_BLOCKS: usize = 4;
/// Mono frames gathered before a block is handed to the chains (MP3 packets are 1152 frames;
/// handing each over separately spends a fifth of the time in thread wake-ups).
const BATCH_FRAMES: usize = 16_384;

/// One transcode request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscodeJob {
    /// The uploaded file.
    pub input: PathBuf,
    /// Folder for the outputs (must exist; temp files go there too).
    pub out_dir: PathBuf,
    /// Output base name: `<base>.wav`, `<base>.ulaw`, …
    pub base_name: String,
    /// Renditions to write.
    pub formats: Vec<OutputFormat>,
    /// Normalisation target, or `None` to keep the source level.
    pub loudness: Option<LoudnessTarget>,
    /// Caps.
    pub limits: Limits,
}

impl TranscodeJob {
    /// A job with every format, default loudness and default limits.
    pub fn new(input: PathBuf, out_dir: PathBuf, base_name: impl Into<String>) -> Self {
        TranscodeJob {
            input,
            out_dir,
            base_name: base_name.into(),
            formats: OutputFormat::ALL.to_vec(),
            loudness: Some(LoudnessTarget::default()),
            limits: Limits::default(),
        }
    }

    /// Checks the base name is a plain, visible file name and some format is selected.
    pub fn validate(&self) -> Result<(), AudioError> {
        let name = &self.base_name;
        let bad = name.is_empty()
            || name.starts_with('.')
            || name.len() > 200
            || name.chars().any(|c| c == '/' || c == '\\' || c.is_control());
        if bad {
            return Err(AudioError::InvalidJob(format!("unusable output name {name:?}")));
        }
        if self.formats.is_empty() {
            return Err(AudioError::InvalidJob("no output format selected".into()));
        }
        Ok(())
    }

    /// The distinct output rates, ascending.
    pub fn rates(&self) -> Vec<u32> {
        let mut rates: Vec<u32> = self.formats.iter().map(|f| f.rate()).collect();
        rates.sort_unstable();
        rates.dedup();
        rates
    }
}

/// Runs a transcode in this process. `progress` receives 0..=1.
pub fn transcode(job: &TranscodeJob, progress: &mut dyn FnMut(f32)) -> Result<Report, AudioError> {
    job.validate()?;
    let mut decoder = Decoder::open_file(&job.input, &job.limits)?;
    let in_rate = decoder.info().rate;
    let normalise = job.loudness.is_some();
    let chains = job
        .rates()
        .into_iter()
        .map(|rate| Chain::new(&job.out_dir, &job.base_name, in_rate, rate, &job.formats, normalise))
        .collect::<Result<Vec<_>, _>>()?;
    let mut chains = stream_through(&mut decoder, chains, progress)?;
    let gains = chains
        .iter_mut()
        .map(|chain| match &job.loudness {
            Some(target) => Ok(normalisation_gain_db(&chain.measurement()?, target)),
            None => Ok(0.0),
        })
        .collect::<Result<Vec<f64>, AudioError>>()?;
    let finished = render_all(chains, gains)?;
    progress(0.98);
    let mut files = Vec::new();
    let mut summaries = Vec::new();
    for (chain_files, summary) in finished {
        files.extend(chain_files);
        summaries.push(summary);
    }
    commit_all(files)?;
    let mut formats = job.formats.clone();
    formats.sort_unstable();
    formats.dedup();
    let outputs = formats.into_iter().map(|f| (f, f.path_in(&job.out_dir, &job.base_name))).collect();
    progress(1.0);
    Ok(report::build(
        decoder.container().name(),
        decoder.info(),
        decoder.stats(),
        &summaries,
        outputs,
        job.loudness.as_ref(),
    ))
}

fn panicked() -> AudioError {
    AudioError::Resample("a processing thread panicked".into())
}

/// Phase 1: decode once, feed every chain on its own thread.
fn stream_through(
    decoder: &mut Decoder,
    chains: Vec<Chain>,
    progress: &mut dyn FnMut(f32),
) -> Result<Vec<Chain>, AudioError> {
    thread::scope(|scope| {
        let mut senders = Vec::new();
        let mut handles = Vec::new();
        for mut chain in chains {
            let (tx, rx) = sync_channel::<Arc<Vec<f32>>>(QUEUE_BLOCKS);
            senders.push(tx);
            handles.push(scope.spawn(move || -> Result<Chain, AudioError> {
                for block in rx {
                    chain.push(&block)?;
                }
                chain.end_input()?;
                Ok(chain)
            }));
        }
        let decoded = (|| -> Result<(), AudioError> {
            let mut last_reported = 0.0f32;
            let mut batch = Vec::with_capacity(BATCH_FRAMES * 2);
            let mut mono = Vec::new();
            loop {
                let more = decoder.next_mono(&mut mono)?;
                batch.extend_from_slice(&mono);
                if batch.len() < BATCH_FRAMES && more {
                    continue;
                }
                let block = Arc::new(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_FRAMES * 2)));
                for tx in &senders {
                    if tx.send(Arc::clone(&block)).is_err() {
                        return Ok(()); // the chain failed; its error surfaces at join
                    }
                }
                if !more {
                    return Ok(());
                }
                let done = decoder.progress() * 0.9;
                if done - last_reported >= 0.01 {
                    last_reported = done;
                    progress(done);
                }
            }
        })();
        drop(senders);
        let joined: Vec<Result<Chain, AudioError>> =
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(panicked()))).collect();
        decoded?;
        joined.into_iter().collect()
    })
}

type Finished = (Vec<crate::audio::atomic::Finished>, crate::audio::chain::ChainSummary);

/// Phase 2: apply each chain's gain (from its spool) in parallel and complete the files.
fn render_all(chains: Vec<Chain>, gains: Vec<f64>) -> Result<Vec<Finished>, AudioError> {
    thread::scope(|scope| {
        let handles: Vec<_> = chains
            .into_iter()
            .zip(gains)
            .map(|(mut chain, gain)| {
                scope.spawn(move || -> Result<Finished, AudioError> {
                    chain.render(gain)?;
                    chain.finish()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(panicked()))).collect()
    })
}
