//! G.711 µ-law and A-law companding of 16-bit linear PCM, bit-exact with ITU-T G.711 as
//! implemented by the ITU's reference software (ITU-T G.191 STL, `g711.c`).
//!
//! Owns: the pure sample conversions. Must not: do I/O or resampling; callers feed 8 kHz samples.
//!
//! ```text
//! µ-law: 14-bit magnitude m = (x >= 0 ? x : !x) >> 2, biased b = min(m + 33, 0x1FFF)
//!        segment s = index of b's top bit - 5 (0..7), mantissa = (b >> (s + 1)) & 0xF
//!        code = sign(0x80 if x >= 0) | ((s << 4 | mantissa) ^ 0x7F)
//! A-law: 12-bit magnitude m = (x >= 0 ? x : !x) >> 4
//!        m < 16: code = m;  else s = index of m's top bit - 3 (1..7), mantissa = (m >> (s - 1)) & 0xF,
//!        code = s << 4 | mantissa;  byte = (code | sign(0x80 if x >= 0)) ^ 0x55
//! ```
//! Negative inputs use the one's complement (as G.191 does), so `x` and `-x - 1` share a magnitude.

/// Encodes one 16-bit linear sample as G.711 µ-law.
pub fn linear_to_ulaw(sample: i16) -> u8 {
    let (magnitude, sign) =
        if sample < 0 { (i32::from(!sample) >> 2, 0x00u8) } else { (i32::from(sample) >> 2, 0x80u8) };
    let biased = (magnitude + 33).min(0x1FFF) as u32;
    let top_bit = 31 - biased.leading_zeros();
    let segment = top_bit - 5;
    let mantissa = (biased >> (segment + 1)) & 0x0F;
    sign | ((((segment << 4) | mantissa) as u8) ^ 0x7F)
}

/// Encodes one 16-bit linear sample as G.711 A-law.
pub fn linear_to_alaw(sample: i16) -> u8 {
    let (magnitude, sign) = if sample < 0 {
        ((i32::from(!sample) >> 4) as u32, 0x00u8)
    } else {
        ((i32::from(sample) >> 4) as u32, 0x80u8)
    };
    let code = if magnitude < 16 {
        magnitude
    } else {
        let segment = (31 - magnitude.leading_zeros()) - 3;
        (segment << 4) | ((magnitude >> (segment - 1)) & 0x0F)
    };
    ((code as u8) | sign) ^ 0x55
}

/// Decodes one µ-law byte to its 16-bit reconstruction value (G.191 `ulaw_expand`).
pub fn ulaw_to_linear(code: u8) -> i16 {
    let inverted = !code;
    let exponent = i32::from((inverted >> 4) & 0x07);
    let mantissa = i32::from(inverted & 0x0F);
    let step = 4 << (exponent + 1);
    let magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
    let value = if code < 0x80 { -magnitude } else { magnitude };
    value as i16
}

/// Decodes one A-law byte to its 16-bit reconstruction value (G.191 `alaw_expand`).
pub fn alaw_to_linear(code: u8) -> i16 {
    let toggled = code ^ 0x55;
    let exponent = i32::from((toggled & 0x7F) >> 4);
    let mut mantissa = i32::from(toggled & 0x0F);
    if exponent > 0 {
        mantissa += 16;
    }
    mantissa = (mantissa << 4) + 0x08;
    if exponent > 1 {
        mantissa <<= exponent - 1;
    }
    let value = if toggled > 127 { mantissa } else { -mantissa };
    value as i16
}

/// Encodes a block of samples as µ-law into `out` (cleared first).
pub fn encode_ulaw(samples: &[i16], out: &mut Vec<u8>) {
    out.clear();
    out.extend(samples.iter().map(|&s| linear_to_ulaw(s)));
}

/// Encodes a block of samples as A-law into `out` (cleared first).
pub fn encode_alaw(samples: &[i16], out: &mut Vec<u8>) {
    out.clear();
    out.extend(samples.iter().map(|&s| linear_to_alaw(s)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_codes() {
        assert_eq!(linear_to_ulaw(0), 0xFF);
        assert_eq!(linear_to_ulaw(-1), 0x7F);
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
        assert_eq!(linear_to_alaw(0), 0xD5);
        assert_eq!(linear_to_alaw(-1), 0x55);
        assert_eq!(linear_to_alaw(i16::MAX), 0xAA);
        assert_eq!(linear_to_alaw(i16::MIN), 0x2A);
    }

    #[test]
    fn decoding_then_encoding_returns_every_code() {
        for code in 0..=255u8 {
            assert_eq!(linear_to_alaw(alaw_to_linear(code)), code, "A-law {code:#04x}");
            // µ-law 0x7F is "negative zero": it decodes to 0, which encodes as 0xFF.
            if code != 0x7F {
                assert_eq!(linear_to_ulaw(ulaw_to_linear(code)), code, "µ-law {code:#04x}");
            }
        }
    }
}
