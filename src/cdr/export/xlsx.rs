//! Streaming XLSX export: SpreadsheetML sheets written row by row into a streamed ZIP.
//!
//! Owns the minimal OOXML package Excel and LibreOffice open: content types, relationships, a
//! workbook listing the sheets, a one-font stylesheet and one worksheet per 1,048,575 data rows
//! (Excel's row limit; each sheet repeats the header). Text is written as inline strings
//! (`t="inlineStr"`) so no shared-string table has to be held in memory; memory is constant.
//!
//! Why hand-written rather than `rust_xlsxwriter`: its `constant_memory` mode spools rows to temp
//! files and emits the ZIP only on `save()`, so an HTTP download would start after the whole
//! export; it also brings its own `zip` dependency tree. This writer streams bytes to any
//! `Write` from the first row and needs only `flate2` (pure-Rust miniz_oxide backend).
//!
//! ```text
//! xl/worksheets/sheet1.xml:
//! <worksheet xmlns="…/spreadsheetml/2006/main"><sheetData>
//! <row r="1"><c t="inlineStr"><is><t xml:space="preserve">start</t></is></c>…</row>
//! <row r="2"><c t="inlineStr"><is><t xml:space="preserve">2026-12-04T20:47:34+01:00</t></is></c><c><v>2</v></c>…</row>
//! </sheetData></worksheet>
//! ```
//!
//! Characters XML 1.0 forbids (C0 controls other than TAB, LF, CR) become U+FFFD.

use std::io::{self, Write};

use jiff::tz::TimeZone;

use super::zip::ZipStream;
use super::{Cell, ExportOptions, push_iso_time};

/// Data rows per sheet (Excel allows 1,048,576 rows including the header).
pub const ROWS_PER_SHEET: u64 = 1_048_575;
const SHEET_BYTE_LIMIT: u64 = 3 << 30; // stay clear of ZIP's 4 GiB entry limit
const FLUSH_AT: usize = 64 * 1024;
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// An XLSX export in progress.
pub struct XlsxExport<W: Write> {
    zip: ZipStream<W>,
    header: Vec<String>,
    timezone: TimeZone,
    buf: Vec<u8>,
    sheets: u32,
    rows_in_sheet: u64,
    rows: u64,
}

impl<W: Write> XlsxExport<W> {
    /// Starts the package and the first sheet with its header row.
    pub fn new(out: W, header: &[&str], options: &ExportOptions) -> io::Result<Self> {
        let mut x = Self {
            zip: ZipStream::new(out),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            timezone: options.timezone.clone(),
            buf: Vec::with_capacity(FLUSH_AT * 2),
            sheets: 0,
            rows_in_sheet: 0,
            rows: 0,
        };
        x.start_sheet()?;
        Ok(x)
    }

    fn start_sheet(&mut self) -> io::Result<()> {
        if self.sheets > 0 {
            self.buf.extend_from_slice(b"</sheetData></worksheet>");
            self.flush_buf()?;
        }
        self.sheets += 1;
        self.zip.start_entry(&format!("xl/worksheets/sheet{}.xml", self.sheets))?;
        self.buf
            .extend_from_slice(format!("{XML_DECL}<worksheet xmlns=\"{MAIN_NS}\"><sheetData>").as_bytes());
        self.rows_in_sheet = 0;
        let header = std::mem::take(&mut self.header);
        let cells: Vec<Cell<'_>> = header.iter().map(|h| Cell::Text(h)).collect();
        self.push_row(&cells);
        self.header = header;
        Ok(())
    }

    fn push_row(&mut self, cells: &[Cell<'_>]) {
        let row_number = self.rows_in_sheet + 1;
        self.buf.extend_from_slice(format!("<row r=\"{row_number}\">").as_bytes());
        for cell in cells {
            match *cell {
                Cell::Int(v) => self.buf.extend_from_slice(format!("<c><v>{v}</v></c>").as_bytes()),
                Cell::Time(None) => self.buf.extend_from_slice(b"<c/>"),
                Cell::Time(Some(ts)) => {
                    self.buf.extend_from_slice(b"<c t=\"inlineStr\"><is><t>");
                    push_iso_time(&mut self.buf, ts, &self.timezone);
                    self.buf.extend_from_slice(b"</t></is></c>");
                }
                Cell::Text(t) => {
                    self.buf.extend_from_slice(b"<c t=\"inlineStr\"><is><t xml:space=\"preserve\">");
                    push_xml_text(&mut self.buf, t);
                    self.buf.extend_from_slice(b"</t></is></c>");
                }
            }
        }
        self.buf.extend_from_slice(b"</row>");
        self.rows_in_sheet += 1;
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.zip.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Appends one data row (starting a new sheet when the current one is full).
    pub fn write_row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        let sheet_bytes = self.zip.entry_size() + self.buf.len() as u64;
        if self.rows_in_sheet > ROWS_PER_SHEET || sheet_bytes > SHEET_BYTE_LIMIT {
            self.start_sheet()?;
        }
        self.push_row(cells);
        self.rows += 1;
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()?;
        }
        Ok(())
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Closes the last sheet, writes the package parts and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.buf.extend_from_slice(b"</sheetData></worksheet>");
        self.flush_buf()?;
        for (name, body) in package_parts(self.sheets) {
            self.zip.start_entry(&name)?;
            self.zip.write_all(body.as_bytes())?;
        }
        self.zip.finish()
    }
}

fn package_parts(sheets: u32) -> Vec<(String, String)> {
    let ct = "application/vnd.openxmlformats-officedocument";
    let mut types = format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"{ct}.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"{ct}.spreadsheetml.styles+xml\"/>"
    );
    let mut sheet_list = String::new();
    let mut rels = format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    for i in 1..=sheets {
        types.push_str(&format!(
            "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"{ct}.spreadsheetml.worksheet+xml\"/>"
        ));
        sheet_list.push_str(&format!("<sheet name=\"CDR {i}\" sheetId=\"{i}\" r:id=\"rId{i}\"/>"));
        rels.push_str(&format!(
            "<Relationship Id=\"rId{i}\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"
        ));
    }
    types.push_str("</Types>");
    let styles_id = sheets + 1;
    rels.push_str(&format!(
        "<Relationship Id=\"rId{styles_id}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/></Relationships>"
    ));
    vec![
        ("[Content_Types].xml".into(), types),
        (
            "_rels/.rels".into(),
            format!(
                "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml".into(),
            format!(
                "{XML_DECL}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheets>{sheet_list}</sheets></workbook>"
            ),
        ),
        ("xl/_rels/workbook.xml.rels".into(), rels),
        (
            "xl/styles.xml".into(),
            format!(
                "{XML_DECL}<styleSheet xmlns=\"{MAIN_NS}\"><fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>\
                 <fills count=\"1\"><fill><patternFill patternType=\"none\"/></fill></fills>\
                 <borders count=\"1\"><border/></borders><cellStyleXfs count=\"1\"><xf/></cellStyleXfs>\
                 <cellXfs count=\"1\"><xf/></cellXfs></styleSheet>"
            ),
        ),
    ]
}

fn push_xml_text(buf: &mut Vec<u8>, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => buf.extend_from_slice(b"&amp;"),
            '<' => buf.extend_from_slice(b"&lt;"),
            '>' => buf.extend_from_slice(b"&gt;"),
            '\t' | '\n' | '\r' => buf.push(ch as u8),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                buf.extend_from_slice("\u{fffd}".as_bytes())
            }
            c => {
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
}
