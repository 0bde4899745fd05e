//! A fake ARI server (axum, port 0) answering with the status codes and bodies captured from
//! Asterisk 22 in `tests/fixtures/asterisk/ari/rest.json`, and replaying `events.jsonl` on the
//! events WebSocket.
//!
//! Controls: stall REST answers, drop WebSockets, restart with a new `entity_id`/`startup_time`,
//! push raw text (malformed JSON), flood events. Records every request line it received.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use tokio::sync::broadcast;

const REST: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/ari/rest.json"));
pub const EVENTS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asterisk/ari/events.jsonl"));
pub const ENTITY_ID: &str = "02:fc:00:00:00:01";
const STARTUP_TIME: &str = "2026-12-04T19:47:16.641+0000";

/// One captured exchange from rest.json.
#[derive(Debug, Clone)]
pub struct Captured {
    pub status: u16,
    pub body: String,
}

/// The capture named `name` in rest.json.
pub fn captured(name: &str) -> Captured {
    let all: serde_json::Value = serde_json::from_str(REST).expect("rest.json is JSON");
    Captured {
        status: all[name]["status"].as_u64().expect("status") as u16,
        body: all[name]["body"].as_str().expect("body").to_owned(),
    }
}

#[derive(Debug, Clone)]
enum Push {
    Text(Arc<Vec<String>>),
    Drop,
}

struct Shared {
    user: String,
    password: String,
    entity_id: Mutex<(String, String)>,
    stall: Mutex<Option<Duration>>,
    requests: Mutex<Vec<String>>,
    pushes: broadcast::Sender<Push>,
    ws_connects: AtomicU64,
    on_reload: Mutex<Option<Hook>>,
    on_moh: Mutex<Option<MohHook>>,
}

type Hook = Arc<dyn Fn() + Send + Sync>;
type MohHook = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// Handle to a running fake ARI server.
#[derive(Clone)]
pub struct FakeAri {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
}

impl FakeAri {
    /// Starts the server on 127.0.0.1 port 0.
    pub async fn start(user: &str, password: &str) -> Self {
        let shared = Arc::new(Shared {
            user: user.into(),
            password: password.into(),
            entity_id: Mutex::new((ENTITY_ID.into(), STARTUP_TIME.into())),
            stall: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            pushes: broadcast::channel(1024).0,
            ws_connects: AtomicU64::new(0),
            on_reload: Mutex::new(None),
            on_moh: Mutex::new(None),
        });
        let api = Router::new()
            .route("/asterisk/info", get(info))
            .route("/asterisk/modules/{module}", put(reload))
            .route("/channels", get(channels).post(originate))
            .route("/channels/{id}", delete(no_content))
            .route("/channels/{id}/moh", post(channel_moh).delete(no_content))
            .route("/bridges/{id}/moh", post(no_content).delete(no_content))
            .route("/events", get(events));
        let app = Router::new()
            .nest("/ari", api)
            .layer(middleware::from_fn_with_state(shared.clone(), guard))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { shared, addr }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/ari", self.addr)
    }
    pub fn requests(&self) -> Vec<String> {
        self.shared.requests.lock().expect("lock").clone()
    }
    pub fn ws_connects(&self) -> u64 {
        self.shared.ws_connects.load(Ordering::Relaxed)
    }
    pub fn stall(&self, delay: Option<Duration>) {
        *self.shared.stall.lock().expect("lock") = delay;
    }
    pub fn drop_websockets(&self) {
        let _ = self.shared.pushes.send(Push::Drop);
    }
    /// Asterisk restarted: new identity, and every WebSocket is cut.
    pub fn restart(&self, entity_id: &str, startup_time: &str) {
        *self.shared.entity_id.lock().expect("lock") = (entity_id.into(), startup_time.into());
        self.drop_websockets();
    }
    /// Called after every accepted `res_musiconhold.so` reload (e.g. to reload the fake AMI).
    pub fn on_reload(&self, hook: impl Fn() + Send + Sync + 'static) {
        *self.shared.on_reload.lock().expect("lock") = Some(Arc::new(hook));
    }
    /// Called with (channel id, mohClass) on every `POST /channels/{id}/moh`.
    pub fn on_moh(&self, hook: impl Fn(&str, &str) + Send + Sync + 'static) {
        *self.shared.on_moh.lock().expect("lock") = Some(Arc::new(hook));
    }
    pub fn push_text(&self, texts: Vec<String>) {
        let _ = self.shared.pushes.send(Push::Text(Arc::new(texts)));
    }
    /// Sends the captured events `times` times.
    pub fn flood(&self, times: usize) {
        let lines: Vec<String> = EVENTS.lines().map(str::to_owned).collect();
        self.push_text(lines.iter().cycle().take(lines.len() * times).cloned().collect());
    }
}

