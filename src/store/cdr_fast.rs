//! Bulk writes of CDR rows, one fast path per backend.
//!
//! Owns only how a slice of parsed records reaches the `cdr` table inside a transaction the
//! caller opened ([`CdrStore::commit_cdr_batch`](super::cdr::CdrStore::commit_cdr_batch), which
//! also writes the rejects and the file position in that same transaction). Both paths insert
//! with `ON CONFLICT (dedupe_key) DO NOTHING` and return how many rows were new.
//!
//! ```text
//! SQLite:     cached INSERT … VALUES (?,…)×64 ON CONFLICT DO NOTHING, executed per 64 records
//! PostgreSQL: CREATE TEMP TABLE cdr_stage ON COMMIT DROP
//!             COPY cdr_stage FROM STDIN (text format, 1 MiB messages)
//!             INSERT INTO cdr SELECT … FROM cdr_stage ON CONFLICT (dedupe_key) DO NOTHING
//! ```

use std::io::Write as _;
use std::sync::LazyLock;

use async_trait::async_trait;

use super::cdr::{Cell, INSERT_COLUMNS, RowExtras, insert_sql_positional};
use crate::cdr::CdrRecord;

/// Records per SQLite statement (26 columns each: 1,664 parameters).
pub const SQLITE_CHUNK: usize = 64;

/// SQLite page cache of a connection writing CDR batches, and of one running a bulk import
/// (negative: KiB; pages are allocated on use). A transaction of thousands of rows touches every
/// index's right edge, and an index on a random column (`src`) all over: with the 2 MB default
/// the pages were spilled to the WAL and read back again and again (most of an import's time
/// went to system calls).
const SQLITE_CACHE: &str = "PRAGMA cache_size = -65536";
const SQLITE_BULK_CACHE: &str = "PRAGMA cache_size = -262144";

/// Bytes of COPY data sent per message.
const COPY_MESSAGE: usize = 1 << 20;

static SQLITE_FULL_CHUNK: LazyLock<String> = LazyLock::new(|| insert_sql_positional(SQLITE_CHUNK));

/// Inserts CDR rows on an open connection (inside the caller's transaction).
#[async_trait]
pub trait CdrRowWriter: sqlx::Database {
    /// Inserts `records` from `server`, skipping known dedupe keys; returns the new rows.
    async fn insert_cdr_rows(
        conn: &mut Self::Connection,
        server: &str,
        records: &[CdrRecord],
        now_ms: i64,
    ) -> Result<u64, sqlx::Error>;

    /// A statement that sizes the connection's cache for batches (`bulk`: a long import).
    fn cache_statement(bulk: bool) -> Option<&'static str>;
}

#[async_trait]
impl CdrRowWriter for sqlx::Sqlite {
    fn cache_statement(bulk: bool) -> Option<&'static str> {
        Some(if bulk { SQLITE_BULK_CACHE } else { SQLITE_CACHE })
    }

    async fn insert_cdr_rows(
        conn: &mut sqlx::SqliteConnection,
        server: &str,
        records: &[CdrRecord],
        now_ms: i64,
    ) -> Result<u64, sqlx::Error> {
        // Binding the next chunk overlaps SQLite executing this one on sqlx's worker thread.
        let mut inserted = 0;
        let mut chunks = records.chunks(SQLITE_CHUNK);
        let mut next = chunks.next().map(|c| sqlite_chunk(server, c, now_ms));
        while let Some(query) = next.take() {
            let following = chunks.next();
            let (done, built) = tokio::join!(query.execute(&mut *conn), async {
                following.map(|c| sqlite_chunk(server, c, now_ms))
            });
            inserted += done?.rows_affected();
            next = built;
        }
        Ok(inserted)
    }
}

/// The INSERT of one chunk with its values bound.
fn sqlite_chunk<'q>(
    server: &str,
    chunk: &[CdrRecord],
    now_ms: i64,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    let sql = if chunk.len() == SQLITE_CHUNK {
        sqlx::AssertSqlSafe(SQLITE_FULL_CHUNK.clone())
    } else {
        sqlx::AssertSqlSafe(insert_sql_positional(chunk.len()))
    };
    let mut q = sqlx::query::<sqlx::Sqlite>(sql);
    for record in chunk {
        let owned = RowExtras::of(server, record);
        for cell in owned.cells(server, record, now_ms) {
            q = match cell {
                Cell::Text(s) => q.bind(s.to_owned()),
                Cell::Int(v) => q.bind(v),
                Cell::Null => q.bind(None::<i64>),
            };
        }
    }
    q
}

#[async_trait]
impl CdrRowWriter for sqlx::Postgres {
    fn cache_statement(_bulk: bool) -> Option<&'static str> {
        None
    }

    async fn insert_cdr_rows(
        conn: &mut sqlx::PgConnection,
        server: &str,
        records: &[CdrRecord],
        now_ms: i64,
    ) -> Result<u64, sqlx::Error> {
        if records.is_empty() {
            return Ok(0);
        }
        let create = format!(
            "CREATE TEMP TABLE cdr_stage ON COMMIT DROP AS SELECT {INSERT_COLUMNS} FROM cdr WITH NO DATA"
        );
        sqlx::query(sqlx::AssertSqlSafe(create)).execute(&mut *conn).await?;
        let mut copy = conn.copy_in_raw(&format!("COPY cdr_stage ({INSERT_COLUMNS}) FROM STDIN")).await?;
        let mut buf = Vec::with_capacity(COPY_MESSAGE + 4096);
        for record in records {
            let owned = RowExtras::of(server, record);
            copy_text_row(&mut buf, &owned.cells(server, record, now_ms));
            if buf.len() >= COPY_MESSAGE {
                copy.send(buf.as_slice()).await?;
                buf.clear();
            }
        }
        if !buf.is_empty() {
            copy.send(buf.as_slice()).await?;
        }
        copy.finish().await?;
        let insert = format!(
            "INSERT INTO cdr ({INSERT_COLUMNS}) SELECT {INSERT_COLUMNS} FROM cdr_stage \
             ON CONFLICT (dedupe_key) DO NOTHING"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(insert)).execute(&mut *conn).await?;
        sqlx::query("DROP TABLE cdr_stage").execute(&mut *conn).await?;
        Ok(done.rows_affected())
    }
}

/// Appends one row in COPY text format: tab-separated, `\N` for NULL, backslash escapes.
pub fn copy_text_row(out: &mut Vec<u8>, cells: &[Cell<'_>]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match cell {
            Cell::Null => out.extend_from_slice(b"\\N"),
            Cell::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::Text(s) => {
                for &b in s.as_bytes() {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        _ => out.push(b),
                    }
                }
            }
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_rows_escape_separators_and_mark_nulls() {
        let mut out = Vec::new();
        copy_text_row(&mut out, &[Cell::Text("a\tb\\c\nd\re"), Cell::Null, Cell::Int(-7)]);
        assert_eq!(out, b"a\\tb\\\\c\\nd\\re\t\\N\t-7\n");
    }
}
