//! A waveform picture of a 16 kHz mono WAV rendition as SVG: per column the lowest and highest
//! sample, so silence, clipping and level show at a glance.
//!
//! Owns: reading the samples (streaming, constant memory) and drawing. Must not: decode anything
//! but the canonical 44-byte-header WAV the audio pipeline writes.

use std::fmt::Write as _;
use std::io::{BufReader, Read};
use std::path::Path;

const COLUMNS: usize = 400;
const HEIGHT: f64 = 60.0;

/// The picture for `path`.
pub fn svg(path: &Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    let total = file.metadata()?.len().saturating_sub(44) / 2;
    let mut reader = BufReader::new(file);
    let mut header = [0u8; 44];
    reader.read_exact(&mut header)?;
    let per_column = (total / COLUMNS as u64).max(1);
    let mut columns: Vec<(i16, i16)> = Vec::with_capacity(COLUMNS);
    let (mut lo, mut hi, mut n) = (i16::MAX, i16::MIN, 0u64);
    let mut sample = [0u8; 2];
    while reader.read_exact(&mut sample).is_ok() {
        let v = i16::from_le_bytes(sample);
        lo = lo.min(v);
        hi = hi.max(v);
        n += 1;
        if n == per_column {
            columns.push((lo, hi));
            (lo, hi, n) = (i16::MAX, i16::MIN, 0);
        }
    }
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {COLUMNS} {HEIGHT}\" preserveAspectRatio=\"none\" role=\"img\">\
         <rect width=\"{COLUMNS}\" height=\"{HEIGHT}\" fill=\"#f4f6f8\"/><path stroke=\"#2a6f97\" stroke-width=\"1\" d=\""
    );
    let y = |v: i16| HEIGHT / 2.0 - f64::from(v) / 32768.0 * (HEIGHT / 2.0);
    for (x, (lo, hi)) in columns.iter().enumerate() {
        let _ = write!(out, "M{x}.5 {:.1}V{:.1}", y(*hi), y(*lo).max(y(*hi) + 0.5));
    }
    out.push_str("\"/>");
    let clipped = columns.iter().enumerate().filter(|(_, (lo, hi))| *hi >= 32_700 || *lo <= -32_700);
    for (x, _) in clipped {
        let _ =
            write!(out, "<rect x=\"{x}\" width=\"1\" height=\"{HEIGHT}\" fill=\"#c0392b\" opacity=\"0.5\"/>");
    }
    out.push_str("</svg>");
    Ok(out)
}
