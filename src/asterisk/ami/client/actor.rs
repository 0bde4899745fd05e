//! The AMI actor: one task per server that connects, logs in, serves requests, reads frames,
//! pings, and reconnects with capped backoff.
//!
//! The read path never awaits a consumer: events are `try_send`-ed and overflow is counted.
//! Must not log the secret or any action field values.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, MissedTickBehavior, timeout};

use super::{AmiConfig, AmiConnectionState, AmiStats, AmiStream, Connector, Request, Resync, ResyncReason};
use crate::asterisk::ami::connection::{ConnectionError, FrameReader, FrameWriter};
use crate::asterisk::ami::event::AmiEvent;
use crate::asterisk::ami::proto::{Action, Decoded, Message, MessageKind};
use crate::asterisk::backoff::BackoffState;
use std::sync::Arc;

type Reader = FrameReader<tokio::io::ReadHalf<Box<dyn AmiStream>>>;
type Writer = FrameWriter<tokio::io::WriteHalf<Box<dyn AmiStream>>>;

/// How one session ended.
enum SessionEnd {
    /// Every handle was dropped.
    Shutdown,
    /// `Authentication failed` (Asterisk's own message).
    AuthFailed(String),
    /// Transport or protocol failure; `lived` is how long we were logged in (zero if never).
    Failed { error: String, lived: Duration },
}

pub(super) struct Actor {
    config: AmiConfig,
    connector: Box<dyn Connector>,
    requests: mpsc::Receiver<Request>,
    events: mpsc::Sender<AmiEvent>,
    state: watch::Sender<AmiConnectionState>,
    resync: watch::Sender<Resync>,
    stats: Arc<AmiStats>,
    next_id: u64,
    overflowing: bool,
}

impl Actor {
    pub(super) fn new(
        config: AmiConfig,
        connector: Box<dyn Connector>,
        requests: mpsc::Receiver<Request>,
        events: mpsc::Sender<AmiEvent>,
        state: watch::Sender<AmiConnectionState>,
        resync: watch::Sender<Resync>,
        stats: Arc<AmiStats>,
    ) -> Self {
        Self { config, connector, requests, events, state, resync, stats, next_id: 0, overflowing: false }
    }

