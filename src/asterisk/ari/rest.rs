//! ARI REST client: Basic auth, timeouts, typed errors, and validated URLs.
//!
//! Every path segment and query value is checked (no control characters, no `.`/`..`) and
//! percent-encoded before a request is built, so nothing a user typed can change the request
//! line. Must not retry (callers and the push layer own retry policy) and must not log secrets.
//!
//! ```text
//! GET    {base}/asterisk/info                       200 AsteriskInfo | 401 {"message":"Authentication required"}
//! PUT    {base}/asterisk/modules/{module}           204 | 404 {"message":"Module not found in running modules"} | 409
//! GET    {base}/channels                            200 [Channel]
//! POST   {base}/channels/{id}/moh?mohClass={class}  204 (unknown class still 204: Asterisk plays default)
//! DELETE {base}/channels/{id}/moh                   204
//! POST   {base}/bridges/{id}/moh?mohClass={class}   204      DELETE {base}/bridges/{id}/moh   204
//! POST   {base}/channels?endpoint=Local/{exten}@{context}&app={app}&appArgs={args}   200 Channel
//! ```

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::model::{AsteriskInfo, Channel, ErrorBody};

/// Where and how to reach ARI. `Debug` never shows the password.
#[derive(Clone)]
pub struct AriConfig {
    /// e.g. `http://127.0.0.1:8088/ari` (plain HTTP: Ringside talks to ARI on loopback or a LAN).
    pub base_url: String,
    pub user: String,
    pub password: String,
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
}

impl AriConfig {
    pub fn new(base_url: &str, user: &str, password: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            user: user.to_owned(),
            password: password.to_owned(),
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

impl fmt::Debug for AriConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AriConfig")
            .field("base_url", &self.base_url)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// ARI failures, typed by what the caller should tell the admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AriError {
    #[error("ARI refused the credentials: {message}")]
    Unauthorized { message: String },
    #[error("not found: {message}")]
    NotFound { message: String },
    #[error("conflict (e.g. a reload is already running): {message}")]
    Conflict { message: String },
    #[error("ARI answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("ARI did not answer in time")]
    Timeout,
    #[error("ARI unreachable: {0}")]
    Unreachable(String),
    #[error("unexpected ARI response: {0}")]
    Decode(String),
    #[error("refused before sending: {0}")]
    InvalidInput(String),
}

/// A validated, percent-encoded URL path segment or query value.
fn encode_component(what: &str, value: &str, allow_empty: bool) -> Result<String, AriError> {
    if value.is_empty() && !allow_empty {
        return Err(AriError::InvalidInput(format!("{what} is empty")));
    }
    if value == "." || value == ".." {
        return Err(AriError::InvalidInput(format!("{what} may not be '.' or '..'")));
    }
    if let Some(position) = value.chars().position(char::is_control) {
        return Err(AriError::InvalidInput(format!(
            "{what} contains a control character at position {position}"
        )));
    }
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(out)
}

/// Builds `path?k=v&...` from already-fixed path text, validated segments and query pairs.
pub(crate) fn build_path(parts: &[PathPart<'_>], query: &[(&str, &str)]) -> Result<String, AriError> {
    let mut path = String::new();
    for part in parts {
        path.push('/');
        match part {
            PathPart::Fixed(text) => path.push_str(text),
            PathPart::Segment(what, value) => path.push_str(&encode_component(what, value, false)?),
        }
    }
    for (index, (key, value)) in query.iter().enumerate() {
        path.push(if index == 0 { '?' } else { '&' });
        path.push_str(key);
        path.push('=');
        path.push_str(&encode_component(key, value, true)?);
    }
    Ok(path)
}

/// A path piece: fixed text from this module, or a user-supplied segment to validate.
pub(crate) enum PathPart<'a> {
    Fixed(&'static str),
    Segment(&'static str, &'a str),
}

use PathPart::{Fixed, Segment};

/// Originate a `Local/{exten}@{context}` channel straight into a Stasis app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginateLocal {
    pub exten: String,
    pub context: String,
    pub app: String,
    pub app_args: String,
    pub channel_id: Option<String>,
}

/// ARI REST client for one server. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AriClient {
    http: reqwest::Client,
    config: AriConfig,
}

