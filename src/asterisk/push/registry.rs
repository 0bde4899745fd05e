//! Which Asterisk servers Ringside manages, and how admins change that list in the console.
//!
//! Two sources combine into one list. `[[asterisk]]` entries of the config file come first and are
//! read-only in the console (edit the file and restart). Servers added in the console are stored
//! (`asterisk_servers`) and can be edited, disabled and deleted live: the hub restarts or stops
//! their tasks at once. Names are unique across both: the console refuses a name the file uses,
//! and a stored server whose name a later file entry takes is skipped at start with a warning
//! (the file wins).
//!
//! Every value passes [`AsteriskServerConfig::problems`] before anything is stored or contacted.
//! Secrets are write-only: [`ServerSettings`] only says whether one is set, an empty secret on
//! edit keeps the stored one, and [`ServerInput`]'s `Debug` hides them. Must not render HTML.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::hub::PushHub;
use super::status::Origin;
use crate::config::AsteriskServerConfig;
use crate::moh::model::FieldErrors;
use crate::store::{ServerRow, Store, StoreError};

/// What an admin submits (JSON body or form) to add or edit a console server. Absent fields keep
/// their value; an empty string clears a value, except for the two secrets, where it keeps it.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub ari_url: Option<String>,
    #[serde(default)]
    pub ari_user: Option<String>,
    #[serde(default)]
    pub ari_password: Option<String>,
    #[serde(default)]
    pub ami_host: Option<String>,
    #[serde(default)]
    pub ami_port: Option<PortInput>,
    #[serde(default)]
    pub ami_user: Option<String>,
    #[serde(default)]
    pub ami_secret: Option<String>,
    #[serde(default)]
    pub moh_root: Option<String>,
    #[serde(default)]
    pub conf_path: Option<String>,
    #[serde(default)]
    pub cdr_csv_path: Option<String>,
    #[serde(default)]
    pub cdr_timezone: Option<String>,
}

impl std::fmt::Debug for ServerInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("ServerInput")
            .field("name", &self.name)
            .field("ari_url", &self.ari_url)
            .field("ari_password", &hidden(&self.ari_password))
            .field("ami_host", &self.ami_host)
            .field("ami_secret", &hidden(&self.ami_secret))
            .finish_non_exhaustive()
    }
}

/// A port as JSON sends it (a number) or a form does (text).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PortInput {
    Number(i64),
    Text(String),
}

/// A server's settings as the console and API show them: never a secret, only whether it is set.
#[derive(Debug, Clone, Serialize)]
pub struct ServerSettings {
    pub name: String,
    pub origin: Origin,
    pub enabled: bool,
    pub ari_url: Option<String>,
    pub ari_user: Option<String>,
    pub ari_password_set: bool,
    pub ami_host: Option<String>,
    pub ami_port: u16,
    pub ami_user: Option<String>,
    pub ami_secret_set: bool,
    pub moh_root: Option<String>,
    pub conf_path: Option<String>,
    pub cdr_csv_path: Option<String>,
    pub cdr_timezone: Option<String>,
}

