//! A fake Asterisk AMI peer that answers with the bytes captured from Asterisk 22
//! (`tests/fixtures/asterisk/ami/`), byte for byte except the echoed `ActionID` line.
//!
//! Controls: take the server down (connections closed before the banner), drop live sessions,
//! stall (read but never answer), lose a class on the next reload, push raw bytes or flood the
//! captured event stream. Runs over TCP (port 0) or in-memory duplex streams for paused-time tests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ringside::asterisk::ami::client::{AmiStream, ConnectFuture, Connector};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::broadcast;

macro_rules! capture {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/ami/", $name))
    };
}

pub const BANNER: &[u8] = capture!("banner.bin");
pub const LOGIN_OK: &[u8] = capture!("login-success.bin");
pub const LOGIN_FAILED: &[u8] = capture!("login-failed.bin");
pub const SHOW_CLASSES: &[u8] = capture!("command-moh-show-classes.bin");
pub const RELOAD: &[u8] = capture!("reload-musiconhold.bin");
pub const PING: &[u8] = capture!("ping.bin");
pub const EVENTS: &[u8] = capture!("events-calls.bin");

/// A class the fake reports, as `res_musiconhold` would.
#[derive(Debug, Clone)]
pub struct FakeClass {
    pub name: String,
    pub directory: String,
    pub files: Vec<String>,
}

#[derive(Debug)]
struct Controls {
    username: String,
    secret: String,
    down: bool,
    stall: bool,
    classes: Vec<FakeClass>,
    lose_on_reload: Option<String>,
    actions_seen: Vec<String>,
    /// When set, a reload re-reads this generated conf like `res_musiconhold` does.
    conf: Option<std::path::PathBuf>,
    reloads: u64,
}

#[derive(Debug, Clone)]
enum Push {
    Bytes(Arc<Vec<u8>>),
    Drop,
}

/// Shared handle to the fake; clone into tasks freely.
#[derive(Clone)]
pub struct FakeAmi {
    controls: Arc<Mutex<Controls>>,
    pushes: broadcast::Sender<Push>,
    pub logins: Arc<AtomicU64>,
    pub connections: Arc<AtomicU64>,
    /// Sessions open right now (a client that stopped has closed its socket).
    pub live: Arc<AtomicU64>,
}

/// Counts a session as live until it ends, whichever way it ends.
struct LiveSession(Arc<AtomicU64>);

