//! True-peak measurement (ITU-R BS.1770-4 Annex 2): the peak of the signal oversampled 4× with
//! a 49-tap windowed-sinc interpolator, the same construction libebur128 uses, laid out so the
//! inner loops vectorise (the `ebur128` crate's scalar true-peak scanner cost as much as the
//! resampler).
//!
//! Owns: the interpolator and the running peak. Must not: apply gain.
//!
//! ```text
//! h[m] = sinc((m − 24) / 4) · hann(m), m = 0..=48;  phase p (1..3) taps: h[p], h[p+4], … (12 each)
//! phase 0 is the input itself (sinc is zero at the other multiples of 4)
//! ```

/// Oversampling factor.
const FACTOR: usize = 4;
/// Filter length.
const TAPS: usize = 49;
/// Taps per interpolated phase.
const PHASE_TAPS: usize = 12;

/// A streaming 4× true-peak meter for one mono signal.
#[derive(Debug, Clone)]
pub struct TruePeakMeter {
    phases: [[f32; PHASE_TAPS]; FACTOR - 1],
    history: Vec<f32>,
    work: Vec<f32>,
    peak_bits: u32,
}

impl Default for TruePeakMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl TruePeakMeter {
    /// A meter with an empty history.
    pub fn new() -> Self {
        let centre = (TAPS - 1) as f64 / 2.0;
        let h: Vec<f64> = (0..TAPS)
            .map(|m| {
                let x = (m as f64 - centre) / FACTOR as f64;
                let sinc = if x == 0.0 {
                    1.0
                } else {
                    (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
                };
                let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * m as f64 / (TAPS - 1) as f64).cos();
                sinc * hann
            })
            .collect();
        let mut phases = [[0.0f32; PHASE_TAPS]; FACTOR - 1];
        for (p, phase) in phases.iter_mut().enumerate() {
            for (j, tap) in phase.iter_mut().enumerate() {
                // Reverse so that tap j multiplies history sample k + j (a correlation).
                *tap = h[(p + 1) + FACTOR * (PHASE_TAPS - 1 - j)] as f32;
            }
        }
        TruePeakMeter { phases, history: vec![0.0; PHASE_TAPS - 1], work: Vec::new(), peak_bits: 0 }
    }

    /// Adds samples.
    pub fn add(&mut self, block: &[f32]) {
        if block.is_empty() {
            return;
        }
        self.peak_bits = self.peak_bits.max(max_abs_bits(block));
        self.work.clear();
        self.work.extend_from_slice(&self.history);
        self.work.extend_from_slice(block);
        let outputs = self.work.len() - (PHASE_TAPS - 1);
        let mut peak = self.peak_bits;
        let mut tile = [0.0f32; TILE];
        // Tiles small enough for L1; each tap is one vectorised multiply-add over the tile.
        for base in (0..outputs).step_by(TILE) {
            let len = TILE.min(outputs - base);
            for phase in &self.phases {
                let acc = &mut tile[..len];
                acc.fill(0.0);
                for (j, &tap) in phase.iter().enumerate() {
                    let input = &self.work[base + j..base + j + len];
                    for (a, &x) in acc.iter_mut().zip(input) {
                        *a += tap * x;
                    }
                }
                peak = peak.max(max_abs_bits(acc));
            }
        }
        self.peak_bits = peak;
        let keep = self.work.len() - (PHASE_TAPS - 1);
        self.history.clear();
        self.history.extend_from_slice(&self.work[keep..]);
    }

    /// The true peak so far as a linear magnitude.
    pub fn peak(&self) -> f32 {
        f32::from_bits(self.peak_bits.min(f32::INFINITY.to_bits()))
    }
}

/// Interpolated outputs per tile.
const TILE: usize = 256;

/// Largest |x| as float bits (non-negative floats order like their bit patterns; integer max
/// vectorises). A NaN would order above infinity; [`TruePeakMeter::peak`] clamps it.
fn max_abs_bits(samples: &[f32]) -> u32 {
    samples.iter().map(|s| s.to_bits() & 0x7FFF_FFFF).fold(0, u32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inter_sample_peaks_like_the_reference_meter() {
        // A full-scale sine at fs/4 sampled at 45°: samples reach only 0.707, true peak is 1.0.
        let rate = 16_000;
        let tone: Vec<f32> = (0..rate)
            .map(|i| (std::f32::consts::FRAC_PI_2 * i as f32 + std::f32::consts::FRAC_PI_4).sin())
            .collect();
        let mut meter = TruePeakMeter::new();
        for block in tone.chunks(1000) {
            meter.add(block);
        }
        let mut reference = ebur128::EbuR128::new(1, rate, ebur128::Mode::TRUE_PEAK).expect("meter");
        reference.add_frames_f32(&tone).expect("add");
        let expected = reference.true_peak(0).expect("tp") as f32;
        let ours = meter.peak();
        assert!(ours > 0.95, "true peak {ours} should exceed the 0.707 sample peak");
        assert!((20.0 * (ours / expected).log10()).abs() < 0.1, "ours {ours}, ebur128 {expected}");
    }
}
