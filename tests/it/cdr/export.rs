//! CSV and XLSX export: formula neutralisation, quoting, and an XLSX that unzips to XML.

use std::io::Read;

use flate2::read::DeflateDecoder;
use jiff::tz::TimeZone;
use ringside::cdr::export::{Cell, CsvExport, ExportOptions, XlsxExport};

const HEADER: [&str; 4] = ["start", "src", "clid", "duration"];

fn rows() -> Vec<(Option<jiff::Timestamp>, &'static str, &'static str, i64)> {
    let t: jiff::Timestamp = "2026-12-04T19:47:34Z".parse().unwrap_or_else(|e| panic!("{e}"));
    vec![
        (Some(t), "+4930123456", "\"Zoë \\\"The Boss\\\", Müller\" <+4930123456>", 2),
        (None, "=cmd|' /C calc'!A0", "<script>alert(1)</script> & \u{1}", -1),
        (Some(t), "@SUM(1)", "-2+3", 0),
    ]
}

fn cells<'a>(r: &'a (Option<jiff::Timestamp>, &'static str, &'static str, i64)) -> [Cell<'a>; 4] {
    [Cell::Time(r.0), Cell::Text(r.1), Cell::Text(r.2), Cell::Int(r.3)]
}

fn options() -> ExportOptions {
    ExportOptions { timezone: TimeZone::get("Europe/Berlin").unwrap_or_else(|e| panic!("{e}")), bom: true }
}

#[test]
fn csv_neutralises_formulas_and_quotes_rfc4180() -> std::io::Result<()> {
    let mut csv = CsvExport::new(Vec::new(), &HEADER, &options())?;
    for r in &rows() {
        csv.write_row(&cells(r))?;
    }
    let out = String::from_utf8(csv.finish()?).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(lines[0], "\u{feff}start,src,clid,duration");
    assert_eq!(
        lines[1],
        "2026-12-04T20:47:34+01:00,'+4930123456,\"\"\"Zoë \\\"\"The Boss\\\"\", Müller\"\" <+4930123456>\",2"
    );
    assert_eq!(lines[2], ",'=cmd|' /C calc'!A0,<script>alert(1)</script> & \u{1},-1");
    assert_eq!(lines[3], "2026-12-04T20:47:34+01:00,'@SUM(1),'-2+3,0");
    Ok(())
}

/// Reads a ZIP through its central directory (independently of the writer) and inflates entries.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize;
    let eocd = bytes.len() - 22;
    assert_eq!(u32_at(eocd), 0x0605_4b50);
    let (count, mut p) = (u16_at(eocd + 10), u32_at(eocd + 16));
    let mut out = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(p), 0x0201_4b50);
        let (crc, csize, usize_) = (u32_at(p + 16), u32_at(p + 20), u32_at(p + 24));
        let (nlen, local) = (u16_at(p + 28), u32_at(p + 42));
        let name = String::from_utf8(bytes[p + 46..p + 46 + nlen].to_vec()).unwrap_or_default();
        assert_eq!(u32_at(local), 0x0403_4b50);
        let data = local + 30 + u16_at(local + 26) + u16_at(local + 28);
        let mut content = Vec::new();
        DeflateDecoder::new(&bytes[data..data + csize])
            .read_to_end(&mut content)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(content.len(), usize_);
        let mut c = flate2::Crc::new();
        c.update(&content);
        assert_eq!(c.sum() as usize, crc, "{name}");
        out.push((name, content));
        p += 46 + nlen;
    }
    out
}

/// Minimal well-formedness check: balanced tags, only the five predefined entities.
fn assert_well_formed(name: &str, xml: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        for (i, _) in text.match_indices('&') {
            let ent = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
            assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&ent), "{name}: bad entity {ent}");
        }
        assert!(!text.chars().any(|c| (c as u32) < 0x20 && !"\t\n\r".contains(c)), "{name}: control char");
        let gt = rest[lt..].find('>').unwrap_or_else(|| panic!("{name}: unclosed tag")) + lt;
        let tag = &rest[lt + 1..gt];
        if tag.starts_with('?') {
        } else if let Some(close) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(close), "{name}");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or(""));
        }
        rest = &rest[gt + 1..];
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
}

#[test]
fn xlsx_unzips_to_well_formed_parts_with_the_rows() -> std::io::Result<()> {
    let mut x = XlsxExport::new(Vec::new(), &HEADER, &options())?;
    for r in &rows() {
        x.write_row(&cells(r))?;
    }
    let parts = unzip(&x.finish()?);
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    for needed in [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
    ] {
        assert!(names.contains(&needed), "{needed} missing from {names:?}");
    }
    for (name, body) in &parts {
        assert_well_formed(name, std::str::from_utf8(body).unwrap_or_else(|e| panic!("{name}: {e}")));
    }
    let sheet = parts
        .iter()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .map(|(_, b)| String::from_utf8_lossy(b))
        .unwrap_or_default();
    assert_eq!(sheet.matches("<row ").count(), 4);
    assert!(sheet.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \u{fffd}"));
    assert!(sheet.contains(">=cmd|' /C calc'!A0<"), "typed strings need no neutralisation");
    assert!(sheet.contains("<c><v>-1</v></c>") && sheet.contains("2026-12-04T20:47:34+01:00"));
    Ok(())
}

#[test]
fn xlsx_opens_with_system_unzip_when_available() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("cdr.xlsx");
    let mut x = XlsxExport::new(std::fs::File::create(&path)?, &HEADER, &options())?;
    for r in &rows() {
        x.write_row(&cells(r))?;
    }
    x.finish()?;
    match std::process::Command::new("unzip").arg("-tq").arg(&path).output() {
        Ok(out) => assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout)),
        Err(_) => eprintln!("unzip not installed; covered by the in-process reader"),
    }
    Ok(())
}
