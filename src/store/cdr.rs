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
//!   rows: backend fast path (store/cdr_fast.rs) — SQLite: cached multi-row INSERT … ON CONFLICT
//!         (dedupe_key) DO NOTHING; PostgreSQL: COPY into a temp table, INSERT … SELECT … ON CONFLICT
//!   INSERT INTO cdr_rejects …                                                  -- each reject
//!   INSERT INTO cdr_positions … ON CONFLICT (server, path) DO UPDATE           -- the new position
//! COMMIT          inserted = Σ rows_affected, duplicates = records − inserted
//! ```

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::cdr::position::{FilePosition, Fingerprint};
use crate::cdr::record::CdrRecord;
use crate::cdr::reject::Reject;
use crate::cdr::search::CdrSearch;
use crate::store::StoreError;

/// Columns written for each record, in bind order.
pub const INSERT_COLUMNS: &str = "dedupe_key, server, start_time, answer_time, end_time, duration, \
     billsec, disposition, accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, \
     lastdata, amaflags, uniqueid, userfield, peeraccount, linkedid, sequence, extras, origin, \
     received_at";
pub const INSERT_COLUMN_COUNT: usize = 26;

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

/// One batch owned by a [`CdrBatchSource`].
#[derive(Debug)]
pub struct OwnedCdrBatch {
    pub records: Vec<CdrRecord>,
    pub rejects: Vec<Reject>,
    /// The file position after the last item.
    pub position: Option<FilePosition>,
}

/// Batches pulled by [`CdrStore::commit_cdr_stream`].
#[async_trait]
pub trait CdrBatchSource: Send {
    /// The `[[asterisk]]` name the records came from.
    fn server(&self) -> &str;
    /// `path` (position key) of the source.
    fn source(&self) -> &str;
    /// The next batch; `None` at the end (a source that failed keeps its error for its caller).
    async fn next_batch(&mut self) -> Option<OwnedCdrBatch>;
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

/// A stored CDR as read back (text in escaped form). Fields are in [`SELECT_COLUMNS`] order,
/// which is also the order of the JSON arrays [`CdrStore::export_cdr_page`] decodes.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
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
    /// Writes every batch `source` yields, committing each time `rows_per_commit` rows (records +
    /// rejects) are written and at the end; each commit includes the position of its last batch.
    /// Few large transactions keep a big import from rewriting the same index pages per commit,
    /// while only one batch at a time is held in memory.
    async fn commit_cdr_stream(
        &self,
        source: &mut dyn CdrBatchSource,
        rows_per_commit: usize,
    ) -> Result<InsertCounts, StoreError>;
    /// The committed position of `path` for `server`.
    async fn cdr_position(&self, server: &str, path: &str) -> Result<Option<FilePosition>, StoreError>;
    /// One page of a search (`search.limit + 1` rows at most).
    async fn search_cdrs(&self, search: &CdrSearch) -> Result<Vec<CdrRow>, StoreError>;
    /// The same page as [`CdrStore::search_cdrs`], fetched as ONE JSON document built by the
    /// database (for exports). sqlx's SQLite driver hands every row from its worker thread to
    /// the caller separately; at millions of rows those wake-ups, not SQLite, were the cost.
    async fn export_cdr_page(&self, search: &CdrSearch) -> Result<Vec<CdrRow>, StoreError>;
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

/// One value of a row to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

impl<'a> From<Option<&'a crate::cdr::CdrText>> for Cell<'a> {
    fn from(t: Option<&'a crate::cdr::CdrText>) -> Self {
        t.map_or(Cell::Null, |t| Cell::Text(t.as_escaped()))
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Cell::Null, Cell::Int)
    }
}

/// The values of one record that are not borrowed from it (computed once per row).
pub struct RowExtras {
    /// [`stored_key`] of the record.
    pub key: String,
    /// `name=value` lines of the AMI extras.
    pub extras: String,
    /// `csv:<shape>` or `ami`.
    pub origin: String,
}

