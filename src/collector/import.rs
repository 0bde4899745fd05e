//! `ringside cdr import FILE…`: one-shot, resumable import of Master.csv files.
//!
//! A parser thread reads batches of [`IMPORT_BATCH`] records; the store writes them in
//! transactions of about [`IMPORT_COMMIT_ROWS`] rows, each committed with the file position after
//! its last batch (`cdr_positions`, path `import:<canonical path>`), so an import killed at any
//! point resumes where its last commit ended; the dedupe key makes even a full re-import insert
//! nothing. A partial last line is left unconsumed (a later import picks it up once complete).

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cdr::position::{DEFAULT_FINGERPRINT_LEN, FilePosition, fingerprint, fingerprint_matches};
use crate::cdr::reader::MasterCsvReader;
use crate::cdr::{CsvRecordParser, CsvSource};
use crate::store::Store;
use crate::store::cdr::{CdrBatchSource, InsertCounts, OwnedCdrBatch};

/// Records parsed and handed to the store at a time.
pub const IMPORT_BATCH: usize = 20_000;

/// Rows per transaction (several batches): each commit rewrites the index pages it touched, and
/// an index on a random column (`src`) is touched all over by every 20,000 rows.
pub const IMPORT_COMMIT_ROWS: usize = 200_000;

/// What to import and how.
pub struct ImportJob<'a> {
    pub store: &'a dyn Store,
    pub server: &'a str,
    pub source: CsvSource,
    pub progress: bool,
}

impl ImportJob<'_> {
    /// Imports one file; returns its counts.
    pub async fn import_file(&self, path: &Path) -> anyhow::Result<InsertCounts> {
        let canonical = path.canonicalize().with_context(|| format!("cannot open {}", path.display()))?;
        let key = format!("import:{}", canonical.display());
        let mut file = File::open(&canonical).with_context(|| format!("cannot open {}", path.display()))?;
        let meta = file.metadata()?;
        let start = match self.store.cdr_position(self.server, &key).await? {
            Some(p)
                if p.dev == meta.dev()
                    && p.inode == meta.ino()
                    && p.offset <= meta.len()
                    && fingerprint_matches(&file, &p.fingerprint)? =>
            {
                p.offset
            }
            _ => 0,
        };
        if start > 0 {
            eprintln!("{}: resuming at byte {start}", path.display());
        }
        file.seek(SeekFrom::Start(start))?;
        let bar = self.bar(meta.len(), start);
        let reader = MasterCsvReader::new(
            std::io::BufReader::with_capacity(1 << 20, file),
            start,
            CsvRecordParser::new(self.source.clone()),
        );
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        let fp_file = File::open(&canonical)?;
        let (dev, inode) = (meta.dev(), meta.ino());
        let parser = std::thread::spawn(move || parse_batches(reader, &fp_file, dev, inode, &tx));
        let mut source =
            ImportSource { server: self.server, key: &key, rx, bar, rate: RowRate::new(), error: None };
        let totals = self.store.commit_cdr_stream(&mut source, IMPORT_COMMIT_ROWS).await;
        drop(source.rx);
        let trailing = parser.join().map_err(|_| anyhow::anyhow!("the CSV parser thread panicked"))?;
        source.bar.finish_and_clear();
        let totals = totals?;
        if let Some(e) = source.error {
            return Err(e);
        }
        if trailing > 0 {
            eprintln!(
                "{}: the last {trailing} bytes are an incomplete record; left for a later import",
                path.display()
            );
        }
        Ok(totals)
    }

    fn bar(&self, len: u64, start: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        let style = ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} · ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_position(start);
        bar.reset_eta();
        bar
    }
}

/// Hands the parser thread's batches to the store and shows progress.
struct ImportSource<'a> {
    server: &'a str,
    key: &'a str,
    rx: tokio::sync::mpsc::Receiver<anyhow::Result<OwnedCdrBatch>>,
    bar: ProgressBar,
    rate: RowRate,
    /// Why the parser stopped early, if it did.
    error: Option<anyhow::Error>,
}

#[async_trait::async_trait]
impl CdrBatchSource for ImportSource<'_> {
    fn server(&self) -> &str {
        self.server
    }

    fn source(&self) -> &str {
        self.key
    }

    async fn next_batch(&mut self) -> Option<OwnedCdrBatch> {
        match self.rx.recv().await? {
            Ok(batch) => {
                if let Some(p) = batch.position {
                    self.bar.set_position(p.offset);
                }
                self.bar.set_message(self.rate.add((batch.records.len() + batch.rejects.len()) as u64));
                Some(batch)
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

/// Parses batches on its own thread so parsing overlaps the database writes; returns the length of
/// an incomplete last record. Stops early when the receiver is gone (a failed commit).
fn parse_batches<R: std::io::Read>(
    mut reader: MasterCsvReader<R>,
    fp_file: &File,
    dev: u64,
    inode: u64,
    tx: &tokio::sync::mpsc::Sender<anyhow::Result<OwnedCdrBatch>>,
) -> usize {
    loop {
        let parsed = read_batch(&mut reader).and_then(|(records, rejects, end)| {
            let Some(offset) = end else { return Ok(None) };
            let fingerprint = fingerprint(fp_file, offset, DEFAULT_FINGERPRINT_LEN)?;
            let position = Some(FilePosition { dev, inode, offset, fingerprint });
            Ok(Some(OwnedCdrBatch { records, rejects, position }))
        });
        let sent = match parsed {
            Ok(None) => break,
            Ok(Some(batch)) => tx.blocking_send(Ok(batch)),
            Err(e) => {
                let _ = tx.blocking_send(Err(e.into()));
                break;
            }
        };
        if sent.is_err() {
            break;
        }
    }
    reader.trailing_partial().len()
}

type Split = (Vec<crate::cdr::CdrRecord>, Vec<crate::cdr::Reject>, Option<u64>);

fn read_batch<R: std::io::Read>(reader: &mut MasterCsvReader<R>) -> std::io::Result<Split> {
    let mut records = Vec::with_capacity(IMPORT_BATCH);
    let mut rejects = Vec::new();
    let mut end = None;
    while records.len() + rejects.len() < IMPORT_BATCH {
        let Some(item) = reader.next_item()? else { break };
        end = Some(item.end_offset);
        match item.result {
            Ok(r) => records.push(r),
            Err(r) => rejects.push(r),
        }
    }
    Ok((records, rejects, end))
}

/// Rows committed and their rate since the import started, for the progress message.
struct RowRate {
    rows: u64,
    started: std::time::Instant,
}

impl RowRate {
    fn new() -> Self {
        Self { rows: 0, started: std::time::Instant::now() }
    }

    /// Counts `rows` more; returns e.g. `120000 rows · 41000 rows/s`.
    fn add(&mut self, rows: u64) -> String {
        self.rows += rows;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        format!("{} rows · {:.0} rows/s", self.rows, self.rows as f64 / secs)
    }
}

#[cfg(test)]
mod tests {
    use super::RowRate;

    #[test]
    fn progress_message_counts_rows_and_their_rate() {
        let mut rate = RowRate::new();
        rate.add(1_500);
        let message = rate.add(500);
        assert!(message.starts_with("2000 rows · ") && message.ends_with(" rows/s"), "{message}");
    }
}
