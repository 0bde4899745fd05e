//! Tails Master.csv: complete records plus the position to commit with them.
//!
//! Owns the follower state machine over one path: open (or resume), read complete records,
//! notice rename-and-create rotation, truncation/copytruncate and a missing or unreadable file.
//! It is synchronous and does not sleep, retry on a timer or touch the database: the collector
//! task calls [`MasterCsvFollower::next_batch`] on its interval (on a blocking thread) and
//! commits `records` and `end_position` in **one** transaction. If that commit fails, drop the
//! follower and build a new one from the last committed position.
//!
//! ```text
//! resume(P) ─▶ path has P's inode?  yes ─▶ size ≥ P.offset and fingerprint ok? ─▶ read from P.offset
//!                                                                        no  ─▶ Truncated, read from 0
//!              no ─▶ a sibling (Master.csv.1 …) has P's inode? ─▶ drain it from P.offset, then the path
//!                    none ─▶ ResumeFileGone (logged), read the path from 0
//! each batch: fstat + fingerprint of the open file ─▶ shrunk or rewritten? ─▶ Truncated, restart at 0
//! at EOF:     path's inode ≠ open file's? ─▶ drain the open handle to EOF, reject an unfinished
//!             tail, switch to the new file at 0 (Rotated)
//! ```
//!
//! `copytruncate` loses records that Asterisk appends between logrotate's copy and its truncate;
//! that is inherent to copytruncate (prefer the default rename-and-create rotation).

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use crate::cdr::parse_csv::{CsvRecordParser, CsvSource};
use crate::cdr::position::{
    DEFAULT_FINGERPRINT_LEN, FileId, FilePosition, Fingerprint, find_rotated, fingerprint,
    fingerprint_matches,
};
use crate::cdr::reader::{DEFAULT_MAX_RECORD_BYTES, RecordBuffer, parse_raw};
use crate::cdr::record::CdrRecord;
use crate::cdr::reject::{Reject, RejectReason};

/// What to follow and how.
#[derive(Debug, Clone)]
pub struct FollowerConfig {
    /// The Master.csv path (`cdr_csv_path`).
    pub path: PathBuf,
    /// Layout and time zone of its records.
    pub source: CsvSource,
    /// Longest record accepted before resynchronising.
    pub max_record_bytes: usize,
    /// Leading bytes covered by the fingerprint.
    pub fingerprint_len: u64,
    /// Bytes read per read call.
    pub read_chunk: usize,
}

impl FollowerConfig {
    /// Defaults for a path and source.
    pub fn new(path: impl Into<PathBuf>, source: CsvSource) -> Self {
        Self {
            path: path.into(),
            source,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            fingerprint_len: DEFAULT_FINGERPRINT_LEN,
            read_chunk: 256 * 1024,
        }
    }
}

/// Something the follower noticed; also logged with `tracing`. Store them for the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowEvent {
    /// Started reading a file.
    Opened { path: PathBuf, offset: u64 },
    /// The path now names a new file; the old one was drained to `drained_to`.
    Rotated { old: FileId, drained_to: u64 },
    /// The file shrank or its first bytes changed; reading restarts at 0.
    Truncated { offset_was: u64, size: u64 },
    /// The committed position's file was found under another name and is drained first.
    ResumedFromRotated { path: PathBuf, offset: u64 },
    /// The committed position's file is gone; records after its offset may be missing.
    ResumeFileGone { position: FilePosition },
    /// The path cannot be opened or inspected (missing, permissions); retried next batch.
    Unavailable { kind: io::ErrorKind },
    /// The path is readable again.
    Recovered,
}

/// The result of one [`MasterCsvFollower::next_batch`] call.
#[derive(Debug, Default)]
pub struct Batch {
    /// Parsed records and rejects, in file order.
    pub records: Vec<Result<CdrRecord, Reject>>,
    /// Position after the last item; `None` while no file was ever opened.
    pub end_position: Option<FilePosition>,
    /// Rotation, truncation and availability changes seen during this batch.
    pub events: Vec<FollowEvent>,
}

