//! The AMI client handle: a cheap, cloneable front for one background actor per Asterisk server.
//!
//! The actor (in `client/actor.rs`) owns the socket, logs in, correlates responses by `ActionID`,
//! pings, and reconnects with capped backoff. This file owns the public API, configuration,
//! connection state and errors. It must not block on consumers: events go through a bounded
//! queue and overflow is counted, never waited on.

mod actor;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot, watch};

use super::event::AmiEvent;
use super::proto::{Action, EncodeError, Limits, Message, MessageKind};
pub use crate::asterisk::backoff::Backoff;

/// Settings for one AMI server. `Debug` never shows the secret.
#[derive(Clone)]
pub struct AmiConfig {
    pub username: String,
    pub secret: String,
    /// How long one action (login included) may take before the caller gets [`AmiError::Timeout`].
    pub action_timeout: Duration,
    /// TCP connect plus banner.
    pub connect_timeout: Duration,
    /// Keepalive `Ping` period; a ping unanswered for `action_timeout` drops the connection.
    pub ping_interval: Duration,
    pub backoff: Backoff,
    /// After `Authentication failed`, wait at least this long (on top of the backoff sequence).
    pub auth_failure_delay: Duration,
    /// Capacity of the events queue; when full, events are dropped and counted.
    pub event_capacity: usize,
    pub limits: Limits,
}

impl AmiConfig {
    /// Defaults suited to a LAN Asterisk.
    pub fn new(username: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            secret: secret.into(),
            action_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            ping_interval: Duration::from_secs(20),
            backoff: Backoff::default(),
            auth_failure_delay: Duration::from_secs(5),
            event_capacity: 1024,
            limits: Limits::default(),
        }
    }
}

impl fmt::Debug for AmiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmiConfig")
            .field("username", &self.username)
            .field("secret", &"<redacted>")
            .field("action_timeout", &self.action_timeout)
            .field("ping_interval", &self.ping_interval)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

/// Connection state, observable through [`AmiClient::state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmiConnectionState {
    /// Trying to connect (attempt counts since the last good login).
    Connecting { attempt: u64, last_error: Option<String> },
    /// Logged in.
    Connected { version: String },
    /// Asterisk refused the credentials; retrying with backoff.
    AuthFailed { message: String },
    /// All handles dropped; the actor has ended.
    Stopped,
}

/// Why the client asks consumers to re-read Asterisk state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResyncReason {
    /// Nothing yet.
    None,
    /// A new session logged in: events during the gap were missed.
    Connected,
    /// Asterisk sent `FullyBooted` (it restarted or finished booting).
    FullyBooted,
    /// The events queue overflowed and events were dropped.
    Overflow,
}

/// A resync request: a new `generation` means "re-read now"; `reason` is the latest cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resync {
    pub generation: u64,
    pub reason: ResyncReason,
}

/// Counters shared with the actor.
#[derive(Debug, Default)]
pub struct AmiStats {
    pub events_dropped: AtomicU64,
    pub malformed_frames: AtomicU64,
    pub unmatched_responses: AtomicU64,
    pub connect_attempts: AtomicU64,
    pub auth_failures: AtomicU64,
}

impl AmiStats {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Errors from AMI actions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmiError {
    #[error("not connected to Asterisk AMI{}", last_error.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    NotConnected { last_error: Option<String> },
    #[error("Asterisk AMI did not answer within {0:?}")]
    Timeout(Duration),
    #[error("AMI connection lost before the answer arrived")]
    Disconnected,
    #[error("Asterisk refused the action: {message}")]
    ActionFailed { message: String, output: Vec<String> },
    #[error("refused before sending: {0}")]
    InvalidInput(#[from] EncodeError),
    #[error("the AMI client has stopped")]
    Stopped,
}

/// A stream of AMI events. Lagging behind drops events (counted in [`AmiStats`]) and bumps
/// [`AmiClient::resync`]; it never slows the socket reader.
#[derive(Debug)]
pub struct AmiEvents {
    rx: mpsc::Receiver<AmiEvent>,
}

impl AmiEvents {
    /// The next event; `None` once the client has stopped.
    pub async fn recv(&mut self) -> Option<AmiEvent> {
        self.rx.recv().await
    }

    /// An event if one is queued now.
    pub fn try_recv(&mut self) -> Option<AmiEvent> {
        self.rx.try_recv().ok()
    }
}

/// Any byte stream an AMI session can run on.
pub trait AmiStream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> AmiStream for T {}

/// Boxed future returned by [`Connector::connect`].
pub type ConnectFuture<'a> = Pin<Box<dyn Future<Output = std::io::Result<Box<dyn AmiStream>>> + Send + 'a>>;

/// Opens a fresh transport for each (re)connect attempt.
pub trait Connector: Send + Sync + 'static {
    fn connect(&self) -> ConnectFuture<'_>;
}

/// Plain TCP to `host:port` (AMI has no TLS on 5038).
#[derive(Debug, Clone)]
pub struct TcpConnector {
    pub host: String,
    pub port: u16,
}

impl Connector for TcpConnector {
    fn connect(&self) -> ConnectFuture<'_> {
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream) as Box<dyn AmiStream>)
        })
    }
}

