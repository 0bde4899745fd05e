//! The one typed configuration of Ringside and how it is assembled.
//!
//! Layers, later ones winning: built-in defaults < TOML file (`--config FILE`, else `./ringside.toml`
//! when present) < environment (`RINGSIDE_…`) < command-line flags. Every layer is merged into one TOML
//! table first and deserialised once, so a wrong value names its key the same way whichever layer set it.
//!
//! Environment names: a top-level key is `RINGSIDE_<KEY>` (`RINGSIDE_DATA_DIR`); a key in a section is
//! `RINGSIDE_<SECTION>__<KEY>` with a double underscore (`RINGSIDE_WEB__LISTEN`). Values are read as
//! TOML scalars when they parse as one (numbers, booleans), else as strings.
//!
//! This module does no I/O beyond reading the config file and the environment it is handed; it never logs
//! secrets: [`Config::redacted`] is the only way the effective configuration is shown.

mod asterisk;

pub use asterisk::{AsteriskServerConfig, AudioConfig, CdrConfig, MohConfig};

use crate::asterisk::agi::config::AgiConfig;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a configuration could not be loaded. Every message names the key or file concerned.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("invalid configuration at `{key}`: {message}")]
    Invalid { key: String, message: String },
    #[error("unknown environment variable {name}: {hint}")]
    UnknownEnv { name: String, hint: String },
}

/// The effective configuration.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Folder for the SQLite database, uploaded audio and generated files.
    #[serde(default = "defaults::data_dir")]
    pub data_dir: PathBuf,
    #[serde(default)]
    pub web: WebConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub moh: MohConfig,
    #[serde(default)]
    pub audio: AudioConfig,
    #[serde(default)]
    pub cdr: CdrConfig,
    /// The FastAGI server.
    #[serde(default)]
    pub agi: AgiConfig,
    /// The Asterisk servers Ringside manages (`[[asterisk]]` entries).
    #[serde(default)]
    pub asterisk: Vec<AsteriskServerConfig>,
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// Address of the web console and JSON API.
    #[serde(default = "defaults::web_listen")]
    pub listen: SocketAddr,
    /// The URL admins use to reach Ringside, when a TLS proxy sits in front (`https://pbx-tools.example`).
    /// An `https` URL makes session cookies `Secure`.
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default = "defaults::idle_minutes")]
    pub session_idle_minutes: u32,
    #[serde(default = "defaults::absolute_hours")]
    pub session_absolute_hours: u32,
    /// Largest request body accepted outside uploads, in bytes.
    #[serde(default = "defaults::max_body_bytes")]
    pub max_body_bytes: usize,
    #[serde(default = "defaults::request_timeout_secs")]
    pub request_timeout_secs: u32,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`. Unset: `<data_dir>/ringside.db`.
    #[serde(default)]
    pub url: Option<String>,
    /// Largest number of pooled connections.
    #[serde(default)]
    pub max_connections: Option<u32>,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address of the Prometheus `/metrics` listener; unset means off.
    #[serde(default)]
    pub listen: Option<SocketAddr>,
}

mod defaults {
    use std::net::SocketAddr;
    use std::path::PathBuf;

    pub fn data_dir() -> PathBuf {
        PathBuf::from("data")
    }
    pub fn web_listen() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 8080))
    }
    pub fn idle_minutes() -> u32 {
        30
    }
    pub fn absolute_hours() -> u32 {
        8
    }
    pub fn max_body_bytes() -> usize {
        1 << 20
    }
    pub fn request_timeout_secs() -> u32 {
        30
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            listen: defaults::web_listen(),
            public_url: None,
            session_idle_minutes: defaults::idle_minutes(),
            session_absolute_hours: defaults::absolute_hours(),
            max_body_bytes: defaults::max_body_bytes(),
            request_timeout_secs: defaults::request_timeout_secs(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: defaults::data_dir(),
            web: WebConfig::default(),
            database: DatabaseConfig::default(),
            metrics: MetricsConfig::default(),
            moh: MohConfig::default(),
            audio: AudioConfig::default(),
            cdr: CdrConfig::default(),
            agi: AgiConfig::default(),
            asterisk: Vec::new(),
        }
    }
}

/// Values given on the command line; they win over every other layer.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub database_url: Option<String>,
}

/// Where the TOML layer comes from.
pub enum Source<'a> {
    /// `--config FILE`: must exist.
    Explicit(&'a Path),
    /// `./ringside.toml` if present.
    Default,
}

impl Config {
    /// Assemble the configuration from all layers. `env` is the process environment (a parameter so that
    /// tests need not touch global state).
    pub fn load(
        source: Source<'_>,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let mut table = match source {
            Source::Explicit(path) => read_table(path)?,
            Source::Default => {
                let path = Path::new("ringside.toml");
                if path.exists() { read_table(path)? } else { toml::Table::new() }
            }
        };
        overlay_env(&mut table, env)?;
        overlay_flags(&mut table, overrides);
        Self::from_table(table)
    }

    /// Deserialise a merged table and check what types alone cannot.
    pub fn from_table(table: toml::Table) -> Result<Self, ConfigError> {
        let config: Config = serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            ConfigError::Invalid { key: e.path().to_string(), message: e.inner().to_string() }
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid =
            |key: &str, message: &str| Err(ConfigError::Invalid { key: key.into(), message: message.into() });
        if let Some(url) = &self.web.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return invalid("web.public_url", "must start with http:// or https://");
        }
        if self.web.session_idle_minutes == 0 || self.web.session_idle_minutes > 24 * 60 {
            return invalid("web.session_idle_minutes", "must be between 1 and 1440");
        }
        if self.web.session_absolute_hours == 0 || self.web.session_absolute_hours > 24 * 30 {
            return invalid("web.session_absolute_hours", "must be between 1 and 720");
        }
        if self.web.max_body_bytes < 1024 {
            return invalid("web.max_body_bytes", "must be at least 1024");
        }
        if self.web.request_timeout_secs == 0 {
            return invalid("web.request_timeout_secs", "must be at least 1");
        }
        if let Some(url) = &self.database.url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            return invalid(
                "database.url",
                "must start with sqlite: (e.g. sqlite://data/ringside.db) or postgres://",
            );
        }
        if self.database.max_connections == Some(0) {
            return invalid("database.max_connections", "must be at least 1");
        }
        if self.moh.max_upload_bytes < 1024 {
            return invalid("moh.max_upload_bytes", "must be at least 1024");
        }
        if self.moh.max_duration_secs == 0 {
            return invalid("moh.max_duration_secs", "must be at least 1");
        }
        if let Some(root) = &self.moh.root
            && root.to_str().is_none_or(|r| r.chars().any(|c| c.is_control() || c == ';' || c == '\\'))
        {
            return invalid("moh.root", "must be UTF-8 without ';', '\\' or control characters");
        }
        let mut names = std::collections::HashSet::new();
        for (i, server) in self.asterisk.iter().enumerate() {
            server.validate(i).map_err(|(key, message)| ConfigError::Invalid { key, message })?;
            if !names.insert(server.name.as_str()) {
                return invalid(&format!("asterisk[{i}].name"), "is used by another [[asterisk]] entry");
            }
        }
        Ok(())
    }

    /// The database URL in effect: the configured one, else SQLite in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("ringside.db").display()),
        }
    }

    /// Whether cookies must carry `Secure` (the admins reach us over HTTPS through a proxy).
    pub fn secure_cookies(&self) -> bool {
        self.web.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(u64::from(self.web.session_idle_minutes) * 60)
    }

    pub fn session_absolute(&self) -> Duration {
        Duration::from_secs(u64::from(self.web.session_absolute_hours) * 3600)
    }

    /// The effective configuration as TOML with every secret replaced by `<redacted>`.
    pub fn redacted(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = Some(redact_url_password(&self.database_url()));
        shown.asterisk = self.asterisk.iter().map(AsteriskServerConfig::redacted).collect();
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:<redacted>@host/db`.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let Some((userinfo, host)) = rest.rsplit_once('@') else { return url.to_string() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:<redacted>@{host}"),
        None => url.to_string(),
    }
}

fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
    text.parse::<toml::Table>()
        .map_err(|e| ConfigError::Syntax { path: path.to_path_buf(), message: e.to_string() })
}

/// Environment variables that are not configuration keys but belong to Ringside.
const ENV_NOT_KEYS: &[&str] = &["RINGSIDE_CONFIG", "RINGSIDE_LOG"];

fn overlay_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("RINGSIDE_") else { continue };
        if ENV_NOT_KEYS.contains(&name.as_str()) || rest.is_empty() {
            continue;
        }
        let lower = rest.to_ascii_lowercase();
        let parsed = parse_scalar(&value);
        match lower.split_once("__") {
            Some((section, key)) if !section.is_empty() && !key.is_empty() => {
                let entry = table
                    .entry(section.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                let toml::Value::Table(section_table) = entry else {
                    return Err(ConfigError::UnknownEnv {
                        name,
                        hint: format!("`{section}` is not a section"),
                    });
                };
                section_table.insert(key.to_string(), parsed);
            }
            Some(_) => {
                return Err(ConfigError::UnknownEnv {
                    name,
                    hint: "use RINGSIDE_<SECTION>__<KEY>, e.g. RINGSIDE_WEB__LISTEN".into(),
                });
            }
            None => {
                table.insert(lower, parsed);
            }
        }
    }
    Ok(())
}

/// Read an environment value as a TOML scalar when it is one (`8080`, `true`), else as a string.
fn parse_scalar(value: &str) -> toml::Value {
    if let Ok(n) = value.parse::<i64>() {
        return toml::Value::Integer(n);
    }
    match value {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => toml::Value::String(value.to_string()),
    }
}

fn overlay_flags(table: &mut toml::Table, overrides: &Overrides) {
    fn section<'t>(table: &'t mut toml::Table, name: &str) -> &'t mut toml::Table {
        let entry = table.entry(name.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        match entry {
            toml::Value::Table(t) => t,
            _ => unreachable!("replaced by a table just above"),
        }
    }
    if let Some(dir) = &overrides.data_dir {
        table.insert("data_dir".into(), toml::Value::String(dir.display().to_string()));
    }
    if let Some(listen) = overrides.listen {
        section(table, "web").insert("listen".into(), toml::Value::String(listen.to_string()));
    }
    if let Some(url) = &overrides.database_url {
        section(table, "database").insert("url".into(), toml::Value::String(url.clone()));
    }
}

#[cfg(test)]
mod tests;
