//! Reply parsing: an incremental parser over the session's buffer producing one [`Reply`] at a time.

use super::{ProtoError, find_newline, trim_cr};

/// One reply from Asterisk (or the `HANGUP` notice that can stand in its place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `200 result=N [(data)] [endpos=N]`. `data` keeps the raw bytes between the parentheses.
    Success { result: i64, data: Option<Vec<u8>>, endpos: Option<u64> },
    /// `510`: Asterisk does not know the command.
    InvalidCommand,
    /// `511`: the channel is dead; no further command will work.
    DeadChannel,
    /// `520`: wrong syntax; `usage` holds the help lines of the multi-line form (empty for one line).
    Usage { usage: String },
    /// `HANGUP`: the caller hung up.
    Hangup,
}

/// Incremental reply parser. Contract as for `EnvParser`: the same buffer, grown only at its end;
/// after a reply is returned the caller drops `consumed` bytes and calls [`ReplyParser::reset`].
#[derive(Debug, Clone)]
pub struct ReplyParser {
    max_reply_bytes: usize,
    max_line_bytes: usize,
    scanned: usize,
    line_start: usize,
    /// Inside a `520-` block: where its usage text starts.
    usage_start: Option<usize>,
}

impl ReplyParser {
    pub fn new(max_reply_bytes: usize, max_line_bytes: usize) -> Self {
        Self { max_reply_bytes, max_line_bytes, scanned: 0, line_start: 0, usage_start: None }
    }

    /// Forget progress: call after removing a returned reply's bytes from the buffer.
    pub fn reset(&mut self) {
        self.scanned = 0;
        self.line_start = 0;
        self.usage_start = None;
    }

    /// Returns the next complete reply and the bytes it used, or `None` when more bytes are needed.
    pub fn advance(&mut self, buf: &[u8]) -> Result<Option<(Reply, usize)>, ProtoError> {
        while let Some(newline) = find_newline(buf, self.scanned) {
            let line = trim_cr(&buf[self.line_start..newline]);
            self.check_sizes(line.len(), newline + 1)?;
            let consumed = newline + 1;
            let start = self.line_start;
            self.line_start = consumed;
            self.scanned = consumed;
            if let Some(usage_start) = self.usage_start {
                if line.starts_with(b"520 ") || line == b"520" {
                    let usage = String::from_utf8_lossy(trim_cr(trim_lf(&buf[usage_start..start])));
                    let usage = usage.into_owned();
                    return Ok(Some((Reply::Usage { usage }, consumed)));
                }
                continue;
            }
            if line.starts_with(b"520-") {
                self.usage_start = Some(consumed);
                continue;
            }
            return parse_line(line).map(|reply| Some((reply, consumed)));
        }
        self.scanned = buf.len();
        self.check_sizes(buf.len() - self.line_start, buf.len())?;
        Ok(None)
    }

    fn check_sizes(&self, line_len: usize, total: usize) -> Result<(), ProtoError> {
        if line_len > self.max_line_bytes {
            return Err(ProtoError::LineTooLong { limit: self.max_line_bytes });
        }
        if total > self.max_reply_bytes {
            return Err(ProtoError::ReplyTooLarge { limit: self.max_reply_bytes });
        }
        Ok(())
    }
}

fn trim_lf(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\n").unwrap_or(bytes)
}

/// Parses a single-line reply.
fn parse_line(line: &[u8]) -> Result<Reply, ProtoError> {
    if line == b"HANGUP" {
        return Ok(Reply::Hangup);
    }
    let code = line.get(..3).ok_or(ProtoError::MalformedReply)?;
    let rest = &line[3..];
    if !(rest.is_empty() || rest[0] == b' ') {
        return Err(ProtoError::MalformedReply);
    }
    match code {
        b"200" => parse_success(rest.trim_ascii_start()),
        b"510" => Ok(Reply::InvalidCommand),
        b"511" => Ok(Reply::DeadChannel),
        b"520" => Ok(Reply::Usage { usage: String::new() }),
        _ => Err(ProtoError::MalformedReply),
    }
}

/// `result=N [(data)] [endpos=N]`; data may itself contain parentheses and spaces.
fn parse_success(rest: &[u8]) -> Result<Reply, ProtoError> {
    let rest = rest.strip_prefix(b"result=").ok_or(ProtoError::MalformedReply)?;
    let digits_end = rest
        .iter()
        .enumerate()
        .position(|(i, b)| !(b.is_ascii_digit() || (i == 0 && *b == b'-')))
        .unwrap_or(rest.len());
    let result = parse_int::<i64>(&rest[..digits_end])?;
    let mut tail = rest[digits_end..].trim_ascii();
    let mut endpos = None;
    if let Some(at) = find_subslice(tail, b"endpos=") {
        let before_ok = at == 0 || tail[at - 1] == b' ';
        let after = &tail[at + b"endpos=".len()..];
        if before_ok && !after.is_empty() && after.iter().all(u8::is_ascii_digit) {
            endpos = Some(parse_int::<u64>(after)?);
            tail = tail[..at].trim_ascii_end();
        }
    }
    let data = match tail {
        [] => None,
        [b'(', inner @ .., b')'] => Some(inner.to_vec()),
        _ => return Err(ProtoError::MalformedReply),
    };
    Ok(Reply::Success { result, data, endpos })
}

fn parse_int<T: std::str::FromStr>(digits: &[u8]) -> Result<T, ProtoError> {
    std::str::from_utf8(digits).ok().and_then(|s| s.parse().ok()).ok_or(ProtoError::MalformedReply)
}

fn find_subslice(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
