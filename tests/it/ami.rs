//! AMI client against the fake AMI peer: captured bytes, login, commands, and every fault in
//! issue 5 (Asterisk down, wrong credentials, restart, flood, malformed frames, CR/LF values).

use std::sync::atomic::Ordering;
use std::time::Duration;

use ringside::asterisk::ami::client::{ResyncReason, TcpConnector};
use ringside::asterisk::ami::{AmiClient, AmiConfig, AmiConnectionState, AmiError, AmiEvent};
use ringside::asterisk::moh_readback::{
    Difference, ExpectedClass, compare, parse_show_classes, parse_show_files,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::fakes::ami::{self as fake, FakeAmi, FakeClass};

const USER: &str = "acc_ami";
const SECRET: &str = "s3cret";

fn config(secret: &str, event_capacity: usize) -> AmiConfig {
    let mut config = AmiConfig::new(USER, secret);
    config.event_capacity = event_capacity;
    config.action_timeout = Duration::from_secs(2);
    config
}

async fn connected(client: &AmiClient) {
    let mut state = client.state();
    tokio::time::timeout(
        Duration::from_secs(60),
        state.wait_for(|s| matches!(s, AmiConnectionState::Connected { .. })),
    )
    .await
    .expect("connected in time")
    .expect("client alive");
}

async fn read_exact_len(stream: &mut tokio::net::TcpStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf).await.expect("read");
    buf
}

