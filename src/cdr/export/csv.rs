//! Streaming RFC 4180 CSV export (UTF-8, optional BOM, CRLF line ends).
//!
//! Owns CSV rendering of [`Cell`] rows. Rows are rendered into a buffer that is flushed to the
//! output every 64 KiB, so memory is constant. Formula neutralisation is applied to every text
//! cell (see the parent module).
//!
//! ```text
//! start,src,clid\r\n
//! 2026-12-04T20:47:34+01:00,'+4930123456,"""Zoë \""The Boss\"", Müller"" <+4930123456>"\r\n
//! ```

use std::io::{self, Write};

use jiff::tz::TimeZone;

use super::{Cell, ExportOptions, neutralise_formula, push_iso_time};

const FLUSH_AT: usize = 64 * 1024;

/// A CSV export in progress.
pub struct CsvExport<W: Write> {
    out: W,
    buf: Vec<u8>,
    timezone: TimeZone,
    rows: u64,
}

impl<W: Write> CsvExport<W> {
    /// Starts an export: BOM (if asked) and the header row.
    pub fn new(out: W, header: &[&str], options: &ExportOptions) -> io::Result<Self> {
        let mut export =
            Self { out, buf: Vec::with_capacity(FLUSH_AT * 2), timezone: options.timezone.clone(), rows: 0 };
        if options.bom {
            export.buf.extend_from_slice("\u{feff}".as_bytes());
        }
        let cells: Vec<Cell<'_>> = header.iter().map(|h| Cell::Text(h)).collect();
        export.write_row(&cells)?;
        export.rows = 0;
        Ok(export)
    }

    /// Appends one row.
    pub fn write_row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            match *cell {
                Cell::Text(t) => push_text(&mut self.buf, &neutralise_formula(t)),
                Cell::Int(v) => write!(self.buf, "{v}")?,
                Cell::Time(Some(ts)) => push_iso_time(&mut self.buf, ts, &self.timezone),
                Cell::Time(None) => {}
            }
        }
        self.buf.extend_from_slice(b"\r\n");
        self.rows += 1;
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes everything and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn push_text(buf: &mut Vec<u8>, text: &str) {
    let needs_quotes = text.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if !needs_quotes {
        buf.extend_from_slice(text.as_bytes());
        return;
    }
    buf.push(b'"');
    for b in text.bytes() {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_bom_and_neutralisation() -> io::Result<()> {
        let options = ExportOptions { timezone: TimeZone::UTC, bom: true };
        let mut csv = CsvExport::new(Vec::new(), &["a", "b", "c", "d"], &options)?;
        csv.write_row(&[
            Cell::Text("x,\"y\"\nz"),
            Cell::Text("=HYPERLINK(\"h\")"),
            Cell::Int(-5),
            Cell::Time(None),
        ])?;
        let out = csv.finish()?;
        let want = "\u{feff}a,b,c,d\r\n\"x,\"\"y\"\"\nz\",\"'=HYPERLINK(\"\"h\"\")\",-5,\r\n";
        assert_eq!(String::from_utf8_lossy(&out), want);
        Ok(())
    }
}
