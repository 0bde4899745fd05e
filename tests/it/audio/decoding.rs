//! Decoding every supported container/codec: rate, channels, duration and level.

use ringside::audio::decode::{Decoder, Limits};

use super::fixtures::{Layout, committed, sine, temp_dir, write_wav};

fn decode_all(decoder: &mut Decoder) -> (u64, f32) {
    let mut mono = Vec::new();
    let mut peak = 0.0f32;
    while decoder.next_mono(&mut mono).expect("decodes") {
        peak = mono.iter().fold(peak, |p, s| p.max(s.abs()));
    }
    (decoder.stats().frames, peak)
}

#[test]
fn every_wav_layout_decodes_with_correct_shape_and_level() {
    let dir = temp_dir("wav-layouts");
    let cases = [
        (Layout::U8, 8_000, 1, "pcm_u8"),
        (Layout::S16, 22_050, 2, "pcm_s16le"),
        (Layout::S24, 44_100, 2, "pcm_s24le"),
        (Layout::S32, 48_000, 6, "pcm_s32le"),
        (Layout::F32, 96_000, 1, "pcm_f32le"),
        (Layout::F64, 16_000, 2, ""),
    ];
    for (layout, rate, channels, codec) in cases {
        let path = dir.join(format!("{layout:?}.wav"));
        write_wav(&path, layout, rate, channels, &sine(rate, channels, 440.0, 0.5, 0.25));
        let mut decoder = Decoder::open_file(&path, &Limits::default()).expect("opens");
        let info = decoder.info().clone();
        assert_eq!((info.rate, info.channels), (rate, u32::from(channels)), "{layout:?}");
        if !codec.is_empty() {
            assert_eq!(info.codec, codec);
        }
        let (frames, peak) = decode_all(&mut decoder);
        assert_eq!(frames, u64::from(rate) / 4, "{layout:?}");
        assert!((peak - 0.5).abs() < 0.01, "{layout:?} peak {peak}");
    }
}

#[test]
fn extensible_wav_is_written_and_read() {
    // hound writes WAVE_FORMAT_EXTENSIBLE for more than two channels or more than 16 bits.
    let dir = temp_dir("extensible");
    let path = dir.join("ext.wav");
    write_wav(&path, Layout::S24, 48_000, 4, &sine(48_000, 4, 1000.0, 0.25, 0.1));
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(u16::from_le_bytes([bytes[20], bytes[21]]), 0xFFFE, "fmt tag is EXTENSIBLE");
    let mut decoder = Decoder::open_file(&path, &Limits::default()).expect("opens");
    assert_eq!(decoder.info().bits_per_sample, Some(24));
    let (frames, peak) = decode_all(&mut decoder);
    assert_eq!(frames, 4_800);
    assert!((peak - 0.25).abs() < 0.01);
}

#[test]
fn committed_compressed_fixtures_decode() {
    // (file, rate, channels, expected frames, tolerance in frames)
    let cases = [
        // lame resamples 44.1 kHz to 24 kHz at 64 kbit/s; MPEG-2 frames are 576 samples.
        ("tone-44k1-stereo.mp3", 24_000, 2, 12_000, 1_200),
        ("tone-48k-mono-24bit.flac", 48_000, 1, 24_000, 0),
        ("tone-44k1-stereo.ogg", 44_100, 2, 22_050, 0),
    ];
    for (name, rate, channels, frames, tolerance) in cases {
        let mut decoder = Decoder::open_file(&committed(name), &Limits::default()).expect(name);
        assert_eq!((decoder.info().rate, decoder.info().channels), (rate, channels), "{name}");
        let (decoded, peak) = decode_all(&mut decoder);
        assert!(decoded.abs_diff(frames) <= tolerance, "{name}: {decoded} frames");
        assert!(peak > 0.2 && peak < 1.0, "{name}: peak {peak}");
    }
}

#[test]
fn format_is_judged_by_content_not_name() {
    let dir = temp_dir("sniff");
    let disguised = dir.join("really-an-mp3.wav");
    std::fs::copy(committed("tone-44k1-stereo.mp3"), &disguised).expect("copy");
    let decoder = Decoder::open_file(&disguised, &Limits::default()).expect("opens");
    assert_eq!(decoder.container().name(), "mp3");
    let text = dir.join("song.mp3");
    std::fs::write(&text, b"this is not audio at all").expect("write");
    assert!(Decoder::open_file(&text, &Limits::default()).is_err());
}
