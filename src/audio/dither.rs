//! Conversion of the floating-point signal to 16-bit PCM with TPDF dither.
//!
//! Owns: quantisation to `i16` with triangular (±1 LSB) dither from a small deterministic PRNG.
//! Must not: change gain or clip silently without counting (the count goes into the report).

/// Quantises `f32` samples (full scale = ±1.0) to `i16` with TPDF dither.
#[derive(Debug, Clone)]
pub struct Ditherer {
    state: u64,
    clipped: u64,
}

impl Ditherer {
    /// A ditherer with a fixed seed, so identical input gives identical output.
    pub fn new(seed: u64) -> Self {
        Ditherer { state: seed | 1, clipped: 0 }
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64*: fast and plenty for dither noise.
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Multiplies by `gain`, dithers and appends 16-bit samples to `out`.
    pub fn quantise(&mut self, input: &[f32], gain: f32, out: &mut Vec<i16>) {
        const SCALE: f32 = 32768.0;
        const TO_UNIT: f32 = 1.0 / 4_294_967_296.0;
        out.reserve(input.len());
        for &sample in input {
            let bits = self.next_u64();
            let first = (bits >> 32) as f32 * TO_UNIT;
            let second = (bits & 0xFFFF_FFFF) as f32 * TO_UNIT;
            let value = sample * gain * SCALE + (first - second);
            if !(-32768.5..32767.5).contains(&value) {
                self.clipped += 1;
            }
            // Round half up via truncation of a non-negative value (`f32::round` is a libm call).
            let shifted = value.clamp(-32768.0, 32767.0) + 32768.5;
            out.push((shifted as i32 - 32768) as i16);
        }
    }

    /// How many output samples had to be clamped to the 16-bit range.
    pub fn clipped(&self) -> u64 {
        self.clipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_stays_within_one_lsb_and_averages_zero() {
        let mut dither = Ditherer::new(7);
        let mut out = Vec::new();
        dither.quantise(&[0.0; 10_000], 1.0, &mut out);
        assert!(out.iter().all(|&s| (-1..=1).contains(&s)));
        let mean: f64 = out.iter().map(|&s| f64::from(s)).sum::<f64>() / out.len() as f64;
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!(out.iter().any(|&s| s != 0), "dither must actually add noise");
    }

    #[test]
    fn full_scale_is_clamped_and_counted() {
        let mut dither = Ditherer::new(1);
        let mut out = Vec::new();
        dither.quantise(&[2.0, -2.0, 0.5], 1.0, &mut out);
        assert_eq!(out[0], i16::MAX);
        assert_eq!(out[1], i16::MIN);
        assert!((i32::from(out[2]) - 16384).abs() <= 1);
        assert_eq!(dither.clipped(), 2);
    }
}
