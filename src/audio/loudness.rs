//! Loudness measurement (ITU-R BS.1770 / EBU R128: integrated loudness via the `ebur128`
//! crate, true peak via [`TruePeakMeter`]) and the normalisation gain.
//!
//! Owns: integrated loudness and true peak of a mono stream, and the rule that picks the gain:
//! reach the target loudness unless that would push the true peak over the ceiling, in which
//! case the ceiling wins (a plain scalar gain — no limiter, so nothing is distorted).
//! Must not: apply the gain (the encode stage does, before dither).

use ebur128::{EbuR128, Mode};
use serde::{Deserialize, Serialize};

use crate::audio::error::AudioError;
use crate::audio::truepeak::TruePeakMeter;

/// Where normalisation aims.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoudnessTarget {
    /// Integrated loudness target in LUFS (default −18).
    pub target_lufs: f64,
    /// True-peak ceiling in dBTP (default −1).
    pub ceiling_dbtp: f64,
}

impl Default for LoudnessTarget {
    fn default() -> Self {
        LoudnessTarget { target_lufs: -18.0, ceiling_dbtp: -1.0 }
    }
}

/// Levels of one stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Integrated loudness; `None` when the stream is silent (everything below the gate).
    pub integrated_lufs: Option<f64>,
    /// True peak in dBTP (−inf for digital silence).
    pub true_peak_dbtp: f64,
}

/// A BS.1770 meter for one mono stream.
pub struct Meter {
    inner: EbuR128,
    true_peak: TruePeakMeter,
}

fn meter_err(e: ebur128::Error) -> AudioError {
    AudioError::Resample(format!("loudness meter: {e}"))
}

impl Meter {
    /// A meter for mono audio at `rate`.
    pub fn new(rate: u32) -> Result<Self, AudioError> {
        // HISTOGRAM keeps the gating state a fixed size however long the input is.
        let mode = Mode::I | Mode::HISTOGRAM;
        Ok(Meter { inner: EbuR128::new(1, rate, mode).map_err(meter_err)?, true_peak: TruePeakMeter::new() })
    }

    /// Adds samples.
    pub fn add(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        self.true_peak.add(samples);
        self.inner.add_frames_f32(samples).map_err(meter_err)
    }

    /// The levels so far.
    pub fn measurement(&self) -> Result<Measurement, AudioError> {
        let lufs = self.inner.loudness_global().map_err(meter_err)?;
        let peak = f64::from(self.true_peak.peak());
        Ok(Measurement {
            integrated_lufs: lufs.is_finite().then_some(lufs),
            true_peak_dbtp: 20.0 * peak.log10(),
        })
    }
}

/// The gain (dB) that brings `measured` to the target without exceeding the ceiling.
/// A silent stream gets 0 dB.
pub fn normalisation_gain_db(measured: &Measurement, target: &LoudnessTarget) -> f64 {
    let Some(lufs) = measured.integrated_lufs else {
        return 0.0;
    };
    let wanted = target.target_lufs - lufs;
    if measured.true_peak_dbtp.is_finite() {
        wanted.min(target.ceiling_dbtp - measured.true_peak_dbtp)
    } else {
        wanted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_reaches_target_unless_the_ceiling_binds() {
        let target = LoudnessTarget::default();
        let quiet = Measurement { integrated_lufs: Some(-30.0), true_peak_dbtp: -20.0 };
        assert!((normalisation_gain_db(&quiet, &target) - 12.0).abs() < 1e-9);
        let peaky = Measurement { integrated_lufs: Some(-30.0), true_peak_dbtp: -5.0 };
        assert!((normalisation_gain_db(&peaky, &target) - 4.0).abs() < 1e-9);
        let silent = Measurement { integrated_lufs: None, true_peak_dbtp: f64::NEG_INFINITY };
        assert_eq!(normalisation_gain_db(&silent, &target), 0.0);
    }

    #[test]
    fn a_full_scale_1k_sine_measures_about_minus_3_lufs() {
        let rate = 16_000;
        let tone: Vec<f32> = (0..rate * 3)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / rate as f32).sin())
            .collect();
        let mut meter = Meter::new(rate).expect("meter");
        meter.add(&tone).expect("add");
        let m = meter.measurement().expect("measure");
        let lufs = m.integrated_lufs.expect("not silent");
        assert!((lufs - -3.01).abs() < 0.1, "{lufs}");
        assert!(m.true_peak_dbtp.abs() < 0.2, "{}", m.true_peak_dbtp);
    }
}
