//! Starting and stopping the service: bind listeners, open the store, spawn background work, and on
//! shutdown stop accepting, let in-flight requests finish, then close the store.

mod agi;

use crate::asterisk::push::{DesiredSource, PushDeps, PushHub, PushSettings};
use crate::auth::password::Hasher;
use crate::auth::session;
use crate::auth::setup::SetupGate;
use crate::auth::throttle::LoginThrottle;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::web::{self, AppState};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// A running Ringside.
pub struct App {
    pub web_addr: SocketAddr,
    pub metrics_addr: Option<SocketAddr>,
    /// Where the FastAGI server listens.
    pub agi_addr: SocketAddr,
    pub state: AppState,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

/// Open everything and start serving. Returns once the listeners are bound.
///
/// The push to Asterisk delivers what the Music on Hold store holds.
pub async fn start(config: Config) -> anyhow::Result<App> {
    start_with(config, None, PushSettings::default()).await
}

/// [`start`] with another source of the desired Music on Hold (tests push plain folders) and
/// other push timing.
pub async fn start_with(
    config: Config,
    source: Option<Arc<dyn DesiredSource>>,
    push_settings: PushSettings,
) -> anyhow::Result<App> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}: check its permissions or set data_dir",
            config.data_dir.display()
        )
    })?;
    let secret_path = config.data_dir.join(crate::cdr::search::cursor::SECRET_FILE);
    let cursor_secret = crate::cdr::search::cursor::load_or_create_secret(&secret_path)
        .with_context(|| format!("cannot read or create the cursor secret {}", secret_path.display()))?;
    let store = crate::store::open(&config.database_url(), config.database.max_connections).await?;
    tracing::info!(backend = store.backend(), "database ready");

    let config = Arc::new(config);
    let shutdown = CancellationToken::new();
    let tasks = TaskTracker::new();
    let moh_changes = Arc::new(tokio::sync::watch::Sender::new(0));
    let moh = Arc::new(crate::moh::Moh::new(&config, store.clone(), moh_changes.clone())?);
    crate::moh::seed::ensure_default(&moh).await.context("preparing Music on Hold")?;
    let routing = agi::start_routing(&config, &store, moh_changes.subscribe(), &shutdown, &tasks).await?;
    let source: Arc<dyn DesiredSource> = match source {
        Some(source) => source,
        None => moh.clone(),
    };
    let push = PushHub::start(
        &config,
        PushDeps {
            store: store.clone(),
            source,
            changes: moh_changes.subscribe(),
            settings: push_settings,
            stop: shutdown.clone(),
            tasks: tasks.clone(),
        },
    )
    .await;
    let state = AppState {
        config: config.clone(),
        store,
        hasher: Hasher::default(),
        throttle: Arc::new(LoginThrottle::default()),
        setup: Arc::new(SetupGate::default()),
        metrics: Arc::new(Metrics::default()),
        cdr: Arc::new(web::calls::CdrState::new(&cursor_secret)),
        routing: routing.clone(),
        moh_changes,
        moh,
        push,
    };

    state.metrics.add_source(routing.counters.clone());

    let listener = TcpListener::bind(config.web.listen).await.with_context(|| {
        format!("cannot listen on {} (web.listen): is another service using it?", config.web.listen)
    })?;
    let web_addr = listener.local_addr()?;
    warn_if_exposed(&config, web_addr);
    let app = web::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let stop = shutdown.clone();
    tasks.spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned());
        if let Err(e) = server.await {
            tracing::error!(error = %e, "web server stopped");
        }
    });
    tracing::info!(address = %web_addr, "web console listening on http://{web_addr}/");

    let metrics_addr = match config.metrics.listen {
        Some(addr) => Some(spawn_metrics(addr, &state, &shutdown, &tasks).await?),
        None => None,
    };

    let agi_addr = agi::spawn_server(&state, &shutdown, &tasks).await?;
    agi::spawn_stasis(&state, &shutdown, &tasks);

    open_setup_gate_if_needed(&state, web_addr).await?;
    spawn_session_purge(&state, &shutdown, &tasks);
    // The collector follows the servers known at start: config file and console alike (a console
    // server's CDR settings take effect at the next start).
    let mut effective = (*config).clone();
    effective.asterisk = state.push.server_configs();
    // Its AMI listeners share the push's one session per server.
    let push = state.push.clone();
    let ami_events = move || push.ami_events();
    crate::collector::spawn_all(&effective, &ami_events, &state.store, &state.cdr.status, &shutdown, &tasks);
    Ok(App { web_addr, metrics_addr, agi_addr, state, shutdown, tasks })
}

impl App {
    /// A token that stops the service when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stop accepting, wait for in-flight work, close the database.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.wait().await;
    }

    /// Wait until something cancels the shutdown token and every task has finished.
    pub async fn wait(self) {
        self.shutdown.cancelled().await;
        self.tasks.close();
        self.tasks.wait().await;
        self.state.store.close().await;
        tracing::info!("stopped");
    }
}

async fn spawn_metrics(
    addr: SocketAddr,
    state: &AppState,
    shutdown: &CancellationToken,
    tasks: &TaskTracker,
) -> anyhow::Result<SocketAddr> {
    let listener =
        TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr} (metrics.listen)"))?;
    let bound = listener.local_addr()?;
    let router = web::ops::metrics_router(state.metrics.clone());
    let stop = shutdown.clone();
    tasks.spawn(async move {
        let server = axum::serve(listener, router).with_graceful_shutdown(stop.cancelled_owned());
        if let Err(e) = server.await {
            tracing::error!(error = %e, "metrics server stopped");
        }
    });
    tracing::info!(address = %bound, "Prometheus metrics on http://{bound}/metrics");
    Ok(bound)
}

fn warn_if_exposed(config: &Config, addr: SocketAddr) {
    if !addr.ip().is_loopback() && !config.secure_cookies() {
        tracing::warn!(
            address = %addr,
            "the web console listens on a non-loopback address without TLS: passwords and session \
             cookies cross the network in clear text. Put a TLS proxy in front and set \
             web.public_url = \"https://…\", or bind to 127.0.0.1"
        );
    }
}

async fn open_setup_gate_if_needed(state: &AppState, addr: SocketAddr) -> anyhow::Result<()> {
    if state.store.count_admins().await? > 0 {
        return Ok(());
    }
    let token = state.setup.open();
    tracing::warn!(
        "no admin account exists yet. Open http://{addr}/setup and enter the one-time setup token \
         {token} — or run `ringside user add NAME --role admin`. The token stops working once an \
         admin exists."
    );
    Ok(())
}

fn spawn_session_purge(state: &AppState, shutdown: &CancellationToken, tasks: &TaskTracker) {
    let state = state.clone();
    let stop = shutdown.clone();
    tasks.spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = every.tick() => {
                    match session::purge(state.store.as_ref(), state.session_policy()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::debug!(sessions = n, "expired sessions removed"),
                        Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
                    }
                }
            }
        }
    });
}

/// SIGINT and SIGTERM handlers, installed before anything starts so an early signal is never lost.
pub struct ShutdownSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    pub fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
    }

    /// Resolve at the first SIGINT or SIGTERM.
    pub async fn recv(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
