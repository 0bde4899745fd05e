//! The push as one object the app starts and the web layer asks: builds a [`ServerLink`] per
//! `[[asterisk]]` entry (ARI client + events task, AMI client), starts its worker and event
//! followers, and answers "what is the state", "apply now" and "badge per category".
//!
//! Disabled servers are listed but never contacted.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::PushSettings;
use super::desired::DesiredSource;
use super::holds::{self, LiveHolds};
use super::link::{AriLink, ServerLink, lock};
use super::status::{LiveHold, ServerBadge, ServerSnapshot};
use super::worker::{self, DeployView, Worker};
use crate::asterisk::ami::{AmiClient, AmiConfig, TcpConnector};
use crate::asterisk::ari::{AriClient, AriConfig, AriEventsConfig, spawn_events};
use crate::config::{AsteriskServerConfig, Config};
use crate::store::Store;

/// The Stasis application Ringside registers on every server.
pub const STASIS_APP: &str = "ringside";

struct Entry {
    link: Arc<ServerLink>,
    view: Arc<Mutex<DeployView>>,
    apply_now: Arc<Notify>,
}

/// What the app and web layer hold. Cheap to share behind an `Arc`.
pub struct PushHub {
    entries: Vec<Entry>,
    holds: Arc<LiveHolds>,
    pub(super) settings: PushSettings,
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
    /// Connects to every enabled server and starts its tasks on `deps.tasks`.
    pub async fn start(config: &Config, deps: PushDeps) -> Arc<Self> {
        let (deploys, classes) = match (deps.store.push_deploys().await, deps.store.push_classes().await) {
            (Ok(d), Ok(c)) => (d, c),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "could not read the last deploy results");
                (Vec::new(), Vec::new())
            }
        };
        let holds = Arc::new(LiveHolds::default());
        let mut entries = Vec::new();
        for server in &config.asterisk {
            let (link, ami_events, ari_events) = connect(config, server, &deps.settings);
            let link = Arc::new(link);
            let view = Arc::new(Mutex::new(worker::view_from_rows(&server.name, &deploys, &classes)));
            let apply_now = Arc::new(Notify::new());
            if let Some(events) = ami_events {
                deps.tasks.spawn(holds::follow_ami(link.clone(), events, holds.clone(), deps.stop.clone()));
            }
            if let Some(events) = ari_events {
                deps.tasks.spawn(holds::drain_ari(events, deps.stop.clone()));
            }
            if server.enabled {
                let worker = Worker {
                    link: link.clone(),
                    source: deps.source.clone(),
                    store: deps.store.clone(),
                    settings: deps.settings,
                    view: view.clone(),
                    apply_now: apply_now.clone(),
                    changes: deps.changes.clone(),
                    stop: deps.stop.clone(),
                };
                deps.tasks.spawn(worker.run());
            }
            entries.push(Entry { link, view, apply_now });
        }
        Arc::new(Self { entries, holds, settings: deps.settings })
    }

    /// Every server's state, in configuration order.
    pub fn snapshots(&self) -> Vec<ServerSnapshot> {
        self.entries.iter().map(snapshot).collect()
    }

    /// One server's state.
    pub fn snapshot(&self, name: &str) -> Option<ServerSnapshot> {
        self.entry(name).map(snapshot)
    }

    /// Asks for a deploy now. `false` if no enabled server has that name.
    pub fn apply_now(&self, name: &str) -> bool {
        match self.entry(name) {
            Some(entry) if entry.link.enabled => {
                tracing::info!(server = name, "apply now requested");
                entry.apply_now.notify_one();
                true
            }
            _ => false,
        }
    }

    /// Per category, its state on every server (for badges on the MoH pages).
    pub fn status_by_class(&self) -> BTreeMap<String, Vec<ServerBadge>> {
        let mut out: BTreeMap<String, Vec<ServerBadge>> = BTreeMap::new();
        for entry in &self.entries {
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

    /// Calls on hold right now.
    pub fn live_holds(&self) -> Vec<LiveHold> {
        self.holds.list()
    }

    pub(super) fn holds(&self) -> &LiveHolds {
        &self.holds
    }

    pub(super) fn link(&self, name: &str) -> Option<&Arc<ServerLink>> {
        self.entry(name).map(|e| &e.link)
    }

    fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.link.name == name)
    }
}

fn snapshot(entry: &Entry) -> ServerSnapshot {
    let link = &entry.link;
    let view = lock(&entry.view).clone();
    let (asterisk_version, startup_time, uptime_secs) = link.identity();
    ServerSnapshot {
        name: link.name.clone(),
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
fn connect(config: &Config, server: &AsteriskServerConfig, settings: &PushSettings) -> Connected {
    let moh_root = server.moh_root.clone().unwrap_or_else(|| config.moh.root(&config.data_dir));
    let conf_path = server.conf_path.clone().unwrap_or_else(|| config.moh.conf_path(&config.data_dir));
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

fn absolute(path: &Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}
