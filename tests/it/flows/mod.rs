//! Call routing end to end: store-backed rules served over FastAGI with the captured bytes, the
//! decision log, try-it explanations, validation errors, the Stasis app and the try-it form.

mod api;
mod browser;
mod fastagi;
mod metrics;
mod stasis;

use crate::support::{Client, TestApp};
use ringside::auth::Role;
use serde_json::Value;

/// The text of `/metrics` (the app must have `metrics.listen` set).
pub async fn scrape(app: &TestApp) -> String {
    let addr = app.app().metrics_addr.expect("metrics listener configured");
    let response = reqwest::get(format!("http://{addr}/metrics")).await.expect("scrape /metrics");
    assert_eq!(response.status(), 200);
    response.text().await.expect("metrics text")
}

/// Scrapes until a line equal to `line` appears (counters move after the socket work they count).
pub async fn wait_for_metric(app: &TestApp, line: &str) -> String {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let text = scrape(app).await;
        if text.lines().any(|l| l == line) {
            return text;
        }
        assert!(tokio::time::Instant::now() < deadline, "never saw `{line}` in\n{text}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// An admin client and its CSRF token (sent as `X-CSRF-Token` on API calls).
pub struct Admin {
    pub client: Client,
    pub csrf: String,
}

pub async fn admin(app: &TestApp) -> Admin {
    app.add_user("alice", Role::Admin, "alice passphrase").await;
    let client = app.signed_in("alice", "alice passphrase").await;
    let csrf = client.csrf_from("/flows").await;
    Admin { client, csrf }
}

impl Admin {
    /// Sends JSON with the CSRF header; returns status and parsed body (`Null` when empty).
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .http
            .request(method, self.client.url(path))
            .header("X-CSRF-Token", &self.csrf)
            .header("Origin", self.client.origin());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// Creates Music on Hold categories (rules may only name classes that exist).
    pub async fn moh_classes(&self, names: &[&str]) {
        for name in names {
            let (status, body) =
                self.post("/api/v1/moh/categories", serde_json::json!({ "name": name })).await;
            assert_eq!(status, 201, "create MoH class {name}: {body}");
        }
    }
}
