//! Parse and export throughput: `cargo bench --bench cdr_parse -- [PATH]`.
//!
//! Reads the file written by `gen_master_csv` (default `target/bench/Master.csv`), parses every
//! record with the import reader (Europe/Berlin local times) and prints records/s; then exports
//! the parsed records as CSV and XLSX to a sink and prints rows/s.

use std::time::Instant;

use jiff::tz::TimeZone;
use ringside::cdr::export::{Cell, CsvExport, ExportOptions, XlsxExport};
use ringside::cdr::reader::MasterCsvReader;
use ringside::cdr::{CdrRecord, CsvRecordParser, CsvSource, dedupe_key};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_else(|| "target/bench/Master.csv".into());
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("{path}: {e} (run `cargo bench --bench gen_master_csv` first)"))?;
    let tz = TimeZone::get("Europe/Berlin")?;
    let started = Instant::now();
    let parser = CsvRecordParser::new(CsvSource::new(tz.clone()));
    let (mut records, mut rejects) = (Vec::new(), 0u64);
    for item in MasterCsvReader::new(&bytes[..], 0, parser) {
        match item?.result {
            Ok(r) => records.push(r),
            Err(_) => rejects += 1,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let n = records.len() as f64;
    println!(
        "parse: {} records, {rejects} rejects, {secs:.2} s, {:.0} records/s, {:.0} MB/s",
        records.len(),
        n / secs,
        bytes.len() as f64 / secs / 1e6
    );

    let started = Instant::now();
    let keys = records.iter().map(|r| dedupe_key("pbx1", r)).filter(|k| k.digest[0] == 0).count();
    println!("dedupe keys: {:.0} keys/s ({keys} sampled)", n / started.elapsed().as_secs_f64());

    let options = ExportOptions { timezone: tz, bom: true };
    let header = [
        "start",
        "answer",
        "end",
        "src",
        "dst",
        "clid",
        "channel",
        "dstchannel",
        "disposition",
        "duration",
        "billsec",
    ];
    let texts = |r: &CdrRecord| {
        [
            r.src.to_display(),
            r.dst.to_display(),
            r.clid.to_display(),
            r.channel.to_display(),
            r.dstchannel.to_display(),
        ]
    };
    let started = Instant::now();
    let mut csv = CsvExport::new(std::io::sink(), &header, &options)?;
    for r in &records {
        let t = texts(r);
        csv.write_row(&cells(r, &t))?;
    }
    csv.finish()?;
    println!("export csv: {:.0} rows/s", n / started.elapsed().as_secs_f64());
    let started = Instant::now();
    let mut x = XlsxExport::new(std::io::sink(), &header, &options)?;
    for r in &records {
        let t = texts(r);
        x.write_row(&cells(r, &t))?;
    }
    x.finish()?;
    println!("export xlsx: {:.0} rows/s", n / started.elapsed().as_secs_f64());
    Ok(())
}

/// One exported row: the same cells for the CSV and the XLSX writer.
fn cells<'a>(r: &'a CdrRecord, t: &'a [String; 5]) -> [Cell<'a>; 11] {
    [
        Cell::Time(Some(r.start)),
        Cell::Time(r.answer),
        Cell::Time(r.end),
        Cell::Text(&t[0]),
        Cell::Text(&t[1]),
        Cell::Text(&t[2]),
        Cell::Text(&t[3]),
        Cell::Text(&t[4]),
        Cell::Text(r.disposition.as_str()),
        Cell::Int(r.duration),
        Cell::Int(r.billsec),
    ]
}