    pub(super) async fn run(mut self) {
        let mut backoff = BackoffState::new(self.config.backoff);
        let mut last_error = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.state
                .send_replace(AmiConnectionState::Connecting { attempt, last_error: last_error.clone() });
            AmiStats::bump(&self.stats.connect_attempts);
            let delay = match self.session().await {
                SessionEnd::Shutdown => break,
                SessionEnd::AuthFailed(message) => {
                    AmiStats::bump(&self.stats.auth_failures);
                    tracing::warn!(%message, "AMI login refused");
                    self.state.send_replace(AmiConnectionState::AuthFailed { message: message.clone() });
                    last_error = Some(message);
                    backoff.next_delay().max(self.config.auth_failure_delay)
                }
                SessionEnd::Failed { error, lived } => {
                    tracing::info!(%error, "AMI connection ended");
                    if lived > Duration::ZERO {
                        attempt = 0;
                    }
                    backoff.connection_lasted(lived);
                    last_error = Some(error);
                    backoff.next_delay()
                }
            };
            if !self.wait_refusing_requests(delay).await {
                break;
            }
        }
        self.state.send_replace(AmiConnectionState::Stopped);
    }

    /// Sleeps `delay`, answering requests with `NotConnected`. False when all handles are gone.
    async fn wait_refusing_requests(&mut self, delay: Duration) -> bool {
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => return true,
                request = self.requests.recv() => match request {
                    None => return false,
                    // Dropping the reply sender makes the caller see `Disconnected`; the state
                    // watch carries the reason.
                    Some(request) => drop(request),
                },
            }
        }
    }

    fn fresh_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("ringside-{prefix}-{}", self.next_id)
    }

    async fn session(&mut self) -> SessionEnd {
        let failed = |error: String| SessionEnd::Failed { error, lived: Duration::ZERO };
        let connect_timeout = self.config.connect_timeout;
        let stream = match timeout(connect_timeout, self.connector.connect()).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return failed(format!("connect: {e}")),
            Err(_) => return failed(format!("connect: no answer within {connect_timeout:?}")),
        };
        let (read_half, write_half) = tokio::io::split(stream);
        let mut reader = FrameReader::new(read_half, self.config.limits);
        let mut writer = FrameWriter::new(write_half);
        let version = match timeout(connect_timeout, reader.read_banner()).await {
            Ok(Ok(version)) => version,
            Ok(Err(e)) => return failed(format!("banner: {e}")),
            Err(_) => return failed("banner: none within the connect timeout".into()),
        };
        if let Err(end) = self.login(&mut reader, &mut writer).await {
            return end;
        }
        let since = Instant::now();
        self.state.send_replace(AmiConnectionState::Connected { version });
        self.request_resync(ResyncReason::Connected);
        let error = match self.serve(&mut reader, &mut writer).await {
            Ok(()) => return SessionEnd::Shutdown,
            Err(error) => error,
        };
        SessionEnd::Failed { error, lived: since.elapsed().max(Duration::from_nanos(1)) }
    }

    async fn login(&mut self, reader: &mut Reader, writer: &mut Writer) -> Result<(), SessionEnd> {
        let failed = |error: String| SessionEnd::Failed { error, lived: Duration::ZERO };
        let id = self.fresh_id("login");
        let action = Action::new("Login")
            .field("Username", &self.config.username)
            .field("Secret", &self.config.secret);
        let action_timeout = self.config.action_timeout;
        let exchange = async {
            writer.send(&action, &id).await?;
            loop {
                match reader.next_frame().await? {
                    Decoded::Message(m) if m.action_id() == Some(id.as_str()) => return Ok(m),
                    Decoded::Message(m) => self.dispatch_unsolicited(m),
                    Decoded::Malformed(_) => AmiStats::bump(&self.stats.malformed_frames),
                    Decoded::Incomplete => {}
                }
            }
        };
        let response: Result<Message, ConnectionError> = match timeout(action_timeout, exchange).await {
            Ok(result) => result,
            Err(_) => return Err(failed("login: no answer".into())),
        };
        let response = response.map_err(|e| failed(format!("login: {e}")))?;
        match response.kind() {
            MessageKind::Response(r) if r.eq_ignore_ascii_case("Success") => Ok(()),
            _ => Err(SessionEnd::AuthFailed(response.get("Message").unwrap_or("login refused").to_owned())),
        }
    }

    /// The logged-in loop. `Ok` means shutdown; `Err` carries why the connection is gone.
    async fn serve(&mut self, reader: &mut Reader, writer: &mut Writer) -> Result<(), String> {
        let mut pending: HashMap<String, oneshot::Sender<Message>> = HashMap::new();
        let period = self.config.ping_interval.max(Duration::from_millis(10));
        let mut ping = tokio::time::interval_at(Instant::now() + period, period);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut ping_outstanding: Option<(String, Instant)> = None;
        loop {
            tokio::select! {
                frame = reader.next_frame() => match frame {
                    Ok(Decoded::Message(m)) => self.dispatch(m, &mut pending, &mut ping_outstanding),
                    Ok(Decoded::Malformed(e)) => {
                        AmiStats::bump(&self.stats.malformed_frames);
                        tracing::debug!(%e, "skipped malformed AMI frame");
                    }
                    Ok(Decoded::Incomplete) => {}
                    Err(e) => return Err(e.to_string()),
                },
                request = self.requests.recv() => {
                    let Some(request) = request else { return Ok(()) };
                    let id = self.fresh_id("a");
                    self.send(writer, &request.action, &id).await?;
                    pending.retain(|_, reply| !reply.is_closed());
                    pending.insert(id, request.reply);
                },
                _ = ping.tick() => {
                    if let Some((_, sent)) = &ping_outstanding {
                        if sent.elapsed() >= self.config.action_timeout {
                            return Err("keepalive: Ping unanswered".into());
                        }
                        continue;
                    }
                    let id = self.fresh_id("ping");
                    self.send(writer, &Action::new("Ping"), &id).await?;
                    ping_outstanding = Some((id, Instant::now()));
                },
            }
        }
    }

    async fn send(&self, writer: &mut Writer, action: &Action, id: &str) -> Result<(), String> {
        match timeout(self.config.action_timeout, writer.send(action, id)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("write: {e}")),
            Err(_) => Err("write: Asterisk stopped reading".into()),
        }
    }

    fn dispatch(
        &mut self,
        message: Message,
        pending: &mut HashMap<String, oneshot::Sender<Message>>,
        ping_outstanding: &mut Option<(String, Instant)>,
    ) {
        if !matches!(message.kind(), MessageKind::Response(_)) {
            return self.dispatch_unsolicited(message);
        }
        let Some(id) = message.action_id() else {
            AmiStats::bump(&self.stats.unmatched_responses);
            return;
        };
        if ping_outstanding.as_ref().is_some_and(|(p, _)| p == id) {
            *ping_outstanding = None;
        } else if let Some(reply) = pending.remove(id) {
            let _ = reply.send(message);
        } else {
            AmiStats::bump(&self.stats.unmatched_responses);
        }
    }

    /// Events (and stray frames) go to the bounded queue without waiting.
    fn dispatch_unsolicited(&mut self, message: Message) {
        if !matches!(message.kind(), MessageKind::Event(_)) {
            AmiStats::bump(&self.stats.unmatched_responses);
            return;
        }
        let event = AmiEvent::from_message(message);
        if matches!(event, AmiEvent::FullyBooted(_)) {
            self.request_resync(ResyncReason::FullyBooted);
        }
        match self.events.try_send(event) {
            Ok(()) => self.overflowing = false,
            Err(mpsc::error::TrySendError::Full(_)) => {
                AmiStats::bump(&self.stats.events_dropped);
                if !self.overflowing {
                    self.overflowing = true;
                    self.request_resync(ResyncReason::Overflow);
                }
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    fn request_resync(&self, reason: ResyncReason) {
        self.resync.send_modify(|r| {
            r.generation += 1;
            r.reason = reason;
        });
    }
}
