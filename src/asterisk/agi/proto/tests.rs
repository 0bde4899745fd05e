//! Unit tests for the codec, with byte literals copied from `tests/fixtures/asterisk/agi/`.

use super::*;

/// `session-env.bin`, byte for byte.
const SESSION_ENV: &[u8] = b"agi_network: yes\nagi_network_script: moh?queue=sales\nagi_request: agi://127.0.0.1:4573/moh?queue=sales\nagi_channel: Local/s@agi-test-00000000;2\nagi_language: en\nagi_type: Local\nagi_uniqueid: 1796413638.1\nagi_version: 22.10.1\nagi_callerid: unknown\nagi_calleridname: unknown\nagi_callingpres: 67\nagi_callingani2: 0\nagi_callington: 0\nagi_callingtns: 0\nagi_dnid: unknown\nagi_rdnis: unknown\nagi_context: agi-test\nagi_extension: s\nagi_priority: 3\nagi_enhanced: 0.0\nagi_accountcode: \nagi_threadid: 140601190119104\nagi_arg_1: arg1\n\n";

fn parse_all(buf: &[u8]) -> Result<EnvProgress, ProtoError> {
    EnvParser::new(EnvLimits::default()).advance(buf)
}

fn complete(progress: EnvProgress) -> (AgiEnv, usize) {
    match progress {
        EnvProgress::Complete { env, consumed } => (env, consumed),
        EnvProgress::Incomplete => panic!("expected a complete environment"),
    }
}

#[test]
fn session_env_fixture_parses_every_key() {
    assert_eq!(
        SESSION_ENV,
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/agi/session-env.bin"))
    );
    let (env, consumed) = complete(parse_all(SESSION_ENV).unwrap());
    assert_eq!(consumed, SESSION_ENV.len());
    assert_eq!(env.vars().count(), 23);
    assert_eq!(env.raw("uniqueid"), Some(&b"1796413638.1"[..]));
    assert_eq!(env.raw("accountcode"), Some(&b""[..]));
    assert_eq!(env.text("context").as_deref(), Some("agi-test"));
    assert_eq!(env.arg(1), Some(&b"arg1"[..]));
    assert_eq!(env.arg(2), None);
    let script = env.script().unwrap();
    assert_eq!(script.path, "moh");
    assert_eq!(script.param("queue"), Some("sales"));
}

#[test]
fn trickled_env_gives_the_same_result_as_one_read() {
    let mut parser = EnvParser::new(EnvLimits::default());
    for end in 1..SESSION_ENV.len() {
        assert_eq!(parser.advance(&SESSION_ENV[..end]), Ok(EnvProgress::Incomplete));
    }
    assert_eq!(parser.advance(SESSION_ENV), parse_all(SESSION_ENV), "byte-at-a-time must equal one-shot");
}

#[test]
fn bytes_after_the_blank_line_are_left_for_the_next_message() {
    let mut buf = SESSION_ENV.to_vec();
    buf.extend_from_slice(b"HANGUP\n");
    let (_, consumed) = complete(parse_all(&buf).unwrap());
    assert_eq!(&buf[consumed..], b"HANGUP\n");
}

#[test]
fn nul_and_non_utf8_in_caller_name_are_kept_raw() {
    let buf =
        b"agi_network_script: moh\nagi_calleridname: Zo\xeb\x00\"Boss\"\nagi_arg_2: b\nagi_arg_1: a\n\n";
    let (env, _) = complete(parse_all(buf).unwrap());
    assert_eq!(env.raw("calleridname"), Some(&b"Zo\xeb\x00\"Boss\""[..]));
    assert_eq!(env.text("calleridname").as_deref(), Some("Zo\u{fffd}\0\"Boss\""));
    assert_eq!(env.args().collect::<Vec<_>>(), vec![&b"a"[..], &b"b"[..]]);
}

