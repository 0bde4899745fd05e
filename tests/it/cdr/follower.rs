//! The Master.csv follower against real files in a temp directory.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use jiff::tz::TimeZone;
use ringside::cdr::follower::{Batch, FollowEvent, FollowerConfig, MasterCsvFollower};
use ringside::cdr::position::FilePosition;
use ringside::cdr::{CsvSource, RejectReason};

use super::GMT_18;

fn lines() -> Vec<&'static [u8]> {
    GMT_18.split_inclusive(|&b| b == b'\n').collect()
}

fn append(path: &Path, bytes: &[u8]) {
    let mut f = OpenOptions::new().create(true).append(true).open(path).unwrap_or_else(|e| panic!("{e}"));
    f.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
}

fn follower(path: &Path, resume: Option<FilePosition>) -> MasterCsvFollower {
    MasterCsvFollower::new(FollowerConfig::new(path, CsvSource::new(TimeZone::UTC)), resume)
}

fn batch(f: &mut MasterCsvFollower) -> Batch {
    f.next_batch(1000).unwrap_or_else(|e| panic!("{e}"))
}

fn uniqueids(b: &Batch) -> Vec<String> {
    b.records
        .iter()
        .map(|r| match r {
            Ok(r) => r.uniqueid.as_ref().map(|u| u.as_escaped().to_owned()).unwrap_or_default(),
            Err(e) => format!("reject: {}", e.reason),
        })
        .collect()
}

fn uid(line: &[u8]) -> String {
    let s = String::from_utf8_lossy(line);
    let fields: Vec<&str> = s.split("\",\"").collect();
    fields.iter().find(|f| f.starts_with("17964")).map(|f| f.to_string()).unwrap_or_default()
}

#[test]
fn partial_last_line_is_held_until_it_completes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("Master.csv");
    let l = lines();
    append(&path, l[0]);
    let (head, tail) = l[1].split_at(40);
    append(&path, head);
    let mut f = follower(&path, None);
    let b = batch(&mut f);
    assert_eq!(uniqueids(&b), vec![uid(l[0])]);
    assert_eq!(b.end_position.map(|p| p.offset), Some(l[0].len() as u64));
    assert!(batch(&mut f).records.is_empty());
    append(&path, tail);
    let b = batch(&mut f);
    assert_eq!(uniqueids(&b), vec![uid(l[1])]);
    assert_eq!(b.end_position.map(|p| p.offset), Some((l[0].len() + l[1].len()) as u64));
}

#[test]
fn quoted_newline_inside_a_record_is_not_a_line_end() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("Master.csv");
    let line = String::from_utf8_lossy(lines()[9]).replace("one,two", "one\ntwo");
    let cut = line.find('\n').unwrap_or(0) + 1;
    append(&path, &line.as_bytes()[..cut]);
    let mut f = follower(&path, None);
    assert!(batch(&mut f).records.is_empty(), "record not finished yet");
    append(&path, &line.as_bytes()[cut..]);
    let b = batch(&mut f);
    let r = b.records[0].as_ref().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.lastdata.as_escaped(), "one\ntwo");
}

#[test]
fn rename_rotation_under_appends_loses_and_repeats_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("Master.csv");
    let l = lines();
    let mut f = follower(&path, None);
    let mut seen = Vec::new();
    for (i, line) in l.iter().enumerate() {
        append(&path, line);
        if i == 5 || i == 11 {
            // logrotate's default: rename. Asterisk reopens the path for every record, so the
            // next record lands in a fresh file while the follower still holds the old one.
            let rotated = dir.path().join(format!("Master.csv.{i}"));
            fs::rename(&path, &rotated).unwrap_or_else(|e| panic!("{e}"));
        }
        if i % 3 == 0 {
            seen.extend(uniqueids(&batch(&mut f)));
        }
    }
    let last = batch(&mut f);
    seen.extend(uniqueids(&last));
    let want: Vec<String> = l.iter().map(|x| uid(x)).collect();
    assert_eq!(seen, want);
    let pos = last.end_position.unwrap_or_else(|| panic!("a file is open"));
    let meta = fs::metadata(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((pos.offset, pos.inode), (meta.len(), std::os::unix::fs::MetadataExt::ino(&meta)));
}

#[test]
fn restart_after_rotation_drains_the_renamed_file_first() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("Master.csv");
    let l = lines();
    append(&path, l[0]);
    let committed = batch(&mut follower(&path, None)).end_position;
    append(&path, l[1]);
    fs::rename(&path, dir.path().join("Master.csv.1")).unwrap_or_else(|e| panic!("{e}"));
    append(&path, l[2]);
    let mut f = follower(&path, committed);
    let b = batch(&mut f);
    assert_eq!(uniqueids(&b), vec![uid(l[1]), uid(l[2])]);
    assert!(b.events.iter().any(|e| matches!(e, FollowEvent::ResumedFromRotated { .. })));
    assert!(b.events.iter().any(|e| matches!(e, FollowEvent::Rotated { .. })));
}

#[test]
fn truncation_restarts_from_zero_and_is_reported() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("Master.csv");
    let l = lines();
    append(&path, &l[..4].concat());
    let mut f = follower(&path, None);
    assert_eq!(batch(&mut f).records.len(), 4);
    // copytruncate, then Asterisk writes more than before: size alone would not reveal it.
    fs::write(&path, l[4..10].concat()).unwrap_or_else(|e| panic!("{e}"));
    let b = batch(&mut f);
    assert!(b.events.iter().any(|e| matches!(e, FollowEvent::Truncated { .. })), "{:?}", b.events);
    assert_eq!(uniqueids(&b), l[4..10].iter().map(|x| uid(x)).collect::<Vec<_>>());
    // Restart from the committed position after a truncation that shrank the file.
    let committed = b.end_position;
    fs::write(&path, l[10]).unwrap_or_else(|e| panic!("{e}"));
    let b = batch(&mut follower(&path, committed));
    assert_eq!(uniqueids(&b), vec![uid(l[10])]);
}

#[test]
fn missing_then_unreadable_file_is_waited_for() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("Master.csv");
    let mut f = follower(&path, None);
    let b = batch(&mut f);
    assert_eq!(b.events, vec![FollowEvent::Unavailable { kind: std::io::ErrorKind::NotFound }]);
    assert!(b.end_position.is_none());
    assert!(batch(&mut f).events.is_empty(), "reported once, not every poll");
    append(&path, lines()[0]);
    let b = batch(&mut f);
    assert_eq!(b.records.len(), 1);
    assert!(b.events.contains(&FollowEvent::Recovered));
}

#[test]
fn unfinished_tail_of_a_rotated_file_becomes_a_reject() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("Master.csv");
    let l = lines();
    append(&path, l[0]);
    append(&path, &l[1][..30]);
    let mut f = follower(&path, None);
    assert_eq!(batch(&mut f).records.len(), 1);
    fs::rename(&path, dir.path().join("Master.csv.1")).unwrap_or_else(|e| panic!("{e}"));
    append(&path, l[2]);
    let b = batch(&mut f);
    let reasons: Vec<Option<RejectReason>> =
        b.records.iter().map(|r| r.as_ref().err().map(|e| e.reason.clone())).collect();
    assert_eq!(reasons, vec![Some(RejectReason::IncompleteAtRotation), None]);
    let reject = b.records[0].as_ref().err().map(|e| (e.offset, e.raw.to_bytes()));
    assert_eq!(reject, Some((Some(l[0].len() as u64), l[1][..30].to_vec())));
}
