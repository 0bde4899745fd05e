//! The FastAGI accept loop: allowlist, session cap, environment deadline, graceful shutdown.
//!
//! Owns connection admission and the lifetime of session tasks. Must not: parse bytes (the session
//! and codec do) or decide anything (scripts ask `AgiScripts`). One task per connection; a fault in
//! one session is logged and counted, never propagated.
//!
//! ```text
//! accept ─▶ peer in allowlist? ─no─▶ close, count `refused_allowlist`
//!             │yes
//!             ▼
//!           permit free (max_sessions)? ─no─▶ close at once, count `refused_cap`
//!             │yes
//!             ▼
//!           task: env within env_timeout ─▶ run script (replies within idle_timeout) ─▶ close
//! shutdown: stop accepting ─▶ wait up to shutdown_grace for live sessions ─▶ cut the rest
//! ```
//!
//! In `serve` the server runs on its own thread with a single-threaded Tokio runtime
//! ([`AgiServer::spawn_dedicated`]): a session is a few microseconds of work between socket
//! wake-ups, so one thread answers tens of thousands of sessions per second without the cross-thread
//! wake-ups (futex, eventfd) of the shared work-stealing runtime, and web or CDR load on the main
//! runtime cannot delay an answer the dialplan is waiting for.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::config::AgiConfig;
use super::scripts::{AgiScripts, ScriptOutcome, run_script};
use super::session::{AgiSession, SessionError};

/// Binds the AGI listener with a deep accept backlog (4096, capped by `net.core.somaxconn`): a burst
/// of calls must not overflow the SYN/accept queue, which costs the caller a 1 s SYN retransmit.
/// Call from inside the Tokio runtime.
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// Counters for the status page and tests. Monotonic except `live`.
#[derive(Debug, Default)]
pub struct ServerStats {
    live: AtomicUsize,
    pub accepted: AtomicU64,
    pub refused_allowlist: AtomicU64,
    pub refused_cap: AtomicU64,
    /// A script answered with a decided class or schedule state.
    pub answered: AtomicU64,
    /// The fallback class was set (unknown script, failed or slow decision).
    pub fallbacks: AtomicU64,
    /// `HANGUP` or `511` ended the call.
    pub calls_ended: AtomicU64,
    /// Timeouts, limits, malformed bytes, peer closed early, I/O errors.
    pub faults: AtomicU64,
    /// Sessions cut at the end of the shutdown grace period.
    pub cut_at_shutdown: AtomicU64,
}

impl ServerStats {
    /// Sessions whose task is still running.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::SeqCst)
    }
}

/// Decrements `live` however the session task ends (return, panic unwinding, cancellation).
struct LiveGuard(Arc<ServerStats>);

impl LiveGuard {
    fn new(stats: &Arc<ServerStats>) -> Self {
        stats.live.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(stats))
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The FastAGI server. Build with [`AgiServer::new`], then [`AgiServer::serve`] on a bound listener.
pub struct AgiServer<S> {
    config: Arc<AgiConfig>,
    scripts: Arc<S>,
    stats: Arc<ServerStats>,
}

impl<S: AgiScripts> AgiServer<S> {
    pub fn new(config: AgiConfig, scripts: Arc<S>) -> Self {
        Self::with_stats(config, scripts, Arc::default())
    }

    /// [`AgiServer::new`] counting into `stats` (shared with `/metrics`).
    pub fn with_stats(config: AgiConfig, scripts: Arc<S>, stats: Arc<ServerStats>) -> Self {
        Self { config: Arc::new(config), scripts, stats }
    }

    /// Shared counters; stays valid after `serve` returns.
    pub fn stats(&self) -> Arc<ServerStats> {
        Arc::clone(&self.stats)
    }