#[test]
fn limits_are_enforced_before_the_blank_line() {
    let long_line = [b"agi_calleridname: ".as_slice(), &vec![b'x'; 9000]].concat();
    assert_eq!(parse_all(&long_line), Err(ProtoError::LineTooLong { limit: 8192 }));
    let many: Vec<u8> = (0..10_000).flat_map(|i| format!("agi_arg_{i}: x\n").into_bytes()).collect();
    assert!(matches!(
        parse_all(&many),
        Err(ProtoError::TooManyEnvLines { .. } | ProtoError::EnvTooLarge { .. })
    ));
    let big: Vec<u8> =
        (0..200).flat_map(|i| format!("agi_k{i}: {}\n", "v".repeat(400)).into_bytes()).collect();
    assert_eq!(parse_all(&big), Err(ProtoError::EnvTooLarge { limit: 65536 }));
    assert_eq!(parse_all(b"garbage line\n"), Err(ProtoError::MalformedEnvLine { line: 1 }));
}

#[test]
fn script_request_decodes_path_and_query() {
    let req = ScriptRequest::parse(b"/schedule/?name=Main%20Office&x&q=a+b");
    assert_eq!(req.path, "schedule");
    assert_eq!(req.param("name"), Some("Main Office"));
    assert_eq!(req.param("x"), Some(""));
    assert_eq!(req.param("q"), Some("a b"));
    assert_eq!(ScriptRequest::parse(b"moh%zz").path, "moh%zz");
}

#[test]
fn commands_match_the_captured_bytes() {
    let set = Command::set_variable("CHANNEL(musicclass)", "demo").unwrap();
    assert_eq!(set.as_bytes(), b"SET VARIABLE CHANNEL(musicclass) demo\n");
    let verbose = Command::verbose("chose class demo", 1).unwrap();
    assert_eq!(verbose.as_bytes(), b"VERBOSE \"chose class demo\" 1\n");
    let stream = Command::new("STREAM FILE", &["beep", ""]).unwrap();
    assert_eq!(stream.as_bytes(), b"STREAM FILE beep \"\"\n");
    let exec = Command::new("EXEC", &["NoOp", "hello world"]).unwrap();
    assert_eq!(exec.as_bytes(), b"EXEC NoOp \"hello world\"\n");
    assert_eq!(Command::noop().as_bytes(), b"NOOP\n");
}

#[test]
fn commands_refuse_cr_lf_nul_anywhere() {
    for bad in ["a\nb", "a\rb", "a\0b", "\n"] {
        assert_eq!(Command::set_variable("X", bad), Err(ProtoError::ForbiddenByte));
        assert_eq!(Command::set_variable(bad, "x"), Err(ProtoError::ForbiddenByte));
        assert_eq!(Command::verbose(bad, 1), Err(ProtoError::ForbiddenByte));
        assert_eq!(Command::new(bad, &[]), Err(ProtoError::ForbiddenByte));
    }
    let huge = "x".repeat(MAX_COMMAND_LINE);
    assert!(matches!(Command::set_variable("X", &huge), Err(ProtoError::CommandTooLong { .. })));
}

/// Asterisk's `parse_args` (res_agi.c), ported for the round-trip test below.
fn asterisk_parse_args(line: &[u8]) -> Vec<Vec<u8>> {
    let (mut words, mut cur) = (Vec::new(), Vec::new());
    let (mut quoted, mut escaped, mut whitespace) = (false, false, true);
    for &b in line {
        let literal = match b {
            b'"' if !escaped => {
                quoted = !quoted;
                if quoted && whitespace {
                    whitespace = false;
                }
                false
            }
            b' ' | b'\t' if !quoted && !escaped => {
                if !whitespace {
                    words.push(std::mem::take(&mut cur));
                }
                whitespace = true;
                false
            }
            b'\\' if !escaped => {
                escaped = true;
                continue;
            }
            _ => true,
        };
        if literal {
            whitespace = false;
            cur.push(b);
        }
        escaped = false;
    }
    if !whitespace {
        words.push(cur);
    }
    words
}

