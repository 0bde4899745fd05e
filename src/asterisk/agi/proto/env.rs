//! The environment block: an incremental parser and the parsed [`AgiEnv`].
//!
//! Values are kept as the raw bytes Asterisk sent (caller names may hold NUL or non-UTF-8); text views
//! are lossy and made on demand, so nothing the peer sent is lost before domain code decides.

use std::borrow::Cow;

use super::{ProtoError, find_newline, trim_cr};

/// Bounds on what a peer may send before the session starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvLimits {
    /// Whole block, blank line included.
    pub max_env_bytes: usize,
    /// One line, terminator excluded.
    pub max_line_bytes: usize,
    /// Number of `agi_*` lines (Asterisk sends about 22 plus up to 127 arguments).
    pub max_lines: usize,
}

impl Default for EnvLimits {
    fn default() -> Self {
        Self { max_env_bytes: 64 * 1024, max_line_bytes: 8 * 1024, max_lines: 512 }
    }
}

/// A byte range inside [`AgiEnv`]'s copy of the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(start: usize, end: usize) -> Self {
        // The parser refuses blocks over `max_env_bytes` long before 4 GiB.
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Self { start: clamp(start), end: clamp(end) }
    }
}

/// The parsed environment block: one copy of the bytes plus an index of keys and values, so a
/// session costs two allocations however many lines Asterisk sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgiEnv {
    block: Box<[u8]>,
    /// (key without `agi_`, value) in arrival order.
    vars: Vec<(Span, Span)>,
    /// `agi_arg_N` values sorted by N.
    args: Vec<(u32, Span)>,
}

impl AgiEnv {
    fn bytes(&self, span: Span) -> &[u8] {
        self.block.get(span.start as usize..span.end as usize).unwrap_or_default()
    }

    /// Raw value of `agi_<key>` (pass `key` without the prefix, e.g. `"callerid"`). First occurrence wins.
    pub fn raw(&self, key: &str) -> Option<&[u8]> {
        self.vars.iter().find(|(k, _)| self.bytes(*k) == key.as_bytes()).map(|(_, v)| self.bytes(*v))
    }

    /// Lossy UTF-8 view of `agi_<key>`.
    pub fn text(&self, key: &str) -> Option<Cow<'_, str>> {
        self.raw(key).map(String::from_utf8_lossy)
    }

    /// `agi_arg_<n>` (n from 1), raw.
    pub fn arg(&self, n: u32) -> Option<&[u8]> {
        self.args.iter().find(|(i, _)| *i == n).map(|(_, v)| self.bytes(*v))
    }

    /// All `agi_arg_N` values in N order.
    pub fn args(&self) -> impl Iterator<Item = &[u8]> {
        self.args.iter().map(|(_, v)| self.bytes(*v))
    }

    /// Every `agi_*` key (without prefix, ASCII by construction) with its raw value, in arrival order.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.vars
            .iter()
            .map(|(k, v)| (std::str::from_utf8(self.bytes(*k)).unwrap_or_default(), self.bytes(*v)))
    }

    /// The script Asterisk asked for (`agi_network_script`), if it sent one.
    pub fn script(&self) -> Option<ScriptRequest> {
        self.raw("network_script").map(ScriptRequest::parse)
    }
}

/// `agi_network_script` split into its path and decoded query pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptRequest {
    /// Path without leading/trailing `/`, percent-decoded (lossy UTF-8), e.g. `moh`.
    pub path: String,
    /// `k=v` pairs in order, percent-decoded, `+` as space. A key without `=` has an empty value.
    pub query: Vec<(String, String)>,
}