    /// Accepts until `shutdown` is cancelled, then lets live sessions finish within the grace period.
    pub async fn serve(self, listener: TcpListener, shutdown: CancellationToken) {
        let permits = Arc::new(Semaphore::new(self.config.max_sessions.min(Semaphore::MAX_PERMITS)));
        let tracker = TaskTracker::new();
        let hard_stop = CancellationToken::new();
        let mut backoff = Duration::from_millis(10);
        loop {
            let accepted = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // EMFILE and friends: wait instead of spinning, stay responsive to shutdown.
                    tracing::warn!(error = %e, "AGI accept failed");
                    tokio::select! {
                        () = shutdown.cancelled() => break,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
            };
            backoff = Duration::from_millis(10);
            if let Some(permit) = self.admit(peer, &permits) {
                let session = self.session_task(stream, peer, permit, hard_stop.clone());
                tracker.spawn(session);
            }
        }
        drop(listener);
        tracker.close();
        if tokio::time::timeout(self.config.shutdown_grace(), tracker.wait()).await.is_err() {
            tracing::warn!(live = self.stats.live(), "AGI shutdown grace over, cutting sessions");
            hard_stop.cancel();
            tracker.wait().await;
        }
    }

    /// Serves `listener` on a new thread named `ringside-agi` with its own current-thread runtime.
    /// The returned future completes when that server has stopped (after `shutdown` and the grace
    /// period); spawn it on the caller's task tracker so the service waits for it.
    pub fn spawn_dedicated(
        self,
        listener: TcpListener,
        shutdown: CancellationToken,
    ) -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
        let listener = listener.into_std()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new().name("ringside-agi".to_owned()).spawn(move || {
            runtime.block_on(async move {
                match TcpListener::from_std(listener) {
                    Ok(listener) => self.serve(listener, shutdown).await,
                    Err(e) => tracing::error!(error = %e, "AGI listener could not join its runtime"),
                }
            });
            drop(done_tx);
        })?;
        Ok(async move {
            let _ = done_rx.await;
        })
    }

    /// Allowlist then cap; `None` means the stream is dropped (closed) right here.
    fn admit(&self, peer: SocketAddr, permits: &Arc<Semaphore>) -> Option<OwnedSemaphorePermit> {
        if !self.config.allows(peer.ip()) {
            self.stats.refused_allowlist.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(%peer, "AGI connection from outside the allowlist closed");
            return None;
        }
        match Arc::clone(permits).try_acquire_owned() {
            Ok(permit) => {
                self.stats.accepted.fetch_add(1, Ordering::Relaxed);
                Some(permit)
            }
            Err(_) => {
                self.stats.refused_cap.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%peer, cap = self.config.max_sessions, "AGI session cap reached, connection closed");
                None
            }
        }
    }

    fn session_task(
        &self,
        stream: TcpStream,
        peer: SocketAddr,
        permit: OwnedSemaphorePermit,
        hard_stop: CancellationToken,
    ) -> impl Future<Output = ()> + Send + 'static {
        let live = LiveGuard::new(&self.stats);
        let (config, scripts, stats) =
            (Arc::clone(&self.config), Arc::clone(&self.scripts), Arc::clone(&self.stats));
        async move {
            let _live = live;
            let _permit = permit;
            tokio::select! {
                () = hard_stop.cancelled() => {
                    stats.cut_at_shutdown.fetch_add(1, Ordering::Relaxed);
                }
                result = run_connection(stream, &config, &*scripts) => record(&stats, peer, result),
            }
        }
    }
}

async fn run_connection<S: AgiScripts>(
    stream: TcpStream,
    config: &AgiConfig,
    scripts: &S,
) -> Result<ScriptOutcome, SessionError> {
    // Replies are tiny and latency matters more than packet count.
    stream.set_nodelay(true)?;
    let mut session = AgiSession::new(stream, config.session_limits());
    let env = tokio::time::timeout(config.env_timeout(), session.read_env())
        .await
        .map_err(|_| SessionError::EnvTimeout(config.env_timeout()))??;
    let outcome = run_script(&mut session, &env, scripts, config, Timestamp::now()).await?;
    session.close().await?;
    Ok(outcome)
}

fn record(stats: &ServerStats, peer: SocketAddr, result: Result<ScriptOutcome, SessionError>) {
    let counter = match &result {
        Ok(ScriptOutcome::Fallback { .. }) => &stats.fallbacks,
        Ok(_) => &stats.answered,
        Err(SessionError::CallEnded(end)) => {
            tracing::debug!(%peer, %end, "AGI call ended during script");
            &stats.calls_ended
        }
        Err(e) => {
            tracing::info!(%peer, error = %e, "AGI session closed on fault");
            &stats.faults
        }
    };
    counter.fetch_add(1, Ordering::Relaxed);
}
