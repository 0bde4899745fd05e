//! Content sniffing: which decoder a file needs, decided by its first bytes only.
//!
//! Owns: the magic-byte table. Must not: look at file names, extensions or Content-Type headers
//! (an upload called `song.wav` that holds MP3 is decoded as MP3), or read past the prefix.
//!
//! ```text
//! RIFF....WAVE          RIFF/WAVE (PCM, IEEE float, WAVE_FORMAT_EXTENSIBLE)   -> hound
//! RF64....WAVE          rejected (64-bit RIFF is not supported)
//! fLaC                  native FLAC stream                                    -> symphonia
//! OggS                  Ogg page (Vorbis expected inside)                     -> symphonia
//! ID3                   ID3v2 tag, then MPEG audio frames                     -> symphonia
//! FF Ex / FF Fx         MPEG audio frame sync (11 set bits), layer != 00      -> symphonia
//! ```

/// The container families Ringside accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// RIFF/WAVE.
    Wav,
    /// Native FLAC.
    Flac,
    /// Ogg (Vorbis).
    Ogg,
    /// MPEG audio (MP3), possibly behind an ID3v2 tag.
    Mpeg,
}

impl Container {
    /// A short lowercase name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Container::Wav => "wav",
            Container::Flac => "flac",
            Container::Ogg => "ogg",
            Container::Mpeg => "mp3",
        }
    }
}

/// How many leading bytes [`sniff`] wants to see.
pub const SNIFF_LEN: usize = 12;

/// Identifies the container from the first bytes of a file (fewer than [`SNIFF_LEN`] is fine).
pub fn sniff(prefix: &[u8]) -> Option<Container> {
    if prefix.len() >= 12 && &prefix[0..4] == b"RIFF" && &prefix[8..12] == b"WAVE" {
        return Some(Container::Wav);
    }
    if prefix.starts_with(b"fLaC") {
        return Some(Container::Flac);
    }
    if prefix.starts_with(b"OggS") {
        return Some(Container::Ogg);
    }
    if prefix.starts_with(b"ID3") {
        return Some(Container::Mpeg);
    }
    if let [0xFF, second, ..] = prefix {
        let sync = second & 0xE0 == 0xE0;
        let layer = (second >> 1) & 0x03;
        if sync && layer != 0 {
            return Some(Container::Mpeg);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_magic() {
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt "), Some(Container::Wav));
        assert_eq!(sniff(b"fLaC\0\0\0\x22"), Some(Container::Flac));
        assert_eq!(sniff(b"OggS\0\x02"), Some(Container::Ogg));
        assert_eq!(sniff(b"ID3\x04\0\0"), Some(Container::Mpeg));
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x00]), Some(Container::Mpeg));
    }

    #[test]
    fn rejects_lookalikes_and_short_input() {
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0AVI "), None);
        assert_eq!(sniff(b"RF64\0\0\0\0WAVE"), None);
        assert_eq!(sniff(&[0xFF, 0xE0]), None, "layer bits 00 are reserved");
        assert_eq!(sniff(b"<html>"), None);
    }
}
