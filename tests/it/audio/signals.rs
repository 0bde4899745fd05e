//! Test signals and measurements shared by the audio integration tests.

use std::f64::consts::PI;

/// A full-scale exponential sweep from `f0` to `f1` Hz over `secs` seconds at `rate`.
pub struct Sweep {
    pub f0: f64,
    pub f1: f64,
    pub secs: f64,
}

impl Sweep {
    /// Instantaneous phase at time `t`.
    pub fn phase(&self, t: f64) -> f64 {
        let k = (self.f1 / self.f0).ln();
        2.0 * PI * self.f0 * self.secs / k * ((t * k / self.secs).exp() - 1.0)
    }

    /// Instantaneous frequency at time `t`.
    pub fn freq(&self, t: f64) -> f64 {
        self.f0 * ((self.f1 / self.f0).ln() * t / self.secs).exp()
    }

    /// The sweep sampled at `rate`, amplitude `amp`.
    pub fn render(&self, rate: u32, amp: f64) -> Vec<f32> {
        let n = (self.secs * f64::from(rate)) as usize;
        (0..n).map(|i| (amp * self.phase(i as f64 / f64::from(rate)).sin()) as f32).collect()
    }
}

/// Least-squares fit of `y ≈ a·sin + b·cos (+ dc)` against known phases; returns (amplitude, residual rms).
pub fn fit_sine(y: &[f32], phases: impl Iterator<Item = f64>) -> (f64, f64) {
    // Normal equations for [sin, cos, 1].
    let mut m = [[0.0f64; 3]; 3];
    let mut v = [0.0f64; 3];
    let rows: Vec<[f64; 3]> = phases.map(|p| [p.sin(), p.cos(), 1.0]).collect();
    for (row, &sample) in rows.iter().zip(y) {
        for i in 0..3 {
            v[i] += row[i] * f64::from(sample);
            for j in 0..3 {
                m[i][j] += row[i] * row[j];
            }
        }
    }
    let coef = solve3(m, v);
    let mut residual = 0.0;
    for (row, &sample) in rows.iter().zip(y) {
        let model = coef[0] * row[0] + coef[1] * row[1] + coef[2] * row[2];
        residual += (f64::from(sample) - model).powi(2);
    }
    let amp = (coef[0] * coef[0] + coef[1] * coef[1]).sqrt();
    (amp, (residual / y.len().max(1) as f64).sqrt())
}

fn solve3(mut m: [[f64; 3]; 3], mut v: [f64; 3]) -> [f64; 3] {
    for col in 0..3 {
        let pivot = (col..3).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs())).unwrap_or(col);
        m.swap(col, pivot);
        v.swap(col, pivot);
        for row in 0..3 {
            if row != col && m[col][col] != 0.0 {
                let factor = m[row][col] / m[col][col];
                let pivot_row = m[col];
                for (cell, pivot_cell) in m[row].iter_mut().zip(pivot_row) {
                    *cell -= factor * pivot_cell;
                }
                v[row] -= factor * v[col];
            }
        }
    }
    [v[0] / m[0][0], v[1] / m[1][1], v[2] / m[2][2]]
}

/// Sweep response measured on a resampled output.
#[derive(Debug)]
pub struct SweepResponse {
    pub ripple_db: f64,
    pub minus3_hz: f64,
    pub alias_db: f64,
}

/// Measures passband ripple (200 Hz .. 0.9 × Nyquist), the −3 dB frequency and the worst
/// 20 ms window of folded energy (input above 1.1 × Nyquist) relative to a full-scale sine.
pub fn measure_sweep(sweep: &Sweep, out: &[f32], out_rate: u32) -> SweepResponse {
    let nyquist = f64::from(out_rate) / 2.0;
    let window = (out_rate / 50) as usize;
    let (mut max_db, mut min_db, mut minus3, mut alias) = (f64::MIN, f64::MAX, f64::NAN, f64::MIN);
    let margin = 0.05;
    let mut previous: Option<(f64, f64)> = None;
    for (index, chunk) in out.chunks_exact(window).enumerate() {
        let start = index * window;
        let t0 = start as f64 / f64::from(out_rate);
        let t1 = (start + window) as f64 / f64::from(out_rate);
        if t0 < margin || t1 > sweep.secs - margin {
            continue;
        }
        let fc = sweep.freq((t0 + t1) / 2.0);
        if sweep.freq(t0 - margin) > 1.1 * nyquist {
            let power = chunk.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / window as f64;
            alias = alias.max(10.0 * (power / 0.5).log10());
            continue;
        }
        let phases = (start..start + window).map(|i| sweep.phase(i as f64 / f64::from(out_rate)));
        let (amp, _) = fit_sine(chunk, phases);
        let db = 20.0 * amp.log10();
        if (200.0..=0.9 * nyquist).contains(&fc) {
            max_db = max_db.max(db);
            min_db = min_db.min(db);
        }
        if fc > 0.5 * nyquist && minus3.is_nan() && db < -3.0 {
            // Interpolate between the last window above −3 dB and this one.
            minus3 = match previous {
                Some((f_prev, db_prev)) => f_prev + (fc - f_prev) * (db_prev + 3.0) / (db_prev - db),
                None => fc,
            };
        }
        previous = Some((fc, db));
    }
    SweepResponse { ripple_db: max_db - min_db, minus3_hz: minus3, alias_db: alias }
}