struct OpenFile {
    file: File,
    id: FileId,
    buffer: RecordBuffer,
    fingerprint: Fingerprint,
}

/// The Master.csv follower (see the module docs).
pub struct MasterCsvFollower {
    config: FollowerConfig,
    parser: CsvRecordParser,
    current: Option<OpenFile>,
    resume: Option<FilePosition>,
    problem: Option<io::ErrorKind>,
}

struct ReadAt<'a>(&'a File, u64);

impl Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read_at(buf, self.1)?;
        self.1 += n as u64;
        Ok(n)
    }
}

impl MasterCsvFollower {
    /// A follower starting from the last committed position (or from the file's start).
    pub fn new(config: FollowerConfig, resume: Option<FilePosition>) -> Self {
        let parser = CsvRecordParser::new(config.source.clone());
        Self { config, parser, current: None, resume, problem: None }
    }

    /// Reads up to `max_records` complete records (never a partial one).
    pub fn next_batch(&mut self, max_records: usize) -> io::Result<Batch> {
        let mut batch = Batch::default();
        if self.current.is_none() {
            self.open(&mut batch.events);
        }
        self.check_intact(&mut batch.events)?;
        while batch.records.len() < max_records {
            let Some(cur) = self.current.as_mut() else {
                break;
            };
            if let Some(raw) = cur.buffer.next_record() {
                batch.records.push(parse_raw(&self.parser, raw, self.config.max_record_bytes));
                continue;
            }
            let mut reader = ReadAt(&cur.file, cur.buffer.read_offset());
            match cur.buffer.fill_from(&mut reader, self.config.read_chunk) {
                Ok(0) => {
                    if !self.switch_if_rotated(&mut batch)? {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    self.resume = self.position()?;
                    self.current = None;
                    return Err(e);
                }
            }
        }
        batch.end_position = self.position()?;
        Ok(batch)
    }

    /// The position after the last record handed out (what the caller commits).
    pub fn position(&mut self) -> io::Result<Option<FilePosition>> {
        let Some(cur) = self.current.as_mut() else {
            return Ok(self.resume);
        };
        let offset = cur.buffer.offset();
        if cur.fingerprint.len < offset.min(self.config.fingerprint_len) {
            cur.fingerprint = fingerprint(&cur.file, offset, self.config.fingerprint_len)?;
        }
        Ok(Some(FilePosition { dev: cur.id.dev, inode: cur.id.inode, offset, fingerprint: cur.fingerprint }))
    }

    fn note(events: &mut Vec<FollowEvent>, event: FollowEvent) {
        match &event {
            FollowEvent::Opened { .. } | FollowEvent::Recovered => {
                tracing::info!(?event, "cdr follower")
            }
            _ => tracing::warn!(?event, "cdr follower"),
        }
        events.push(event);
    }

    fn open_path(&mut self, events: &mut Vec<FollowEvent>) -> Option<(File, FileId)> {
        let opened = File::open(&self.config.path).and_then(|f| f.metadata().map(|m| (f, FileId::of(&m))));
        match opened {
            Ok(pair) => {
                if self.problem.take().is_some() {
                    Self::note(events, FollowEvent::Recovered);
                }
                Some(pair)
            }
            Err(e) => {
                if self.problem.replace(e.kind()) != Some(e.kind()) {
                    Self::note(events, FollowEvent::Unavailable { kind: e.kind() });
                }
                None
            }
        }
    }

    fn start(&mut self, file: File, id: FileId, offset: u64, fp: Fingerprint, events: &mut Vec<FollowEvent>) {
        Self::note(events, FollowEvent::Opened { path: self.config.path.clone(), offset });
        let buffer = RecordBuffer::new(offset, self.config.max_record_bytes);
        self.current = Some(OpenFile { file, id, buffer, fingerprint: fp });
    }

    fn open(&mut self, events: &mut Vec<FollowEvent>) {
        let empty = Fingerprint { len: 0, sha256: sha2_empty() };
        let Some(resume) = self.resume else {
            if let Some((file, id)) = self.open_path(events) {
                self.start(file, id, 0, empty, events);
            }
            return;
        };
        let at_path = self.open_path(events);
        if let Some((file, id)) = at_path
            && id == resume.file_id()
        {
            let intact = file.metadata().is_ok_and(|m| m.len() >= resume.offset)
                && fingerprint_matches(&file, &resume.fingerprint).unwrap_or(false);
            let (offset, fp) = if intact { (resume.offset, resume.fingerprint) } else { (0, empty) };
            if !intact {
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                Self::note(events, FollowEvent::Truncated { offset_was: resume.offset, size });
            }
            self.resume = None;
            return self.start(file, id, offset, fp, events);
        }
        self.resume = None;
        let rotated = find_rotated(&self.config.path, resume.file_id())
            .and_then(|p| File::open(&p).ok().map(|f| (p, f)));
        match rotated {
            Some((path, file)) if fingerprint_matches(&file, &resume.fingerprint).unwrap_or(false) => {
                Self::note(events, FollowEvent::ResumedFromRotated { path, offset: resume.offset });
                let buffer = RecordBuffer::new(resume.offset, self.config.max_record_bytes);
                let id = resume.file_id();
                self.current = Some(OpenFile { file, id, buffer, fingerprint: resume.fingerprint });
            }
            _ => {
                Self::note(events, FollowEvent::ResumeFileGone { position: resume });
                if let Some((file, id)) = self.open_path(events) {
                    self.start(file, id, 0, empty, events);
                }
            }
        }
    }

    /// Restarts at 0 when the open file shrank below what was read or its first bytes changed.
    fn check_intact(&mut self, events: &mut Vec<FollowEvent>) -> io::Result<()> {
        let Some(cur) = self.current.as_mut() else {
            return Ok(());
        };
        let size = cur.file.metadata()?.len();
        let read_to = cur.buffer.read_offset();
        if size >= read_to && fingerprint_matches(&cur.file, &cur.fingerprint)? {
            return Ok(());
        }
        Self::note(events, FollowEvent::Truncated { offset_was: cur.buffer.offset(), size });
        cur.buffer.reset(0);
        cur.fingerprint = Fingerprint { len: 0, sha256: sha2_empty() };
        Ok(())
    }

    /// At EOF: if the path names another file now, finish the old one and switch. Returns
    /// whether reading should continue.
    fn switch_if_rotated(&mut self, batch: &mut Batch) -> io::Result<bool> {
        let Some(cur) = self.current.as_ref() else {
            return Ok(false);
        };
        let Ok(meta) = fs::metadata(&self.config.path) else {
            return Ok(false); // Missing for now: keep draining the open handle; retried next batch.
        };
        if FileId::of(&meta) == cur.id {
            return Ok(false);
        }
        let Some((file, id)) = self.open_path(&mut batch.events) else {
            // Keep the old file open; the next batch retries the switch.
            return Ok(false);
        };
        let Some(cur) = self.current.as_ref() else {
            return Ok(false);
        };
        let (old, drained_to) = (cur.id, cur.buffer.read_offset());
        if !cur.buffer.pending().is_empty() {
            let mut reject = Reject::new(RejectReason::IncompleteAtRotation, cur.buffer.pending());
            reject.offset = Some(cur.buffer.offset());
            batch.records.push(Err(reject));
        }
        Self::note(&mut batch.events, FollowEvent::Rotated { old, drained_to });
        let empty = Fingerprint { len: 0, sha256: sha2_empty() };
        self.start(file, id, 0, empty, &mut batch.events);
        Ok(true)
    }
}

fn sha2_empty() -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest([]).into()
}
