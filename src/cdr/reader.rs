//! Complete Master.csv records out of a byte stream, with their file offsets.
//!
//! Owns [`RecordBuffer`] (shared by the live follower and the one-shot import) and
//! [`MasterCsvReader`] for `ringside cdr import`. A record is handed out only once its
//! terminating `\n` outside quotes has been read, so a partial last line is never consumed; the
//! offset after each record is what a caller commits to resume exactly there.
//!
//! A corrupt file could open a quote that never closes and swallow everything after it. Asterisk
//! drops records over 1 KiB itself, so a record still open after `max_record_bytes` (64 KiB by
//! default) is cut at its first physical newline and rejected, and reading resynchronises there.

use std::io::{self, Read};

use crate::cdr::csvline::{RecordEnd, find_record_end};
use crate::cdr::parse_csv::CsvRecordParser;
use crate::cdr::record::CdrRecord;
use crate::cdr::reject::{Reject, RejectReason};

/// Default limit for one record's length before resynchronising.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 * 1024;

/// One record's raw bytes as cut from the stream.
#[derive(Debug, PartialEq, Eq)]
pub enum RawRecord<'a> {
    /// A complete record (including its `\n`) starting at `offset`.
    Complete {
        /// File offset of the first byte.
        offset: u64,
        /// The bytes.
        bytes: &'a [u8],
    },
    /// Bytes skipped because no record end appeared within the limit.
    Oversized {
        /// File offset of the first byte.
        offset: u64,
        /// The skipped bytes.
        bytes: &'a [u8],
    },
}

/// Bytes read from a file but not yet handed out as records.
#[derive(Debug)]
pub struct RecordBuffer {
    buf: Vec<u8>,
    consumed: usize,
    base_offset: u64,
    max_record_bytes: usize,
}

impl RecordBuffer {
    /// An empty buffer whose next byte is at `offset` in the file.
    pub fn new(offset: u64, max_record_bytes: usize) -> Self {
        Self { buf: Vec::new(), consumed: 0, base_offset: offset, max_record_bytes: max_record_bytes.max(1) }
    }

    /// File offset just after the last record handed out.
    pub fn offset(&self) -> u64 {
        self.base_offset
    }

    /// File offset just after the last byte read into the buffer.
    pub fn read_offset(&self) -> u64 {
        self.base_offset + (self.buf.len() - self.consumed) as u64
    }