/// Why a change to the server list was refused.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    #[error("no server named {0:?}")]
    NotFound(String),
    #[error("server {0:?} comes from the config file: change it there and restart Ringside")]
    ReadOnly(String),
    #[error("a server named {0:?} already exists")]
    Exists(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A change that was made: what the audit line says (field names only, never values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub fields: Vec<String>,
}

impl ServerInput {
    /// `Some(enabled)` when the input only switches the server on or off.
    pub fn only_enabled(&self) -> Option<bool> {
        let only = Self { enabled: self.enabled, ..Self::default() };
        let same = |a: &Self, b: &Self| {
            (&a.name, &a.ari_url, &a.ari_user, &a.ari_password, &a.ami_host, &a.ami_user, &a.ami_secret)
                == (
                    &b.name,
                    &b.ari_url,
                    &b.ari_user,
                    &b.ari_password,
                    &b.ami_host,
                    &b.ami_user,
                    &b.ami_secret,
                )
                && (&a.moh_root, &a.conf_path, &a.cdr_csv_path, &a.cdr_timezone)
                    == (&b.moh_root, &b.conf_path, &b.cdr_csv_path, &b.cdr_timezone)
                && a.ami_port.is_none()
        };
        if same(self, &only) { self.enabled } else { None }
    }

    /// `base` with this input applied, every value checked. `creating` allows a name.
    pub fn apply(
        &self,
        base: &AsteriskServerConfig,
        creating: bool,
    ) -> Result<AsteriskServerConfig, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut s = base.clone();
        match self.name.as_deref().map(str::trim) {
            Some(name) if creating => s.name = name.to_owned(),
            Some(name) if name != base.name => errors.0.push(("name", "a server cannot be renamed".into())),
            _ => {}
        }
        if let Some(enabled) = self.enabled {
            s.enabled = enabled;
        }
        set_text(&mut s.ari_url, &self.ari_url);
        set_text(&mut s.ari_user, &self.ari_user);
        set_secret(&mut s.ari_password, &self.ari_password);
        set_text(&mut s.ami_host, &self.ami_host);
        set_text(&mut s.ami_user, &self.ami_user);
        set_secret(&mut s.ami_secret, &self.ami_secret);
        match &self.ami_port {
            None => {}
            Some(PortInput::Text(t)) if t.trim().is_empty() => s.ami_port = 5038,
            Some(port) => match port_number(port) {
                Some(port) => s.ami_port = port,
                None => errors.0.push(("ami_port", "must be a number between 1 and 65535".into())),
            },
        }
        for (slot, value) in [
            (&mut s.moh_root, &self.moh_root),
            (&mut s.conf_path, &self.conf_path),
            (&mut s.cdr_csv_path, &self.cdr_csv_path),
        ] {
            let mut text = slot.as_ref().map(|p| p.to_string_lossy().into_owned());
            set_text(&mut text, value);
            *slot = text.map(PathBuf::from);
        }
        set_text(&mut s.cdr_timezone, &self.cdr_timezone);
        if s.ari_url.is_none() {
            (s.ari_user, s.ari_password) = (None, None);
        }
        if s.ami_host.is_none() {
            (s.ami_user, s.ami_secret) = (None, None);
        }
        errors.0.extend(s.problems());
        if errors.is_empty() { Ok(s) } else { Err(errors) }
    }
}

fn set_text(slot: &mut Option<String>, value: &Option<String>) {
    if let Some(value) = value {
        let value = value.trim();
        *slot = (!value.is_empty()).then(|| value.to_owned());
    }
}

fn set_secret(slot: &mut Option<String>, value: &Option<String>) {
    if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
        *slot = Some(value.clone());
    }
}

fn port_number(port: &PortInput) -> Option<u16> {
    let number = match port {
        PortInput::Number(n) => *n,
        PortInput::Text(t) => t.trim().parse().ok()?,
    };
    u16::try_from(number).ok().filter(|p| *p > 0)
}

/// A fresh console server's defaults before the input is applied.
fn blank() -> AsteriskServerConfig {
    AsteriskServerConfig {
        name: String::new(),
        enabled: true,
        ari_url: None,
        ari_user: None,
        ari_password: None,
        ami_host: None,
        ami_port: 5038,
        ami_user: None,
        ami_secret: None,
        moh_root: None,
        conf_path: None,
        cdr_csv_path: None,
        cdr_timezone: None,
        cdr_columns: None,
    }
}

/// The names of the fields that differ (for the audit line; never the values).
fn changed_fields(before: &AsteriskServerConfig, after: &AsteriskServerConfig) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    b.iter().filter(|(k, v)| a.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect()
}

fn settings_of(origin: Origin, s: &AsteriskServerConfig) -> ServerSettings {
    let text = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
    ServerSettings {
        name: s.name.clone(),
        origin,
        enabled: s.enabled,
        ari_url: s.ari_url.clone(),
        ari_user: s.ari_user.clone(),
        ari_password_set: s.ari_password.is_some(),
        ami_host: s.ami_host.clone(),
        ami_port: s.ami_port,
        ami_user: s.ami_user.clone(),
        ami_secret_set: s.ami_secret.is_some(),
        moh_root: text(&s.moh_root),
        conf_path: text(&s.conf_path),
        cdr_csv_path: text(&s.cdr_csv_path),
        cdr_timezone: s.cdr_timezone.clone(),
    }
}

