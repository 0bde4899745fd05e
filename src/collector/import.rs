//! `ringside cdr import FILE…`: one-shot, resumable import of Master.csv files.
//!
//! Each batch is committed with the file position after it (`cdr_positions`, path
//! `import:<canonical path>`), so an import killed at any point resumes where its last commit
//! ended; the dedupe key makes even a full re-import insert nothing. A partial last line is left
//! unconsumed (a later import picks it up once complete).

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
use crate::store::cdr::{CdrBatch, InsertCounts};

/// Records per transaction.
pub const IMPORT_BATCH: usize = 20_000;

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
        let fp_file = File::open(&canonical)?;
        let mut reader = MasterCsvReader::new(
            std::io::BufReader::with_capacity(1 << 20, file),
            start,
            CsvRecordParser::new(self.source.clone()),
        );
        let mut totals = InsertCounts::default();
        loop {
            let (items, end) = tokio::task::block_in_place(|| read_batch(&mut reader))?;
            let Some(end) = end else { break };
            let (records, rejects) = super::split(items.into_iter());
            let position = FilePosition {
                dev: meta.dev(),
                inode: meta.ino(),
                offset: end,
                fingerprint: fingerprint(&fp_file, end, DEFAULT_FINGERPRINT_LEN)?,
            };
            let batch = CdrBatch {
                server: self.server,
                source: &key,
                records: &records,
                rejects: &rejects,
                position: Some(position),
                now_ms: super::now_ms(),
            };
            totals += self.store.commit_cdr_batch(batch).await?;
            bar.set_position(end);
            bar.set_message(format!("{} rows", totals.inserted + totals.duplicates + totals.rejected));
        }
        bar.finish_and_clear();
        if !reader.trailing_partial().is_empty() {
            eprintln!(
                "{}: the last {} bytes are an incomplete record; left for a later import",
                path.display(),
                reader.trailing_partial().len()
            );
        }
        Ok(totals)
    }

    fn bar(&self, len: u64, start: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        let style =
            ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} · {binary_bytes_per_sec} · ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_position(start);
        bar.reset_eta();
        bar
    }
}

type Items = Vec<Result<crate::cdr::CdrRecord, crate::cdr::Reject>>;

fn read_batch<R: std::io::Read>(reader: &mut MasterCsvReader<R>) -> std::io::Result<(Items, Option<u64>)> {
    let mut items = Vec::with_capacity(IMPORT_BATCH);
    let mut end = None;
    while items.len() < IMPORT_BATCH {
        let Some(item) = reader.next_item()? else { break };
        end = Some(item.end_offset);
        items.push(item.result);
    }
    Ok((items, end))
}
