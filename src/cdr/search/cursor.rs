//! Opaque, tamper-checked keyset cursors.
//!
//! Owns the cursor token format. A cursor carries the sort order, a fingerprint of the filters it
//! was issued for, and the last row's sort value and id, authenticated with HMAC-SHA-256 under a
//! server secret. A token that was edited, issued for other filters or another sort is refused
//! (400); it can never inject SQL because its value is decoded into a typed [`SortValue`] that is
//! bound as a parameter.
//!
//! ```text
//! token = hex( payload || HMAC-SHA-256(secret, payload)[..16] )
//! payload = 0x01 version | sort code u8 | descending u8 | filter fingerprint [8] | id i64 LE
//!         | tag u8 (1 time: secs i64 LE + nanos i32 LE · 2 int: i64 LE · 3 text: UTF-8 bytes)
//! ```

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::{After, CdrSearch, SearchError, SortColumn};
use crate::cdr::key::hex;

const VERSION: u8 = 1;
const MAC_LEN: usize = 16;
const MAX_TOKEN_LEN: usize = 2 * 1200;

/// The sort-column value of a row, as stored in a cursor and bound in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    /// For [`SortColumn::Start`].
    Time(Timestamp),
    /// For durations.
    Int(i64),
    /// For src/dst (escaped text as stored).
    Text(String),
}

/// Issues and verifies cursors under one secret.
#[derive(Clone)]
pub struct CursorCodec {
    secret: Vec<u8>,
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec { secret: <redacted> }")
    }
}

fn bad(message: &str) -> SearchError {
    SearchError::new("cursor", message)
}

fn value_fits(column: SortColumn, value: &SortValue) -> bool {
    matches!(
        (column, value),
        (SortColumn::Start, SortValue::Time(_))
            | (SortColumn::Duration | SortColumn::Billsec, SortValue::Int(_))
            | (SortColumn::Src | SortColumn::Dst, SortValue::Text(_))
    )
}

impl CursorCodec {
    /// A codec keyed by a server secret (at least 16 random bytes, kept across restarts).
    pub fn new(secret: &[u8]) -> Self {
        Self { secret: secret.to_vec() }
    }

    fn mac(&self, payload: &[u8]) -> [u8; MAC_LEN] {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(payload);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; MAC_LEN];
        out.copy_from_slice(&full[..MAC_LEN]);
        out
    }

    /// The `next` cursor for a page of `search` whose last row had `value` and `id`.
    pub fn encode(&self, search: &CdrSearch, value: &SortValue, id: i64) -> String {
        let mut p = vec![VERSION, search.sort.column.code(), u8::from(search.sort.descending)];
        p.extend_from_slice(&filter_fingerprint(search));
        p.extend_from_slice(&id.to_le_bytes());
        match value {
            SortValue::Time(t) => {
                p.push(1);
                p.extend_from_slice(&t.as_second().to_le_bytes());
                p.extend_from_slice(&t.subsec_nanosecond().to_le_bytes());
            }
            SortValue::Int(v) => {
                p.push(2);
                p.extend_from_slice(&v.to_le_bytes());
            }
            SortValue::Text(s) => {
                p.push(3);
                p.extend_from_slice(s.as_bytes());
            }
        }
        let mac = self.mac(&p);
        p.extend_from_slice(&mac);
        hex(&p)
    }

    /// Verifies `token` for `search` (whose `after` is ignored) and returns the keyset position.
    pub fn decode(&self, token: &str, search: &CdrSearch) -> Result<After, SearchError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(bad("is too long"));
        }
        let bytes = unhex(token).ok_or_else(|| bad("is not a cursor issued by this server"))?;
        let split =
            bytes.len().checked_sub(MAC_LEN).filter(|&n| n >= 20).ok_or_else(|| bad("is truncated"))?;
        let (payload, mac) = bytes.split_at(split);
        if self.mac(payload) != mac {
            return Err(bad("is not a cursor issued by this server"));
        }
        if payload[0] != VERSION {
            return Err(bad("is from an older version; start the search again"));
        }
        if payload[1] != search.sort.column.code() || payload[2] != u8::from(search.sort.descending) {
            return Err(bad("belongs to a different sort order"));
        }
        if payload[3..11] != filter_fingerprint(search) {
            return Err(bad("belongs to different search filters"));
        }
        let id = i64::from_le_bytes(fixed(&payload[11..19]));
        let value =
            decode_value(payload[19], &payload[20..]).ok_or_else(|| bad("has an unreadable value"))?;
        if !value_fits(search.sort.column, &value) {
            return Err(bad("value does not fit the sort column"));
        }
        Ok(After { value, id })
    }
}

fn fixed<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&b[..N]);
    out
}

fn decode_value(tag: u8, rest: &[u8]) -> Option<SortValue> {
    match (tag, rest.len()) {
        (1, 12) => {
            let secs = i64::from_le_bytes(fixed(&rest[..8]));
            let nanos = i32::from_le_bytes(fixed(&rest[8..]));
            Timestamp::new(secs, nanos).ok().map(SortValue::Time)
        }
        (2, 8) => Some(SortValue::Int(i64::from_le_bytes(fixed(rest)))),
        (3, _) => String::from_utf8(rest.to_vec()).ok().map(SortValue::Text),
        _ => None,
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.as_bytes().chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

/// 8 bytes identifying the filters and sort of a search (not its cursor or limit).
fn filter_fingerprint(search: &CdrSearch) -> [u8; 8] {
    let canonical = CdrSearch { after: None, limit: 0, ..search.clone() };
    let digest = Sha256::digest(format!("{canonical:?}").as_bytes());
    fixed(&digest[..8])
}

/// Name of the cursor secret's file in the data folder.
pub const SECRET_FILE: &str = "cdr-cursor.key";

/// The cursor secret kept in `path` (64 hex digits), created on first use, so cursors stay valid
/// across restarts. Created atomically with mode 0600: a dot-prefixed temp file, fsync, rename,
/// fsync of the folder. A file that does not hold 64 hex digits is replaced (with a warning).
pub fn load_or_create_secret(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(text) if is_secret(text.trim()) => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => tracing::warn!(file = %path.display(), "cursor secret file is malformed; writing a new one"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    let secret = hex(&bytes);
    write_private(path, secret.as_bytes())?;
    Ok(secret.into_bytes())
}

fn is_secret(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp"));
    let _ = std::fs::remove_file(&temp);
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}
