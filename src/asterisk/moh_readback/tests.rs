//! Read-back parsing on the captured `moh show classes` response, and comparison cases.

use super::*;
use crate::asterisk::ami::proto::{Decoded, Decoder};

fn captured_output() -> Vec<String> {
    let mut buf = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/asterisk/ami/command-moh-show-classes.bin"
    ))
    .to_vec();
    let Decoded::Message(m) = Decoder::default().decode(&mut buf) else {
        panic!("fixture must decode");
    };
    m.get_all("Output").map(str::to_owned).collect()
}

fn expected(name: &str, files: &[&str]) -> ExpectedClass {
    ExpectedClass {
        name: name.into(),
        mode: "files".into(),
        directory: format!("/var/lib/asterisk/moh/{name}"),
        files: files.iter().map(|f| f.to_string()).collect(),
    }
}

fn lines(text: &[&str]) -> Vec<String> {
    text.iter().map(|s| s.to_string()).collect()
}

#[test]
fn parses_captured_classes() {
    let classes = parse_show_classes(&captured_output()).unwrap();
    assert_eq!(classes.len(), 2);
    assert_eq!(classes[1].name, "demo");
    assert_eq!(classes[1].mode.as_deref(), Some("files"));
    assert_eq!(classes[1].directory.as_deref(), Some("/var/lib/asterisk/moh/demo"));
}

#[test]
fn parses_files_listing() {
    let files = parse_show_files(&lines(&[
        "Class: demo",
        "\tFile: /var/lib/asterisk/moh/demo/intro",
        "\tFile: /var/lib/asterisk/moh/demo/loop-2",
    ]))
    .unwrap();
    assert_eq!(files[0].files.len(), 2);
}

#[test]
fn in_sync_gives_no_differences() {
    let classes = parse_show_classes(&captured_output()).unwrap();
    let files =
        parse_show_files(&lines(&["Class: demo", "\tFile: /var/lib/asterisk/moh/demo/intro"])).unwrap();
    // Class names compare ignoring case, as Asterisk does.
    let mut want = expected("demo", &["intro"]);
    want.name = "DEMO".into();
    let diffs = compare(&[want], &classes, &files);
    assert_eq!(diffs, vec![]);
}

#[test]
fn missing_class_wrong_dir_and_files_are_reported_in_words() {
    let classes = parse_show_classes(&captured_output()).unwrap();
    let files = parse_show_files(&lines(&["Class: demo", "\tFile: /var/lib/asterisk/moh/demo/old"])).unwrap();
    let mut demo = expected("demo", &["intro"]);
    demo.directory = "/var/lib/asterisk/moh/ringside/demo".into();
    let diffs = compare(&[demo, expected("sales", &[])], &classes, &files);
    let words: Vec<String> = diffs.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        words,
        vec![
            "class 'demo' reads directory '/var/lib/asterisk/moh/demo' in Asterisk, expected '/var/lib/asterisk/moh/ringside/demo': \
             another [demo] section (usually in your own musiconhold.conf) defines it first; \
             remove or comment out that section, or rename the category in Ringside",
            "class 'demo': Asterisk does not list file 'intro'",
            "class 'demo': Asterisk lists file 'old' that Ringside did not write",
            "class 'sales' is missing in Asterisk after the reload",
        ]
    );
}

#[test]
fn error_output_is_rejected() {
    let err = parse_show_classes(&lines(&[
        "No such command 'moh show classes' (type 'core show help moh show' for other possible commands)",
    ]))
    .unwrap_err();
    assert_eq!(err.line, 1);
}