impl Drop for LiveSession {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl FakeAmi {
    /// A fake whose classes are the ones in the `moh show classes` capture.
    pub fn new(username: &str, secret: &str) -> Self {
        let class = |name: &str| FakeClass {
            name: name.into(),
            directory: format!("/var/lib/asterisk/moh/{name}"),
            files: Vec::new(),
        };
        Self {
            controls: Arc::new(Mutex::new(Controls {
                username: username.into(),
                secret: secret.into(),
                down: false,
                stall: false,
                classes: vec![class("default"), class("demo")],
                lose_on_reload: None,
                actions_seen: Vec::new(),
                conf: None,
                reloads: 0,
            })),
            pushes: broadcast::channel(4096).0,
            logins: Arc::default(),
            connections: Arc::default(),
            live: Arc::default(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Controls) -> T) -> T {
        f(&mut self.controls.lock().expect("fake controls lock"))
    }

    pub fn set_down(&self, down: bool) {
        self.with(|c| c.down = down);
        if down {
            self.drop_connections();
        }
    }
    pub fn set_stall(&self, stall: bool) {
        self.with(|c| c.stall = stall);
    }
    pub fn set_classes(&self, classes: Vec<FakeClass>) {
        self.with(|c| c.classes = classes);
    }
    /// The next `Reload` of `res_musiconhold.so` succeeds but the class disappears.
    pub fn lose_class_on_reload(&self, name: &str) {
        self.with(|c| c.lose_on_reload = Some(name.into()));
    }
    /// Reloads re-read `conf` (sections, `mode`, `directory`, files in it) on top of the
    /// captured `default` class, as `res_musiconhold` does with an included file.
    pub fn load_conf_on_reload(&self, conf: &std::path::Path) {
        self.with(|c| c.conf = Some(conf.to_owned()));
    }
    /// What a `res_musiconhold` reload does (ARI's reload calls this too).
    pub fn reload_moh(&self) {
        self.with(|c| {
            c.reloads += 1;
            if let Some(conf) = &c.conf {
                let mut classes = vec![FakeClass {
                    name: "default".into(),
                    directory: "/var/lib/asterisk/moh/default".into(),
                    files: Vec::new(),
                }];
                classes.extend(read_conf(conf));
                c.classes = classes;
            }
            if let Some(lost) = c.lose_on_reload.take() {
                c.classes.retain(|class| class.name != lost);
            }
        });
    }
    pub fn reloads(&self) -> u64 {
        self.with(|c| c.reloads)
    }
    /// Asterisk starts MoH on channel `uniqueid`: the requested class if loaded, else `default`
    /// (what `res_musiconhold` does for an unknown class). Sends the captured `MusicOnHoldStart`
    /// frame with `Uniqueid` and `Class` replaced.
    pub fn play_moh(&self, uniqueid: &str, requested: &str) {
        let loaded = self.with(|c| c.classes.iter().any(|k| k.name.eq_ignore_ascii_case(requested)));
        let class = if loaded { requested } else { "default" };
        self.push_raw(&moh_start_frame(uniqueid, class));
    }
    pub fn actions_seen(&self) -> Vec<String> {
        self.with(|c| c.actions_seen.clone())
    }
    pub fn drop_connections(&self) {
        let _ = self.pushes.send(Push::Drop);
    }
    /// Writes raw bytes to every live session.
    pub fn push_raw(&self, bytes: &[u8]) {
        let _ = self.pushes.send(Push::Bytes(Arc::new(bytes.to_vec())));
    }
    /// Writes the captured call event stream `times` times to every live session.
    pub fn flood(&self, times: usize) {
        let mut all = Vec::with_capacity(EVENTS.len() * times);
        for _ in 0..times {
            all.extend_from_slice(EVENTS);
        }
        self.push_raw(&all);
    }

    /// Listens on 127.0.0.1 port 0.
    pub async fn listen(&self) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let fake = self.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(fake.clone().serve(stream));
            }
        });
        addr
    }

    /// A connector that opens in-memory sessions (for paused-time tests).
    pub fn connector(&self) -> DuplexConnector {
        DuplexConnector { fake: self.clone() }
    }

    /// One session: banner, then answer actions until dropped.
    pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(self, mut stream: S) {
        self.connections.fetch_add(1, Ordering::Relaxed);
        self.live.fetch_add(1, Ordering::Relaxed);
        let _live = LiveSession(self.live.clone());
        if self.with(|c| c.down) {
            return;
        }
        let mut pushes = self.pushes.subscribe();
        if stream.write_all(BANNER).await.is_err() {
            return;
        }
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            tokio::select! {
                read = stream.read(&mut chunk) => {
                    let Ok(n @ 1..) = read else { return };
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = find(&buf, b"\r\n\r\n") {
                        let frame: Vec<u8> = buf.drain(..end + 4).collect();
                        let (reply, close) = self.answer(&parse(&frame));
                        if stream.write_all(&reply).await.is_err() || close {
                            return;
                        }
                    }
                }
                push = pushes.recv() => match push {
                    Ok(Push::Bytes(bytes)) => {
                        if stream.write_all(&bytes).await.is_err() { return; }
                    }
                    Ok(Push::Drop) | Err(broadcast::error::RecvError::Closed) => return,
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                },
            }
        }
    }

    /// The reply bytes for one action, and whether to close afterwards.
    fn answer(&self, fields: &[(String, String)]) -> (Vec<u8>, bool) {
        let get =
            |key: &str| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str());
        let action = get("Action").unwrap_or_default().to_ascii_lowercase();
        let id = get("ActionID");
        let stall = self.with(|c| {
            c.actions_seen.push(action.clone());
            c.stall
        });
        if stall {
            return (Vec::new(), false);
        }
        match action.as_str() {
            "login" => {
                self.logins.fetch_add(1, Ordering::Relaxed);
                let ok = self.with(|c| {
                    get("Username") == Some(c.username.as_str()) && get("Secret") == Some(c.secret.as_str())
                });
                if ok {
                    (with_action_id(LOGIN_OK, "login-1", id), false)
                } else {
                    (with_action_id(LOGIN_FAILED, "login-2", id), true)
                }
            }
            "ping" => (with_action_id(PING, "ping-1", id), false),
            "command" => (self.command(get("Command").unwrap_or_default(), id), false),
            "reload" if get("Module") == Some("res_musiconhold.so") => {
                self.reload_moh();
                (with_action_id(RELOAD, "reload-1", id), false)
            }
            _ => (error_response(id, "Invalid/unknown command"), false),
        }
    }

    fn command(&self, command: &str, id: Option<&str>) -> Vec<u8> {
        let classes = self.with(|c| c.classes.clone());
        match command {
            "moh show classes" => render_classes(&classes, id),
            "moh show files" => render_files(&classes, id),
            _ => {
                let mut out = header("Success", id);
                out.extend_from_slice(b"Message: Command output follows\r\n");
                out.extend_from_slice(format!("Output: No such command '{command}' (type 'core show help {command}' for other possible commands)\r\n\r\n").as_bytes());
                out
            }
        }
    }
}

