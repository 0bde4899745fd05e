//! Call detail records in the database: batched exactly-once inserts, rejects, follower
//! positions, searches, call grouping, chart aggregates and retention.
//!
//! Owns the `cdr`, `cdr_rejects` and `cdr_positions` tables (migration `…40_cdr.sql`). The SQL is
//! written once in [`impl_cdr_store!`] for both backends; searches are rendered by
//! [`crate::cdr::search::sql::render`] with bind parameters only. This module decides nothing
//! about what to collect: the collector hands it parsed records and the position they end at,
//! and [`CdrStore::commit_cdr_batch`] writes all of it in **one** transaction.
//!
//! ```text
//! commit_cdr_batch: BEGIN
//!   INSERT INTO cdr (…) VALUES (…),(…)… ON CONFLICT (dedupe_key) DO NOTHING   -- chunks of 400
//!   INSERT INTO cdr_rejects …                                                  -- each reject
//!   INSERT INTO cdr_positions … ON CONFLICT (server, path) DO UPDATE           -- the new position
//! COMMIT          inserted = Σ rows_affected, duplicates = records − inserted
//! ```

use async_trait::async_trait;
use serde::Serialize;

use crate::cdr::position::{FilePosition, Fingerprint};
use crate::cdr::record::CdrRecord;
use crate::cdr::reject::Reject;
use crate::cdr::search::CdrSearch;
use crate::store::StoreError;

/// Records per multi-row INSERT (28 columns: well under both databases' parameter limits).
pub const INSERT_CHUNK: usize = 400;

/// Columns written for each record, in bind order.
pub const INSERT_COLUMNS: &str = "dedupe_key, server, start_time, answer_time, end_time, duration, \
     billsec, disposition, accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, \
     lastdata, amaflags, uniqueid, userfield, peeraccount, linkedid, sequence, extras, origin, \
     received_at";
const INSERT_COLUMN_COUNT: usize = 26;

/// Columns read back for a row.
pub const SELECT_COLUMNS: &str = "id, server, start_time, answer_time, end_time, duration, billsec, \
     disposition, accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, \
     amaflags, uniqueid, userfield, peeraccount, linkedid, sequence, extras, origin";

/// One batch to commit atomically.
#[derive(Debug)]
pub struct CdrBatch<'a> {
    /// The `[[asterisk]]` name the records came from.
    pub server: &'a str,
    /// `path` of the file, or `ami`.
    pub source: &'a str,
    /// Parsed records.
    pub records: &'a [CdrRecord],
    /// Inputs that could not be parsed.
    pub rejects: &'a [Reject],
    /// The file position after the last item, committed with them (`None` for AMI).
    pub position: Option<FilePosition>,
    /// Now, Unix ms.
    pub now_ms: i64,
}

/// What a commit did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InsertCounts {
    /// New rows.
    pub inserted: u64,
    /// Records already stored (same dedupe key).
    pub duplicates: u64,
    /// Rejects stored.
    pub rejected: u64,
}

impl std::ops::AddAssign for InsertCounts {
    fn add_assign(&mut self, o: Self) {
        self.inserted += o.inserted;
        self.duplicates += o.duplicates;
        self.rejected += o.rejected;
    }
}

/// A stored CDR as read back (text in escaped form).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CdrRow {
    pub id: i64,
    pub server: String,
    pub start_time: i64,
    pub answer_time: Option<i64>,
    pub end_time: Option<i64>,
    pub duration: i64,
    pub billsec: i64,
    pub disposition: String,
    pub accountcode: String,
    pub src: String,
    pub dst: String,
    pub dcontext: String,
    pub clid: String,
    pub channel: String,
    pub dstchannel: String,
    pub lastapp: String,
    pub lastdata: String,
    pub amaflags: String,
    pub uniqueid: Option<String>,
    pub userfield: Option<String>,
    pub peeraccount: Option<String>,
    pub linkedid: Option<String>,
    pub sequence: Option<i64>,
    pub extras: String,
    pub origin: String,
}

/// A stored reject.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CdrRejectRow {
    pub id: i64,
    pub server: String,
    pub source: String,
    pub raw: String,
    pub reason: String,
    pub file_offset: Option<i64>,
    pub at: i64,
}

/// Chart bucket size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Hour,
    Day,
}

impl Bucket {
    /// Length in ms.
    pub fn millis(self) -> i64 {
        match self {
            Bucket::Hour => 3_600_000,
            Bucket::Day => 86_400_000,
        }
    }
}

/// One aggregate cell: bucket start (local ms, shifted by the offset), disposition, counts.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StatCell {
    pub bucket: i64,
    pub disposition: String,
    pub calls: i64,
    pub total_duration: i64,
}

/// A number with its call count.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TopNumber {
    pub number: String,
    pub calls: i64,
}

/// Everything the charts need for one search.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CdrStats {
    /// Per time bucket and disposition.
    pub buckets: Vec<StatCell>,
    /// Per local hour of day (bucket = 0..23) and disposition.
    pub hours: Vec<StatCell>,
    pub top_sources: Vec<TopNumber>,
    pub top_destinations: Vec<TopNumber>,
}

