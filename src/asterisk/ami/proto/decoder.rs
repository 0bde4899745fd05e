//! Incremental frame decoder over a caller-owned byte buffer, with size limits and resync.
//!
//! Must not allocate in proportion to hostile input beyond the configured limits: an over-long
//! line is dropped as it arrives, never buffered whole.

use super::message::Message;

/// Size limits for one frame. Defaults fit Asterisk's largest real outputs (long `Output:` lists)
/// while refusing a single megabyte-sized value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted line in bytes, without its line end.
    pub max_line: usize,
    /// Largest accepted frame in bytes, line ends included.
    pub max_frame: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_line: 64 * 1024, max_frame: 4 * 1024 * 1024 }
    }
}

/// Why a frame was rejected. The decoder has already skipped it; the connection stays usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("line {line} has no colon")]
    NoColon { line: usize },
    #[error("line {line} has an empty key")]
    EmptyKey { line: usize },
    #[error("a line is longer than {limit} bytes")]
    LineTooLong { limit: usize },
    #[error("a frame is larger than {limit} bytes")]
    FrameTooLarge { limit: usize },
    #[error("the banner line is longer than {limit} bytes")]
    BannerTooLong { limit: usize },
    #[error("not an Asterisk Call Manager banner: {0:?}")]
    NotAmi(String),
}

/// One step of decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// More bytes are needed; nothing usable is buffered yet.
    Incomplete,
    /// A complete frame, removed from the buffer.
    Message(Message),
    /// A bad frame, removed (or being skipped) from the buffer; decode again for the next one.
    Malformed(FrameError),
}

/// Decoder state carried between reads: where the scan of the pending frame stopped, and
/// whether a rejected frame is still being skipped.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    limits: Limits,
    scanned: usize,
    skipping: bool,
    skip_at_line_start: bool,
}

const BANNER_PREFIX: &str = "Asterisk Call Manager/";
const MAX_BANNER: usize = 256;

/// Parses the banner line at the start of `buf`. Returns the version after the slash and the
/// number of bytes the line used, or `None` when the line is not complete yet.
pub fn parse_banner(buf: &[u8]) -> Result<Option<(String, usize)>, FrameError> {
    let Some(end) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > MAX_BANNER {
            return Err(FrameError::BannerTooLong { limit: MAX_BANNER });
        }
        return Ok(None);
    };
    if end > MAX_BANNER {
        return Err(FrameError::BannerTooLong { limit: MAX_BANNER });
    }
    let line = String::from_utf8_lossy(trim_cr(&buf[..end]));
    match line.strip_prefix(BANNER_PREFIX) {
        Some(version) => Ok(Some((version.to_owned(), end + 1))),
        None => Err(FrameError::NotAmi(line.into_owned())),
    }
}

impl Decoder {
    /// A decoder with custom limits.
    pub fn with_limits(limits: Limits) -> Self {
        Self { limits, ..Self::default() }
    }

    /// Takes the next frame (or error) off the front of `buf`.
    pub fn decode(&mut self, buf: &mut Vec<u8>) -> Decoded {
        loop {
            if self.skipping && !self.skip_rejected_frame(buf) {
                return Decoded::Incomplete;
            }
            let rest = &buf[self.scanned..];
            let Some(newline) = rest.iter().position(|&b| b == b'\n') else {
                return self.check_partial_line(buf);
            };
            let line_len = trim_cr(&rest[..newline]).len();
            let consumed = self.scanned + newline + 1;
            if line_len > self.limits.max_line {
                buf.drain(..consumed);
                return self.start_skipping(true, self.line_too_long());
            }
            if line_len == 0 {
                let frame: Vec<u8> = buf.drain(..consumed).collect();
                if self.scanned == 0 {
                    continue; // a stray empty line between frames
                }
                self.scanned = 0;
                return parse_frame(&frame);
            }
            self.scanned = consumed;
            if self.scanned > self.limits.max_frame {
                buf.drain(..consumed);
                let limit = self.limits.max_frame;
                return self.start_skipping(true, FrameError::FrameTooLarge { limit });
            }
        }
    }

    fn line_too_long(&self) -> FrameError {
        FrameError::LineTooLong { limit: self.limits.max_line }
    }

    /// No line end yet: refuse to keep buffering a line or frame past the limits.
    fn check_partial_line(&mut self, buf: &mut Vec<u8>) -> Decoded {
        let partial = buf.len() - self.scanned;
        if partial > self.limits.max_line + 1 {
            buf.clear();
            return self.start_skipping(false, self.line_too_long());
        }
        if buf.len() > self.limits.max_frame {
            buf.clear();
            let limit = self.limits.max_frame;
            return self.start_skipping(false, FrameError::FrameTooLarge { limit });
        }
        Decoded::Incomplete
    }

    fn start_skipping(&mut self, at_line_start: bool, error: FrameError) -> Decoded {
        self.scanned = 0;
        self.skipping = true;
        self.skip_at_line_start = at_line_start;
        Decoded::Malformed(error)
    }

    /// Drops whole lines until the empty line that ends the rejected frame. Returns true once
    /// it has been found, false when the buffer ran out first.
    fn skip_rejected_frame(&mut self, buf: &mut Vec<u8>) -> bool {
        loop {
            let Some(newline) = buf.iter().position(|&b| b == b'\n') else {
                // A lone "\r" may be the start of the ending empty line: keep it.
                if !buf.is_empty() && buf.as_slice() != b"\r" {
                    self.skip_at_line_start = false;
                    buf.clear();
                }
                return false;
            };
            let empty = trim_cr(&buf[..newline]).is_empty();
            let ends_frame = empty && self.skip_at_line_start;
            buf.drain(..=newline);
            self.skip_at_line_start = true;
            if ends_frame {
                self.skipping = false;
                return true;
            }
        }
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits a complete frame (ending with its empty line) into fields.
fn parse_frame(frame: &[u8]) -> Decoded {
    let mut fields = Vec::new();
    for (index, raw) in frame.split(|&b| b == b'\n').enumerate() {
        let line = trim_cr(raw);
        if line.is_empty() {
            break;
        }
        let line_no = index + 1;
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Decoded::Malformed(FrameError::NoColon { line: line_no });
        };
        let key = String::from_utf8_lossy(&line[..colon]).trim().to_owned();
        if key.is_empty() {
            return Decoded::Malformed(FrameError::EmptyKey { line: line_no });
        }
        let value = &line[colon + 1..];
        let value = value.strip_prefix(b" ").unwrap_or(value);
        fields.push((key, String::from_utf8_lossy(value).into_owned()));
    }
    Decoded::Message(Message::from_fields(fields))
}