#[test]
fn quoted_values_round_trip_through_asterisk_parse_args() {
    for value in ["demo", "", "two words", "q\"uote", "back\\slash", "\\\"", "tab\there", "ünï"] {
        let cmd = Command::set_variable("RINGSIDE_RULE", value).unwrap();
        let line = cmd.as_bytes().strip_suffix(b"\n").unwrap();
        let words = asterisk_parse_args(line);
        assert_eq!(words.len(), 4, "{value:?} -> {:?}", String::from_utf8_lossy(line));
        assert_eq!(words[3], value.as_bytes());
    }
}

fn parse_reply(buf: &[u8]) -> Result<Option<(Reply, usize)>, ProtoError> {
    ReplyParser::new(65536, 8192).advance(buf)
}

fn ok(result: i64, data: Option<&[u8]>) -> Reply {
    Reply::Success { result, data: data.map(<[u8]>::to_vec), endpos: None }
}

#[test]
fn replies_from_the_session_capture() {
    let cases: [(&[u8], Reply); 6] = [
        (b"200 result=1 ()\n", ok(1, Some(b""))),
        (b"200 result=1\n", ok(1, None)),
        (b"200 result=1 (demo)\n", ok(1, Some(b"demo"))),
        (b"200 result=0\n", ok(0, None)),
        (b"510 Invalid or unknown command\n", Reply::InvalidCommand),
        (
            b"520 Invalid command syntax.  Proper usage not available.\n",
            Reply::Usage { usage: String::new() },
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(parse_reply(bytes), Ok(Some((want, bytes.len()))));
    }
}

#[test]
fn replies_from_the_hangup_capture_and_extras() {
    let dead = b"511 Command Not Permitted on a dead channel or intercept routine\n";
    assert_eq!(parse_reply(b"HANGUP\n"), Ok(Some((Reply::Hangup, 7))));
    assert_eq!(parse_reply(dead), Ok(Some((Reply::DeadChannel, dead.len()))));
    let both = [b"HANGUP\n".as_slice(), dead].concat();
    assert_eq!(parse_reply(&both), Ok(Some((Reply::Hangup, 7))));
    let with_endpos = b"200 result=-1 (a (b) c) endpos=12345\r\n";
    let want = Reply::Success { result: -1, data: Some(b"a (b) c".to_vec()), endpos: Some(12345) };
    assert_eq!(parse_reply(with_endpos), Ok(Some((want, with_endpos.len()))));
    for bad in [&b"200 result=x\n"[..], b"2001\n", b"404 nope\n", b"\n", b"200 result=1 junk\n"] {
        assert_eq!(parse_reply(bad), Err(ProtoError::MalformedReply), "{bad:?}");
    }
}

#[test]
fn multi_line_520_is_one_reply_even_when_trickled() {
    let block = b"520-Invalid command syntax.  Proper usage follows:\n Usage: SET VARIABLE <variablename> <value>\n520 End of proper usage.\n200 result=1\n";
    let mut parser = ReplyParser::new(65536, 8192);
    let end_of_block = block.len() - b"200 result=1\n".len();
    for end in 0..end_of_block {
        assert_eq!(parser.advance(&block[..end]), Ok(None));
    }
    let usage = " Usage: SET VARIABLE <variablename> <value>".to_owned();
    assert_eq!(parser.advance(block), Ok(Some((Reply::Usage { usage }, end_of_block))));
}

#[test]
fn reply_limits_hold_for_endless_blocks() {
    let mut block = b"520-x\n".to_vec();
    block.extend(std::iter::repeat_n(b"usage line\n".as_slice(), 10_000).flatten());
    assert_eq!(parse_reply(&block), Err(ProtoError::ReplyTooLarge { limit: 65536 }));
    assert_eq!(parse_reply(&vec![b'2'; 9000]), Err(ProtoError::LineTooLong { limit: 8192 }));
}
