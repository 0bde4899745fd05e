//! The ARI events WebSocket as a background task: connect to `/ari/events?app=NAME&api_key=…`,
//! parse events, reconnect with capped backoff, and notice Asterisk restarts.
//!
//! After every (re)connect the task reads `GET /asterisk/info`; a changed `entity_id` or
//! `startup_time` means Asterisk restarted and consumers must resync (and redeploy if classes
//! differ). Malformed frames are skipped and counted; the queue to the consumer is bounded and
//! overflow is counted, never waited on. Must not log the URL (it carries `api_key`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};

use super::model::{AriEvent, AsteriskIdentity, parse_event};
use super::rest::{AriClient, AriError, PathPart, build_path};
use crate::asterisk::backoff::{Backoff, BackoffState};

/// Settings for the events task.
#[derive(Debug, Clone)]
pub struct AriEventsConfig {
    /// The Stasis application name to register (e.g. `ringside`).
    pub app: String,
    pub backoff: Backoff,
    pub event_capacity: usize,
    pub connect_timeout: Duration,
    /// WebSocket ping period; no frame for two periods drops the connection.
    pub ping_interval: Duration,
}

impl AriEventsConfig {
    pub fn new(app: &str) -> Self {
        Self {
            app: app.to_owned(),
            backoff: Backoff::default(),
            event_capacity: 1024,
            connect_timeout: Duration::from_secs(5),
            ping_interval: Duration::from_secs(20),
        }
    }
}

/// Events connection state for the servers page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AriConnectionState {
    Connecting { attempt: u64, last_error: Option<String> },
    Connected { identity: AsteriskIdentity },
    AuthFailed { message: String },
}

/// Why consumers must re-read state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AriResyncReason {
    None,
    /// (Re)connected to the same Asterisk run: events in the gap were missed.
    Reconnected,
    /// `entity_id` or `startup_time` changed.
    Restarted {
        before: AsteriskIdentity,
        after: AsteriskIdentity,
    },
    /// The events queue overflowed.
    Overflow,
}

/// A resync request; a new `generation` means "re-read now".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AriResync {
    pub generation: u64,
    pub reason: AriResyncReason,
}

/// Counters for the events task.
#[derive(Debug, Default)]
pub struct AriEventStats {
    pub malformed: AtomicU64,
    pub dropped: AtomicU64,
    pub connects: AtomicU64,
}

/// Handle to the running task; dropping it stops the task.
#[derive(Debug)]
pub struct AriEvents {
    pub state: watch::Receiver<AriConnectionState>,
    pub resync: watch::Receiver<AriResync>,
    pub stats: Arc<AriEventStats>,
    pub events: mpsc::Receiver<AriEvent>,
    task: JoinHandle<()>,
}