impl ScriptRequest {
    /// Parses `moh?queue=sales`-style text. Never fails: odd bytes are decoded lossily.
    pub fn parse(raw: &[u8]) -> Self {
        let (path, query) = match raw.iter().position(|&b| b == b'?') {
            Some(i) => (&raw[..i], &raw[i + 1..]),
            None => (raw, &[][..]),
        };
        let path = percent_decode(path, false);
        let query = query
            .split(|&b| b == b'&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.iter().position(|&b| b == b'=') {
                Some(i) => (percent_decode(&pair[..i], true), percent_decode(&pair[i + 1..], true)),
                None => (percent_decode(pair, true), String::new()),
            })
            .collect();
        Self { path: path.trim_matches('/').to_owned(), query }
    }

    /// First value for `key` in the query string.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn percent_decode(input: &[u8], plus_is_space: bool) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let hex = input
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok().and_then(|h| u8::from_str_radix(h, 16).ok()));
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Result of feeding bytes to an [`EnvParser`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvProgress {
    /// The blank line has not arrived yet: read more.
    Incomplete,
    /// The block ended; `consumed` bytes of the buffer belong to it, anything after is the next message.
    Complete { env: AgiEnv, consumed: usize },
}

/// Incremental parser. Each byte is looked at once, so a peer trickling a byte at a time costs O(n).
///
/// Contract: every call passes the same buffer, grown only at its end.
#[derive(Debug, Clone)]
pub struct EnvParser {
    limits: EnvLimits,
    line_start: usize,
    scanned: usize,
    env: AgiEnv,
}

impl EnvParser {
    pub fn new(limits: EnvLimits) -> Self {
        Self { limits, line_start: 0, scanned: 0, env: AgiEnv::default() }
    }

    /// Consumes complete lines of `buf`; errors as soon as a limit is crossed.
    pub fn advance(&mut self, buf: &[u8]) -> Result<EnvProgress, ProtoError> {
        while let Some(newline) = find_newline(buf, self.scanned) {
            let start = self.line_start;
            let line = trim_cr(&buf[start..newline]);
            self.check_line_len(line.len())?;
            let consumed = newline + 1;
            if consumed > self.limits.max_env_bytes {
                return Err(ProtoError::EnvTooLarge { limit: self.limits.max_env_bytes });
            }
            self.line_start = consumed;
            self.scanned = consumed;
            if line.is_empty() {
                let mut env = std::mem::take(&mut self.env);
                env.block = buf[..consumed].into();
                return Ok(EnvProgress::Complete { env, consumed });
            }
            self.push_line(buf, start, line.len())?;
        }
        self.scanned = buf.len();
        self.check_line_len(buf.len() - self.line_start)?;
        if buf.len() > self.limits.max_env_bytes {
            return Err(ProtoError::EnvTooLarge { limit: self.limits.max_env_bytes });
        }
        Ok(EnvProgress::Incomplete)
    }

    fn check_line_len(&self, len: usize) -> Result<(), ProtoError> {
        if len > self.limits.max_line_bytes {
            return Err(ProtoError::LineTooLong { limit: self.limits.max_line_bytes });
        }
        Ok(())
    }

    /// Indexes the line `buf[start..start + len]` (terminator excluded).
    fn push_line(&mut self, buf: &[u8], start: usize, len: usize) -> Result<(), ProtoError> {
        let line_no = self.env.vars.len() + 1;
        if line_no > self.limits.max_lines {
            return Err(ProtoError::TooManyEnvLines { limit: self.limits.max_lines });
        }
        let line = &buf[start..start + len];
        let (key, value) = split_env_line(line).ok_or(ProtoError::MalformedEnvLine { line: line_no })?;
        let key_span = Span::of(start + 4, start + 4 + key.len());
        let value_span = Span::of(start + len - value.len(), start + len);
        if let Some(n) = key.strip_prefix("arg_").and_then(|n| n.parse::<u32>().ok()) {
            let at = self.env.args.partition_point(|(i, _)| *i <= n);
            self.env.args.insert(at, (n, value_span));
        }
        self.env.vars.push((key_span, value_span));
        Ok(())
    }
}

/// `agi_<key>: <value>` → (`key`, value). Keys are `[a-z0-9_]+`; the space after `:` is optional.
fn split_env_line(line: &[u8]) -> Option<(&str, &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    let key = line[..colon].strip_prefix(b"agi_")?;
    let valid =
        !key.is_empty() && key.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_');
    if !valid {
        return None;
    }
    let value = &line[colon + 1..];
    let value = value.strip_prefix(b" ").unwrap_or(value);
    // Checked ASCII above, so this cannot fail; `ok()?` keeps the function total anyway.
    Some((std::str::from_utf8(key).ok()?, value))
}
