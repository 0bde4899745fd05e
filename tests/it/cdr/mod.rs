//! CDR collector core: parsing fixtures, follower on real files, export, search.

mod api;
mod call_view;
mod collect;
mod export;
mod follower;
mod parse;
mod search;

use jiff::tz::TimeZone;
use ringside::cdr::{CdrRecord, CsvRecordParser, CsvSource, Reject};

pub const GMT_18: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/cdr/Master-18col-gmt.csv"));
pub const LOCAL_21: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/asterisk/cdr/Master-21col-local.csv"
));
pub const AMI_CALLS: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/ami/events-calls.bin"));

/// Parses every record of a whole file with the import reader.
pub fn parse_all(bytes: &[u8], tz: TimeZone) -> Vec<Result<CdrRecord, Reject>> {
    let parser = CsvRecordParser::new(CsvSource::new(tz));
    ringside::cdr::reader::MasterCsvReader::new(bytes, 0, parser)
        .map(|item| item.map(|i| i.result))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("reading from memory cannot fail: {e}"))
}

/// Splits an AMI byte stream into messages of (key, value) byte pairs.
pub fn ami_messages(bytes: &[u8]) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
    let text = bytes;
    let mut messages = Vec::new();
    let mut current = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            if !current.is_empty() {
                messages.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(colon) = line.windows(2).position(|w| w == b": ") {
            current.push((line[..colon].to_vec(), line[colon + 2..].to_vec()));
        } else if let Some(key) = line.strip_suffix(b":") {
            current.push((key.to_vec(), Vec::new()));
        }
    }
    messages
}

/// The AMI `Event: Cdr` messages of the fixture.
pub fn ami_cdr_events() -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
    ami_messages(AMI_CALLS)
        .into_iter()
        .filter(|m| m.first().is_some_and(|(k, v)| k == b"Event" && v == b"Cdr"))
        .collect()
}