fn header(response: &str, id: Option<&str>) -> Vec<u8> {
    let mut out = format!("Response: {response}\r\n").into_bytes();
    if let Some(id) = id {
        out.extend_from_slice(format!("ActionID: {id}\r\n").as_bytes());
    }
    out
}

fn error_response(id: Option<&str>, message: &str) -> Vec<u8> {
    let mut out = header("Error", id);
    out.extend_from_slice(format!("Message: {message}\r\n\r\n").as_bytes());
    out
}

/// `moh show classes` in `handle_cli_moh_show_classes`' format, one `Output:` per line.
pub fn render_classes(classes: &[FakeClass], id: Option<&str>) -> Vec<u8> {
    let mut out = header("Success", id);
    out.extend_from_slice(b"Message: Command output follows\r\n");
    for class in classes {
        for line in [
            format!("Class: {}", class.name),
            "\tMode: files".to_string(),
            format!("\tDirectory: {}", class.directory),
        ] {
            out.extend_from_slice(format!("Output: {line}\r\n").as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// `moh show files` in `handle_cli_moh_show_files`' format (classes without files omitted).
pub fn render_files(classes: &[FakeClass], id: Option<&str>) -> Vec<u8> {
    let mut out = header("Success", id);
    out.extend_from_slice(b"Message: Command output follows\r\n");
    for class in classes.iter().filter(|c| !c.files.is_empty()) {
        out.extend_from_slice(format!("Output: Class: {}\r\n", class.name).as_bytes());
        for file in &class.files {
            let line = format!("Output: \tFile: {}/{file}\r\n", class.directory);
            out.extend_from_slice(line.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// The capture with its `ActionID: <captured>` line replaced by the client's (or removed when
/// the client sent none, as Asterisk does).
pub fn with_action_id(capture: &[u8], captured_id: &str, id: Option<&str>) -> Vec<u8> {
    let needle = format!("ActionID: {captured_id}\r\n");
    let text = String::from_utf8_lossy(capture);
    let replacement = id.map(|id| format!("ActionID: {id}\r\n")).unwrap_or_default();
    text.replacen(&needle, &replacement, 1).into_bytes()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse(frame: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(frame)
        .split("\r\n")
        .filter_map(|line| line.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// In-memory connector: each connect spawns a fake session on the other end of a duplex pipe.
pub struct DuplexConnector {
    fake: FakeAmi,
}

impl Connector for DuplexConnector {
    fn connect(&self) -> ConnectFuture<'_> {
        Box::pin(async move {
            if self.fake.with(|c| c.down) {
                self.fake.connections.fetch_add(1, Ordering::Relaxed);
                return Err(std::io::ErrorKind::ConnectionRefused.into());
            }
            let (client, server) = tokio::io::duplex(256 * 1024);
            tokio::spawn(self.fake.clone().serve(server));
            Ok(Box::new(client) as Box<dyn AmiStream>)
        })
    }
}

/// The captured `MusicOnHoldStart` frame with its `Uniqueid` and `Class` replaced.
pub fn moh_start_frame(uniqueid: &str, class: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(EVENTS);
    let start = text.find("Event: MusicOnHoldStart\r\n").expect("capture has MusicOnHoldStart");
    let end = start + text[start..].find("\r\n\r\n").expect("frame end") + 4;
    text[start..end]
        .replace("Uniqueid: 1796413654.11\r\n", &format!("Uniqueid: {uniqueid}\r\n"))
        .replace("Class: demo\r\n", &format!("Class: {class}\r\n"))
        .into_bytes()
}

/// Classes from a generated conf: `[name]`, `mode=`, `directory=`; files are the directory's
/// entries minus dot files and names without an extension, one per base name, sorted.
fn read_conf(path: &std::path::Path) -> Vec<FakeClass> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let mut classes: Vec<FakeClass> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            classes.push(FakeClass { name: name.into(), directory: String::new(), files: Vec::new() });
        } else if let (Some(class), Some(dir)) = (classes.last_mut(), line.strip_prefix("directory=")) {
            class.directory = dir.into();
            let mut bases: Vec<String> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .filter(|n| !n.starts_with('.'))
                .filter_map(|n| n.rsplit_once('.').map(|(b, _)| b.to_owned()))
                .collect();
            bases.sort();
            bases.dedup();
            class.files = bases;
        }
    }
    classes
}
