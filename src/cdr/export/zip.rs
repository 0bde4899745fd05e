//! A minimal streaming ZIP writer (deflate, data descriptors, no seeking).
//!
//! Owns just enough of the ZIP format (APPNOTE 6.3) for XLSX packages streamed to a non-seekable
//! output such as an HTTP body: each entry is a local header with zero sizes and flag bit 3, the
//! raw deflate stream, then a data descriptor; the central directory follows at the end. No ZIP64:
//! an entry or the archive past 4 GiB is an error (the XLSX writer starts new sheets well before).
//!
//! ```text
//! [local header 0x04034b50][deflate data][descriptor 0x08074b50 crc csize usize] ... per entry
//! [central header 0x02014b50 ...] per entry  [end of central directory 0x06054b50]
//! ```

use std::io::{self, Write};

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

const FLAGS: u16 = 0x0008 | 0x0800; // sizes in data descriptor; UTF-8 names
const DOS_DATE_1980_01_01: u16 = (1 << 5) | 1;

struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct Entry {
    name: String,
    crc: u32,
    compressed: u32,
    uncompressed: u32,
    offset: u32,
}

enum State<W: Write> {
    Idle(Counting<W>),
    InEntry {
        encoder: DeflateEncoder<Counting<W>>,
        crc: Crc,
        name: String,
        offset: u64,
        start: u64,
        size: u64,
    },
    Poisoned,
}

/// A ZIP archive being written front to back.
pub struct ZipStream<W: Write> {
    state: State<W>,
    entries: Vec<Entry>,
}

fn too_big(what: &str) -> io::Error {
    io::Error::other(format!("{what} exceeds 4 GiB (ZIP64 not supported)"))
}

fn u32_of(v: u64, what: &str) -> io::Result<u32> {
    u32::try_from(v).map_err(|_| too_big(what))
}

impl<W: Write> ZipStream<W> {
    /// An empty archive writing to `out`.
    pub fn new(out: W) -> Self {
        Self { state: State::Idle(Counting { inner: out, written: 0 }), entries: Vec::new() }
    }

    /// Starts a new entry (finishing the current one, if any).
    pub fn start_entry(&mut self, name: &str) -> io::Result<()> {
        self.finish_entry()?;
        let State::Idle(mut out) = std::mem::replace(&mut self.state, State::Poisoned) else {
            return Err(io::Error::other("zip writer used after an error"));
        };
        let offset = out.written;
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, FLAGS, 8, 0, DOS_DATE_1980_01_01] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        h.extend_from_slice(&[0; 12]); // crc, sizes: in the data descriptor
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        out.write_all(&h)?;
        let start = out.written;
        let encoder = DeflateEncoder::new(out, Compression::fast());
        self.state =
            State::InEntry { encoder, crc: Crc::new(), name: name.to_owned(), offset, start, size: 0 };
        Ok(())
    }

    /// Writes uncompressed bytes to the current entry.
    pub fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        let State::InEntry { encoder, crc, size, .. } = &mut self.state else {
            return Err(io::Error::other("zip: no entry started"));
        };
        crc.update(data);
        *size += data.len() as u64;
        encoder.write_all(data)
    }

    /// Uncompressed bytes written to the current entry.
    pub fn entry_size(&self) -> u64 {
        match &self.state {
            State::InEntry { size, .. } => *size,
            _ => 0,
        }
    }

    fn finish_entry(&mut self) -> io::Result<()> {
        if !matches!(self.state, State::InEntry { .. }) {
            return Ok(());
        }
        let State::InEntry { encoder, crc, name, offset, start, size } =
            std::mem::replace(&mut self.state, State::Poisoned)
        else {
            return Ok(());
        };
        let mut out = encoder.finish()?;
        let entry = Entry {
            name,
            crc: crc.sum(),
            compressed: u32_of(out.written - start, "zip entry")?,
            uncompressed: u32_of(size, "zip entry")?,
            offset: u32_of(offset, "zip archive")?,
        };
        let mut d = Vec::with_capacity(16);
        for v in [0x0807_4b50u32, entry.crc, entry.compressed, entry.uncompressed] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        out.write_all(&d)?;
        self.entries.push(entry);
        self.state = State::Idle(out);
        Ok(())
    }

    /// Writes the central directory and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.finish_entry()?;
        let State::Idle(mut out) = std::mem::replace(&mut self.state, State::Poisoned) else {
            return Err(io::Error::other("zip writer used after an error"));
        };
        let cd_start = out.written;
        for e in &self.entries {
            let mut c = Vec::with_capacity(46 + e.name.len());
            c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            for v in [20u16, 20, FLAGS, 8, 0, DOS_DATE_1980_01_01] {
                c.extend_from_slice(&v.to_le_bytes());
            }
            for v in [e.crc, e.compressed, e.uncompressed] {
                c.extend_from_slice(&v.to_le_bytes());
            }
            for v in [e.name.len() as u16, 0, 0, 0, 0] {
                c.extend_from_slice(&v.to_le_bytes());
            }
            c.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            c.extend_from_slice(&e.offset.to_le_bytes());
            c.extend_from_slice(e.name.as_bytes());
            out.write_all(&c)?;
        }
        let cd_size = u32_of(out.written - cd_start, "zip central directory")?;
        let count = u16::try_from(self.entries.len()).map_err(|_| too_big("zip entry count"))?;
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        for v in [0u16, 0, count, count] {
            end.extend_from_slice(&v.to_le_bytes());
        }
        end.extend_from_slice(&cd_size.to_le_bytes());
        end.extend_from_slice(&u32_of(cd_start, "zip archive")?.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        out.write_all(&end)?;
        out.flush()?;
        Ok(out.inner)
    }
}