/// Records the request, applies the stall, and checks Basic auth or `api_key`.
async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let line =
        format!("{} {}", request.method(), request.uri().path_and_query().map(|p| p.as_str()).unwrap_or(""));
    shared.requests.lock().expect("lock").push(line);
    let stall = *shared.stall.lock().expect("lock");
    if let Some(delay) = stall {
        tokio::time::sleep(delay).await;
    }
    let credentials = format!("{}:{}", shared.user, shared.password);
    let basic = format!("Basic {}", base64(credentials.as_bytes()));
    let by_header =
        request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(basic.as_str());
    let by_query = request.uri().query().is_some_and(|q| {
        q.split('&')
            .filter_map(|pair| pair.strip_prefix("api_key="))
            .any(|value| percent_decode(value) == credentials)
    });
    if by_header || by_query { next.run(request).await } else { reply(captured("bad-credentials")) }
}

fn reply(c: Captured) -> Response {
    let status = StatusCode::from_u16(c.status).expect("captured status is valid");
    if c.body.is_empty() {
        return status.into_response();
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, "application/json".parse().expect("static"));
    (status, headers, c.body).into_response()
}

async fn info(State(shared): State<Arc<Shared>>) -> Response {
    let (entity, startup) = shared.entity_id.lock().expect("lock").clone();
    let mut c = captured("asterisk-info");
    c.body = c.body.replace(ENTITY_ID, &entity).replace(STARTUP_TIME, &startup);
    reply(c)
}

async fn reload(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(module): axum::extract::Path<String>,
) -> Response {
    if module == "res_musiconhold.so" {
        let hook = shared.on_reload.lock().expect("lock").clone();
        if let Some(hook) = hook {
            hook();
        }
        reply(captured("module-reload-ok"))
    } else {
        reply(captured("module-reload-unknown"))
    }
}

async fn channels() -> Response {
    reply(captured("channels-empty"))
}

/// Not captured: answers with the captured channel object (as Asterisk returns a Channel).
async fn originate() -> Response {
    let list: serde_json::Value = serde_json::from_str(&captured("channels-empty").body).expect("JSON");
    (StatusCode::OK, axum::Json(list[0].clone())).into_response()
}

async fn channel_moh(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let hook = shared.on_moh.lock().expect("lock").clone();
    if let Some(hook) = hook {
        hook(&id, query.get("mohClass").map(String::as_str).unwrap_or("default"));
    }
    reply(captured("channel-moh-start"))
}

async fn no_content() -> Response {
    reply(captured("channel-moh-stop"))
}

async fn events(State(shared): State<Arc<Shared>>, upgrade: WebSocketUpgrade) -> Response {
    shared.ws_connects.fetch_add(1, Ordering::Relaxed);
    let pushes = shared.pushes.subscribe();
    upgrade.on_upgrade(move |socket| replay(socket, pushes))
}

async fn replay(mut socket: WebSocket, mut pushes: broadcast::Receiver<Push>) {
    for line in EVENTS.lines() {
        if socket.send(Message::Text(line.into())).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            push = pushes.recv() => match push {
                Ok(Push::Text(texts)) => {
                    for text in texts.iter() {
                        if socket.send(Message::Text(text.as_str().into())).await.is_err() {
                            return;
                        }
                    }
                }
                Ok(Push::Drop) | Err(broadcast::error::RecvError::Closed) => return,
                Err(broadcast::error::RecvError::Lagged(_)) => {}
            },
            incoming = socket.recv() => if incoming.is_none() { return },
        }
    }
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