fn row_of(s: &AsteriskServerConfig, created_at: i64, updated_at: i64) -> ServerRow {
    let text = |p: &Option<PathBuf>| p.as_ref().map(|p| p.to_string_lossy().into_owned());
    ServerRow {
        name: s.name.clone(),
        enabled: s.enabled,
        ari_url: s.ari_url.clone(),
        ari_user: s.ari_user.clone(),
        ari_password: s.ari_password.clone(),
        ami_host: s.ami_host.clone(),
        ami_port: i64::from(s.ami_port),
        ami_user: s.ami_user.clone(),
        ami_secret: s.ami_secret.clone(),
        moh_root: text(&s.moh_root),
        conf_path: text(&s.conf_path),
        cdr_csv_path: text(&s.cdr_csv_path),
        cdr_timezone: s.cdr_timezone.clone(),
        created_at,
        updated_at,
    }
}

fn config_of(row: ServerRow) -> AsteriskServerConfig {
    AsteriskServerConfig {
        name: row.name,
        enabled: row.enabled,
        ari_url: row.ari_url,
        ari_user: row.ari_user,
        ari_password: row.ari_password,
        ami_host: row.ami_host,
        ami_port: u16::try_from(row.ami_port).unwrap_or(0),
        ami_user: row.ami_user,
        ami_secret: row.ami_secret,
        moh_root: row.moh_root.map(PathBuf::from),
        conf_path: row.conf_path.map(PathBuf::from),
        cdr_csv_path: row.cdr_csv_path.map(PathBuf::from),
        cdr_timezone: row.cdr_timezone,
        cdr_columns: None,
    }
}

/// The stored servers to start, minus any whose name the config file uses or whose values no
/// longer pass the checks (both logged).
pub(super) async fn console_servers(
    store: &dyn Store,
    file: &[AsteriskServerConfig],
) -> Vec<AsteriskServerConfig> {
    let rows = match store.list_servers().await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::error!(error = %e, "could not read the servers added in the console");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for server in rows.into_iter().map(config_of) {
        if file.iter().any(|f| f.name == server.name) {
            tracing::warn!(server = %server.name, "a console server has the name of an [[asterisk]] entry: the config file wins, the console one is not started");
        } else if let Some((field, message)) = server.problems().into_iter().next() {
            tracing::error!(server = %server.name, field, message, "a stored server is invalid and not started");
        } else {
            out.push(server);
        }
    }
    out
}

impl PushHub {
    /// One server's settings, secrets left out.
    pub fn server_settings(&self, name: &str) -> Option<ServerSettings> {
        self.server(name).map(|(origin, s)| settings_of(origin, &s))
    }

    /// Adds a console server, stores it and starts it (a first deploy follows at once).
    pub async fn add_server(&self, input: &ServerInput) -> Result<ServerSettings, ServerError> {
        let _edit = self.edits.lock().await;
        let server = input.apply(&blank(), true).map_err(ServerError::Invalid)?;
        if self.server(&server.name).is_some() {
            return Err(ServerError::Exists(server.name));
        }
        let now = crate::auth::now_ms();
        self.runtime_store().insert_server(&row_of(&server, now, now)).await.map_err(|e| match e {
            StoreError::Conflict(_) => ServerError::Exists(server.name.clone()),
            other => other.into(),
        })?;
        let settings = settings_of(Origin::Console, &server);
        self.put(Origin::Console, server);
        Ok(settings)
    }

    /// Changes a console server and restarts its links when anything changed.
    pub async fn edit_server(&self, name: &str, input: &ServerInput) -> Result<Changed, ServerError> {
        let _edit = self.edits.lock().await;
        let before = self.console_server(name)?;
        let after = input.apply(&before, false).map_err(ServerError::Invalid)?;
        let fields = changed_fields(&before, &after);
        if fields.is_empty() {
            return Ok(Changed { fields });
        }
        let row = row_of(&after, 0, crate::auth::now_ms());
        if !self.runtime_store().update_server(&row).await? {
            return Err(ServerError::NotFound(name.to_owned()));
        }
        self.put(Origin::Console, after);
        Ok(Changed { fields })
    }

    /// Deletes a console server: its tasks stop and its deploy results are forgotten.
    pub async fn delete_server(&self, name: &str) -> Result<(), ServerError> {
        let _edit = self.edits.lock().await;
        self.console_server(name)?;
        self.runtime_store().delete_server(name).await?;
        self.remove(name);
        Ok(())
    }

    fn console_server(&self, name: &str) -> Result<AsteriskServerConfig, ServerError> {
        match self.server(name) {
            None => Err(ServerError::NotFound(name.to_owned())),
            Some((Origin::ConfigFile, _)) => Err(ServerError::ReadOnly(name.to_owned())),
            Some((Origin::Console, server)) => Ok(server),
        }
    }
}

#[cfg(test)]
mod tests;