impl AriClient {
    /// Builds the HTTP client. Only `http://` base URLs are accepted (no TLS is compiled in).
    pub fn new(config: AriConfig) -> Result<Self, AriError> {
        if !config.base_url.starts_with("http://") || config.base_url.chars().any(char::is_control) {
            return Err(AriError::InvalidInput(
                "ARI base URL must start with http:// and contain no control characters".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| AriError::Unreachable(e.to_string()))?;
        Ok(Self { http, config })
    }

    /// The configuration (for the events task).
    pub fn config(&self) -> &AriConfig {
        &self.config
    }

    /// `GET /asterisk/info`.
    pub async fn info(&self) -> Result<AsteriskInfo, AriError> {
        let path = build_path(&[Fixed("asterisk"), Fixed("info")], &[])?;
        self.json(Method::GET, &path).await
    }

    /// `PUT /asterisk/modules/{module}` (reload; e.g. `res_musiconhold.so`).
    pub async fn reload_module(&self, module: &str) -> Result<(), AriError> {
        let path = build_path(&[Fixed("asterisk"), Fixed("modules"), Segment("module", module)], &[])?;
        self.empty(Method::PUT, &path).await
    }

    /// `GET /channels`.
    pub async fn channels(&self) -> Result<Vec<Channel>, AriError> {
        self.json(Method::GET, &build_path(&[Fixed("channels")], &[])?).await
    }

    /// `POST /channels/{id}/moh?mohClass=...` (channel must be in Stasis).
    pub async fn start_channel_moh(&self, channel_id: &str, class: &str) -> Result<(), AriError> {
        self.moh(Method::POST, "channels", channel_id, Some(class)).await
    }

    /// `DELETE /channels/{id}/moh`.
    pub async fn stop_channel_moh(&self, channel_id: &str) -> Result<(), AriError> {
        self.moh(Method::DELETE, "channels", channel_id, None).await
    }

    /// `POST /bridges/{id}/moh?mohClass=...`.
    pub async fn start_bridge_moh(&self, bridge_id: &str, class: &str) -> Result<(), AriError> {
        self.moh(Method::POST, "bridges", bridge_id, Some(class)).await
    }

    /// `DELETE /bridges/{id}/moh`.
    pub async fn stop_bridge_moh(&self, bridge_id: &str) -> Result<(), AriError> {
        self.moh(Method::DELETE, "bridges", bridge_id, None).await
    }

    /// `DELETE /channels/{id}` (hang up).
    pub async fn hangup(&self, channel_id: &str) -> Result<(), AriError> {
        let path = build_path(&[Fixed("channels"), Segment("channel id", channel_id)], &[])?;
        self.empty(Method::DELETE, &path).await
    }

    /// `POST /channels?endpoint=Local/{exten}@{context}&app=...&appArgs=...[&channelId=...]`.
    pub async fn originate_local(&self, request: &OriginateLocal) -> Result<Channel, AriError> {
        for (what, value) in [("exten", &request.exten), ("context", &request.context)] {
            if value.is_empty() || value.contains(['@', '/']) {
                return Err(AriError::InvalidInput(format!("{what} must be non-empty without '@' or '/'")));
            }
        }
        let endpoint = format!("Local/{}@{}", request.exten, request.context);
        let mut query = vec![
            ("endpoint", endpoint.as_str()),
            ("app", request.app.as_str()),
            ("appArgs", request.app_args.as_str()),
        ];
        if let Some(id) = &request.channel_id {
            query.push(("channelId", id.as_str()));
        }
        let path = build_path(&[Fixed("channels")], &query)?;
        self.json(Method::POST, &path).await
    }

    async fn moh(
        &self,
        method: Method,
        kind: &'static str,
        id: &str,
        class: Option<&str>,
    ) -> Result<(), AriError> {
        let query: Vec<(&str, &str)> = class.map(|c| ("mohClass", c)).into_iter().collect();
        let what = if kind == "channels" { "channel id" } else { "bridge id" };
        let path = build_path(&[Fixed(kind), Segment(what, id), Fixed("moh")], &query)?;
        self.empty(method, &path).await
    }

    async fn send(&self, method: Method, path: &str) -> Result<reqwest::Response, AriError> {
        let url = format!("{}{}", self.config.base_url, path);
        let response = self
            .http
            .request(method, url)
            .basic_auth(&self.config.user, Some(&self.config.password))
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.map_err(transport_error)?;
        let message = serde_json::from_str::<ErrorBody>(&text)
            .map(|b| b.message)
            .unwrap_or_else(|_| text.chars().take(200).collect());
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => AriError::Unauthorized { message },
            StatusCode::NOT_FOUND => AriError::NotFound { message },
            StatusCode::CONFLICT => AriError::Conflict { message },
            other => AriError::Status { status: other.as_u16(), message },
        })
    }

    async fn json<T: DeserializeOwned>(&self, method: Method, path: &str) -> Result<T, AriError> {
        let response = self.send(method, path).await?;
        let bytes = response.bytes().await.map_err(transport_error)?;
        serde_json::from_slice(&bytes).map_err(|e| AriError::Decode(e.to_string()))
    }

    async fn empty(&self, method: Method, path: &str) -> Result<(), AriError> {
        self.send(method, path).await.map(|_| ())
    }
}

fn transport_error(error: reqwest::Error) -> AriError {
    if error.is_timeout() {
        AriError::Timeout
    } else {
        // Without the URL: it is ours, and errors end up in the UI.
        AriError::Unreachable(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_queries_are_percent_encoded() {
        let path = build_path(
            &[Fixed("channels"), Segment("channel id", "1796413666.13 x/y"), Fixed("moh")],
            &[("mohClass", "a&b=c")],
        )
        .unwrap();
        assert_eq!(path, "/channels/1796413666.13%20x%2Fy/moh?mohClass=a%26b%3Dc");
    }

    #[test]
    fn control_characters_and_dot_segments_are_refused() {
        for bad in ["a\r\nHost: evil", "x\0", "\u{7f}", "..", ""] {
            assert!(build_path(&[Segment("id", bad)], &[]).is_err(), "{bad:?} must be refused");
        }
        assert!(build_path(&[Fixed("channels")], &[("mohClass", "demo\n")]).is_err());
    }

    #[test]
    fn https_and_junk_base_urls_are_refused() {
        assert!(AriClient::new(AriConfig::new("https://pbx/ari", "u", "p")).is_err());
        assert!(AriClient::new(AriConfig::new("http://pbx/ari\n", "u", "p")).is_err());
    }
}
