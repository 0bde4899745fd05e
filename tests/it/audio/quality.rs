//! Resampler quality on the floating-point output (before dither).

use ringside::audio::resample::StreamResampler;

use super::signals::{Sweep, measure_sweep};

fn resample_all(input: &[f32], in_rate: u32, out_rate: u32) -> Vec<f32> {
    let mut r = StreamResampler::new(in_rate, out_rate).expect("valid rates");
    let mut out = Vec::new();
    for piece in input.chunks(4096) {
        r.process(piece, &mut out).expect("process");
    }
    r.finish(&mut out).expect("finish");
    out
}

fn check_sweep(in_rate: u32, out_rate: u32) {
    let sweep = Sweep { f0: 20.0, f1: 22_000.0_f64.min(f64::from(in_rate) * 0.499), secs: 8.0 };
    let input = sweep.render(in_rate, 1.0);
    let out = resample_all(&input, in_rate, out_rate);
    let response = measure_sweep(&sweep, &out, out_rate);
    let nyquist = f64::from(out_rate) / 2.0;
    eprintln!("{in_rate} -> {out_rate}: {response:?}");
    assert!(response.alias_db <= -120.0, "{in_rate}->{out_rate} aliasing {response:?}");
    assert!(response.ripple_db <= 0.01, "{in_rate}->{out_rate} ripple {response:?}");
    assert!(response.minus3_hz >= 0.95 * nyquist, "{in_rate}->{out_rate} cutoff {response:?}");
}

#[test]
fn sweep_44k1_to_8k() {
    check_sweep(44_100, 8_000);
}

#[test]
fn sweep_44k1_to_16k() {
    check_sweep(44_100, 16_000);
}

#[test]
fn sweep_48k_to_8k_and_16k() {
    check_sweep(48_000, 8_000);
    check_sweep(48_000, 16_000);
}

#[test]
fn sweep_other_common_rates() {
    check_sweep(11_025, 8_000);
    check_sweep(22_050, 16_000);
    check_sweep(96_000, 8_000);
}
