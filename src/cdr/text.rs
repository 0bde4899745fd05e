//! Lossless text for CDR fields: arbitrary bytes kept as an escaped UTF-8 string.
//!
//! Owns the one escaping scheme used for every text field of a CDR (and for the raw bytes of
//! rejected lines), so that anything Asterisk wrote can be stored in a SQLite `TEXT` or a
//! PostgreSQL `text` column (which refuses NUL and invalid UTF-8) and turned back into the exact
//! original bytes. It must not guess encodings for storage; guessing is only done for display.
//!
//! ```text
//! original byte(s)                 escaped form
//! valid UTF-8 except `\` and NUL   unchanged            "Zoë" -> "Zoë", "😀" -> "😀"
//! `\` (0x5C)                       `\\`                 "a\b" -> "a\\b"
//! NUL (0x00)                       `\x00`
//! any byte not part of valid UTF-8 `\xHH` (lower hex)   b"M\xfcller" -> "M\xfcller" (10 chars)
//! ```
//!
//! Decoding reverses exactly these three rules, so `from_bytes(b).to_bytes() == b` for every `b`.
//! Text without backslashes, NULs or invalid bytes (nearly every CDR) is stored unchanged, so
//! SQL equality and prefix searches on the escaped column work with plain user input.

use std::fmt;

/// A CDR text value in its escaped, storable form (see the module docs for the scheme).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CdrText(String);

/// The escaped form given to [`CdrText::from_escaped`] is not one this module produces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid escaped CDR text at byte {at}: {why}")]
pub struct EscapeError {
    /// Byte offset of the offending backslash in the escaped string.
    pub at: usize,
    /// What is wrong there.
    pub why: &'static str,
}

impl CdrText {
    /// Escapes arbitrary bytes.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        // Fast path: the overwhelmingly common case needs no escaping at all.
        if let Ok(s) = std::str::from_utf8(bytes)
            && !s.bytes().any(|b| b == b'\\' || b == 0)
        {
            return Self(s.to_owned());
        }
        let mut out = String::with_capacity(bytes.len() + 8);
        for chunk in bytes.utf8_chunks() {
            for ch in chunk.valid().chars() {
                match ch {
                    '\\' => out.push_str("\\\\"),
                    '\0' => out.push_str("\\x00"),
                    other => out.push(other),
                }
            }
            for &b in chunk.invalid() {
                push_hex_escape(&mut out, b);
            }
        }
        Self(out)
    }

    /// Wraps a string that is already in escaped form (e.g. read back from the database),
    /// checking that it decodes.
    pub fn from_escaped(escaped: impl Into<String>) -> Result<Self, EscapeError> {
        let s = escaped.into();
        decode(&s)?;
        Ok(Self(s))
    }

    /// Text from a Rust string (always valid UTF-8; only `\` and NUL get escaped).
    pub fn from_str_lossless(s: &str) -> Self {
        Self::from_bytes(s.as_bytes())
    }

    /// The escaped form: what goes into the database.
    pub fn as_escaped(&self) -> &str {
        &self.0
    }

    /// The original bytes, exactly as Asterisk wrote them.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Invariant: every CdrText is built by `from_bytes` or checked by `from_escaped`.
        decode(&self.0).unwrap_or_else(|_| self.0.as_bytes().to_vec())
    }

    /// A human-readable string: invalid UTF-8 bytes are read as Latin-1 (the usual reason for them
    /// in caller names), so `b"M\xfcller"` displays as "Müller". Not lossless; for screens/exports.
    pub fn to_display(&self) -> String {
        if !self.0.contains('\\') {
            return self.0.clone();
        }
        let bytes = self.to_bytes();
        let mut out = String::with_capacity(bytes.len());
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            out.extend(chunk.invalid().iter().map(|&b| char::from(b)));
        }
        out
    }

    /// True when the field is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for CdrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for CdrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_display())
    }
}

fn push_hex_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\x");
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0x0f)]));
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

fn decode(s: &str) -> Result<Vec<u8>, EscapeError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'\\') => {
                out.push(b'\\');
                i += 2;
            }
            Some(b'x') => {
                let hi = bytes.get(i + 2).copied().and_then(hex_value);
                let lo = bytes.get(i + 3).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => {
                        return Err(EscapeError { at: i, why: "\\x needs two lower-case hex digits" });
                    }
                }
                i += 4;
            }
            _ => {
                return Err(EscapeError { at: i, why: "backslash must start \\\\ or \\xHH" });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_stored_unchanged() {
        let t = CdrText::from_bytes("Zoë \"The Boss\", Müller 😀".as_bytes());
        assert_eq!(t.as_escaped(), "Zoë \"The Boss\", Müller 😀");
    }

    #[test]
    fn latin1_backslash_and_nul_round_trip() {
        let raw = b"M\xfcller \\ end\x00\xff\xc3";
        let t = CdrText::from_bytes(raw);
        assert_eq!(t.as_escaped(), "M\\xfcller \\\\ end\\x00\\xff\\xc3");
        assert_eq!(t.to_bytes(), raw);
        assert_eq!(t.to_display(), "Müller \\ end\0ÿÃ");
        let back = CdrText::from_escaped(t.as_escaped()).map(|t| t.to_bytes());
        assert_eq!(back, Ok(raw.to_vec()));
    }

    #[test]
    fn every_byte_pair_round_trips() {
        for a in 0..=255u8 {
            for b in [0u8, b'\\', b'x', 0x80, 0xc3, 0xbc, 0xff] {
                let raw = [a, b, a];
                assert_eq!(CdrText::from_bytes(&raw).to_bytes(), raw);
            }
        }
    }

    #[test]
    fn malformed_escapes_are_refused() {
        assert!(CdrText::from_escaped("a\\q").is_err());
        assert!(CdrText::from_escaped("a\\x4").is_err());
        assert!(CdrText::from_escaped("a\\xZZ").is_err());
        assert!(CdrText::from_escaped("trailing\\").is_err());
    }
}