struct Request {
    action: Action,
    reply: oneshot::Sender<Message>,
}

/// Handle to one AMI server. Clone freely; the actor stops when the last clone is dropped.
#[derive(Clone)]
pub struct AmiClient {
    requests: mpsc::Sender<Request>,
    state: watch::Receiver<AmiConnectionState>,
    resync: watch::Receiver<Resync>,
    stats: Arc<AmiStats>,
    action_timeout: Duration,
}

impl AmiClient {
    /// Starts the actor on the current tokio runtime and returns the handle and event stream.
    pub fn spawn(config: AmiConfig, connector: impl Connector) -> (Self, AmiEvents) {
        let (requests_tx, requests_rx) = mpsc::channel(64);
        let (events_tx, events_rx) = mpsc::channel(config.event_capacity.max(1));
        let (state_tx, state_rx) =
            watch::channel(AmiConnectionState::Connecting { attempt: 0, last_error: None });
        let (resync_tx, resync_rx) = watch::channel(Resync { generation: 0, reason: ResyncReason::None });
        let stats = Arc::new(AmiStats::default());
        let action_timeout = config.action_timeout;
        let actor = actor::Actor::new(
            config,
            Box::new(connector),
            requests_rx,
            events_tx,
            state_tx,
            resync_tx,
            stats.clone(),
        );
        tokio::spawn(actor.run());
        let client =
            Self { requests: requests_tx, state: state_rx, resync: resync_rx, stats, action_timeout };
        (client, AmiEvents { rx: events_rx })
    }

    /// Watch the connection state (for the servers page).
    pub fn state(&self) -> watch::Receiver<AmiConnectionState> {
        self.state.clone()
    }

    /// Watch resync requests: re-read classes/channels whenever the generation changes.
    pub fn resync(&self) -> watch::Receiver<Resync> {
        self.resync.clone()
    }

    /// Counters (events dropped, malformed frames, ...).
    pub fn stats(&self) -> &AmiStats {
        &self.stats
    }

    /// Sends an action and waits for the response with the same `ActionID`. Values are checked
    /// for control characters before anything is queued.
    pub async fn send_action(&self, action: Action) -> Result<Message, AmiError> {
        action.encode("check")?;
        let (reply, answer) = oneshot::channel();
        let exchange = async {
            self.requests.send(Request { action, reply }).await.map_err(|_| AmiError::Stopped)?;
            answer.await.map_err(|_| self.not_answered())
        };
        match tokio::time::timeout(self.action_timeout, exchange).await {
            Ok(result) => result?.into_result(),
            Err(_) => Err(AmiError::Timeout(self.action_timeout)),
        }
    }

    /// The error for a request the actor dropped: `NotConnected` (with the reason) while
    /// reconnecting, `Disconnected` if the connection died under the request.
    fn not_answered(&self) -> AmiError {
        match &*self.state.borrow() {
            AmiConnectionState::Connecting { last_error, .. } => {
                AmiError::NotConnected { last_error: last_error.clone() }
            }
            AmiConnectionState::AuthFailed { message } => {
                AmiError::NotConnected { last_error: Some(message.clone()) }
            }
            AmiConnectionState::Connected { .. } => AmiError::Disconnected,
            AmiConnectionState::Stopped => AmiError::Stopped,
        }
    }

    /// Runs a CLI command (`Action: Command`) and returns its `Output:` lines in order.
    pub async fn command(&self, command: &str) -> Result<Vec<String>, AmiError> {
        let response = self.send_action(Action::new("Command").field("Command", command)).await?;
        Ok(response.get_all("Output").map(str::to_owned).collect())
    }

    /// Reloads one module (`Action: Reload`, e.g. `res_musiconhold.so`).
    pub async fn reload_module(&self, module: &str) -> Result<(), AmiError> {
        self.send_action(Action::new("Reload").field("Module", module)).await.map(|_| ())
    }

    /// One `Ping` round trip.
    pub async fn ping(&self) -> Result<(), AmiError> {
        self.send_action(Action::new("Ping")).await.map(|_| ())
    }
}

/// Turns a response frame into success or [`AmiError::ActionFailed`] with Asterisk's words.
trait IntoResult {
    fn into_result(self) -> Result<Message, AmiError>;
}

impl IntoResult for Message {
    fn into_result(self) -> Result<Message, AmiError> {
        match self.kind() {
            MessageKind::Response(r) if r.eq_ignore_ascii_case("Error") => Err(AmiError::ActionFailed {
                message: self.get("Message").unwrap_or_default().to_owned(),
                output: self.get_all("Output").map(str::to_owned).collect(),
            }),
            _ => Ok(self),
        }
    }
}
