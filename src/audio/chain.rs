//! One output-rate chain: resample → measure → (spool) → gain + dither → encoders.
//!
//! Owns: everything that happens to the mono signal at one output rate (8 kHz feeds `.wav`,
//! `.ulaw`, `.alaw`; 16 kHz feeds `.wav16`, `.sln16`). Each chain runs on its own thread, so
//! the two rates use both cores. Must not: decode or decide the gain (the pipeline does, from
//! the measurement, between the two phases).
//!
//! ```text
//! phase 1 (streaming): push(mono) … end_input()    loudness off: encode directly at unity gain
//!                                                  loudness on:  spool the float signal
//! phase 2 (loudness on only): render(gain)         read the spool back, gain, dither, encode
//! ```
//! The BS.1770 meter (K-weighting, gating, 4× oversampled true peak) costs as much as the
//! resampler, so it runs on a thread of its own, fed the resampled blocks through a queue.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::audio::atomic::Finished;
use crate::audio::dither::Ditherer;
use crate::audio::encode::{OutputFormat, OutputSink};
use crate::audio::error::AudioError;
use crate::audio::loudness::{Measurement, Meter};
use crate::audio::resample::StreamResampler;
use crate::audio::spool::Spool;

/// Samples read back from the spool per step.
const RENDER_BLOCK: usize = 8192;

/// What a finished chain reports.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainSummary {
    /// Output rate.
    pub rate: u32,
    /// Frames written to each output of this chain.
    pub frames: u64,
    /// Levels before gain.
    pub measured: Measurement,
    /// Gain applied, in dB.
    pub gain_db: f64,
    /// Samples clamped to 16 bits (only possible with normalisation off).
    pub clipped: u64,
}

/// One output-rate chain.
pub struct Chain {
    rate: u32,
    resampler: StreamResampler,
    meter: MeterThread,
    spool: Option<Spool>,
    sinks: Vec<OutputSink>,
    ditherer: Ditherer,
    resampled: Vec<f32>,
    pcm: Vec<i16>,
    frames: u64,
    gain_db: f64,
}

impl Chain {
    /// Opens the outputs (and the spool when `normalise`) for `formats`, all at `rate`.
    pub fn new(
        dir: &Path,
        base: &str,
        in_rate: u32,
        rate: u32,
        formats: &[OutputFormat],
        normalise: bool,
    ) -> Result<Self, AudioError> {
        let sinks = formats
            .iter()
            .filter(|f| f.rate() == rate)
            .map(|&f| OutputSink::create(dir, base, f))
            .collect::<Result<Vec<_>, _>>()?;
        let spool = if normalise { Some(Spool::create(dir, base, rate)?) } else { None };
        Ok(Chain {
            rate,
            resampler: StreamResampler::new(in_rate, rate)?,
            meter: MeterThread::spawn(Meter::new(rate)?),
            spool,
            sinks,
            ditherer: Ditherer::new(0x5EED_0000 ^ u64::from(rate)),
            resampled: Vec::new(),
            pcm: Vec::new(),
            frames: 0,
            gain_db: 0.0,
        })
    }

    /// Feeds a block of mono source samples.
    pub fn push(&mut self, mono: &[f32]) -> Result<(), AudioError> {
        self.resampled.clear();
        self.resampler.process(mono, &mut self.resampled)?;
        self.consume_resampled()
    }

    /// Flushes the resampler at the end of the input.
    pub fn end_input(&mut self) -> Result<(), AudioError> {
        self.resampled.clear();
        self.resampler.finish(&mut self.resampled)?;
        self.consume_resampled()
    }

    fn consume_resampled(&mut self) -> Result<(), AudioError> {
        if self.resampled.is_empty() {
            return Ok(());
        }
        let block = Arc::new(std::mem::take(&mut self.resampled));
        self.meter.add(Arc::clone(&block))?;
        self.frames += block.len() as u64;
        match self.spool.as_mut() {
            Some(spool) => spool.write(&block),
            None => self.encode(&block, 1.0),
        }
    }

    fn encode(&mut self, samples: &[f32], gain: f32) -> Result<(), AudioError> {
        self.pcm.clear();
        self.ditherer.quantise(samples, gain, &mut self.pcm);
        for sink in &mut self.sinks {
            sink.write(&self.pcm)?;
        }
        Ok(())
    }

    /// Levels of the resampled signal; call after [`Chain::end_input`] (it ends the metering).
    pub fn measurement(&mut self) -> Result<Measurement, AudioError> {
        self.meter.finish()
    }

    /// Phase 2: applies `gain_db` to the spooled signal and encodes it. No-op without a spool.
    pub fn render(&mut self, gain_db: f64) -> Result<(), AudioError> {
        let Some(mut spool) = self.spool.take() else {
            return Ok(());
        };
        self.gain_db = gain_db;
        let gain = 10f64.powf(gain_db / 20.0) as f32;
        spool.rewind()?;
        let mut block = Vec::with_capacity(RENDER_BLOCK);
        while spool.read(RENDER_BLOCK, &mut block)? {
            self.encode(&block, gain)?;
        }
        Ok(())
    }

    /// Completes the outputs (fsynced temp files, not yet renamed).
    pub fn finish(mut self) -> Result<(Vec<Finished>, ChainSummary), AudioError> {
        let summary = ChainSummary {
            rate: self.rate,
            frames: self.frames,
            measured: self.meter.finish()?,
            gain_db: self.gain_db,
            clipped: self.ditherer.clipped(),
        };
        let files = self.sinks.into_iter().map(OutputSink::finish).collect::<Result<Vec<_>, _>>()?;
        Ok((files, summary))
    }
}

/// A [`Meter`] running on its own thread.
struct MeterThread {
    queue: Option<SyncSender<Arc<Vec<f32>>>>,
    worker: Option<JoinHandle<Result<Measurement, AudioError>>>,
    result: Option<Measurement>,
}

impl MeterThread {
    fn spawn(mut meter: Meter) -> Self {
        let (queue, blocks) = sync_channel::<Arc<Vec<f32>>>(8);
        let worker = std::thread::spawn(move || {
            for block in blocks {
                meter.add(&block)?;
            }
            meter.measurement()
        });
        MeterThread { queue: Some(queue), worker: Some(worker), result: None }
    }

    fn add(&mut self, block: Arc<Vec<f32>>) -> Result<(), AudioError> {
        let sent = self.queue.as_ref().map(|q| q.send(block).is_ok());
        if sent == Some(true) {
            return Ok(());
        }
        // The meter stopped early: its own error explains why.
        self.finish().map(|_| ())
    }

    fn finish(&mut self) -> Result<Measurement, AudioError> {
        if let Some(done) = self.result {
            return Ok(done);
        }
        self.queue.take();
        let outcome = match self.worker.take() {
            Some(worker) => worker
                .join()
                .unwrap_or_else(|_| Err(AudioError::Resample("the loudness meter panicked".into()))),
            None => Err(AudioError::Resample("the loudness meter already failed".into())),
        };
        let measurement = outcome?;
        self.result = Some(measurement);
        Ok(measurement)
    }
}
