//! Music on Hold through the real server: categories, uploads transcoded by the real worker
//! binary, files on disk, the generated config, the API, bad input and the browser console.

mod bad_input;
mod browser;
mod flow;
mod openapi;
mod sync;
mod test_hold;
mod time_limit;
mod ui;

use std::path::{Path, PathBuf};

use crate::support::{Backend, Client, TestApp};
use ringside::auth::Role;
use serde_json::Value;

pub const ADMIN_PW: &str = "admin passphrase";

/// A server whose transcode worker is the real `ringside` binary.
pub async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.audio.worker_exe = Some(env!("CARGO_BIN_EXE_ringside").into());
        c.moh.max_upload_bytes = 4 << 20;
    })
    .await
}

/// An admin API client: session cookie plus the CSRF token header.
pub struct Api {
    pub client: Client,
    pub csrf: String,
}

impl Api {
    pub async fn admin(app: &TestApp) -> Self {
        app.add_user("admin", Role::Admin, ADMIN_PW).await;
        let client = app.signed_in("admin", ADMIN_PW).await;
        let csrf = client.csrf_from("/moh").await;
        Api { client, csrf }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .http
            .request(method, self.client.url(path))
            .header("X-CSRF-Token", &self.csrf)
            .header("Origin", self.client.origin())
            .header("Sec-Fetch-Site", "same-origin")
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.request(method, path);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let response = req.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// Uploads `(file name, bytes)` parts named `file`.
    pub async fn upload(&self, category: &str, files: &[(&str, Vec<u8>)]) -> (u16, Value) {
        self.upload_to(&format!("/api/v1/moh/categories/{category}/files"), files).await
    }

    /// Posts `(file name, bytes)` parts named `file` to `path`.
    pub async fn upload_to(&self, path: &str, files: &[(&str, Vec<u8>)]) -> (u16, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (name, bytes) in files {
            form =
                form.part("file", reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
        }
        let response =
            self.request(reqwest::Method::POST, path).multipart(form).send().await.expect("upload");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

/// A 16-bit PCM WAV of a sine at `rate` with `channels`.
pub fn sine_wav(rate: u32, channels: u16, secs: f64, freq: f64) -> Vec<u8> {
    let frames = (f64::from(rate) * secs) as usize;
    let mut data = Vec::with_capacity(frames * usize::from(channels) * 2);
    for i in 0..frames {
        let v =
            (0.3 * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin() * 32767.0) as i16;
        for _ in 0..channels {
            data.extend_from_slice(&v.to_le_bytes());
        }
    }
    let block = u32::from(channels) * 2;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * block).to_le_bytes());
    out.extend_from_slice(&(block as u16).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    out
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/audio")).join(name))
        .expect("fixture")
}

pub fn moh_root(app: &TestApp) -> PathBuf {
    app.data_dir().join("moh")
}

pub fn conf_text(app: &TestApp) -> String {
    std::fs::read_to_string(app.data_dir().join("musiconhold_ringside.conf")).expect("generated config")
}

/// Every path under `dir`, relative, sorted (dot files included).
pub fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            out.push(path.strip_prefix(dir).expect("under").display().to_string());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Everything that must not change when a request is refused.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub tree: Vec<String>,
    pub conf: String,
    pub api: Value,
    pub generation: u64,
}

pub async fn snapshot(app: &TestApp, api: &Api) -> Snapshot {
    let mut listing = Vec::new();
    let (_, cats) = api.get("/api/v1/moh/categories").await;
    for c in cats.as_array().expect("list") {
        let name = c["name"].as_str().expect("name");
        listing.push(api.get(&format!("/api/v1/moh/categories/{name}")).await.1);
    }
    let generation = *app.app().state.moh_changes.borrow();
    Snapshot { tree: tree(&moh_root(app)), conf: conf_text(app), api: Value::Array(listing), generation }
}