/// The CDR tables.
#[async_trait]
pub trait CdrStore: Send + Sync {
    /// Inserts records (duplicates ignored), rejects and the new position in one transaction.
    async fn commit_cdr_batch(&self, batch: CdrBatch<'_>) -> Result<InsertCounts, StoreError>;
    /// The committed position of `path` for `server`.
    async fn cdr_position(&self, server: &str, path: &str) -> Result<Option<FilePosition>, StoreError>;
    /// One page of a search (`search.limit + 1` rows at most).
    async fn search_cdrs(&self, search: &CdrSearch) -> Result<Vec<CdrRow>, StoreError>;
    /// One CDR by id.
    async fn cdr_by_id(&self, id: i64) -> Result<Option<CdrRow>, StoreError>;
    /// Every CDR of one call, oldest first (at most 1000).
    async fn cdrs_by_linkedid(&self, linkedid: &str) -> Result<Vec<CdrRow>, StoreError>;
    /// Chart aggregates for a search's filters; `offset_ms` shifts UTC to the viewer's zone.
    async fn cdr_stats(
        &self,
        search: &CdrSearch,
        bucket: Bucket,
        offset_ms: i64,
    ) -> Result<CdrStats, StoreError>;
    /// Newest rejects first.
    async fn list_cdr_rejects(&self, limit: i64) -> Result<Vec<CdrRejectRow>, StoreError>;
    /// Total rows and rejects.
    async fn cdr_counts(&self) -> Result<(i64, i64), StoreError>;
    /// Deletes CDRs that started before `before_ms`; returns how many.
    async fn purge_cdrs(&self, before_ms: i64) -> Result<u64, StoreError>;
}

/// The row values of a record, in [`INSERT_COLUMNS`] order (texts escaped).
pub struct InsertValues {
    pub key: String,
    pub start: i64,
    pub answer: Option<i64>,
    pub end: Option<i64>,
    pub texts: [String; 11],
    pub opt_texts: [Option<String>; 4],
    pub extras: String,
    pub origin: String,
}

impl InsertValues {
    /// Values for `record` from `server`.
    pub fn of(server: &str, record: &CdrRecord) -> Self {
        let t = |x: &crate::cdr::CdrText| x.as_escaped().to_owned();
        let o = |x: &Option<crate::cdr::CdrText>| x.as_ref().map(|v| v.as_escaped().to_owned());
        let extras = record
            .extras
            .iter()
            .map(|(k, v)| format!("{}={}", k.as_escaped(), v.as_escaped()))
            .collect::<Vec<_>>()
            .join("\n");
        let origin = match record.origin {
            crate::cdr::CdrOrigin::Csv(shape) => format!("csv:{shape}"),
            crate::cdr::CdrOrigin::Ami => "ami".to_owned(),
        };
        Self {
            key: crate::cdr::dedupe_key(server, record).to_hex(),
            start: record.start.as_millisecond(),
            answer: record.answer.map(|t| t.as_millisecond()),
            end: record.end.map(|t| t.as_millisecond()),
            texts: [
                record.disposition.as_str().to_owned(),
                t(&record.accountcode),
                t(&record.src),
                t(&record.dst),
                t(&record.dcontext),
                t(&record.clid),
                t(&record.channel),
                t(&record.dstchannel),
                t(&record.lastapp),
                t(&record.lastdata),
                t(&record.amaflags),
            ],
            opt_texts: [
                o(&record.uniqueid),
                o(&record.userfield),
                o(&record.peeraccount),
                o(&record.linkedid),
            ],
            extras,
            origin,
        }
    }
}

/// `INSERT … VALUES ($1,…),(…) ON CONFLICT (dedupe_key) DO NOTHING` for `rows` records.
pub fn insert_sql(rows: usize) -> String {
    let mut sql = format!("INSERT INTO cdr ({INSERT_COLUMNS}) VALUES ");
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for c in 0..INSERT_COLUMN_COUNT {
            if c > 0 {
                sql.push(',');
            }
            sql.push('$');
            sql.push_str(&(r * INSERT_COLUMN_COUNT + c + 1).to_string());
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT (dedupe_key) DO NOTHING");
    sql
}

/// A position from its stored columns.
pub fn position_from_row(
    dev: i64,
    inode: i64,
    offset: i64,
    fp_len: i64,
    fp_hex: &str,
) -> Option<FilePosition> {
    let mut sha256 = [0u8; 32];
    if fp_hex.len() != 64 {
        return None;
    }
    for (i, byte) in sha256.iter_mut().enumerate() {
        *byte = u8::from_str_radix(fp_hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(FilePosition {
        dev: dev as u64,
        inode: inode as u64,
        offset: u64::try_from(offset).ok()?,
        fingerprint: Fingerprint { len: u64::try_from(fp_len).ok()?, sha256 },
    })
}