#[tokio::test]
async fn fake_reproduces_captured_bytes_exactly() {
    let fake = FakeAmi::new(USER, SECRET);
    let addr = fake.listen().await;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert_eq!(read_exact_len(&mut s, fake::BANNER.len()).await, fake::BANNER);
    let exchanges: [(&str, &[u8]); 4] = [
        ("Action: Login\r\nActionID: login-1\r\nUsername: acc_ami\r\nSecret: s3cret\r\n\r\n", fake::LOGIN_OK),
        ("Action: Command\r\nActionID: cmd-1\r\nCommand: moh show classes\r\n\r\n", fake::SHOW_CLASSES),
        ("Action: Ping\r\nActionID: ping-1\r\n\r\n", fake::PING),
        ("Action: Reload\r\nActionID: reload-1\r\nModule: res_musiconhold.so\r\n\r\n", fake::RELOAD),
    ];
    for (request, capture) in exchanges {
        s.write_all(request.as_bytes()).await.unwrap();
        assert_eq!(read_exact_len(&mut s, capture.len()).await, capture, "{request}");
    }
    let mut bad = tokio::net::TcpStream::connect(addr).await.unwrap();
    read_exact_len(&mut bad, fake::BANNER.len()).await;
    bad.write_all(b"Action: Login\r\nActionID: login-2\r\nUsername: acc_ami\r\nSecret: nope\r\n\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    bad.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, fake::LOGIN_FAILED);
}

#[tokio::test]
async fn login_command_reload_and_readback_over_tcp() {
    let fake = FakeAmi::new(USER, SECRET);
    let addr = fake.listen().await;
    let connector = TcpConnector { host: addr.ip().to_string(), port: addr.port() };
    let (client, _events) = AmiClient::spawn(config(SECRET, 64), connector);
    connected(&client).await;
    fake.set_classes(vec![
        FakeClass {
            name: "default".into(),
            directory: "/var/lib/asterisk/moh/default".into(),
            files: vec![],
        },
        FakeClass {
            name: "sales".into(),
            directory: "/var/lib/asterisk/moh/ringside/sales".into(),
            files: vec!["intro".into()],
        },
    ]);
    fake.lose_class_on_reload("sales");
    let expected = [ExpectedClass {
        name: "sales".into(),
        mode: "files".into(),
        directory: "/var/lib/asterisk/moh/ringside/sales".into(),
        files: vec!["intro".into()],
    }];
    let read_back = async || {
        let classes = parse_show_classes(&client.command("moh show classes").await.unwrap()).unwrap();
        let files = parse_show_files(&client.command("moh show files").await.unwrap()).unwrap();
        compare(&expected, &classes, &files)
    };
    assert_eq!(read_back().await, vec![]);
    client.reload_module("res_musiconhold.so").await.unwrap();
    assert_eq!(read_back().await, vec![Difference::MissingClass { class: "sales".into() }]);
    let err = client.reload_module("res_nosuch.so").await.unwrap_err();
    assert!(
        matches!(err, AmiError::ActionFailed { ref message, .. } if message == "Invalid/unknown command")
    );
    client.ping().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn asterisk_down_keeps_retrying_with_backoff_then_connects() {
    let fake = FakeAmi::new(USER, SECRET);
    fake.set_down(true);
    let (client, _events) = AmiClient::spawn(config(SECRET, 64), fake.connector());
    tokio::time::sleep(Duration::from_secs(120)).await;
    let attempts = fake.connections.load(Ordering::Relaxed);
    // 0.5, 1, 2, 4, 8, 16, 30, 30 s apart: about nine attempts, never a tight loop.
    assert!((5..=12).contains(&attempts), "attempts in 120 s: {attempts}");
    let err = client.command("core show version").await.unwrap_err();
    assert!(
        matches!(err, AmiError::NotConnected { last_error: Some(ref e) } if e.contains("refused")),
        "{err:?}"
    );
    fake.set_down(false);
    connected(&client).await;
    assert_eq!(client.command("moh show classes").await.unwrap().len(), 6);
}

#[tokio::test(start_paused = true)]
async fn wrong_credentials_give_clear_error_and_slow_retries() {
    let fake = FakeAmi::new(USER, SECRET);
    let (client, _events) = AmiClient::spawn(config("wrong", 64), fake.connector());
    let mut state = client.state();
    let failed =
        state.wait_for(|s| matches!(s, AmiConnectionState::AuthFailed { .. })).await.unwrap().clone();
    assert_eq!(failed, AmiConnectionState::AuthFailed { message: "Authentication failed".into() });
    tokio::time::sleep(Duration::from_secs(120)).await;
    let logins = fake.logins.load(Ordering::Relaxed);
    assert!((3..=12).contains(&logins), "login attempts in 120 s: {logins}");
    assert_eq!(client.stats().auth_failures.load(Ordering::Relaxed), logins);
}

#[tokio::test(start_paused = true)]
async fn restart_reconnects_and_signals_resync() {
    let fake = FakeAmi::new(USER, SECRET);
    let (client, _events) = AmiClient::spawn(config(SECRET, 64), fake.connector());
    let mut resync = client.resync();
    resync.wait_for(|r| r.reason == ResyncReason::FullyBooted).await.unwrap();
    let before = resync.borrow_and_update().generation;
    fake.drop_connections();
    let after = resync
        .wait_for(|r| r.generation >= before + 2 && r.reason == ResyncReason::FullyBooted)
        .await
        .unwrap()
        .generation;
    assert!(after >= before + 2);
    assert_eq!(fake.logins.load(Ordering::Relaxed), 2);
    client.ping().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn flood_with_slow_consumer_never_blocks_reader() {
    let fake = FakeAmi::new(USER, SECRET);
    let (client, mut events) = AmiClient::spawn(config(SECRET, 16), fake.connector());
    connected(&client).await;
    let generation = client.resync().borrow().generation;
    fake.flood(30);
    // The Pong comes after 2,760 flooded events on the same socket: it only arrives in time
    // if the reader kept reading while nobody consumed events.
    client.ping().await.unwrap();
    let dropped = client.stats().events_dropped.load(Ordering::Relaxed);
    assert!(dropped >= 2_700, "dropped {dropped}");
    let resync = *client.resync().borrow();
    assert!(resync.generation > generation);
    assert_eq!(resync.reason, ResyncReason::Overflow);
    let mut received = 0;
    while events.try_recv().is_some() {
        received += 1;
    }
    assert_eq!(received, 16);
}

#[tokio::test(start_paused = true)]
async fn malformed_frames_are_skipped_and_counted_connection_kept() {
    let fake = FakeAmi::new(USER, SECRET);
    let (client, mut events) = AmiClient::spawn(config(SECRET, 64), fake.connector());
    connected(&client).await;
    let mut junk = b"Event: Broken\r\nthis line has no colon\r\n\r\n".to_vec();
    junk.extend_from_slice(b"Event: Huge\r\nValue: ");
    junk.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    junk.extend_from_slice(b"\r\n\r\n");
    junk.extend_from_slice(b"Event: SomethingNew\r\nFoo: bar\r\n\r\n");
    junk.extend_from_slice(b"Response: Success\r\nMessage: no ActionID here\r\n\r\n");
    fake.push_raw(&junk);
    client.ping().await.unwrap();
    let stats = client.stats();
    assert_eq!(stats.malformed_frames.load(Ordering::Relaxed), 2);
    assert_eq!(stats.unmatched_responses.load(Ordering::Relaxed), 1);
    let mut names = Vec::new();
    while let Some(event) = events.try_recv() {
        names.push(event.name().to_owned());
        if let AmiEvent::Other(m) = &event
            && m.event_name() == Some("SomethingNew")
        {
            assert_eq!(m.get("foo"), Some("bar"));
        }
    }
    assert!(names.contains(&"SomethingNew".to_owned()), "{names:?}");
    assert_eq!(fake.logins.load(Ordering::Relaxed), 1, "connection kept");
}

#[tokio::test(start_paused = true)]
async fn crlf_in_values_is_refused_before_sending() {
    let fake = FakeAmi::new(USER, SECRET);
    let (client, _events) = AmiClient::spawn(config(SECRET, 64), fake.connector());
    connected(&client).await;
    let err = client.command("moh show classes\r\nAction: Logoff").await.unwrap_err();
    assert!(matches!(err, AmiError::InvalidInput(_)), "{err:?}");
    assert!(client.reload_module("res_musiconhold.so\n").await.is_err());
    client.ping().await.unwrap();
    assert_eq!(fake.actions_seen(), vec!["login", "ping"]);
}

#[tokio::test(start_paused = true)]
async fn stalled_peer_times_out_actions_and_keepalive_reconnects() {
    let fake = FakeAmi::new(USER, SECRET);
    let (client, _events) = AmiClient::spawn(config(SECRET, 64), fake.connector());
    connected(&client).await;
    fake.set_stall(true);
    let err = client.command("moh show classes").await.unwrap_err();
    assert_eq!(err, AmiError::Timeout(Duration::from_secs(2)));
    let mut state = client.state();
    state
        .wait_for(
            |s| matches!(s, AmiConnectionState::Connecting { last_error: Some(e), .. } if e.contains("Ping")),
        )
        .await
        .unwrap();
    fake.set_stall(false);
    connected(&client).await;
}
