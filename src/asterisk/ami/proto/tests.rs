//! Codec tests on the bytes captured from Asterisk 22 (`tests/fixtures/asterisk/ami/`).

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/ami/", $name))
    };
}

fn decode_all(decoder: &mut Decoder, buf: &mut Vec<u8>) -> Vec<Decoded> {
    let mut out = Vec::new();
    loop {
        match decoder.decode(buf) {
            Decoded::Incomplete => return out,
            other => out.push(other),
        }
    }
}

fn messages(items: Vec<Decoded>) -> Vec<Message> {
    items
        .into_iter()
        .filter_map(|d| match d {
            Decoded::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

#[test]
fn banner_from_capture() {
    let bytes = fixture!("banner.bin");
    let (version, used) = parse_banner(bytes).unwrap().unwrap();
    assert_eq!(version, "11.0.0");
    assert_eq!(used, bytes.len());
    assert_eq!(parse_banner(&bytes[..10]).unwrap(), None);
    assert!(matches!(parse_banner(b"SSH-2.0-OpenSSH\r\n"), Err(FrameError::NotAmi(_))));
}

#[test]
fn login_success_then_events() {
    let mut buf = fixture!("login-success.bin").to_vec();
    let msgs = messages(decode_all(&mut Decoder::default(), &mut buf));
    assert!(buf.is_empty());
    assert_eq!(msgs.len(), 3);
    assert_eq!(msgs[0].kind(), message::MessageKind::Response("Success"));
    assert_eq!(msgs[0].action_id(), Some("login-1"));
    assert_eq!(msgs[1].event_name(), Some("FullyBooted"));
    assert_eq!(msgs[1].get("uptime"), Some("11"));
    assert_eq!(msgs[2].get("RemoteAddress"), Some("IPV4/TCP/127.0.0.1/60278"));
}

#[test]
fn command_output_lines_keep_order_and_tabs() {
    let mut buf = fixture!("command-moh-show-classes.bin").to_vec();
    let msgs = messages(decode_all(&mut Decoder::default(), &mut buf));
    assert_eq!(msgs.len(), 1);
    let output: Vec<&str> = msgs[0].get_all("Output").collect();
    assert_eq!(output.len(), 6);
    assert_eq!(output[0], "Class: default");
    assert_eq!(output[1], "\tMode: files");
    assert_eq!(output[5], "\tDirectory: /var/lib/asterisk/moh/demo");
}

#[test]
fn byte_by_byte_feed_gives_same_frames() {
    let whole = fixture!("events-calls.bin");
    let mut all_at_once = whole.to_vec();
    let expected = messages(decode_all(&mut Decoder::default(), &mut all_at_once));
    assert_eq!(expected.len(), 92);
    let mut decoder = Decoder::default();
    let mut buf = Vec::new();
    let mut got = Vec::new();
    for &b in whole.iter() {
        buf.push(b);
        got.extend(messages(decode_all(&mut decoder, &mut buf)));
    }
    assert_eq!(got, expected);
    let names: Vec<_> = got.iter().filter_map(|m| m.event_name()).collect();
    assert!(names.contains(&"MusicOnHoldStart"));
    assert_eq!(names.iter().filter(|n| **n == "Cdr").count(), 8);
}

#[test]
fn utf8_and_empty_values_survive() {
    let mut buf = fixture!("events-calls.bin").to_vec();
    let msgs = messages(decode_all(&mut Decoder::default(), &mut buf));
    let quoted = msgs.iter().find(|m| m.get("Source") == Some("+4930123456")).unwrap();
    assert_eq!(quoted.get("CallerID"), Some("\"Zoë \\\"The Boss\\\", Müller\" <+4930123456>"));
    assert_eq!(quoted.get("AccountCode"), Some(""));
}

#[test]
fn no_colon_frame_is_skipped_and_next_frame_decodes() {
    let mut buf = b"Event: X\r\ngarbage line\r\n\r\n".to_vec();
    buf.extend_from_slice(fixture!("ping.bin"));
    let items = decode_all(&mut Decoder::default(), &mut buf);
    assert_eq!(items[0], Decoded::Malformed(FrameError::NoColon { line: 2 }));
    let msgs = messages(items);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].get("Ping"), Some("Pong"));
}

#[test]
fn one_megabyte_value_is_rejected_without_buffering_it() {
    let mut decoder = Decoder::default();
    let mut buf = b"Event: Big\r\nValue: ".to_vec();
    let mut errors = 0;
    for _ in 0..16 {
        buf.extend(std::iter::repeat_n(b'a', 64 * 1024));
        for item in decode_all(&mut decoder, &mut buf) {
            assert!(matches!(item, Decoded::Malformed(FrameError::LineTooLong { .. })));
            errors += 1;
        }
        assert!(buf.len() <= 128 * 1024, "buffer grew to {}", buf.len());
    }
    buf.extend_from_slice(b"\r\nMore: x\r\n\r\n");
    buf.extend_from_slice(fixture!("ping.bin"));
    let items = decode_all(&mut decoder, &mut buf);
    assert_eq!(errors, 1);
    let msgs = messages(items);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].action_id(), Some("ping-1"));
}

#[test]
fn oversized_frame_is_rejected() {
    let limits = Limits { max_line: 100, max_frame: 300 };
    let mut decoder = Decoder::with_limits(limits);
    let mut buf = Vec::new();
    for i in 0..20 {
        buf.extend_from_slice(format!("Output: line {i}\r\n").as_bytes());
    }
    buf.extend_from_slice(b"\r\n");
    buf.extend_from_slice(fixture!("ping.bin"));
    let items = decode_all(&mut decoder, &mut buf);
    assert_eq!(items[0], Decoded::Malformed(FrameError::FrameTooLarge { limit: 300 }));
    assert_eq!(messages(items).len(), 1);
}

#[test]
fn empty_key_is_malformed() {
    let mut buf = b": value\r\n\r\n".to_vec();
    let items = decode_all(&mut Decoder::default(), &mut buf);
    assert_eq!(items, vec![Decoded::Malformed(FrameError::EmptyKey { line: 1 })]);
}

#[test]
fn encode_login_exact_bytes() {
    let bytes = Action::new("Login")
        .field("Username", "acc_ami")
        .field("Secret", "s3cret")
        .encode("login-1")
        .unwrap();
    assert_eq!(bytes, b"Action: Login\r\nActionID: login-1\r\nUsername: acc_ami\r\nSecret: s3cret\r\n\r\n");
}

#[test]
fn encode_refuses_control_characters_anywhere() {
    for bad in ["moh show classes\r\nAction: Logoff", "x\ny", "tab\there", "nul\0", "del\u{7f}"] {
        let err = Action::new("Command").field("Command", bad).encode("c1");
        assert!(matches!(err, Err(EncodeError::ControlCharacter { .. })), "{bad:?}");
    }
    assert!(Action::new("Ping").encode("id\r\n").is_err());
    assert!(Action::new("Ping\n").encode("1").is_err());
    assert!(matches!(Action::new("Ping").field("Bad Key", "v").encode("1"), Err(EncodeError::BadKey { .. })));
    assert!(Action::new("Ping").field("", "v").encode("1").is_err());
}

#[test]
fn encoded_action_decodes_back() {
    let bytes = Action::new("Command").field("Command", "moh show files").encode("cmd-7").unwrap();
    let mut buf = bytes;
    let msgs = messages(decode_all(&mut Decoder::default(), &mut buf));
    assert_eq!(msgs[0].get("Command"), Some("moh show files"));
    assert_eq!(msgs[0].action_id(), Some("cmd-7"));
}
