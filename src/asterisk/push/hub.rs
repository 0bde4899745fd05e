//! The push as one object the app starts and the web layer asks: builds a [`ServerLink`] per
//! managed server (ARI client + events task, AMI client), starts its worker and event followers,
//! and answers "what is the state", "apply now" and "badge per category".
//!
//! The servers come from `[[asterisk]]` and from the console (see [`super::registry`]); each one's
//! tasks run under its own child cancellation token, so a server added, changed or removed in the
//! console is started, restarted or stopped live. Disabled servers are listed but never contacted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::PushSettings;
use super::holds::{self, LiveHolds, SHARED_QUEUE, ServerEvent};
use super::link::{AriLink, ServerLink, lock};
use super::status::{LiveHold, Origin, ServerBadge, ServerSnapshot};
use super::worker::{self, DeployView, Worker};
use crate::asterisk::ami::{AmiClient, AmiConfig, TcpConnector};
use crate::asterisk::ari::{AriClient, AriConfig, AriEventsConfig, spawn_events};
use crate::config::{AsteriskServerConfig, Config};
use crate::moh::desired::DesiredSource;
use crate::store::Store;

/// The Stasis application Ringside registers on every server.
pub const STASIS_APP: &str = "ringside";

/// One managed server: its link, its latest verdict and the token that stops its tasks.
struct Entry {
    link: Arc<ServerLink>,
    origin: Origin,
    server: AsteriskServerConfig,
    view: Arc<Mutex<DeployView>>,
    apply_now: Arc<Notify>,
    stop: CancellationToken,
}

