//! Streaming sample-rate conversion of the mono signal with rubato.
//!
//! Owns: the choice of resampler and block size per rate pair, delay compensation and the
//! end-of-stream flush, so that N input frames give exactly round(N × out/in) output frames,
//! time-aligned with the input. Must not: touch levels, dither or files.
//!
//! rubato's FFT resampler sets its anti-alias cutoff from the FFT block size, measured in frames
//! of the lower rate. Around 400 frames its response is right for telephony: −3 dB at ≈ 0.96 ×
//! the new Nyquist and folded energy below −120 dB. Bigger blocks push the cutoff past Nyquist
//! (aliasing), smaller ones pull it down (a dull 3.4 kHz band). So the block is the multiple of
//! the pair's minimum block (rate / gcd) nearest to 400 frames, accepted only within
//! [`FFT_POINTS_MIN`, `FFT_POINTS_MAX`]. Pairs with no such multiple (odd rates such as
//! 44 101 Hz) use rubato's sinc resampler with a long, steep filter instead: slower, equally clean.
//!
//! ```text
//! 44100 -> 8000   gcd 100, minimum blocks 441 / 80,  5 blocks: fft 2205 -> 400
//! 48000 -> 8000   gcd 8000, minimum blocks 6 / 1,  400 blocks: fft 2400 -> 400
//! 44100 -> 16000  gcd 100, minimum blocks 441 / 160, 3 blocks: fft 1323 -> 480
//! 8000 -> 16000   gcd 8000, minimum blocks 1 / 2,  400 blocks: fft 400 -> 800 (upsampling)
//! ```

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

use crate::audio::error::AudioError;

/// The FFT size (in frames of the lower rate) the block choice aims for.
pub const FFT_POINTS_TARGET: usize = 400;
/// Smallest accepted FFT size in frames of the lower rate.
pub const FFT_POINTS_MIN: usize = 320;
/// Largest accepted FFT size in frames of the lower rate.
pub const FFT_POINTS_MAX: usize = 480;
/// Input frames handed to rubato per call (rounded to whole FFT blocks).
const CALL_FRAMES: usize = 8192;

/// The FFT block sizes `(input, output)` for a rate pair, or `None` if the pair needs the sinc
/// resampler.
pub fn fft_block_sizes(in_rate: u32, out_rate: u32) -> Option<(usize, usize)> {
    let gcd = gcd(in_rate as usize, out_rate as usize);
    let (min_in, min_out) = (in_rate as usize / gcd, out_rate as usize / gcd);
    let smaller = min_in.min(min_out);
    let blocks = ((FFT_POINTS_TARGET + smaller / 2) / smaller).max(1);
    let points = blocks * smaller;
    (FFT_POINTS_MIN..=FFT_POINTS_MAX).contains(&points).then_some((blocks * min_in, blocks * min_out))
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

enum Engine {
    Passthrough,
    Rubato(Box<dyn Resampler<f32>>),
}

/// A mono streaming resampler with delay compensation.
pub struct StreamResampler {
    engine: Engine,
    in_rate: u32,
    out_rate: u32,
    pending: Vec<f32>,
    scratch: Vec<f32>,
    delay_left: usize,
    input_frames: u64,
    output_frames: u64,
}

impl StreamResampler {
    /// A resampler from `in_rate` to `out_rate` (both > 0).
    pub fn new(in_rate: u32, out_rate: u32) -> Result<Self, AudioError> {
        let engine = if in_rate == out_rate {
            Engine::Passthrough
        } else {
            Engine::Rubato(build_rubato(in_rate, out_rate)?)
        };
        let delay_left = match &engine {
            Engine::Passthrough => 0,
            Engine::Rubato(r) => r.output_delay(),
        };
        Ok(StreamResampler {
            engine,
            in_rate,
            out_rate,
            pending: Vec::new(),
            scratch: Vec::new(),
            delay_left,
            input_frames: 0,
            output_frames: 0,
        })
    }

    /// Whether this pair uses the FFT resampler (false: sinc fallback or no conversion).
    pub fn uses_fft(&self) -> bool {
        matches!(self.engine, Engine::Rubato(_)) && fft_block_sizes(self.in_rate, self.out_rate).is_some()
    }

    /// Feeds input frames; appends whatever output is ready to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) -> Result<(), AudioError> {
        self.input_frames += input.len() as u64;
        if matches!(self.engine, Engine::Passthrough) {
            out.extend_from_slice(input);
            self.output_frames += input.len() as u64;
            return Ok(());
        }
        self.pending.extend_from_slice(input);
        self.drain_full_chunks(out, u64::MAX)
    }

    /// Flushes the filter tail; afterwards exactly round(input × out/in) frames were emitted.
    pub fn finish(&mut self, out: &mut Vec<f32>) -> Result<(), AudioError> {
        let expected = (self.input_frames * u64::from(self.out_rate) + u64::from(self.in_rate) / 2)
            / u64::from(self.in_rate);
        while self.output_frames < expected && !matches!(self.engine, Engine::Passthrough) {
            let chunk = self.chunk_len();
            let padded = self.pending.len().div_ceil(chunk).max(1) * chunk;
            self.pending.resize(padded, 0.0);
            self.drain_full_chunks(out, expected)?;
        }
        Ok(())
    }

    fn chunk_len(&self) -> usize {
        match &self.engine {
            Engine::Passthrough => 1,
            Engine::Rubato(r) => r.input_frames_next(),
        }
    }

    fn drain_full_chunks(&mut self, out: &mut Vec<f32>, cap: u64) -> Result<(), AudioError> {
        let Engine::Rubato(resampler) = &mut self.engine else {
            return Ok(());
        };
        let mut consumed = 0;
        loop {
            let needed = resampler.input_frames_next();
            if self.pending.len() - consumed < needed {
                break;
            }
            let out_max = resampler.output_frames_max();
            self.scratch.resize(out_max, 0.0);
            let input = &self.pending[consumed..consumed + needed];
            let adapter_in =
                InterleavedSlice::new(input, 1, needed).map_err(|e| AudioError::Resample(e.to_string()))?;
            let mut adapter_out = InterleavedSlice::new_mut(&mut self.scratch, 1, out_max)
                .map_err(|e| AudioError::Resample(e.to_string()))?;
            let (used, produced) = resampler
                .process_into_buffer(&adapter_in, &mut adapter_out, None)
                .map_err(|e| AudioError::Resample(e.to_string()))?;
            consumed += used;
            let skip = self.delay_left.min(produced);
            self.delay_left -= skip;
            let room = cap.saturating_sub(self.output_frames);
            let take = ((produced - skip) as u64).min(room) as usize;
            out.extend_from_slice(&self.scratch[skip..skip + take]);
            self.output_frames += take as u64;
        }
        self.pending.drain(..consumed);
        Ok(())
    }
}

