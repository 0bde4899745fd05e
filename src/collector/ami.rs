//! AMI `Cdr` events: the low-latency path. The reader never waits for the database: events go
//! through a bounded queue to a batch writer; when the queue is full the event is dropped,
//! counted and logged (the Master.csv follower still delivers that record, with the same key).
//!
//! `serve` reads the events from the push hub's AMI session ([`spawn_shared`]: one session per
//! server); [`spawn`] opens a session of its own for callers without a hub.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::tz::TimeZone;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::CollectorStatus;
use crate::asterisk::ami::{AmiClient, AmiConfig, AmiEvent, AmiEvents, Connector, Message, TcpConnector};
use crate::asterisk::backoff::{Backoff, BackoffState};
use crate::asterisk::push::ServerEvent;
use crate::cdr::{CdrRecord, Reject, parse_ami};
use crate::config::AsteriskServerConfig;
use crate::store::Store;
use crate::store::cdr::CdrBatch;

/// Queue between the AMI reader and the writer.
pub const QUEUE: usize = 10_000;
/// Events per write.
pub const WRITE_BATCH: usize = 500;
/// Events dropped because the queue was full (all servers).
pub static DROPPED: AtomicU64 = AtomicU64::new(0);

/// One server's AMI login.
#[derive(Debug, Clone)]
pub struct AmiSettings {
    pub server: String,
    pub host: String,
    pub port: u16,
    pub config: AmiConfig,
}

impl AmiSettings {
    /// Settings when the server has host, user and secret.
    pub fn of(server: &AsteriskServerConfig) -> Option<Self> {
        let (host, user, secret) =
            (server.ami_host.as_ref()?, server.ami_user.as_ref()?, server.ami_secret.as_ref()?);
        Some(Self {
            server: server.name.clone(),
            host: host.clone(),
            port: server.ami_port,
            config: AmiConfig::new(user.clone(), secret.clone()),
        })
    }
}

/// Connects with TCP and spawns reader + writer.
pub fn spawn(
    settings: AmiSettings,
    timezone: TimeZone,
    store: Arc<dyn Store>,
    status: Arc<CollectorStatus>,
    stop: &CancellationToken,
    tasks: &TaskTracker,
) {
    let connector = TcpConnector { host: settings.host.clone(), port: settings.port };
    spawn_with(settings.server, settings.config, connector, timezone, store, status, stop, tasks);
}

/// Like [`spawn`] over any connector (tests use the fake AMI).
#[allow(clippy::too_many_arguments)]
pub fn spawn_with(
    server: String,
    config: AmiConfig,
    connector: impl Connector,
    timezone: TimeZone,
    store: Arc<dyn Store>,
    status: Arc<CollectorStatus>,
    stop: &CancellationToken,
    tasks: &TaskTracker,
) {
    let (client, events) = AmiClient::spawn(config, connector);
    let (tx, rx) = mpsc::channel(QUEUE);
    let reader_stop = stop.clone();
    let name = server.clone();
    tasks.spawn(async move {
        read_events(&name, client, events, &timezone, tx, reader_stop).await;
    });
    tasks.spawn(write_batches(server, rx, store, status, stop.clone()));
}

/// Follows `server`'s `Cdr` events on the push hub's session (`PushHub::ami_events`) and spawns
/// the writer. Events the subscription lagged behind on are counted as dropped.
pub fn spawn_shared(
    server: String,
    events: tokio::sync::broadcast::Receiver<ServerEvent>,
    timezone: TimeZone,
    store: Arc<dyn Store>,
    status: Arc<CollectorStatus>,
    stop: &CancellationToken,
    tasks: &TaskTracker,
) {
    let (tx, rx) = mpsc::channel(QUEUE);
    let (reader_stop, name) = (stop.clone(), server.clone());
    tasks.spawn(async move { read_shared(&name, events, &timezone, tx, reader_stop).await });
    tasks.spawn(write_batches(server, rx, store, status, stop.clone()));
}

async fn read_shared(
    server: &str,
    mut events: tokio::sync::broadcast::Receiver<ServerEvent>,
    timezone: &TimeZone,
    tx: mpsc::Sender<Result<CdrRecord, Reject>>,
    stop: CancellationToken,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let event = tokio::select! {
            _ = stop.cancelled() => return,
            e = events.recv() => e,
        };
        match event {
            Ok(event) if event.server == server => forward(server, &event.message, timezone, &tx),
            Ok(_) => {}
            Err(RecvError::Lagged(missed)) => {
                let n = DROPPED.fetch_add(missed, Ordering::Relaxed) + missed;
                tracing::warn!(
                    server,
                    dropped = n,
                    "AMI event subscription lagged; events dropped (Master.csv still has them)"
                );
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Parses one `Cdr` event and queues it for the writer without waiting.
fn forward(
    server: &str,
    message: &Message,
    timezone: &TimeZone,
    tx: &mpsc::Sender<Result<CdrRecord, Reject>>,
) {
    if !message.event_name().is_some_and(|n| n.eq_ignore_ascii_case("Cdr")) {
        return;
    }
    if tx.try_send(parse_ami(message.fields(), timezone)).is_err() {
        let n = DROPPED.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::warn!(server, dropped = n, "AMI Cdr queue full; event dropped (Master.csv still has it)");
    }
}

async fn read_events(
    server: &str,
    client: AmiClient,
    mut events: AmiEvents,
    timezone: &TimeZone,
    tx: mpsc::Sender<Result<CdrRecord, Reject>>,
    stop: CancellationToken,
) {
    loop {
        let event = tokio::select! {
            _ = stop.cancelled() => break,
            e = events.recv() => e,
        };
        match event {
            Some(AmiEvent::Other(message)) => forward(server, &message, timezone, &tx),
            Some(_) => {}
            None => break,
        }
    }
    drop(client);
}

async fn write_batches(
    server: String,
    mut rx: mpsc::Receiver<Result<CdrRecord, Reject>>,
    store: Arc<dyn Store>,
    status: Arc<CollectorStatus>,
    stop: CancellationToken,
) {
    let mut buf = Vec::with_capacity(WRITE_BATCH);
    let mut backoff = BackoffState::new(Backoff {
        initial: Duration::from_millis(250),
        max: Duration::from_secs(10),
        ..Backoff::default()
    });
    loop {
        let got = tokio::select! {
            _ = stop.cancelled() => 0,
            n = rx.recv_many(&mut buf, WRITE_BATCH) => n,
        };
        if got == 0 {
            return;
        }
        let (records, rejects) = super::split(buf.drain(..));
        loop {
            let batch = CdrBatch {
                server: &server,
                source: "ami",
                records: &records,
                rejects: &rejects,
                position: None,
                now_ms: super::now_ms(),
            };
            match store.commit_cdr_batch(batch).await {
                Ok(counts) => {
                    status.counted(counts);
                    break;
                }
                Err(e) => {
                    status.event(&server, "ami", format!("database unavailable, waiting: {e}"));
                    if super::follow::pause(&stop, backoff.next_delay()).await {
                        return;
                    }
                }
            }
        }
    }
}