    /// Bytes read but not part of a complete record yet.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.consumed..]
    }

    /// Forgets pending bytes and restarts at `offset` (after truncation).
    pub fn reset(&mut self, offset: u64) {
        self.buf.clear();
        self.consumed = 0;
        self.base_offset = offset;
    }

    /// Appends up to `max` bytes read from `reader`; returns how many (0 at EOF).
    pub fn fill_from(&mut self, reader: &mut impl Read, max: usize) -> io::Result<usize> {
        if self.consumed > 0 && self.consumed * 2 >= self.buf.len() {
            self.buf.drain(..self.consumed);
            self.consumed = 0;
        }
        let old_len = self.buf.len();
        self.buf.resize(old_len + max, 0);
        let result = loop {
            match reader.read(&mut self.buf[old_len..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let n = *result.as_ref().unwrap_or(&0);
        self.buf.truncate(old_len + n);
        result
    }

    /// Cuts the next complete (or oversized) record, or `None` when more bytes are needed.
    pub fn next_record(&mut self) -> Option<RawRecord<'_>> {
        let pending = &self.buf[self.consumed..];
        let (len, complete) = match find_record_end(pending) {
            RecordEnd::Complete { len } => (len, true),
            RecordEnd::Incomplete { .. } if pending.len() >= self.max_record_bytes => {
                let newline = pending.iter().position(|&b| b == b'\n');
                (newline.map_or(self.max_record_bytes, |i| i + 1), false)
            }
            RecordEnd::Incomplete { .. } => return None,
        };
        let offset = self.base_offset;
        let bytes = &self.buf[self.consumed..self.consumed + len];
        self.consumed += len;
        self.base_offset += len as u64;
        Some(if complete {
            RawRecord::Complete { offset, bytes }
        } else {
            RawRecord::Oversized { offset, bytes }
        })
    }

    /// The configured record limit.
    pub fn max_record_bytes(&self) -> usize {
        self.max_record_bytes
    }
}

/// Parses a raw record into a record or a reject that carries its file offset.
pub fn parse_raw(parser: &CsvRecordParser, raw: RawRecord<'_>, max: usize) -> Result<CdrRecord, Reject> {
    let (offset, result) = match raw {
        RawRecord::Complete { offset, bytes } => (offset, parser.parse(bytes)),
        RawRecord::Oversized { offset, bytes } => {
            (offset, Err(Reject::new(RejectReason::TooLong { max }, bytes)))
        }
    };
    result.map_err(|mut reject| {
        reject.offset = Some(offset);
        reject
    })
}

/// One parsed item of an import, with the offset to resume after it.
#[derive(Debug)]
pub struct ImportItem {
    /// The record or its reject.
    pub result: Result<CdrRecord, Reject>,
    /// File offset just after this record: commit it with the row to resume here.
    pub end_offset: u64,
}

/// Reads a whole Master.csv (from any offset) for `ringside cdr import`.
pub struct MasterCsvReader<R> {
    inner: R,
    buffer: RecordBuffer,
    parser: CsvRecordParser,
    eof: bool,
}

impl<R: Read> MasterCsvReader<R> {
    /// Reads `inner`, whose first byte is at `start_offset` in the file (seek it there first).
    pub fn new(inner: R, start_offset: u64, parser: CsvRecordParser) -> Self {
        Self { inner, buffer: RecordBuffer::new(start_offset, DEFAULT_MAX_RECORD_BYTES), parser, eof: false }
    }

    /// Bytes at the end of the input that do not form a complete record (not consumed).
    pub fn trailing_partial(&self) -> &[u8] {
        self.buffer.pending()
    }

    /// The next record, `Ok(None)` at end of input.
    pub fn next_item(&mut self) -> io::Result<Option<ImportItem>> {
        loop {
            let max = self.buffer.max_record_bytes();
            if let Some(raw) = self.buffer.next_record() {
                let result = parse_raw(&self.parser, raw, max);
                return Ok(Some(ImportItem { result, end_offset: self.buffer.offset() }));
            }
            if self.eof {
                return Ok(None);
            }
            self.eof = self.buffer.fill_from(&mut self.inner, 256 * 1024)? == 0;
        }
    }
}

impl<R: Read> Iterator for MasterCsvReader<R> {
    type Item = io::Result<ImportItem>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_record_is_held_back_until_complete() -> io::Result<()> {
        let mut b = RecordBuffer::new(100, 64);
        b.fill_from(&mut &b"\"a\",1\n\"b\n"[..], 64)?;
        assert_eq!(b.next_record(), Some(RawRecord::Complete { offset: 100, bytes: b"\"a\",1\n" }));
        assert_eq!(b.next_record(), None);
        assert_eq!((b.offset(), b.read_offset()), (106, 109));
        b.fill_from(&mut &b"c\",2\n"[..], 64)?;
        assert_eq!(b.next_record(), Some(RawRecord::Complete { offset: 106, bytes: b"\"b\nc\",2\n" }));
        assert_eq!(b.offset(), 114);
        Ok(())
    }

    #[test]
    fn unterminated_quote_resyncs_at_first_newline_after_the_limit() -> io::Result<()> {
        let mut b = RecordBuffer::new(0, 8);
        b.fill_from(&mut &b"\"open\n\"x\",1\n"[..], 64)?;
        assert_eq!(b.next_record(), Some(RawRecord::Oversized { offset: 0, bytes: b"\"open\n" }));
        assert_eq!(b.next_record(), Some(RawRecord::Complete { offset: 6, bytes: b"\"x\",1\n" }));
        Ok(())
    }
}
