//! Test harness: spawn the server on an ephemeral port and play Asterisk's side of the wire.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use ringside::asterisk::agi::{AgiConfig, AgiScripts, AgiServer, DecideError, RuleBookScripts, ServerStats};
use ringside::flows::{CallFacts, Decision, RuleBook, RuleBookSpec, ScheduleState};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const SESSION_ENV: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/agi/session-env.bin"));
pub const HANGUP_ENV: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/agi/hangup-env.bin"));
pub const SESSION_EXCHANGE: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/agi/session-exchange.txt"));
pub const HANGUP_EXCHANGE: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/agi/hangup-exchange.txt"));

/// The `REPLY b'...'` lines of an exchange capture, decoded from Python's bytes-literal notation.
pub fn captured_replies(exchange: &str) -> Vec<Vec<u8>> {
    exchange
        .lines()
        .filter_map(|l| l.strip_prefix("REPLY b'")?.strip_suffix('\''))
        .map(|lit| lit.replace("\\n", "\n").into_bytes())
        .collect()
}

/// Rules that give the captured `session-env.bin` (queue `sales`) the class `sales`.
pub fn rule_book() -> RuleBook {
    let spec: RuleBookSpec = serde_json::from_str(
        r#"{ "fallback": "default",
             "schedules": [{ "name": "office", "timezone": "UTC",
                             "weekly": { "mon": ["00:00-24:00"], "tue": ["00:00-24:00"], "wed": ["00:00-24:00"],
                                         "thu": ["00:00-24:00"], "fri": ["00:00-24:00"],
                                         "sat": ["00:00-24:00"], "sun": ["00:00-24:00"] } }],
             "rules": [ { "name": "vip", "class": "vip", "when": { "caller": "_0171." } },
                        { "name": "sales queue", "class": "sales", "when": { "queue": "sales" } } ] }"#,
    )
    .expect("test rule book is valid JSON");
    RuleBook::new(spec).expect("test rule book is consistent")
}

/// Wraps the rule book and keeps every decision, like the lead's store-backed implementation will.
pub struct Recording {
    inner: RuleBookScripts,
    pub decisions: Mutex<Vec<Decision>>,
    pub fail: bool,
}

impl Recording {
    pub fn new(book: RuleBook) -> Arc<Self> {
        Arc::new(Self { inner: RuleBookScripts::new(book), decisions: Mutex::new(Vec::new()), fail: false })
    }

    pub fn failing() -> Arc<Self> {
        Arc::new(Self {
            inner: RuleBookScripts::new(rule_book()),
            decisions: Mutex::new(Vec::new()),
            fail: true,
        })
    }
}

impl AgiScripts for Recording {
    async fn decide_moh(&self, call: &CallFacts) -> Result<Decision, DecideError> {
        if self.fail {
            return Err(DecideError::Unavailable("store down".into()));
        }
        let decision = self.inner.decide_moh(call).await?;
        self.decisions.lock().unwrap().push(decision.clone());
        Ok(decision)
    }

    async fn schedule_state(&self, name: &str, at: Timestamp) -> Result<ScheduleState, DecideError> {
        self.inner.schedule_state(name, at).await
    }
}

pub struct Harness {
    pub addr: SocketAddr,
    pub stats: Arc<ServerStats>,
    pub shutdown: CancellationToken,
    pub server: JoinHandle<()>,
}

/// Short timeouts so fault tests finish quickly.
pub fn test_config() -> AgiConfig {
    AgiConfig { env_timeout_ms: 300, idle_timeout_ms: 500, shutdown_grace_ms: 500, ..AgiConfig::default() }
}

pub async fn spawn<S: AgiScripts>(config: AgiConfig, scripts: Arc<S>) -> Harness {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = AgiServer::new(config, scripts);
    let stats = server.stats();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(server.serve(listener, shutdown.clone()));
    Harness { addr, stats, shutdown, server }
}

impl Harness {
    /// Waits (bounded) until no session task is alive: proves nothing leaked.
    pub async fn assert_no_live_sessions(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while self.stats.live() != 0 {
            assert!(tokio::time::Instant::now() < deadline, "{} sessions leaked", self.stats.live());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub fn count(&self, pick: impl Fn(&ServerStats) -> &std::sync::atomic::AtomicU64) -> u64 {
        ServerStats::get(pick(&self.stats))
    }
}

/// Asterisk's side of one connection.
pub struct FakeAsterisk {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl FakeAsterisk {
    pub async fn connect(addr: SocketAddr) -> Self {
        Self::over(TcpStream::connect(addr).await.unwrap())
    }

    /// Plays Asterisk over an already connected stream (e.g. from another source address).
    pub fn over(stream: TcpStream) -> Self {
        Self { stream, buf: Vec::new() }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// The next command line the server sent (with its `\n`), or `None` on EOF/reset.
    pub async fn command(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                return Some(self.buf.drain(..=i).collect());
            }
            let mut chunk = [0u8; 4096];
            let read = tokio::time::timeout(Duration::from_secs(3), self.stream.read(&mut chunk)).await;
            match read.expect("server neither wrote nor closed within 3 s") {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Asserts the server closes the connection (EOF or reset) without sending more commands.
    pub async fn expect_closed(&mut self) {
        assert_eq!(self.command().await.map(|c| String::from_utf8_lossy(&c).into_owned()), None);
    }

    /// Answers every command with `200 result=1` and returns them, until the server closes.
    pub async fn answer_all(&mut self) -> Vec<String> {
        let mut seen = Vec::new();
        while let Some(cmd) = self.command().await {
            seen.push(String::from_utf8_lossy(&cmd).into_owned());
            self.send(b"200 result=1\n").await;
        }
        seen
    }
}