impl Drop for AriEvents {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the events task for `client`'s server.
pub fn spawn_events(client: AriClient, config: AriEventsConfig) -> Result<AriEvents, AriError> {
    let url = events_url(&client, &config.app)?;
    let (events_tx, events) = mpsc::channel(config.event_capacity.max(1));
    let (state_tx, state) = watch::channel(AriConnectionState::Connecting { attempt: 0, last_error: None });
    let (resync_tx, resync) = watch::channel(AriResync { generation: 0, reason: AriResyncReason::None });
    let stats = Arc::new(AriEventStats::default());
    let task = EventsTask {
        client,
        config,
        url,
        events: events_tx,
        state: state_tx,
        resync: resync_tx,
        stats: stats.clone(),
        identity: None,
        overflowing: false,
    };
    Ok(AriEvents { state, resync, stats, events, task: tokio::spawn(task.run()) })
}

fn events_url(client: &AriClient, app: &str) -> Result<String, AriError> {
    let config = client.config();
    let api_key = format!("{}:{}", config.user, config.password);
    let path = build_path(&[PathPart::Fixed("events")], &[("app", app), ("api_key", &api_key)])?;
    let base = config.base_url.replacen("http://", "ws://", 1);
    Ok(format!("{base}{path}"))
}

struct EventsTask {
    client: AriClient,
    config: AriEventsConfig,
    url: String,
    events: mpsc::Sender<AriEvent>,
    state: watch::Sender<AriConnectionState>,
    resync: watch::Sender<AriResync>,
    stats: Arc<AriEventStats>,
    identity: Option<AsteriskIdentity>,
    overflowing: bool,
}

enum Failure {
    Auth(String),
    Other(String),
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl EventsTask {
    async fn run(mut self) {
        let mut backoff = BackoffState::new(self.config.backoff);
        let mut attempt = 0;
        let mut last_error = None;
        loop {
            attempt += 1;
            self.state
                .send_replace(AriConnectionState::Connecting { attempt, last_error: last_error.clone() });
            let started = Instant::now();
            let failure = match self.connect().await {
                Ok(ws) => {
                    attempt = 0;
                    self.stats.connects.fetch_add(1, Ordering::Relaxed);
                    let failure = self.session(ws).await;
                    backoff.connection_lasted(started.elapsed());
                    failure
                }
                Err(failure) => failure,
            };
            last_error = Some(match failure {
                Failure::Auth(message) => {
                    self.state.send_replace(AriConnectionState::AuthFailed { message: message.clone() });
                    message
                }
                Failure::Other(message) => message,
            });
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }

    async fn connect(&self) -> Result<Ws, Failure> {
        let connect = tokio_tungstenite::connect_async(self.url.as_str());
        match tokio::time::timeout(self.config.connect_timeout, connect).await {
            Ok(Ok((ws, _response))) => Ok(ws),
            Ok(Err(tungstenite::Error::Http(response))) if response.status() == 401 => {
                Err(Failure::Auth("ARI refused the credentials (401 on the events WebSocket)".into()))
            }
            Ok(Err(tungstenite::Error::Http(response))) => {
                Err(Failure::Other(format!("events WebSocket refused: HTTP {}", response.status())))
            }
            Ok(Err(e)) => Err(Failure::Other(format!("events WebSocket: {e}"))),
            Err(_) => Err(Failure::Other("events WebSocket: connect timed out".into())),
        }
    }

    /// Checks identity, announces the resync, then reads until the socket fails.
    async fn session(&mut self, mut ws: Ws) -> Failure {
        let identity = match self.client.info().await {
            Ok(info) => info.identity(),
            Err(AriError::Unauthorized { message }) => return Failure::Auth(message),
            Err(e) => return Failure::Other(format!("asterisk/info after connect: {e}")),
        };
        let reason = match self.identity.replace(identity.clone()) {
            Some(before) if before != identity => {
                AriResyncReason::Restarted { before, after: identity.clone() }
            }
            _ => AriResyncReason::Reconnected,
        };
        self.state.send_replace(AriConnectionState::Connected { identity });
        self.request_resync(reason);
        self.read_loop(&mut ws).await
    }

    async fn read_loop(&mut self, ws: &mut Ws) -> Failure {
        let period = self.config.ping_interval.max(Duration::from_millis(10));
        let mut ping = tokio::time::interval_at(Instant::now() + period, period);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_frame = Instant::now();
        loop {
            tokio::select! {
                frame = ws.next() => {
                    last_frame = Instant::now();
                    match frame {
                        Some(Ok(WsMessage::Text(text))) => self.deliver(text.as_str()),
                        Some(Ok(WsMessage::Binary(_))) => {
                            self.stats.malformed.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(Ok(WsMessage::Close(_))) | None => {
                            return Failure::Other("events WebSocket closed by Asterisk".into());
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => return Failure::Other(format!("events WebSocket: {e}")),
                    }
                }
                _ = ping.tick() => {
                    if last_frame.elapsed() >= period * 2 {
                        return Failure::Other("events WebSocket silent; reconnecting".into());
                    }
                    if let Err(e) = ws.send(WsMessage::Ping(Vec::new().into())).await {
                        return Failure::Other(format!("events WebSocket ping: {e}"));
                    }
                }
            }
        }
    }

    fn deliver(&mut self, text: &str) {
        let event = match parse_event(text) {
            Ok(event) => event,
            Err(e) => {
                self.stats.malformed.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%e, "skipped malformed ARI event");
                return;
            }
        };
        match self.events.try_send(event) {
            Ok(()) => self.overflowing = false,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                if !self.overflowing {
                    self.overflowing = true;
                    self.request_resync(AriResyncReason::Overflow);
                }
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    fn request_resync(&self, reason: AriResyncReason) {
        self.resync.send_modify(|r| {
            r.generation += 1;
            r.reason = reason;
        });
    }
}