impl RowExtras {
    /// Computes the owned values of `record` from `server`.
    pub fn of(server: &str, record: &CdrRecord) -> Self {
        let mut extras = String::new();
        for (i, (k, v)) in record.extras.iter().enumerate() {
            if i > 0 {
                extras.push('\n');
            }
            extras.push_str(k.as_escaped());
            extras.push('=');
            extras.push_str(v.as_escaped());
        }
        let origin = match record.origin {
            crate::cdr::CdrOrigin::Csv(shape) => format!("csv:{shape}"),
            crate::cdr::CdrOrigin::Ami => "ami".to_owned(),
        };
        let key = stored_key(&crate::cdr::dedupe_key(server, record), record.start.as_second());
        Self { key, extras, origin }
    }

    /// The row's values in [`INSERT_COLUMNS`] order.
    pub fn cells<'a>(
        &'a self,
        server: &'a str,
        record: &'a CdrRecord,
        now_ms: i64,
    ) -> [Cell<'a>; INSERT_COLUMN_COUNT] {
        let t = |x: &'a crate::cdr::CdrText| Cell::Text(x.as_escaped());
        [
            Cell::Text(&self.key),
            Cell::Text(server),
            Cell::Int(record.start.as_millisecond()),
            record.answer.map(|t| t.as_millisecond()).into(),
            record.end.map(|t| t.as_millisecond()).into(),
            Cell::Int(record.duration),
            Cell::Int(record.billsec),
            Cell::Text(record.disposition.as_str()),
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
            record.uniqueid.as_ref().into(),
            record.userfield.as_ref().into(),
            record.peeraccount.as_ref().into(),
            record.linkedid.as_ref().into(),
            record.sequence.into(),
            Cell::Text(&self.extras),
            Cell::Text(&self.origin),
            Cell::Int(now_ms),
        ]
    }
}

/// The `dedupe_key` column value: the record's start second (10 hex digits) followed by the first
/// 24 bytes of the key digest (48 hex digits).
///
/// The digest alone is the identity (it already covers the start); the time prefix only makes new
/// keys land at the right edge of the unique index, the way `start_time` does, instead of on a
/// random leaf page each. Random keys made every insert of a large import a cache miss.
pub fn stored_key(key: &crate::cdr::DedupeKey, start_second: i64) -> String {
    let prefix = u64::try_from(start_second).unwrap_or(0).min(0xff_ffff_ffff);
    let mut out = format!("{prefix:010x}");
    out.push_str(&crate::cdr::key::hex(&key.digest[..24]));
    out
}

/// `INSERT … VALUES (?,…),(…) ON CONFLICT (dedupe_key) DO NOTHING` for `rows` records.
///
/// Anonymous `?` placeholders: SQLite looks named ones (`$N`) up by a linear scan per bind, which
/// made a 400-row statement quadratic.
pub fn insert_sql_positional(rows: usize) -> String {
    let one = format!("({})", vec!["?"; INSERT_COLUMN_COUNT].join(","));
    let values = vec![one; rows].join(",");
    format!("INSERT INTO cdr ({INSERT_COLUMNS}) VALUES {values} ON CONFLICT (dedupe_key) DO NOTHING")
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

/// The order of a search page: the sort column, then `id`, both in the sort's direction (text
/// bytewise, as SQLite's BINARY collation compares it).
pub fn page_order(sort: crate::cdr::search::Sort, a: &CdrRow, b: &CdrRow) -> std::cmp::Ordering {
    use crate::cdr::search::SortColumn;
    let by_column = match sort.column {
        SortColumn::Start => a.start_time.cmp(&b.start_time),
        SortColumn::Duration => a.duration.cmp(&b.duration),
        SortColumn::Billsec => a.billsec.cmp(&b.billsec),
        SortColumn::Src => a.src.cmp(&b.src),
        SortColumn::Dst => a.dst.cmp(&b.dst),
    };
    let ascending = by_column.then(a.id.cmp(&b.id));
    if sort.descending { ascending.reverse() } else { ascending }
}
