//! Start-up of call routing: the rule book and decision log, the FastAGI server, and the Stasis
//! application on every `[[asterisk]]` server with ARI settings.
//!
//! Rules are checked against the MoH store's categories ([`MohClasses`], reloaded on every MoH
//! change), both when an admin saves them and on every call.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::asterisk::agi::{AgiServer, server};
use crate::asterisk::ari::{AriClient, AriConfig, AriEventsConfig, spawn_events};
use crate::config::Config;
use crate::routing::decisions::{self, DecisionLog};
use crate::routing::scripts::StoreScripts;
use crate::routing::stasis;
use crate::routing::{ClassCatalog, MohClasses, Routing};
use crate::store::Store;
use crate::web::AppState;

/// Loads the rule book and the MoH class list (kept current from `moh_changes`), and starts the
/// decision log writer and its daily retention.
pub async fn start_routing(
    config: &Config,
    store: &Arc<dyn Store>,
    moh_changes: watch::Receiver<u64>,
    shutdown: &CancellationToken,
    tasks: &TaskTracker,
) -> anyhow::Result<Arc<Routing>> {
    let classes: Arc<dyn ClassCatalog> = MohClasses::start(store.clone(), moh_changes, shutdown, tasks).await;
    let (log, rx) = DecisionLog::new();
    decisions::spawn_writer(store.clone(), rx, log.stats.clone(), shutdown, tasks);
    decisions::spawn_retention(store.clone(), config.agi.decision_retention_days, shutdown, tasks);
    let routing = Routing::load(store.clone(), config.agi.fallback_class.clone(), classes, log)
        .await
        .context("cannot load the call-routing rules from the database")?;
    Ok(Arc::new(routing))
}

/// Binds `[agi] bind` and serves FastAGI on its own thread until shutdown (live sessions get the
/// grace period).
pub async fn spawn_server(
    state: &AppState,
    shutdown: &CancellationToken,
    tasks: &TaskTracker,
) -> anyhow::Result<SocketAddr> {
    let config = &state.config.agi;
    let listener = server::bind(config.bind).with_context(|| {
        format!("cannot listen on {} (agi.bind): is another FastAGI server using it?", config.bind)
    })?;
    let addr = listener.local_addr()?;
    let scripts = StoreScripts::new(state.routing.decider());
    let stats = state.routing.counters.agi.clone();
    let server = AgiServer::with_stats(config.clone(), Arc::new(scripts), stats);
    tasks.spawn(server.spawn_dedicated(listener, shutdown.clone())?);
    tracing::info!(address = %addr, "FastAGI listening on agi://{addr}/");
    Ok(addr)
}

/// One Stasis application task per enabled `[[asterisk]]` server with `ari_url`.
pub fn spawn_stasis(state: &AppState, shutdown: &CancellationToken, tasks: &TaskTracker) {
    if !state.config.agi.stasis {
        return;
    }
    for server in state.config.asterisk.iter().filter(|s| s.enabled) {
        let (Some(url), Some(user), Some(password)) =
            (&server.ari_url, &server.ari_user, &server.ari_password)
        else {
            continue;
        };
        let started = AriClient::new(AriConfig::new(url, user, password)).and_then(|client| {
            Ok((client.clone(), spawn_events(client, AriEventsConfig::new(stasis::APP))?))
        });
        match started {
            Ok((client, events)) => {
                tasks.spawn(stasis::run(
                    server.name.clone(),
                    client,
                    events,
                    state.routing.decider(),
                    state.routing.counters.stasis.clone(),
                    shutdown.clone(),
                ));
                tracing::info!(server = %server.name, "Stasis application `ringside` registering");
            }
            Err(e) => tracing::warn!(server = %server.name, error = %e, "Stasis application not started"),
        }
    }
}
