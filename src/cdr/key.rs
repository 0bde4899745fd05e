//! The dedupe key that makes every CDR stored exactly once.
//!
//! Owns the identity rule; the store puts the key in a unique column and inserts with
//! `ON CONFLICT DO NOTHING`. Pure.
//!
//! ```text
//! natural key (record has a uniqueid):
//!   SHA-256("ringside-cdr-key/v1/natural" | server | uniqueid | channel | dstchannel | start)
//! whole-record key (no uniqueid: 16-column or 17u/20u-column files):
//!   SHA-256("ringside-cdr-key/v1/record" | server | 10 base texts | start | answer | end
//!           | duration | billsec | disposition | userfield | peeraccount | linkedid | sequence)
//! every part is length-prefixed (u64 LE) so no two field lists hash the same input;
//! times are UTC Unix seconds, absent values hash as a distinct 0xff marker.
//! ```
//!
//! **Why these fields.** The same CDR must give the same key whether it was read from Master.csv
//! or received as an AMI `Cdr` event. Both paths always carry server (ours), uniqueid, channel,
//! dstchannel and start; AMI carries `sequence` and `linkedid` only when mapped in
//! cdr_manager.conf, so they cannot be part of a key shared by both paths. `uniqueid` alone is not
//! unique: one channel yields several CDRs — parallel dial gives one per dialled party (different
//! `dstchannel`), and a channel entering a new bridge or a forked CDR starts a new record (later
//! `start`). `start` (UTC seconds) also separates uniqueids reused by originators across time,
//! and `server` separates PBXes. `sequence` would add nothing the tuple above does not already
//! separate, yet would break CSV/AMI matching, so it is stored but not keyed. Two CDRs of one
//! channel towards the same dstchannel starting in the same second would collapse; Asterisk
//! creates a new dstchannel name per dial, so this needs a re-bridge within one second.
//! Records without a uniqueid fall back to a hash of every field (re-importing the same file
//! still dedupes; such records never match AMI events, which always carry a uniqueid).

use sha2::{Digest, Sha256};

use crate::cdr::record::CdrRecord;
use crate::cdr::text::CdrText;

/// Which rule produced a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// server, uniqueid, channel, dstchannel, start.
    Natural,
    /// Hash of the whole record (no uniqueid available).
    WholeRecord,
}

/// A record's identity: 32 bytes plus the rule that made them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DedupeKey {
    /// The rule used.
    pub kind: KeyKind,
    /// SHA-256 digest.
    pub digest: [u8; 32],
}

impl DedupeKey {
    /// Lower-case hex of the digest (64 characters), e.g. for a `TEXT UNIQUE` column.
    pub fn to_hex(&self) -> String {
        hex(&self.digest)
    }
}

/// Lower-case hex of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [char::from(HEX[usize::from(b >> 4)]), char::from(HEX[usize::from(b & 15)])])
        .collect()
}

struct KeyHasher(Sha256);

impl KeyHasher {
    fn new(domain: &str) -> Self {
        let mut h = Self(Sha256::new());
        h.bytes(domain.as_bytes());
        h
    }

    fn bytes(&mut self, b: &[u8]) {
        self.0.update((b.len() as u64).to_le_bytes());
        self.0.update(b);
    }

    fn text(&mut self, t: &CdrText) {
        self.bytes(t.as_escaped().as_bytes());
    }

    fn opt_text(&mut self, t: Option<&CdrText>) {
        match t {
            Some(t) => self.text(t),
            None => self.0.update([0xff]),
        }
    }

    fn int(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.bytes(&v.to_le_bytes()),
            None => self.0.update([0xff]),
        }
    }

    fn finish(self, kind: KeyKind) -> DedupeKey {
        DedupeKey { kind, digest: self.0.finalize().into() }
    }
}

/// The dedupe key of `record` received from the source named `server`.
pub fn dedupe_key(server: &str, record: &CdrRecord) -> DedupeKey {
    match &record.uniqueid {
        Some(uniqueid) if !uniqueid.is_empty() => {
            let mut h = KeyHasher::new("ringside-cdr-key/v1/natural");
            h.bytes(server.as_bytes());
            h.text(uniqueid);
            h.text(&record.channel);
            h.text(&record.dstchannel);
            h.int(Some(record.start.as_second()));
            h.finish(KeyKind::Natural)
        }
        _ => whole_record_key(server, record),
    }
}

fn whole_record_key(server: &str, record: &CdrRecord) -> DedupeKey {
    let mut h = KeyHasher::new("ringside-cdr-key/v1/record");
    h.bytes(server.as_bytes());
    for (_, text) in record.base_text_fields() {
        h.text(text);
    }
    h.int(Some(record.start.as_second()));
    h.int(record.answer.map(|t| t.as_second()));
    h.int(record.end.map(|t| t.as_second()));
    h.int(Some(record.duration));
    h.int(Some(record.billsec));
    h.bytes(record.disposition.as_str().as_bytes());
    h.opt_text(record.userfield.as_ref());
    h.opt_text(record.peeraccount.as_ref());
    h.opt_text(record.linkedid.as_ref());
    h.int(record.sequence);
    h.finish(KeyKind::WholeRecord)
}