impl Drop for Entry {
    /// A replaced or removed server's worker, followers and clients stop with it.
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// What starting one server's tasks needs, kept for servers added later.
struct Runtime {
    store: Arc<dyn Store>,
    source: Arc<dyn DesiredSource>,
    changes: watch::Receiver<u64>,
    stop: CancellationToken,
    tasks: TaskTracker,
    /// `[moh]`'s root and conf path, for servers without their own.
    moh_root: PathBuf,
    conf_path: PathBuf,
}

/// What the app and web layer hold. Cheap to share behind an `Arc`.
pub struct PushHub {
    entries: Mutex<Vec<Entry>>,
    holds: Arc<LiveHolds>,
    /// AMI events other areas subscribe to (see `holds::SHARED_EVENTS`).
    shared: tokio::sync::broadcast::Sender<ServerEvent>,
    pub(super) settings: PushSettings,
    runtime: Runtime,
    /// Serialises console changes to the server list (check, store, restart as one step).
    pub(super) edits: tokio::sync::Mutex<()>,
}

/// What [`PushHub::start`] needs besides the configuration.
pub struct PushDeps {
    pub store: Arc<dyn Store>,
    pub source: Arc<dyn DesiredSource>,
    pub changes: watch::Receiver<u64>,
    pub settings: PushSettings,
    pub stop: CancellationToken,
    pub tasks: TaskTracker,
}

impl PushHub {
    /// Connects to every enabled server (config file first, then the console's) and starts its
    /// tasks on `deps.tasks`.
    pub async fn start(config: &Config, deps: PushDeps) -> Arc<Self> {
        let (deploys, classes) = match (deps.store.push_deploys().await, deps.store.push_classes().await) {
            (Ok(d), Ok(c)) => (d, c),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "could not read the last deploy results");
                (Vec::new(), Vec::new())
            }
        };
        let console = super::registry::console_servers(deps.store.as_ref(), &config.asterisk).await;
        let hub = Self {
            entries: Mutex::default(),
            holds: Arc::new(LiveHolds::default()),
            shared: tokio::sync::broadcast::channel(SHARED_QUEUE).0,
            settings: deps.settings,
            runtime: Runtime {
                store: deps.store,
                source: deps.source,
                changes: deps.changes,
                stop: deps.stop,
                tasks: deps.tasks,
                moh_root: config.moh.root(&config.data_dir),
                conf_path: config.moh.conf_path(&config.data_dir),
            },
            edits: tokio::sync::Mutex::default(),
        };
        let file = config.asterisk.iter().map(|s| (Origin::ConfigFile, s.clone()));
        for (origin, server) in file.chain(console.into_iter().map(|s| (Origin::Console, s))) {
            let view = worker::view_from_rows(&server.name, &deploys, &classes);
            let entry = hub.launch(origin, server, view);
            lock(&hub.entries).push(entry);
        }
        Arc::new(hub)
    }

    /// Starts (or restarts) a server live, keeping its last verdict; replaces any entry with
    /// that name (whose tasks stop).
    pub(super) fn put(&self, origin: Origin, server: AsteriskServerConfig) {
        let name = server.name.clone();
        let view = self.entry_with(&name, |e| lock(&e.view).clone()).unwrap_or_default();
        let entry = self.launch(origin, server, view);
        let old = {
            let mut entries = lock(&self.entries);
            match entries.iter_mut().find(|e| e.link.name == name) {
                Some(slot) => Some(std::mem::replace(slot, entry)),
                None => {
                    entries.push(entry);
                    None
                }
            }
        };
        tracing::info!(server = %name, restarted = old.is_some(), "server (re)started");
        drop(old);
    }

    /// Stops and forgets a server. `false` if there was none by that name.
    pub(super) fn remove(&self, name: &str) -> bool {
        let old = {
            let mut entries = lock(&self.entries);
            entries.iter().position(|e| e.link.name == name).map(|i| entries.remove(i))
        };
        tracing::info!(server = name, removed = old.is_some(), "server stopped");
        old.is_some()
    }

    /// A server's settings and where they come from (secrets included: never render them).
    pub(super) fn server(&self, name: &str) -> Option<(Origin, AsteriskServerConfig)> {
        self.entry_with(name, |e| (e.origin, e.server.clone()))
    }

    /// Every server's settings (secrets included), in list order: what the CDR collector starts.
    pub fn server_configs(&self) -> Vec<AsteriskServerConfig> {
        lock(&self.entries).iter().map(|e| e.server.clone()).collect()
    }

    /// Every server's state, in list order.
    pub fn snapshots(&self) -> Vec<ServerSnapshot> {
        lock(&self.entries).iter().map(snapshot).collect()
    }

    /// One server's state.
    pub fn snapshot(&self, name: &str) -> Option<ServerSnapshot> {
        self.entry_with(name, snapshot)
    }

    /// Asks for a deploy now. `false` if no enabled server has that name.
    pub fn apply_now(&self, name: &str) -> bool {
        let notify = self.entry_with(name, |e| e.link.enabled.then(|| e.apply_now.clone())).flatten();
        match notify {
            Some(notify) => {
                tracing::info!(server = name, "apply now requested");
                notify.notify_one();
                true
            }
            None => false,
        }
    }

    /// Per category, its state on every server (for badges on the MoH pages).
    pub fn status_by_class(&self) -> BTreeMap<String, Vec<ServerBadge>> {
        let mut out: BTreeMap<String, Vec<ServerBadge>> = BTreeMap::new();
        for entry in lock(&self.entries).iter() {
            for class in &lock(&entry.view).classes {
                out.entry(class.class.clone()).or_default().push(ServerBadge {
                    server: entry.link.name.clone(),
                    state: class.state,
                    state_label: class.state_label,
                    detail: class.detail.clone(),
                });
            }
        }
        out
    }

    /// `Cdr` events of every server, from the one AMI session the push holds per server (from now
    /// on; a subscriber that falls more than `SHARED_QUEUE` behind is told how many it missed).
    pub fn ami_events(&self) -> tokio::sync::broadcast::Receiver<ServerEvent> {
        self.shared.subscribe()
    }

    /// Calls on hold right now.
    pub fn live_holds(&self) -> Vec<LiveHold> {
        self.holds.list()
    }

    pub(super) fn holds(&self) -> &LiveHolds {
        &self.holds
    }

    pub(super) fn link(&self, name: &str) -> Option<Arc<ServerLink>> {
        self.entry_with(name, |e| e.link.clone())
    }

    pub(super) fn runtime_store(&self) -> &dyn Store {
        self.runtime.store.as_ref()
    }

    fn entry_with<T>(&self, name: &str, f: impl FnOnce(&Entry) -> T) -> Option<T> {
        lock(&self.entries).iter().find(|e| e.link.name == name).map(f)
    }

    /// Connects one server and spawns its tasks under a child token of the app's.
    fn launch(&self, origin: Origin, server: AsteriskServerConfig, view: DeployView) -> Entry {
        let rt = &self.runtime;
        let stop = rt.stop.child_token();
        let (link, ami_events, ari_events) = connect(rt, &server, &self.settings);
        let link = Arc::new(link);
        let view = Arc::new(Mutex::new(view));
        let apply_now = Arc::new(Notify::new());
        if let Some(events) = ami_events {
            rt.tasks.spawn(holds::follow_ami(
                link.clone(),
                events,
                self.holds.clone(),
                self.shared.clone(),
                stop.clone(),
            ));
        }
        if let Some(events) = ari_events {
            rt.tasks.spawn(holds::drain_ari(events, stop.clone()));
        }
        if server.enabled {
            let worker = Worker {
                link: link.clone(),
                source: rt.source.clone(),
                store: rt.store.clone(),
                settings: self.settings,
                view: view.clone(),
                apply_now: apply_now.clone(),
                changes: rt.changes.clone(),
                stop: stop.clone(),
            };
            rt.tasks.spawn(worker.run());
        }
        Entry { link, origin, server, view, apply_now, stop }
    }
}

