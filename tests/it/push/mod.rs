//! Push to Asterisk against the fake ARI and AMI peers: deploy, read back, status, faults of
//! issue 5, the servers page and API, and the test hold. The desired MoH comes from real files
//! (`FolderSource` over a temp folder); the fake AMI re-reads the generated conf on every reload
//! the way `res_musiconhold` does.

mod browser;
mod console;
mod deploy;
mod faults;
mod web;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ringside::asterisk::backoff::Backoff;
use ringside::asterisk::push::{FolderSource, PushSettings, ServerSnapshot, SyncState};
use ringside::config::{AsteriskServerConfig, Config};

use crate::fakes::ami::FakeAmi;
use crate::fakes::ari::FakeAri;
use crate::support::{Backend, TestApp, fresh_database};

pub const AMI_USER: &str = "acc_ami";
pub const AMI_SECRET: &str = "ami-s3cret-never-shown";
pub const ARI_USER: &str = "acc_ari";
pub const ARI_PASSWORD: &str = "ari-s3cret-never-shown";
pub const SERVER: &str = "pbx1";

/// A running Ringside with one `[[asterisk]]` server backed by the fakes.
pub struct Rig {
    pub app: TestApp,
    pub ami: FakeAmi,
    pub ari: Option<FakeAri>,
    pub source: PathBuf,
    pub root: PathBuf,
    pub conf: PathBuf,
    /// The server pointing at the fakes (in `[[asterisk]]` unless `Setup::from_console`).
    pub server: AsteriskServerConfig,
}

/// How the rig's server is configured.
pub struct Setup {
    pub with_ari: bool,
    pub ami_secret: &'static str,
    pub ari_password: &'static str,
    pub ami_down: bool,
    /// Leave `[[asterisk]]` empty: the test adds the server in the console.
    pub from_console: bool,
    /// Deliver the Music on Hold store (as in production) instead of the plain source folder.
    pub moh_store: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            with_ari: true,
            ami_secret: AMI_SECRET,
            ari_password: ARI_PASSWORD,
            ami_down: false,
            from_console: false,
            moh_store: false,
        }
    }
}

fn fast_settings() -> PushSettings {
    let quick = Backoff {
        initial: Duration::from_millis(100),
        max: Duration::from_millis(400),
        reset_after: Duration::from_secs(30),
    };
    PushSettings {
        coalesce: Duration::from_millis(150),
        retry: quick,
        connect_backoff: quick,
        action_timeout: Duration::from_secs(3),
        test_hold_timeout: Duration::from_secs(3),
    }
}

/// Writes `<source>/<class>/<name>` with some bytes.
pub fn put_source(source: &std::path::Path, class: &str, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(source.join(class)).expect("mkdir");
    std::fs::write(source.join(class).join(name), bytes).expect("write");
}

impl Rig {
    /// Starts the fakes and Ringside; the source holds class `jazz` with `intro` (wav + ulaw).
    pub async fn start(backend: Backend, setup: Setup) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = dir.path().join("source");
        let root = dir.path().join("asterisk/moh");
        let conf = dir.path().join("asterisk/musiconhold_ringside.conf");
        std::fs::create_dir_all(conf.parent().expect("parent")).expect("mkdir");
        put_source(&source, "jazz", "intro.wav", b"RIFF-not-really");
        put_source(&source, "jazz", "intro.ulaw", b"\xff\xff");
        let ami = FakeAmi::new(AMI_USER, AMI_SECRET);
        ami.load_conf_on_reload(&conf);
        ami.set_down(setup.ami_down);
        let ami_addr = ami.listen().await;
        let ari = if setup.with_ari {
            let ari = FakeAri::start(ARI_USER, ARI_PASSWORD).await;
            let reload = ami.clone();
            ari.on_reload(move || reload.reload_moh());
            let play = ami.clone();
            ari.on_moh(move |id, class| play.play_moh(id, class));
            Some(ari)
        } else {
            None
        };
        let server = AsteriskServerConfig {
            name: SERVER.into(),
            enabled: true,
            ari_url: ari.as_ref().map(FakeAri::base_url),
            ari_user: ari.as_ref().map(|_| ARI_USER.into()),
            ari_password: ari.as_ref().map(|_| setup.ari_password.into()),
            ami_host: Some("127.0.0.1".into()),
            ami_port: ami_addr.port(),
            ami_user: Some(AMI_USER.into()),
            ami_secret: Some(setup.ami_secret.into()),
            moh_root: Some(root.clone()),
            conf_path: Some(conf.clone()),
            cdr_csv_path: None,
            cdr_timezone: None,
            cdr_columns: None,
        };
        let database_url = fresh_database(backend, dir.path()).await;
        let mut config = Config { data_dir: dir.path().join("data"), ..Config::default() };
        config.web.listen = "127.0.0.1:0".parse().expect("addr");
        config.database.url = Some(database_url.clone());
        config.asterisk = if setup.from_console { Vec::new() } else { vec![server.clone()] };
        config.agi.bind = "127.0.0.1:0".parse().expect("addr");
        config.audio.worker_exe = Some(env!("CARGO_BIN_EXE_ringside").into());
        let folder: Arc<dyn ringside::asterisk::push::DesiredSource> = Arc::new(FolderSource::new(&source));
        let app = ringside::app::start_with(config, (!setup.moh_store).then_some(folder), fast_settings())
            .await
            .expect("Ringside starts");
        let app = TestApp { addr: app.web_addr, app: Some(app), database_url, backend, dir };
        Self { app, ami, ari, source, root, conf, server }
    }

    pub fn snapshot(&self) -> ServerSnapshot {
        self.app.app().state.push.snapshot(SERVER).expect("server pbx1")
    }

    /// Polls the server's state until `done` holds (deadline 20 s).
    pub async fn wait_for(&self, what: &str, done: impl Fn(&ServerSnapshot) -> bool) -> ServerSnapshot {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let snapshot = self.snapshot();
            if done(&snapshot) {
                return snapshot;
            }
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}: {snapshot:#?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn wait_in_sync(&self) -> ServerSnapshot {
        self.wait_for("in sync", |s| s.last_deploy.as_ref().is_some_and(|d| d.result == SyncState::InSync))
            .await
    }

    /// Bumps the MoH change counter as the MoH area does after a commit.
    pub fn bump_change(&self) {
        self.app.app().state.moh_changes.send_modify(|n| *n += 1);
    }

    pub async fn admin(&self) -> crate::support::Client {
        self.app.add_user("root", ringside::auth::Role::Admin, "correct horse battery").await;
        self.app.signed_in("root", "correct horse battery").await
    }
}