fn build_rubato(in_rate: u32, out_rate: u32) -> Result<Box<dyn Resampler<f32>>, AudioError> {
    let err = |e: rubato::ResamplerConstructionError| AudioError::Resample(e.to_string());
    if let Some((fft_in, _)) = fft_block_sizes(in_rate, out_rate) {
        let sub_chunks = (CALL_FRAMES / fft_in).max(1);
        let fft = Fft::<f32>::new_custom(
            in_rate as usize,
            out_rate as usize,
            sub_chunks * fft_in,
            sub_chunks,
            1,
            WindowFunction::BlackmanHarris2,
            FixedSync::Input,
        )
        .map_err(err)?;
        return Ok(Box::new(fft));
    }
    let params = SincInterpolationParameters {
        sinc_len: 2048,
        f_cutoff: Some(0.955),
        oversampling_factor: 256,
        interpolation: SincInterpolationType::Cubic,
        window: WindowFunction::BlackmanHarris2,
    };
    let ratio = f64::from(out_rate) / f64::from(in_rate);
    let sinc = Async::<f32>::new_sinc(ratio, 1.0, &params, 4096, 1, FixedAsync::Input).map_err(err)?;
    Ok(Box::new(sinc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sizes_for_common_pairs() {
        assert_eq!(fft_block_sizes(44_100, 8_000), Some((2205, 400)));
        assert_eq!(fft_block_sizes(48_000, 8_000), Some((2400, 400)));
        assert_eq!(fft_block_sizes(8_000, 16_000), Some((400, 800)));
        assert_eq!(fft_block_sizes(44_101, 8_000), None);
    }

    #[test]
    fn output_length_is_exact_for_any_feeding_pattern() {
        for (in_rate, out_rate) in [(44_100, 8_000), (8_000, 16_000), (44_101, 8_000), (16_000, 16_000)] {
            let mut r = StreamResampler::new(in_rate, out_rate).expect("valid rates");
            let mut out = Vec::new();
            let input = vec![0.25f32; 12_345];
            for piece in input.chunks(1000) {
                r.process(piece, &mut out).expect("process");
            }
            r.finish(&mut out).expect("finish");
            let expected = (12_345u64 * u64::from(out_rate) + u64::from(in_rate) / 2) / u64::from(in_rate);
            assert_eq!(out.len() as u64, expected, "{in_rate} -> {out_rate}");
            // DC passes at unity gain once the filter has settled.
            let mid = out[out.len() / 2];
            assert!((mid - 0.25).abs() < 1e-3, "{in_rate} -> {out_rate}: {mid}");
        }
    }
}