fn snapshot(entry: &Entry) -> ServerSnapshot {
    let link = &entry.link;
    let view = lock(&entry.view).clone();
    let (asterisk_version, startup_time, uptime_secs) = link.identity();
    ServerSnapshot {
        name: link.name.clone(),
        origin: entry.origin,
        enabled: link.enabled,
        moh_root: link.moh_root.display().to_string(),
        conf_path: link.conf_path.display().to_string(),
        ari: link.ari_status(),
        ami: link.ami_status(),
        asterisk_version,
        startup_time,
        uptime_secs,
        last_deploy: view.last,
        classes: view.classes,
        differences: view.differences,
        deploys: view.deploys,
        reloads: view.reloads,
        counters: link.counters(),
    }
}

type Connected =
    (ServerLink, Option<crate::asterisk::ami::AmiEvents>, Option<crate::asterisk::ari::AriEvents>);

/// Builds the link for one server and spawns its clients (only when enabled).
fn connect(rt: &Runtime, server: &AsteriskServerConfig, settings: &PushSettings) -> Connected {
    let moh_root = server.moh_root.clone().unwrap_or_else(|| rt.moh_root.clone());
    let conf_path = server.conf_path.clone().unwrap_or_else(|| rt.conf_path.clone());
    let mut link = ServerLink {
        name: server.name.clone(),
        enabled: server.enabled,
        moh_root: absolute(&moh_root),
        conf_path,
        ari: None,
        ari_unusable: None,
        ami: None,
        info: Mutex::default(),
        booted: Mutex::default(),
    };
    if !server.enabled {
        return (link, None, None);
    }
    let mut ami_events = None;
    if let (Some(host), Some(user), Some(secret)) = (&server.ami_host, &server.ami_user, &server.ami_secret) {
        let mut ami = AmiConfig::new(user, secret);
        ami.backoff = settings.connect_backoff;
        ami.action_timeout = settings.action_timeout;
        let (client, events) =
            AmiClient::spawn(ami, TcpConnector { host: host.clone(), port: server.ami_port });
        link.ami = Some(client);
        ami_events = Some(events);
    }
    let mut ari_events = None;
    if let (Some(url), Some(user), Some(password)) = (&server.ari_url, &server.ari_user, &server.ari_password)
    {
        let mut ari = AriConfig::new(url, user, password);
        ari.request_timeout = settings.action_timeout;
        let mut events_config = AriEventsConfig::new(STASIS_APP);
        events_config.backoff = settings.connect_backoff;
        match AriClient::new(ari).and_then(|c| Ok((c.clone(), spawn_events(c, events_config)?))) {
            Ok((client, events)) => {
                link.ari = Some(AriLink {
                    client,
                    state: events.state.clone(),
                    resync: events.resync.clone(),
                    stats: events.stats.clone(),
                });
                ari_events = Some(events);
            }
            Err(e) => link.ari_unusable = Some(e.to_string()),
        }
    }
    (link, ami_events, ari_events)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}
