//! Mutated inputs through the in-process decoder: every variant must end in a clean error or
//! valid audio, never a panic. Seeds are the committed fixtures plus generated WAV layouts.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ringside::audio::decode::{Decoder, Limits};

use super::fixtures::{Layout, committed, float64_wav, sine, temp_dir, write_wav};

/// Variants per run (10,000 as the issue asks; each is a small file).
pub const MUTATIONS: usize = 10_000;

/// A small deterministic PRNG (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The seed files, small enough to decode quickly.
pub fn seeds() -> Vec<Vec<u8>> {
    let dir = temp_dir("seeds");
    let mut seeds = Vec::new();
    for (i, layout) in [Layout::U8, Layout::S16, Layout::S24, Layout::F32].into_iter().enumerate() {
        let path = dir.join(format!("seed{i}.wav"));
        let channels = if i % 2 == 0 { 1 } else { 3 };
        write_wav(&path, layout, 16_000, channels, &sine(16_000, channels, 500.0, 0.5, 0.05));
        seeds.push(std::fs::read(&path).expect("seed"));
    }
    seeds.push(float64_wav(8_000, 1, &sine(8_000, 1, 500.0, 0.5, 0.05)));
    for name in ["tone-44k1-stereo.mp3", "tone-48k-mono-24bit.flac", "tone-44k1-stereo.ogg"] {
        seeds.push(std::fs::read(committed(name)).expect("fixture"));
    }
    seeds
}

/// Applies one random mutation: bit flips, truncation, a 32-bit field set to 0 / 0xFFFFFFFF /
/// a lie, or a random byte splice.
pub fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut data = seed.to_vec();
    match rng.below(5) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
        }
        1 => data.truncate(rng.below(data.len())),
        2 | 3 => {
            // Header fields live in the first bytes of every container here.
            let at = rng.below(data.len().min(64).saturating_sub(4)) & !1;
            let value: u32 = match rng.below(4) {
                0 => 0,
                1 => u32::MAX,
                2 => rng.next() as u32,
                _ => (data.len() as u32).wrapping_mul(1000),
            };
            if at + 4 <= data.len() {
                data[at..at + 4].copy_from_slice(&value.to_le_bytes());
            }
        }
        _ => {
            let at = rng.below(data.len());
            let len = rng.below(32).min(data.len() - at);
            for byte in &mut data[at..at + len] {
                *byte = rng.next() as u8;
            }
        }
    }
    data
}

fn decode_to_end(bytes: Vec<u8>, limits: &Limits) -> Result<u64, String> {
    let mut decoder = Decoder::open_bytes(bytes, limits).map_err(|e| e.to_string())?;
    let mut mono = Vec::new();
    while decoder.next_mono(&mut mono).map_err(|e| e.to_string())? {
        if mono.iter().any(|s| !s.is_finite()) {
            return Err("non-finite sample".into());
        }
    }
    Ok(decoder.stats().frames)
}

#[test]
fn ten_thousand_mutations_never_panic() {
    let seeds = seeds();
    let limits = Limits { max_duration_secs: 20, ..Limits::default() };
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let (mut ok, mut errors) = (0, 0);
    for n in 0..MUTATIONS {
        let seed = &seeds[n % seeds.len()];
        let variant = mutate(seed, &mut rng);
        let outcome = catch_unwind(AssertUnwindSafe(|| decode_to_end(variant.clone(), &limits)));
        match outcome {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(message)) => {
                assert!(!message.is_empty());
                errors += 1;
            }
            Err(_) => panic!(
                "mutation {n} (seed {}) panicked; first bytes {:02x?}",
                n % seeds.len(),
                &variant[..variant.len().min(48)]
            ),
        }
    }
    eprintln!("{ok} decoded, {errors} clean errors");
    assert!(ok > 0 && errors > 0, "mutations should produce both outcomes");
}

#[test]
fn empty_and_one_sample_files() {
    let limits = Limits::default();
    assert_eq!(Decoder::open_bytes(Vec::new(), &limits).err(), Some(ringside::audio::AudioError::Empty));
    let one = {
        let mut b = super::fixtures::raw_header(1, 8_000, 1, 16, 2);
        b.extend_from_slice(&1000i16.to_le_bytes());
        b
    };
    assert_eq!(decode_to_end(one, &limits), Ok(1));
}

#[test]
fn caps_are_named_in_the_errors() {
    let limits = Limits::default();
    let wide = super::fixtures::raw_header(1, 384_000, 32, 16, 64 * 32);
    let message = Decoder::open_bytes(wide, &limits).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("32 channels") && message.contains("at most 8"), "{message}");
    let fast = super::fixtures::raw_header(1, 384_000, 1, 16, 64);
    let message = Decoder::open_bytes(fast, &limits).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("384000") && message.contains("192000"), "{message}");
    let small = Limits { max_input_bytes: 100, ..Limits::default() };
    let big = std::fs::read(committed("tone-44k1-stereo.ogg")).expect("fixture");
    let message = Decoder::open_bytes(big, &small).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("limit is 100 bytes"), "{message}");
}
